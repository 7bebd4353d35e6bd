"""Refuse ad-hoc SPARQL that reaches other hosts (SERVICE) or changes data (updates), unless allowed."""

from __future__ import annotations

import re

from ifnonto.errors import IfnontoError

# Strings, IRIs and comments are removed first so that a keyword inside them does not count.
_STRIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*')
# A keyword, not a variable (?add), a prefixed name (ifn:create) or a prefix (copy:).
_UPDATE = re.compile(r"(?<![?$:\w-])(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY)\b(?![:\w-])", re.I)
_SERVICE = re.compile(r"(?<![?$:\w-])SERVICE\b(?![:\w-])", re.I)
MAX_QUERY_LENGTH = 1_000_000


def mask_literals(text: str) -> str:
    """The query with strings, IRIs and comments blanked out (same length), for locating keywords."""
    return _STRIP.sub(lambda m: " " * len(m.group(0)), text)


def check_query(text: str, *, allow_service: bool = False, allow_update: bool = False) -> None:
    if len(text) > MAX_QUERY_LENGTH:
        raise IfnontoError(f"query text is too long ({len(text)} characters; limit {MAX_QUERY_LENGTH})")
    if "\x00" in text:
        raise IfnontoError("query text contains a NUL character")
    code = mask_literals(text)
    if not allow_update and _UPDATE.search(code):
        raise IfnontoError(f"SPARQL update ({_UPDATE.search(code).group(1).upper()}) is refused: "
                           "only SELECT, ASK, CONSTRUCT and DESCRIBE queries are run")
    if not allow_service and _SERVICE.search(code):
        raise IfnontoError("SERVICE (federated query to another endpoint) is refused by default; "
                           "pass --allow-service to permit it")
