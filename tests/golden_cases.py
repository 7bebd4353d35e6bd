"""The golden cases: every packaged query with its default parameters, and with each `# example:` of its header."""

from __future__ import annotations

from ifnonto.queries import registry

CASES: dict[str, tuple[str, dict[str, str]]] = {}
for _name, _query in registry().items():
    CASES[_name] = (_name, {})
    for _params in _query.examples:
        CASES[f"{_name}--{'-'.join(_params.values()).replace(':', '_')}"] = (_name, _params)
