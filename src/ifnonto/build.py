"""`ifnonto build`: compile the sources, reason, and write every release file at once.

All files are rendered in memory first and then written through temp files and renames, so a failed build
(bad row, inconsistent ontology, missing Java) leaves the previous release untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from ifnonto import paths
from ifnonto.atomic import write_all
from ifnonto.compile import compile_sources
from ifnonto.errors import IfnontoError
from ifnonto.reference_terms import IMPORT_NAME, import_text
from ifnonto.serialize import FORMATS, context_document, serialize_all


@dataclass
class BuildResult:
    files: dict[Path, str]
    asserted_triples: int
    inferred_triples: int
    counts: dict[str, int] = field(default_factory=dict)


class InconsistentSourcesError(IfnontoError):
    exit_code = 1


def render(source_dir: Path | None = None, version: str | None = None, *, inferred: bool = True,
           out_dir: Path | None = None) -> BuildResult:
    """Compile (and reason) in memory; return the text of each release file."""
    compiled = compile_sources(source_dir, version)
    out_dir = Path(out_dir) if out_dir else paths.ONTOLOGY_DIR
    asserted_text = serialize_all(compiled.graph)
    files = {out_dir / f"{paths.RELEASE_STEM}.{fmt}": asserted_text[fmt] for fmt in FORMATS}
    files[out_dir / f"{paths.RELEASE_STEM}.context.jsonld"] = context_document()
    if compiled.reference_import is not None:
        files[out_dir / "imports" / IMPORT_NAME] = import_text(compiled.reference_import)
    inferred_count = 0
    if inferred:
        from ifnonto.reason import reason

        result = reason(compiled.graph)
        if not result.consistent:
            raise InconsistentSourcesError("the sources are inconsistent: " + "; ".join(result.explanation or
                                           ["HermiT reports an inconsistency that no simple pattern explains"]))
        if result.unsatisfiable:
            raise InconsistentSourcesError("unsatisfiable classes: " + ", ".join(result.unsatisfiable))
        full = Graph()
        full += compiled.graph
        full += result.inferred
        inferred_count = len(result.inferred)
        inferred_text = serialize_all(full)
        files.update({out_dir / f"{paths.INFERRED_STEM}.{fmt}": inferred_text[fmt] for fmt in FORMATS})
    return BuildResult(files, len(compiled.graph), inferred_count, compiled.counts)


def build(source_dir: Path | None = None, version: str | None = None, *, inferred: bool = True,
          out_dir: Path | None = None) -> BuildResult:
    result = render(source_dir, version, inferred=inferred, out_dir=out_dir)
    write_all(result.files)
    return result
