"""The golden cases: every packaged query with its default parameters, and with each `# example:` of its header."""

from __future__ import annotations

from ifnonto.queries import registry

CASES: dict[str, tuple[str, dict[str, str | list[str]]]] = {}
for _name, _query in registry().items():
    CASES[_name] = (_name, {})
    for _params in _query.examples:
        _values = [v for value in _params.values() for v in (value if isinstance(value, list) else [value])]
        CASES[f"{_name}--{'-'.join(_values).replace(':', '_')}"] = (_name, _params)
