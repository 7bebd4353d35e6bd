"""`ifnonto docs`: build the static documentation site from the release.

The site is plain files (HTML, SVG, CSS, JS) with relative links, so it works from file:// and from any static
host. It is written to a temporary folder beside the output and moved into place at the end: an interrupted
build leaves the previous site untouched. The same release always gives byte-identical files (no clock, sorted
everything, Graphviz output cleaned of its version comment).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ifnonto import paths
from ifnonto.errors import IfnontoError
from ifnonto.iris import ONTOLOGY_IRI, PREFIXES
from ifnonto.queries import QueryResult, bind_values, registry
from ifnonto.site import figures as fig
from ifnonto.site import roles
from ifnonto.site.graph import SiteGraph, curie
from ifnonto.site.views import Views, plain

GENERATOR = "ifnonto docs"
MARKER = ".ifnonto-site"
STATIC = Path(__file__).parent / "static"
TEMPLATES = Path(__file__).parent / "templates"
RESULT_ROWS_SHOWN = 100
DCTERMS = PREFIXES["dcterms"]


@dataclass
class SiteReport:
    out_dir: Path
    pages: dict[str, int] = field(default_factory=dict)
    figures: int = 0

    @property
    def total_pages(self) -> int:
        return sum(self.pages.values())


def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env


def _rows(result: QueryResult) -> list[dict]:
    return [dict(zip(result.columns, row)) for row in result.rows]


class SiteBuilder:
    def __init__(self, engine=None, asserted_engine=None):
        from ifnonto.engines import OxigraphEngine

        self.engine = engine or OxigraphEngine([paths.release_file("nt", inferred=True)])
        if asserted_engine is None and engine is None:
            asserted_engine = OxigraphEngine([paths.release_file("nt", inferred=False)])
        self.graph = SiteGraph(self.engine, asserted_engine)
        self.views = Views(self.graph)
        self.queries = registry()
        self.env = _environment()
        self.files: dict[str, str] = {}
        self.report_pages: dict[str, int] = defaultdict(int)
        self.search: list[list] = []

    # ------------------------------------------------------------------ helpers

    def run(self, name: str, params: dict[str, str] | None = None) -> QueryResult:
        query = self.queries[name]
        return self.engine.select(query.text, bind_values(query, params or {}))

    def render(self, template: str, target: str, kind: str, **context) -> None:
        depth = target.count("/")
        root = "../" * depth
        html = self.env.get_template(template).render(root=root, page_path=target, generator=GENERATOR,
                                                      site=self.site, **context)
        self.files[target] = html
        self.report_pages[kind] += 1

    # ------------------------------------------------------------------ build

    def build(self) -> dict[str, str]:
        header = self.graph.resources.get(ONTOLOGY_IRI)
        self.site = {
            "title": header.first(DCTERMS + "title") if header else "ifn-cancer",
            "version": header.first(PREFIXES["owl"] + "versionInfo") if header else "",
            "license": header.first(DCTERMS + "license") if header else "",
        }
        self.site["license_label"] = _licence_label(self.site["license"])
        self.env.globals["query_pages"] = set(self.queries)
        figures = self.figures = self._figures()
        entity_figures = self._entity_figures()
        fig.render_all(list(figures.values()), GENERATOR, batch=False)
        fig.render_all(list(entity_figures.values()), GENERATOR)
        for figure in list(figures.values()) + list(entity_figures.values()):
            self.files[f"figures/{figure.name}.svg"] = figure.svg
        self._home(header, figures)
        self._overview_pages(figures)
        self._steps()
        for resource in self.graph.pages("class"):
            self._index(resource, "class")
            self.render("class.html", self.views.path(resource.iri), "class", c=self.views.klass(resource),
                        title=resource.label)
        for resource in self.graph.pages("property"):
            self._index(resource, "property")
            self.render("property.html", self.views.path(resource.iri), "property", p=self.views.prop(resource),
                        title=resource.label)
        for resource in self.graph.pages("entity"):
            self._index(resource, "entity")
            figure = entity_figures.get(resource.iri)
            self.render("entity.html", self.views.path(resource.iri), "entity", e=self.views.entity(resource),
                        figure=figure, step_page=self._step_pages.get(resource.iri), title=resource.label)
        self._lists()
        self._queries()
        self._table1()
        self.files["static/search-index.js"] = (
            "// Generated by ifnonto docs from the release; do not edit. Labels and synonyms of every page.\n"
            "window.IFN_SEARCH_INDEX = " + json.dumps(sorted(self.search), ensure_ascii=False,
                                                      separators=(",", ":")) + ";\n")
        for path in sorted(STATIC.iterdir()):
            if path.is_file():
                self.files[f"static/{path.name}"] = path.read_text(encoding="utf-8")
        self.files[MARKER] = f"Generated by {GENERATOR}; this folder is replaced by the next build.\n"
        return self.files

    def _index(self, resource, kind: str) -> None:
        synonyms = sorted({v.text for p in roles.SYNONYMS for v in resource.out.get(p, [])})
        types = self.graph.types_of(resource)
        kind_label = self.graph.label(types[0]) if kind == "entity" and types else kind
        self.search.append([resource.label, synonyms, self.views.path(resource.iri), kind_label])

    # ------------------------------------------------------------------ figures

    def _figures(self) -> dict[str, fig.Figure]:
        return {
            "model": fig.model_figure(_rows(self.run("model-overview"))),
            "types": fig.ifn_types_figure(_rows(self.run("ifn-type-overview"))),
            "cycle": fig.cycle_figure(_rows(self.run("cycle-steps")), _rows(self.run("cycle-effects"))),
            "matrix": fig.matrix_figure(_rows(self.run("type-step-matrix"))),
        }

    def _entity_figures(self) -> dict[str, fig.Figure]:
        found = {}
        for resource in self.graph.pages("entity"):
            edges, hidden = self.views.neighbourhood(resource)
            if edges:
                found[resource.iri] = fig.neighbourhood_figure(resource.slug, (resource.iri, resource.label),
                                                               edges, hidden)
        return found

    # ------------------------------------------------------------------ pages

    def _home(self, header, figures) -> None:
        counts = []
        for kind in ("class", "property", "entity"):
            counts.append((kind, len(self.graph.pages(kind))))
        effects = sum(1 for r in self.graph.resources.values() if self.graph.is_assertion_node(r.iri))
        citation = header.first(DCTERMS + "bibliographicCitation") if header else ""
        self.render("index.html", "index.html", "home", title="Home", figure=figures["model"],
                    cycle=figures["cycle"], counts=counts, effects=effects,
                    description=header.first(DCTERMS + "description") if header else "",
                    citation=citation, source=header.first(DCTERMS + "source") if header else "",
                    creators=header.texts(DCTERMS + "creator") if header else [],
                    contributors=header.texts(DCTERMS + "contributor") if header else [],
                    queries=len(self.queries))

    def _overview_pages(self, figures) -> None:
        self.render("figure-page.html", "types.html", "overview", title="The three interferon types",
                    figure=figures["types"], intro="Each interferon type, drawn from the graph: the interferons "
                    "that belong to it, the receptor complex they bind with its subunits, the kinases the receptor "
                    "switches on, the STATs those kinases phosphorylate, the transcription complexes the type "
                    "activates and the DNA elements those complexes bind.")

    def _steps(self) -> None:
        steps = sorted(_rows(self.run("cycle-steps")), key=lambda r: (int(r["number"]), r["step"]))
        unique = []
        for row in steps:
            if not unique or unique[-1]["step"] != row["step"]:
                unique.append(row)
        self._step_pages = {row["step"]: f"step/{self.graph.page(row['step']).slug}.html"
                            for row in unique if self.graph.page(row["step"])}
        figures = self.figures
        step_views = []
        for row in unique:
            if row["step"] not in self._step_pages:
                continue
            result = _rows(self.run("step-effects-by-type", {"step": row["step"]}))
            groups: dict[str, dict[str, list]] = defaultdict(lambda: {"positive": [], "negative": []})
            for item in result:
                key = item["typeLabel"] or "other regulators (no interferon type)"
                groups[key][item["polarity"]].append({
                    "effect": self.views.link(item["effect"]), "regulator": self.views.link(item["regulator"]),
                    "direction": item["directionLabel"], "target": self.views.link(item["target"]),
                    "description": item["description"], "refs": item["refs"] or ""})
            ordered = sorted(groups.items(), key=lambda kv: (kv[0].startswith("other"), kv[0]))
            view = {"number": row["number"], "label": row["label"], "link": self.views.link(row["step"]),
                    "groups": ordered, "total": len({i["effect"] for i in result}),
                    "sections": sorted({r["sectionLabel"] for r in steps if r["step"] == row["step"]
                                        and r.get("sectionLabel")})}
            step_views.append(view)
        for index, view in enumerate(step_views):
            previous = step_views[index - 1] if step_views else None
            following = step_views[(index + 1) % len(step_views)] if step_views else None
            self.render("step.html", self._step_pages[view["link"]["title"]], "step", s=view,
                        previous=previous, following=following, title=f"Step {view['number']}: {view['label']}")
            self.search.append([f"Step {view['number']}: {view['label']}", [],
                                self._step_pages[view["link"]["title"]], "cycle step"])
        self.render("cycle.html", "cycle.html", "overview", title="The cancer-immunity cycle",
                    steps=step_views, step_pages=self._step_pages, cycle=figures["cycle"], matrix=figures["matrix"])

    def _lists(self) -> None:
        groups: dict[str, list] = defaultdict(list)
        for resource in self.graph.pages("entity"):
            types = self.graph.types_of(resource)
            key = self.graph.label(types[0]) if types else "other"
            groups[key].append(self.views.link(resource.iri))
        self.render("list.html", "entities.html", "index", title="Entities",
                    intro="Every named individual of the graph, grouped by its most specific class.",
                    groups=sorted(groups.items(), key=lambda kv: kv[0].lower()))
        for kind, title, intro in (("class", "Classes", "Every class of the ontology (the TBox), with its place "
                                    "in the hierarchy, logical definition and instances."),
                                   ("property", "Properties", "Every object, datatype and annotation property "
                                    "used in the release.")):
            own = [self.views.link(r.iri) for r in self.graph.pages(kind) if r.iri.startswith(PREFIXES["ifn"])]
            other = [self.views.link(r.iri) for r in self.graph.pages(kind) if not r.iri.startswith(PREFIXES["ifn"])]
            groups_list = [("ifn-cancer", own)] + ([("from other ontologies and vocabularies", other)] if other else [])
            self.render("list.html", "classes.html" if kind == "class" else "properties.html", "index",
                        title=title, intro=intro, groups=groups_list)

    def _queries(self) -> None:
        listing = []
        for name, query in sorted(self.queries.items()):
            result = self.run(name)
            rows = [[self._cell(value) for value in row] for row in result.rows[:RESULT_ROWS_SHOWN]]
            self.render("query.html", f"query/{name}.html", "query", q=query, columns=result.columns, rows=rows,
                        total=len(result.rows), shown=len(rows), title=query.title,
                        command=f"ifnonto query {name}" + "".join(
                            f" --param {p.name}={p.default}" for p in query.params if p.default))
            listing.append({"name": name, "title": query.title, "description": query.description,
                            "rows": len(result.rows)})
            self.search.append([query.title, [name], f"query/{name}.html", "packaged query"])
        self.render("queries.html", "queries.html", "index", title="Packaged queries", queries=listing)

    def _cell(self, value: str | None) -> dict:
        if value is None:
            return plain("")
        if self.graph.page(value):
            return self.views.link(value)
        return plain(value)

    def _table1(self) -> None:
        result = self.run("table1")
        self.render("table1.html", "table1.html", "overview", title="Table 1: preclinical studies",
                    columns=result.columns, rows=result.rows, q=self.queries["table1"])


def _licence_label(url: str) -> str:
    import re

    match = re.search(r"creativecommons\.org/(?:licenses/([a-z-]+)|publicdomain/(zero))/([0-9.]+)", url)
    if not match:
        return url or "see the README"
    name = (match.group(1) or "zero").upper()
    return f"CC {'0' if name == 'ZERO' else name.replace('-', ' ')} {match.group(3)}".replace("CC 0", "CC0")


def _prepare_output(out_dir: Path) -> None:
    if out_dir.exists():
        if not out_dir.is_dir():
            raise IfnontoError(f"{out_dir} exists and is not a folder")
        if any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
            raise IfnontoError(f"{out_dir} is not empty and was not made by `ifnonto docs`: "
                               "give an empty or new folder")


def build_site(out_dir: Path, engine=None, asserted_engine=None) -> SiteReport:
    """Build the site into ``out_dir`` (replaced as a whole, only if it is empty or an earlier site)."""
    out_dir = Path(out_dir)
    _prepare_output(out_dir)
    builder = SiteBuilder(engine, asserted_engine)
    files = builder.build()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        for relative, text in sorted(files.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
            os.chmod(target, 0o644)
        for folder in [staging, *[p for p in staging.rglob("*") if p.is_dir()]]:
            os.chmod(folder, 0o755)
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
        os.replace(staging, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    report = SiteReport(out_dir, dict(sorted(builder.report_pages.items())),
                        sum(1 for name in files if name.endswith(".svg")))
    return report


__all__ = ["build_site", "SiteBuilder", "SiteReport", "curie"]
