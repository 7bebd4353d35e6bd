"""Regenerate tests/golden/*.json: the exact rows of every packaged query on the current release.

Run after a deliberate change of content or queries, then read the diff: the golden files are the
reviewed expectations that tests/test_queries.py holds the queries to.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from golden_cases import CASES  # noqa: E402

from ifnonto import paths  # noqa: E402
from ifnonto.engines import OxigraphEngine  # noqa: E402
from ifnonto.queries import bind_values, registry  # noqa: E402


def main() -> None:
    engine = OxigraphEngine([paths.release_file("nt", inferred=True)])
    queries = registry()
    out = ROOT / "tests" / "golden"
    out.mkdir(exist_ok=True)
    for case_id, (name, params) in sorted(CASES.items()):
        result = engine.select(queries[name].text, bind_values(queries[name], params))
        document = {"query": name, "params": params, "columns": result.columns, "rows": result.rows}
        (out / f"{case_id}.json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
        print(f"{case_id}: {len(result.rows)} rows")


if __name__ == "__main__":
    main()
