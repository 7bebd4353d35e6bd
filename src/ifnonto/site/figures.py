"""The site's figures, drawn by Graphviz from query results (layout by Graphviz, never hand-placed coordinates).

The entity neighbourhoods go through one `dot` process: Graphviz reads many graphs from one input and writes
their SVGs one after the other. Measured here: one process per figure took about 100 ms each (1,400 entity
pages: over 2 minutes), one process for 100 graphs took 0.35 s in all. The few large figures get a process
each: Graphviz 2.43 laid out the clustered interferon-type figure differently from run to run when it came
inside a batch (never alone), which would break byte-identical rebuilds.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections import defaultdict
from dataclasses import dataclass

import graphviz

from ifnonto.errors import IfnontoError, MissingToolError

FONT = "Helvetica"
POSITIVE = "#1a7f4b"
NEGATIVE = "#b42318"
INK = "#1f2933"
MUTED = "#52606d"
KIND_COLOURS = {   # fill colours for the kinds in the interferon-type figure
    "type": "#1d4e89", "interferon": "#d9e8fb", "receptor": "#fde2c4", "subunit": "#fff1e0",
    "kinase": "#e4dcf7", "STAT": "#d6f0e0", "complex": "#cdeee9", "component": "#e7f6f3", "DNA element": "#f6d9e4",
}


@dataclass
class Figure:
    name: str            # file name without extension, under figures/
    source: str          # DOT source
    caption: str
    queries: tuple[str, ...]
    alt: str
    svg: str = ""

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()


def _esc(text: str) -> str:
    return html.escape(str(text), quote=True)


def _short(text: str, width: int = 30) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _digraph(name: str, **attrs) -> graphviz.Digraph:
    graph = graphviz.Digraph(name)
    graph.attr(fontname=FONT, fontsize="11", bgcolor="transparent", pad="0.2", **attrs)
    graph.attr("node", fontname=FONT, fontsize="10", shape="box", style="rounded,filled", color="#9aa5b1",
               fillcolor="#f5f7fa", fontcolor=INK, penwidth="1")
    graph.attr("edge", fontname=FONT, fontsize="8", color="#7b8794", fontcolor=MUTED, arrowsize="0.6")
    return graph


# ---------------------------------------------------------------------------------------------- figures

def ifn_types_figure(rows: list[dict]) -> Figure:
    """Members, receptor and subunits, kinases, STATs, complexes and DNA elements of each interferon type."""
    graph = _digraph("ifn_types", rankdir="LR", nodesep="0.12", ranksep="0.45", newrank="true")
    by_type: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_type[row["type"]].append(row)
    # Graphviz stacks left-to-right clusters bottom-up: feed them last type first so type I is on top.
    ordered = sorted(by_type, key=lambda t: by_type[t][0]["typeLabel"])
    for index, type_iri in reversed(list(enumerate(ordered))):
        type_rows = by_type[type_iri]
        with graph.subgraph(name=f"cluster_{index}") as cluster:
            cluster.attr(label=_esc(type_rows[0]["typeLabel"]), fontsize="13", fontcolor=INK, style="rounded",
                         color="#cbd2d9", labeljust="l")
            ids: dict[str, str] = {}

            def node(iri: str, label: str, kind: str) -> str:
                key = f"t{index}_{len(ids)}"
                if iri not in ids:
                    ids[iri] = key
                    fill = KIND_COLOURS.get(kind, "#f5f7fa")
                    font = "white" if kind == "type" else INK
                    cluster.node(key, _short(label, 26), fillcolor=fill, fontcolor=font,
                                 tooltip=f"{kind}: {label}")
                return ids[iri]

            type_node = node(type_iri, type_rows[0]["typeLabel"], "type")
            for row in sorted(type_rows, key=lambda r: (r["role"], r["fromLabel"], r["toLabel"])):
                source = type_node if row["from"] == type_iri else node(row["from"], row["fromLabel"], "")
                target = node(row["to"], row["toLabel"], row["toKind"])
                if row["role"] == "member":   # members to the left of their type
                    cluster.edge(target, type_node, label="member of")
                else:
                    cluster.edge(source, target, label=row["role"])
    return Figure("ifn-types", graph.source,
                  "The three interferon types: members, receptor complex and subunits, JAK/TYK kinases, the STATs "
                  "they phosphorylate, the transcription complexes and the DNA elements (ISRE, GAS) they bind.",
                  ("ifn-type-overview",), "Diagram of the three interferon types and their signalling components")


def cycle_figure(steps: list[dict], effects: list[dict], top: int = 3) -> Figure:
    """The steps in order as a loop (first half left to right, second half right to left below it), each with
    every type's positive and negative effects: the count and the targets with most effects."""
    graph = _digraph("cancer_immunity_cycle", rankdir="TB", nodesep="0.5", ranksep="0.7")
    graph.attr("node", shape="plaintext", style="", fillcolor="white")
    cells: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    types: dict[str, str] = {}
    for row in effects:
        cells[(row["step"], row["typeLabel"], row["polarity"])].append(row)
        types[row["typeLabel"]] = row["type"]
    ordered = sorted({(int(r["number"]), r["step"], r["label"]) for r in steps})
    for number, step, label in ordered:
        rows = [f'<tr><td colspan="3" bgcolor="#1d4e89" align="left"><font color="white" point-size="12"><b>{number}'
                f'</b>  {_esc(_short(label, 40))}</font></td></tr>']
        for type_label in sorted(types):
            parts = []
            for polarity, colour, sign in (("positive", POSITIVE, "+"), ("negative", NEGATIVE, "−")):
                found = cells.get((step, type_label, polarity), [])
                count = sum(int(r["effects"]) for r in found)
                names = "<br/>".join(_esc(_short(r["targetLabel"], 24)) for r in found[:top]) if found else "none"
                parts.append(f'<td align="left" balign="left" valign="top"><font color="{colour}" point-size="11">'
                             f'<b>{sign}{count}</b></font><br/><font point-size="9" color="{MUTED}">{names}</font></td>')
            rows.append(f'<tr><td align="left" valign="top"><b>{_esc(_short(type_label, 14))}</b></td>'
                        f'{"".join(parts)}</tr>')
        table = ('<<table border="1" cellborder="0" cellspacing="0" cellpadding="4" color="#9aa5b1" '
                 f'bgcolor="white">{"".join(rows)}</table>>')
        graph.node(f"step{number}", table)
    half = (len(ordered) + 1) // 2
    top_row, bottom_row = ordered[:half], ordered[half:]
    with graph.subgraph(name="top") as row:
        row.attr(rank="same")
        for number, _s, _l in top_row:
            row.node(f"step{number}")
    with graph.subgraph(name="bottom") as row:
        row.attr(rank="same")
        for number, _s, _l in bottom_row:
            row.node(f"step{number}")
    arrow = dict(color="#1d4e89", penwidth="2", arrowsize="1.1")
    for (a, _s, _l), (b, _s2, _l2) in zip(top_row, top_row[1:]):
        graph.edge(f"step{a}", f"step{b}", **arrow)
    if bottom_row:
        graph.edge(f"step{top_row[-1][0]}", f"step{bottom_row[0][0]}", **arrow)
        for (a, _s, _l), (b, _s2, _l2) in zip(bottom_row, bottom_row[1:]):   # drawn right to left
            graph.edge(f"step{b}", f"step{a}", dir="back", **arrow)
        graph.edge(f"step{bottom_row[-1][0]}", f"step{top_row[0][0]}", **arrow)
    return Figure("cancer-immunity-cycle", graph.source,
                  "The cancer-immunity cycle, step by step, with each interferon type's positive (+, favouring "
                  "anti-cancer immunity) and negative (−, hindering it) effects: the number of effects and the "
                  f"targets with most effects (up to {top}).",
                  ("cycle-steps", "cycle-effects"), "The seven steps of the cancer-immunity cycle as a loop, "
                  "each with counts of positive and negative effects per interferon type")


