"""Decide whether an ad-hoc SPARQL request may run: size and nesting checked before any parser sees it, then
refusals decided on the parsed query (rdflib's SPARQL parser), never on its text.

Measured: pyoxigraph 0.5.13's parser segfaults on 2,200 nested groups (4.4 KB) in a main thread and on ~20,000
chained UNIONs; 6,500 UNIONs run for minutes; rdflib needs 3 s to parse 1,000 UNIONs and ~50 ms for a typical
packaged query. Hence a cheap bracket lexer first, then the parse, with verdicts cached by query text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ifnonto.errors import IfnontoError

MAX_QUERY_LENGTH = 1_000_000
MAX_DEPTH = 64          # nested { ( [ at any point
MAX_GROUPS = 500        # '{' in the whole query (each UNION branch, OPTIONAL, FILTER EXISTS ... opens one)

# Strings (with escapes), IRIs and comments, and a backslash escape in a prefixed name (ex:p\# is a name, not
# a comment): matched as whole tokens so that the brackets inside them are not counted.
_TOKEN = re.compile(
    r'"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\[\s\S]|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'
    r"|#[^\n\r]*"
    r"|\\."
    r"|[{}()\[\]]"
)
_OPEN = {"{": "{", "(": "(", "[": "["}
_UPDATE = re.compile(r"(?<![?$:\w-])(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY)\b(?![:\w-])", re.I)
_NETWORK_SCHEMES = ("http:", "https:", "ftp:", "file:")


def mask_literals(text: str) -> str:
    """The query with strings, IRIs and comments blanked out (same length), for locating keywords in a
    packaged query's own text (never used to decide a refusal)."""
    def blank(match: re.Match) -> str:
        token = match.group(0)
        return token if len(token) == 1 else " " * len(token)
    return _TOKEN.sub(blank, text)


def nesting(text: str) -> tuple[int, int]:
    """(deepest bracket nesting, number of '{') of the query, as an upper bound of what a parser will see.

    Two readings are taken and the larger kept: the lexer's (brackets inside strings, IRIs and comments do not
    count) and a raw count over every bracket character, so a lexer that disagrees with the engine's parser
    about where a string ends can only over-count."""
    depth = deepest = groups = 0
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in _OPEN:
            depth += 1
            groups += token == "{"
            deepest = max(deepest, depth)
        elif token in ")}]":
            depth = max(0, depth - 1)
    raw = raw_deepest = 0
    for char in text:
        if char in "{([":
            raw += 1
            raw_deepest = max(raw_deepest, raw)
        elif char in "})]":
            raw = max(0, raw - 1)
    return max(deepest, raw_deepest), max(groups, text.count("{"))


def precheck(text: str) -> None:
    """Size, NUL and nesting limits, checked before any SPARQL parser runs."""
    if len(text) > MAX_QUERY_LENGTH:
        raise IfnontoError(f"query text is too long ({len(text)} characters; limit {MAX_QUERY_LENGTH})")
    if "\x00" in text:
        raise IfnontoError("query text contains a NUL character")
    depth, groups = nesting(text)
    if depth > MAX_DEPTH:
        raise IfnontoError(f"query nests brackets {depth} deep (limit {MAX_DEPTH}); rejected before parsing")
    if groups > MAX_GROUPS:
        raise IfnontoError(f"query has {groups} group patterns '{{' (limit {MAX_GROUPS}); rejected before parsing")


@dataclass(frozen=True)
class Verdict:
    refusal: str | None          # why the query is refused, or None
    kind: str = "query"          # "query" or "update"
    syntax: tuple | None = None  # (reason, line, column) when the text does not parse
    form: str | None = None      # SELECT, ASK, CONSTRUCT or DESCRIBE for a query that parses


class QuerySyntaxError(IfnontoError):
    """The query does not parse; ``syntax`` is (reason, line, column) for a message that points at it."""

    def __init__(self, message: str, syntax: tuple):
        super().__init__(message)
        self.syntax = syntax


def _walk(node, seen_ids: set[int]):
    """Every CompValue in rdflib's parse tree (dicts, lists and ParseResults included)."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if id(item) in seen_ids:
            continue
        seen_ids.add(id(item))
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)


@lru_cache(maxsize=2048)
def _verdict(text: str, allow_service: bool, allow_update: bool, remote_dataset: bool) -> Verdict:
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(text)
        kind = "query"
    except (ParseException, RecursionError) as query_error:
        try:
            tree = parseUpdate(text)
            kind = "update"
        except (ParseException, RecursionError):
            if _UPDATE.search(mask_literals(text)):
                # neither reading parses, but it looks like an update: refuse as such
                return Verdict("SPARQL update is refused: only SELECT, ASK, CONSTRUCT and DESCRIBE queries "
                               "are run", "update")
            message = str(query_error).split("\n")[0] if isinstance(query_error, ParseException) \
                else "too deeply nested"
            position = (query_error.msg, query_error.lineno, query_error.col) \
                if isinstance(query_error, ParseException) else (message, None, None)
            return Verdict(f"SPARQL syntax error (or syntax the safety check cannot read): {message}",
                           syntax=position)
    if kind == "update" and not allow_update:
        return Verdict("SPARQL update is refused: only SELECT, ASK, CONSTRUCT and DESCRIBE queries are run",
                       "update")
    for node in _walk(tree, set()):
        if node.name == "ServiceGraphPattern" and not allow_service:
            return Verdict("SERVICE (federated query to another endpoint) is refused by default; "
                           "pass --allow-service to permit it", kind)
        if node.name == "DatasetClause" and not remote_dataset:
            # not node.get(key): rdflib's CompValue.get answers the key itself for a missing key
            iri = node["default"] if "default" in node else node["named"] if "named" in node else None
            if str(iri).lower().startswith(_NETWORK_SCHEMES):
                return Verdict(f"FROM/FROM NAMED <{iri}> is refused: a local engine would fetch it from "
                               "the network (query the loaded data, or use --endpoint)", kind)
    form = tree[1].name.removesuffix("Query").upper() if kind == "query" else None
    return Verdict(None, kind, form=form)


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE; None for text that does not parse as a query."""
    return _verdict(text, True, False, True).form


def check_query(text: str, *, allow_service: bool = False, allow_update: bool = False,
                remote_dataset: bool = False) -> None:
    """Raise IfnontoError unless the text is one query that may run here.

    ``remote_dataset``: FROM / FROM NAMED name graphs inside a remote store (allowed), not documents that a
    local engine would download (refused)."""
    precheck(text)
    verdict = _verdict(text, allow_service, allow_update, remote_dataset)
    if verdict.syntax:
        raise QuerySyntaxError(verdict.refusal, verdict.syntax)
    if verdict.refusal:
        raise IfnontoError(verdict.refusal)


def is_refusal(error: IfnontoError) -> bool:
    """A refusal (HTTP 403) as opposed to a malformed request (HTTP 400)."""
    return "refused" in error.message
