"""The gate: every check the release must pass, as one library call used by `ifnonto check`, `ifnonto demo` and CI.

1. The committed release files are exactly what `ifnonto build` makes from the sources.
2. Every QC query (``queries/qc/*-violation.rq``) returns no rows, on the asserted and on the inferred release.
3. The inferred release conforms to the SHACL shapes.
4. HermiT finds the asserted release consistent, with no unsatisfiable class.

Step 1 reasons as the build does (HermiT on the TBox, rules on the individuals); step 4 runs the DL tableau on
the whole asserted release, as a Protégé user would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ifnonto import paths

Say = Callable[[str], None]


@dataclass
class CheckResult:
    step: str                      # reproducible | qc | shacl | reasoner
    name: str
    ok: bool
    details: list[str] = field(default_factory=list)


@dataclass
class GateReport:
    results: list[CheckResult]

    @property
    def failures(self) -> list[CheckResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return bool(self.results) and not self.failures

    def of(self, step: str) -> list[CheckResult]:
        return [r for r in self.results if r.step == step]


def _quiet(_text: str) -> None:
    pass


def stale_files(files: dict[Path, str]) -> list[Path]:
    """The release files that are missing or differ from the rendered text."""
    return [path for path, text in files.items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def run_gate(source_dir: Path | None = None, release_dir: Path | None = None, *, rendered=None,
             say: Say = _quiet) -> GateReport:
    """Run every check on the release in ``release_dir`` (default: ``ontology/``) built from ``source_dir``.

    ``rendered`` is a ``BuildResult`` already made from the sources (``ifnonto demo`` has just built); without it
    the sources are compiled and reasoned over here. Bad sources raise ``IfnontoError`` (exit 2), a missing Java
    raises ``MissingToolError`` (exit 3); every other problem is a failed check in the report.
    """
    from ifnonto.build import InconsistentSourcesError, render

    release_dir = Path(release_dir) if release_dir else paths.ONTOLOGY_DIR
    results: list[CheckResult] = []

    say("== release is reproducible from the sources")
    try:
        if rendered is None:
            rendered = render(source_dir, out_dir=release_dir)
        if rendered.reasoning is None:
            raise ValueError("the gate needs a build with the inferred release (render(..., inferred=True))")
        stale = stale_files(rendered.files)
        details = [f"stale: {p} differs from what `ifnonto build` makes from the sources" for p in stale]
        details = details or [f"release files are current ({len(rendered.files)} files)"]
        results.append(CheckResult("reproducible", "release files", not stale, details))
    except InconsistentSourcesError as exc:
        results.append(CheckResult("reproducible", "release files", False, [f"cannot render: {exc}"]))
    for line in results[-1].details:
        say(line)

    asserted = release_dir / f"{paths.RELEASE_STEM}.nt"
    inferred = release_dir / f"{paths.INFERRED_STEM}.nt"
    results += _qc(asserted, inferred, say)
    results.append(_shacl(inferred, say))
    results.append(_reasoner(asserted, say))
    report = GateReport(results)
    failed = len(report.failures)
    say("all checks passed" if report.ok else f"{failed} check(s) failed")
    return report


def _qc(asserted: Path, inferred: Path, say: Say) -> list[CheckResult]:
    from ifnonto.qc import run_qc

    results = []
    for label, path, is_inferred in (("asserted", asserted, False), ("inferred", inferred, True)):
        say(f"== QC checks on the {label} release")
        outcomes = run_qc([path], inferred=is_inferred)
        if not outcomes:
            results.append(CheckResult("qc", f"{label}: no QC checks found", False))
        for outcome in outcomes:
            rows = ["  ".join(v or "" for v in row) for row in outcome.result.rows[:10]]
            results.append(CheckResult("qc", f"{label}: {outcome.check.name}", outcome.ok, rows))
            say(f"  {outcome.check.name:45s} {'ok' if outcome.ok else f'FAIL ({len(outcome.result.rows)})'}")
            for row in rows:
                say("      " + row)
    return results


def _shacl(inferred: Path, say: Say) -> CheckResult:
    from ifnonto.shacl_engine import validate
    from ifnonto.validate import Finding

    say("== SHACL shapes on the inferred release")
    findings = [Finding(*r.strings()) for r in validate([inferred], with_release=False)]
    details = [f"{f.focus} {f.path} {f.value!r}: {f.message}" for f in findings[:30]]
    say(f"  {len(findings)} violation(s)")
    for line in details:
        say("  " + line)
    return CheckResult("shacl", "shapes", not findings, details)


def _reasoner(asserted: Path, say: Say) -> CheckResult:
    # The build reasons with HermiT on the TBox and rules on the individuals; the gate asks the DL tableau
    # about the whole asserted release, as Protégé does.
    say("== OWL reasoning (HermiT) on the asserted release")
    from ifnonto.loading import load_graph
    from ifnonto.reason import run_hermit

    result = run_hermit(load_graph([asserted]))
    consistent, unsatisfiable, source = result.consistent, result.unsatisfiable, ""
    line = f"consistent: {consistent}; unsatisfiable classes: {len(unsatisfiable)}{source}"
    say("  " + line)
    return CheckResult("reasoner", "HermiT", consistent and not unsatisfiable, [line] + list(unsatisfiable))