def _shade(count: int, maximum: int, rgb: tuple[int, int, int]) -> str:
    share = 0 if maximum <= 0 else count / maximum
    mixed = [round(255 - (255 - channel) * (0.12 + 0.88 * share)) if count else 255 for channel in rgb]
    return "#%02x%02x%02x" % tuple(mixed)


def matrix_figure(rows: list[dict]) -> Figure:
    """The type x step x polarity matrix as a heatmap (a Graphviz table; colour depth scales with the count)."""
    steps = sorted({(int(r["stepNumber"]), r["step"]) for r in rows})
    types = sorted({r["type"] for r in rows})
    value = {(r["type"], int(r["stepNumber"]), p): int(r[p]) for r in rows for p in ("positive", "negative")}
    maximum = max(value.values(), default=0)
    head = '<tr><td></td>' + "".join(
        f'<td colspan="2" bgcolor="#e4e7eb"><b>{n}</b>&#160;{_esc(_short(label, 24))}</td>'
        for n, label in steps) + "</tr>"
    signs = '<tr><td></td>' + "".join(
        f'<td><font color="{POSITIVE}"><b>+</b></font></td><td><font color="{NEGATIVE}"><b>−</b></font></td>'
        for _ in steps) + "</tr>"
    body = []
    for type_label in types:
        cells = []
        for n, _label in steps:
            for polarity, rgb in (("positive", (26, 127, 75)), ("negative", (180, 35, 24))):
                count = value.get((type_label, n, polarity), 0)
                fill = _shade(count, maximum, rgb)
                ink = "white" if count and count / max(maximum, 1) > 0.55 else INK
                cells.append(f'<td bgcolor="{fill}" width="34" height="28"><font color="{ink}">{count}</font></td>')
        body.append(f'<tr><td align="left"><b>{_esc(type_label)}</b></td>{"".join(cells)}</tr>')
    legend = (f'<tr><td colspan="{1 + 2 * len(steps)}" align="left"><font point-size="9" color="{MUTED}">'
              f'Cells: number of effects; deeper colour = more effects (largest: {maximum}). '
              f'<font color="{POSITIVE}">+</font> favours, <font color="{NEGATIVE}">−</font> hinders '
              'anti-cancer immunity.</font></td></tr>')
    table = ('<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" color="white">'
             f'{head}{signs}{"".join(body)}{legend}</table>>')
    graph = _digraph("type_step_matrix")
    graph.node("matrix", table, shape="plaintext", style="")
    return Figure("type-step-matrix", graph.source,
                  "Heatmap of interferon effects by type, cycle step and polarity.",
                  ("type-step-matrix",), "Heatmap of the number of positive and negative effects of each "
                  "interferon type on each step of the cancer-immunity cycle")


