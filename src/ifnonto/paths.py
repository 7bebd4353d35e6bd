"""Where the project's data lives: a source checkout, or the copy packaged inside the wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_root() -> Path:
    checkout = _PACKAGE.parents[1]
    if (checkout / "ontology" / "src" / "core.ttl").is_file():
        return checkout
    return _PACKAGE / "_data"


ROOT = _data_root()
ONTOLOGY_DIR = ROOT / "ontology"
SOURCE_DIR = ONTOLOGY_DIR / "src"
SHAPES_DIR = ROOT / "shapes"
QUERIES_DIR = ROOT / "queries"
QC_DIR = QUERIES_DIR / "qc"

RELEASE_STEM = "ifn-cancer"
INFERRED_STEM = "ifn-cancer-inferred"


def release_file(fmt: str, inferred: bool = False) -> Path:
    """Path of a release file; ``fmt`` is one of owl, ttl, nt, jsonld."""
    stem = INFERRED_STEM if inferred else RELEASE_STEM
    return ONTOLOGY_DIR / f"{stem}.{fmt}"
