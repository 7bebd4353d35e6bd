"""A source (a review or paper the graph is curated from) is a folder: its record (source.yaml) and its tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ifnonto.errors import IfnontoError
from ifnonto.tables import ID_PATTERN

RECORD = "source.yaml"


@dataclass(frozen=True)
class SourceRecord:
    folder: Path
    id: str
    label: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    journal: str | None
    volume_pages: str | None
    doi: str | None
    pmid: str | None
    pmcid: str | None
    license: str | None
    citation: str | None
    reference_count: int
    tables: dict[str, int] = field(default_factory=dict)       # table section id -> number of rows
    figures: dict[str, dict] = field(default_factory=dict)     # figure id -> {label, title}
    invented: bool = False                                     # a test fixture, not a real publication
    replaces_unscoped: bool = False    # its references, sections and studies once had IRIs without the source

    @property
    def path(self) -> Path:
        return self.folder / RECORD


def source_folders(root: Path) -> list[Path]:
    """The source folders under ``root/sources``, in name order."""
    base = Path(root) / "sources"
    return sorted(p for p in base.iterdir() if (p / RECORD).is_file()) if base.is_dir() else []


def _positive_int(record: dict, key: str, path: Path) -> int:
    value = record.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise IfnontoError(f"{key}: must be a positive integer, found {value!r}", path=str(path))
    return value


def read_source(folder: Path) -> SourceRecord:
    import yaml

    path = Path(folder) / RECORD
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IfnontoError(f"cannot read the source record: {exc.strerror}", path=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise IfnontoError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=str(path),
                           line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise IfnontoError("the source record must be a YAML mapping", path=str(path))
    ident = str(data.get("id") or "")
    if not ID_PATTERN.match(ident):
        raise IfnontoError(f"id: invalid source id {ident!r}", path=str(path))
    if ident != Path(folder).name:
        raise IfnontoError(f"id: {ident!r} must equal the folder name {Path(folder).name!r}", path=str(path))
    for key in ("label", "title"):
        if not data.get(key):
            raise IfnontoError(f"{key}: must not be empty", path=str(path))
    tables = {}
    for table, spec in (data.get("tables") or {}).items():
        tables[str(table)] = _positive_int(spec or {}, "rows", path)
    figures = {str(k): dict(v or {}) for k, v in (data.get("figures") or {}).items()}
    text = lambda key: None if data.get(key) in (None, "") else str(data[key])  # noqa: E731
    return SourceRecord(
        folder=Path(folder), id=ident, label=str(data["label"]), title=str(data["title"]),
        authors=tuple(str(a) for a in data.get("authors") or ()),
        year=data.get("year") if isinstance(data.get("year"), int) else None,
        journal=text("journal"), volume_pages=text("volume_pages"), doi=text("doi"), pmid=text("pmid"),
        pmcid=text("pmcid"), license=text("license"), citation=text("citation"),
        reference_count=_positive_int(data, "reference_count", path), tables=tables, figures=figures,
        invented=bool(data.get("invented")), replaces_unscoped=bool(data.get("replaces_unscoped_iris")))