def model_figure(rows: list[dict], labels_per_edge: int = 3, max_edges: int = 30) -> Figure:
    """The kinds of things and the properties that link them, aggregated per pair of kinds; the most used
    links only, so that the diagram stays readable as the graph grows."""
    graph = _digraph("model", rankdir="LR", nodesep="0.3", ranksep="1.1")
    edges: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        edges[(row["subjectClass"], row["objectClass"])].append((int(row["uses"]), row["propertyLabel"]))
    kept = sorted(edges, key=lambda pair: (-sum(u for u, _ in edges[pair]), pair))[:max_edges]
    edges = {pair: edges[pair] for pair in kept}
    labels: dict[str, str] = {}
    for row in rows:
        if (row["subjectClass"], row["objectClass"]) in edges:
            labels[row["subjectClass"]] = row["subjectClassLabel"]
            labels[row["objectClass"]] = row["objectClassLabel"]
    ids = {iri: f"k{i}" for i, iri in enumerate(sorted(labels, key=lambda k: (labels[k], k)))}
    for iri, key in ids.items():
        hub = any(s == iri for s, _ in edges) and sum(1 for s, _ in edges if s == iri) > 5
        graph.node(key, _short(labels[iri], 28), fillcolor="#1d4e89" if hub else "#d9e8fb",
                   fontcolor="white" if hub else INK, fontsize="14" if hub else "12", margin="0.15,0.06")
    for (source, target), uses in sorted(edges.items(), key=lambda kv: (ids[kv[0][0]], ids[kv[0][1]])):
        uses = sorted(uses, key=lambda u: (-u[0], u[1]))
        names = sorted({name for _, name in uses[:labels_per_edge]})
        more = len({name for _, name in uses}) - len(names)
        label = "\\n".join(names) + (f"\\n+{more} more" if more > 0 else "")
        weight = sum(u for u, _ in uses)
        graph.edge(ids[source], ids[target], label=label, fontsize="10",
                   penwidth=f"{min(3.0, 0.6 + weight / 200):.1f}")
    return Figure("model", graph.source,
                  f"The model in one diagram: the top-level kinds of things in the graph and the properties that "
                  f"link them most often (the {max_edges} most used pairs of kinds; thicker arrows: more links). Effects are claims with a regulator, a target, a "
                  "polarity, cycle steps, context and evidence.",
                  ("model-overview",), "Diagram of the kinds of things in the graph and the properties linking them")


