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


def run_qc(files: list[Path] | None = None, engine=None) -> list[CheckOutcome]:
    """Run every QC check on ``files`` (default: the asserted and the inferred release, together)."""
    from ifnonto.engines import OxigraphEngine

    if engine is None:
        files = files if files is not None else [paths.release_file("nt"), paths.release_file("nt", inferred=True)]
        engine = OxigraphEngine(files)
    return [CheckOutcome(check, engine.select(check.text)) for check in qc_checks()]
