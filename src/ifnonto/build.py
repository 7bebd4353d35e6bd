"""`ifnonto build`: compile the sources, reason, and write every release file at once.

All files are rendered in memory first, so a failed build (bad row, inconsistent ontology, missing Java)
leaves the previous release untouched; then the whole set is switched at once (``ifnonto.atomic.write_all``),
so a build killed at any point leaves the old set or the new one, never a mix, once the next command has run.
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
    reasoning: object = None  # the ReasonResult of HermiT on the compiled sources, when the build reasoned


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
    if compiled.reference_import is not None and out_dir == paths.ONTOLOGY_DIR:
        # the import module lives beside the release it is merged into; a build elsewhere (a test, a
        # user's --out) writes the release files only
        files[out_dir / "imports" / IMPORT_NAME] = import_text(compiled.reference_import)
    inferred_count = 0
    result = None
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
    return BuildResult(files, len(compiled.graph), inferred_count, compiled.counts, result)


def build(source_dir: Path | None = None, version: str | None = None, *, inferred: bool = True,
          out_dir: Path | None = None) -> BuildResult:
    from ifnonto.atomic import write_text

    result = render(source_dir, version, inferred=inferred, out_dir=out_dir)
    # The import module is a source of its own folder (ontology/imports); the release set is switched as a whole.
    release_folder = Path(out_dir) if out_dir else paths.ONTOLOGY_DIR
    for path, text in result.files.items():
        if Path(path).parent != release_folder:
            write_text(Path(path), text)
    write_all({path: text for path, text in result.files.items() if Path(path).parent == release_folder})
    return result