def neighbourhood_figure(name: str, centre: tuple[str, str], edges: list[tuple[str, str, str, str, str]],
                         hidden: int) -> Figure:
    """A small star around one entity. Edges: (source iri, source label, relation, target iri, target label),
    where relation 'positive'/'negative' draws an effect's regulator-to-target arrow in its polarity's colour."""
    graph = _digraph(f"n_{re.sub(r'[^A-Za-z0-9_]', '_', name)}", rankdir="LR", nodesep="0.1", ranksep="0.5")
    ids = {centre[0]: "c"}
    graph.node("c", _short(centre[1], 34), fillcolor="#1d4e89", fontcolor="white", fontsize="11")
    for source, source_label, _relation, target, target_label in edges:
        for iri, label in ((source, source_label), (target, target_label)):
            if iri not in ids:
                ids[iri] = f"n{len(ids)}"
                graph.node(ids[iri], _short(label, 30))
    for source, _sl, relation, target, _tl in edges:
        if relation in ("positive", "negative"):
            colour = POSITIVE if relation == "positive" else NEGATIVE
            graph.edge(ids[source], ids[target], label="+" if relation == "positive" else "−", color=colour,
                       fontcolor=colour, fontsize="10", penwidth="1.3")
        else:
            graph.edge(ids[source], ids[target], label=_short(relation, 26))
    if hidden:
        graph.node("more", f"+{hidden} more links", shape="plaintext", style="", fontcolor=MUTED)
        graph.edge("c", "more", style="invis")
    return Figure(f"n-{name}", graph.source,
                  "Neighbourhood: the entity's direct links (grey) and the effects it takes part in, drawn from "
                  "regulator to target (green: positive, red: negative).",
                  ("resource-statements",), f"Neighbourhood diagram of {centre[1]}")


# ---------------------------------------------------------------------------------------------- rendering

def render_all(figures: list[Figure], generator: str, batch: bool = True) -> None:
    """Lay out the figures (with one Graphviz process, or one each) and store each SVG, cleaned for byte-stable
    output."""
    if not figures:
        return
    if not batch:
        for figure in figures:
            render_all([figure], generator)
        return
    data = "\n".join(figure.source for figure in figures).encode("utf-8")
    try:
        output = graphviz.pipe("dot", "svg", data, quiet=True).decode("utf-8")
    except graphviz.ExecutableNotFound:
        raise MissingToolError("Graphviz `dot` is not installed (Debian: apt-get install graphviz); "
                               "it draws the site's figures") from None
    except graphviz.CalledProcessError as exc:
        raise IfnontoError(f"Graphviz failed: {exc.stderr.decode('utf-8', 'replace')[:300] if exc.stderr else exc}")
    documents = [part for part in re.split(r"(?=<\?xml )", output) if part.strip()]
    if len(documents) != len(figures):
        raise IfnontoError(f"Graphviz returned {len(documents)} drawings for {len(figures)} figures")
    for figure, svg in zip(figures, documents):
        figure.svg = clean_svg(svg, figure, generator)


def clean_svg(svg: str, figure: Figure, generator: str) -> str:
    """Drop the XML prolog and Graphviz's version comment; say first what made the file and from what."""
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<!-- Generated by graphviz[^>]*-->\s*", "", svg)
    head = (f"<!-- Generated by {generator} from the release with the quer"
            f"{'ies' if len(figure.queries) > 1 else 'y'} {', '.join(figure.queries)}; do not edit. "
            f"DOT source sha256: {figure.digest} -->\n")
    return head + svg.strip() + "\n"
