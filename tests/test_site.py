"""The documentation site (`ifnonto docs`): a page for everything labelled, figures, no broken internal link,
titles and alt texts, byte-identical rebuilds, pages that follow the graph when it grows, safe output."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, run_cli

pytestmark = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz (dot) not installed")

EXTENSION = FIXTURES / "site" / "extension.ttl"


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    done = run_cli("docs", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "pages" in done.stdout
    return out


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.images: list[dict] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.links.append(attrs["href"])
        if tag in ("link", "script") and (attrs.get("href") or attrs.get("src")):
            self.links.append(attrs.get("href") or attrs.get("src"))
        if tag == "img":
            self.images.append(attrs)
            self.links.append(attrs.get("src", ""))
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _count(engine, where: str) -> int:
    text = ("PREFIX owl: <http://www.w3.org/2002/07/owl#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} FILTER(isIRI(?x)) }}")
    return int(engine.select(text).rows[0][0])


def test_a_page_for_every_labelled_class_property_entity_step_and_query(built_site, engine):
    from ifnonto.queries import registry

    classes = _count(engine, "?x a owl:Class ; rdfs:label ?l .")
    properties = _count(engine, "?x rdfs:label ?l . { ?x a owl:ObjectProperty } UNION { ?x a owl:DatatypeProperty }"
                                " UNION { ?x a owl:AnnotationProperty } FILTER NOT EXISTS { ?x a owl:Class }")
    entities = _count(engine, "?x a owl:NamedIndividual ; rdfs:label ?l . FILTER NOT EXISTS { ?x a owl:Class } "
                              "FILTER NOT EXISTS { ?x a owl:ObjectProperty } FILTER NOT EXISTS { ?x a owl:DatatypeProperty }"
                              " FILTER NOT EXISTS { ?x a owl:AnnotationProperty }")
    steps = _count(engine, "?x a <https://w3id.org/ifn-cancer/CancerImmunityCycleStep> .")
    assert classes > 50 and properties > 80 and entities > 1000 and steps == 7
    assert len(list((built_site / "class").glob("*.html"))) == classes
    assert len(list((built_site / "property").glob("*.html"))) == properties
    assert len(list((built_site / "entity").glob("*.html"))) == entities
    assert len(list((built_site / "step").glob("*.html"))) == steps
    assert sorted(p.stem for p in (built_site / "query").glob("*.html")) == sorted(registry())
    for name in ("index", "cycle", "types", "table1", "entities", "classes", "properties", "queries"):
        assert (built_site / f"{name}.html").is_file(), name


def test_no_broken_internal_link_every_page_titled_every_image_has_alt(built_site):
    root = built_site.resolve()
    pages = sorted(root.rglob("*.html"))
    site_files = {path for path in root.rglob("*") if path.is_file() and not path.is_symlink()}
    checked = images = 0
    broken, untitled, no_alt = [], [], []
    id_cache: dict[Path, set[str]] = {}
    for page_path in pages:
        page = _parse(page_path)
        if not page.title.strip():
            untitled.append(page_path)
        for image in page.images:
            images += 1
            if not (image.get("alt") or "").strip():
                no_alt.append((page_path, image.get("src")))
        for href in page.links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", href):   # http:, https:, mailto: are external
                continue
            target, _, fragment = href.partition("#")
            # a real file of the site (no link out of it), the path normalized as the browser does
            file = Path(os.path.normpath(page_path.parent / target)) if target else page_path
            checked += 1
            if file not in site_files:
                broken.append((page_path.relative_to(root), href))
                continue
            if fragment and file.suffix == ".html":
                ids = id_cache.get(file) or id_cache.setdefault(file, _parse(file).ids)
                if fragment not in ids:
                    broken.append((page_path.relative_to(root), href))
    assert len(pages) > 1500 and checked > 50_000 and images > 1000
    assert broken == [], broken[:20]
    assert untitled == [] and no_alt == []


def test_figures_are_svg_marked_generated_and_captioned_with_their_query(built_site):
    from ifnonto.queries import registry

    svgs = sorted((built_site / "figures").glob("*.svg"))
    assert len(svgs) > 1000
    for svg in svgs[:50] + [built_site / "figures" / f"{n}.svg" for n in
                            ("model", "ifn-types", "cancer-immunity-cycle", "type-step-matrix")]:
        text = svg.read_text(encoding="utf-8")
        assert text.startswith("<!-- Generated by ifnonto docs") and "<svg" in text, svg
        assert 'width="' in text
    home = (built_site / "index.html").read_text(encoding="utf-8")
    cycle = (built_site / "cycle.html").read_text(encoding="utf-8")
    for figure, query, page in (("model", "model-overview", home), ("cancer-immunity-cycle", "cycle-effects", cycle),
                                ("type-step-matrix", "type-step-matrix", cycle)):
        assert f"figures/{figure}.svg" in page and f"query/{query}.html" in page
        assert query in registry()
    types = (built_site / "types.html").read_text(encoding="utf-8")
    assert "query/ifn-type-overview.html" in types
    drawing = html.unescape((built_site / "figures" / "ifn-types.svg").read_text(encoding="utf-8"))
    for name in ("IFNAR1", "IFNGR2", "TYK2", "JAK2", "STAT1", "STAT2", "ISGF3", "ISRE", "GAS", "IFN-γ", "IFN-β"):
        assert f">{name}<" in drawing, name


def test_cycle_figure_has_the_seven_steps_and_both_polarities_per_type(built_site, engine):
    from ifnonto.queries import get_query

    drawing = html.unescape((built_site / "figures" / "cancer-immunity-cycle.svg").read_text(encoding="utf-8"))
    rows = engine.select(get_query("cycle-steps").text).rows
    labels = {row[2] for row in rows}
    assert len(labels) == 7
    for label in labels:
        assert label[:20] in drawing, label
    assert drawing.count(">type I IFNs<") == 7 and drawing.count(">type II IFN<") == 7
    assert drawing.count(">+") >= 21 and drawing.count(">−") >= 21


def test_entity_page_shows_definition_synonyms_resolvable_xrefs_effects_and_evidence(built_site):
    page = (built_site / "entity" / "IFNG.html").read_text(encoding="utf-8")
    assert "<title>IFN-γ · ifn-cancer</title>" in page
    assert "interferon gamma" in page                                # a synonym
    assert 'href="https://identifiers.org/hgnc:5438"' in page        # xref to its resolver
    assert 'href="https://identifiers.org/uniprot:P01579"' in page
    assert "Place in the hierarchy" in page and "../class/Interferon.html" in page
    assert page.count('class="pol pol-positive"') > 20 and page.count('class="pol pol-negative"') > 10
    assert re.search(r'href="https://doi\.org/10\.[^"]+"', page)         # a cited reference's DOI
    assert "../figures/n-IFNG.svg" in page
    reference = (built_site / "entity" / "source_zhang2021_ref-10.html").read_text(encoding="utf-8")
    assert 'href="https://doi.org/10.1016/j.immuni.2018.09.024"' in reference


def test_step_page_groups_effects_by_type_and_polarity(built_site, engine):
    from ifnonto.queries import bind_values, get_query

    query = get_query("step-effects-by-type")
    rows = engine.select(query.text, bind_values(query, {"step": "cycle-step-1"})).as_dicts()
    page = (built_site / "step" / "cycle-step-1.html").read_text(encoding="utf-8")
    effects = {row["effect"] for row in rows}
    assert len(effects) > 20
    assert f"{len(effects)} effects on this step" in page
    for row in rows[:30]:
        assert row["effect"].rsplit("/", 1)[1] + ".html" in page
    assert 'id="type-I-IFNs"' in page and "Positive" in page and "Negative" in page


def test_query_page_shows_header_text_parameters_and_build_time_result(built_site, engine):
    from ifnonto.queries import bind_values, get_query

    query = get_query("step-effects")
    rows = engine.select(query.text, bind_values(query, {})).rows
    page = (built_site / "query" / "step-effects.html").read_text(encoding="utf-8")
    assert query.title in page and "<code>step</code>" in page and "cycle-step-2" in page
    assert "SELECT ?step ?effect" in page
    assert f"({len(rows)} rows" in page
    table1 = (built_site / "table1.html").read_text(encoding="utf-8")
    assert table1.count("<tr>") == 1 + len(engine.select(get_query("table1").text).rows)


def test_search_index_holds_every_page_with_labels_and_synonyms(built_site):
    text = (built_site / "static" / "search-index.js").read_text(encoding="utf-8")
    assert text.startswith("// Generated by ifnonto docs")
    entries = json.loads(text.split("=", 1)[1].rstrip().rstrip(";"))
    urls = {entry[2] for entry in entries}
    pages = {str(p.relative_to(built_site)) for folder in ("class", "property", "entity", "step", "query")
             for p in (built_site / folder).glob("*.html")}
    assert pages <= urls
    ifng = next(entry for entry in entries if entry[2] == "entity/IFNG.html")
    assert ifng[0] == "IFN-γ" and "interferon gamma" in ifng[1]


def test_rebuild_gives_identical_files(built_site, tmp_path):
    again = tmp_path / "again"
    done = run_cli("docs", "-o", str(again))
    assert done.returncode == 0, done.stderr

    def digests(folder: Path) -> dict[str, str]:
        return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    first, second = digests(built_site), digests(again)
    assert len(first) > 2500
    assert first == second


def test_pages_follow_the_graph_when_it_grows(tmp_path):
    """A new class, a new effect property, reference-class typing and a new entity get their pages and show up
    where they belong, with no change to the site's code."""
    from ifnonto import paths
    from ifnonto.engines import OxigraphEngine
    from ifnonto.site import build_site

    files = [paths.release_file("nt", inferred=True), EXTENSION]
    report = build_site(tmp_path / "grown", OxigraphEngine(files), OxigraphEngine([paths.release_file("nt"),
                                                                                   EXTENSION]))
    site = tmp_path / "grown"
    assert (site / "class" / "PhagocyteLike.html").is_file()
    assert (site / "class" / "obo_CL_0000000.html").is_file()
    assert (site / "property" / "hasAspect.html").is_file()
    entity = (site / "entity" / "example-macrophage-subset.html").read_text(encoding="utf-8")
    assert "../class/obo_CL_0000000.html" in entity and "Place in the hierarchy" in entity
    assert "example macrophage subset" in entity
    effect_host = (site / "entity" / "IFNG.html").read_text(encoding="utf-8")
    assert "has aspect" in effect_host and "abundance (example)" in effect_host
    assert report.pages["entity"] > 1000


