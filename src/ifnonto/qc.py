"""Quality-control queries: every ``queries/qc/*-violation.rq`` must return no rows."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ifnonto import paths
from ifnonto.queries import PackagedQuery, QueryResult, parse_header


@dataclass
class CheckOutcome:
    check: PackagedQuery
    result: QueryResult

    @property
    def ok(self) -> bool:
        return not self.result.rows


def qc_checks(folder: Path | None = None) -> list[PackagedQuery]:
    folder = Path(folder) if folder else paths.QC_DIR
    return [parse_header(path) for path in sorted(folder.glob("*-violation.rq"))]


def run_qc(files: list[Path] | None = None, engine=None, *, inferred: bool | None = None) -> list[CheckOutcome]:
    """Run the QC checks on ``files`` (default: the asserted release). On an inferred graph
    (``inferred=True``, or the inferred release by default) the asserted-only checks are skipped."""
    from ifnonto.engines import OxigraphEngine

    if inferred is None:
        inferred = bool(files) and any(paths.INFERRED_STEM in Path(f).name for f in files)
    if engine is None:
        engine = OxigraphEngine(files if files is not None else [paths.release_file("nt")])
    checks = [c for c in qc_checks() if not (inferred and c.asserted_only)]
    return [CheckOutcome(check, engine.select(check.text)) for check in checks]