def test_output_folder_that_is_not_a_site_is_refused_and_untouched(tmp_path):
    folder = tmp_path / "precious"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    done = run_cli("docs", "-o", str(folder))
    assert done.returncode == 2
    assert "not empty" in done.stderr and str(folder) in done.stderr
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_readme_figure_is_the_current_drawing_of_the_graph(built_site):
    committed = ROOT / "docs" / "cancer-immunity-cycle.svg"
    built = built_site / "figures" / "cancer-immunity-cycle.svg"
    first_line = committed.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith("<!-- Generated by ifnonto docs"), "the committed figure must say it is generated"
    assert first_line == built.read_text(encoding="utf-8").splitlines()[0], \
        "docs/cancer-immunity-cycle.svg is stale: run `make docs` and commit it"
    assert "docs/cancer-immunity-cycle.svg" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_missing_graphviz_is_a_missing_tool(tmp_path):
    import os
    import sys

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    done = run_cli("docs", "-o", str(tmp_path / "out"), env={"PATH": str(bin_dir)})
    assert done.returncode == 3, done.stderr
    assert "Graphviz" in done.stderr and "apt-get install graphviz" in done.stderr
    assert not (tmp_path / "out").exists()
    assert os.environ.get("PATH")   # the test changed only the child's PATH
