"""The packaged SPARQL queries: a registry read from the headers of ``queries/*.rq``, and their execution.

Header format (one per line at the top of a query file)::

    # title: Members of an interferon type
    # description: ...
    # param: type | iri | type-I-IFN | the interferon type (an id such as type-I-IFN, or a full IRI)
    # param: cancer | iri | melanoma | a cancer type id | multiple
    # example: type=type-II-IFN

An ``example`` line gives one more set of parameter values (``name=value; name=value``) that the tests hold to
golden results, besides the defaults; a ``multiple`` parameter takes several values, repeated in an example as
``name=a; name=b``. ``tags: report`` marks the queries that ``ifnonto info`` runs.

Parameters are bound as RDF terms (pyoxigraph ``substitutions``, rdflib ``initBindings``), never pasted into
the query text, so a value cannot change the query's structure. The values of a ``multiple`` parameter (and every
value sent to a remote endpoint) go into an inline VALUES block of escaped, validated terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ifnonto import paths
from ifnonto.errors import IfnontoError
from ifnonto.iris import BASE, PREFIXES, xref_prefixes

PARAM_TYPES = ("iri", "string", "integer")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|\\^`]|\s')


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str | None
    description: str
    multiple: bool = False  # takes several values (``--param name=a --param name=b``): rows for any of them


@dataclass(frozen=True)
class PackagedQuery:
    name: str
    path: Path
    title: str
    description: str
    params: tuple[Param, ...]
    text: str
    requires_inference: bool = False
    tags: tuple[str, ...] = field(default_factory=tuple)
    asserted_only: bool = False   # a QC check that is meaningless on materialized conclusions
    examples: tuple[dict[str, str], ...] = ()  # parameter values besides the defaults, held to golden results

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_header(path: Path) -> PackagedQuery:
    text = path.read_text(encoding="utf-8")
    title = description = None
    params: list[Param] = []
    inference = False
    asserted_only = False
    tags: tuple[str, ...] = ()
    examples: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        body = line[1:].strip()
        key, _, value = body.partition(":")
        key, value = key.strip().lower(), value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description = value if description is None else f"{description} {value}"
        elif key == "param":
            parts = [part.strip() for part in value.split("|")]
            if len(parts) not in (4, 5) or not _NAME.match(parts[0]) or parts[1] not in PARAM_TYPES \
                    or parts[4:] not in ([], ["multiple"]):
                raise IfnontoError("param header must be: name | iri|string|integer | default (or -) | description "
                                   "[| multiple]", path=str(path), line=number)
            params.append(Param(parts[0], parts[1], None if parts[2] in ("", "-") else parts[2], parts[3],
                                multiple=parts[4:] == ["multiple"]))
        elif key == "inference":
            inference = value.lower() in ("required", "yes", "true")
        elif key == "scope":
            asserted_only = value.lower() == "asserted"
        elif key == "tags":
            tags = tuple(t.strip() for t in value.split(",") if t.strip())
        elif key == "example":
            examples.append(_parse_example(value, params, path, number))
    if not title or not description:
        raise IfnontoError("query header needs '# title:' and '# description:' lines", path=str(path), line=1)
    return PackagedQuery(path.stem, path, title, description, tuple(params), text, inference, tags, asserted_only,
                         tuple(examples))


def _parse_example(value: str, params: list[Param], path: Path, line: int) -> dict[str, str | list[str]]:
    example: dict[str, str | list[str]] = {}
    multiple = {p.name for p in params if p.multiple}
    known = {p.name for p in params}
    for pair in value.split(";"):
        name, sep, raw = pair.partition("=")
        name = name.strip()
        if not sep or name not in known or (name in example and name not in multiple):
            raise IfnontoError(f"example header must be 'name=value; ...' with parameters declared above it, "
                               f"each once unless it is multiple (got {pair.strip()!r})", path=str(path), line=line)
        if name in example:
            previous = example[name]
            example[name] = [*previous, raw.strip()] if isinstance(previous, list) else [previous, raw.strip()]
        else:
            example[name] = raw.strip()
    return example


def registry(folder: Path | None = None) -> dict[str, PackagedQuery]:
    folder = Path(folder) if folder else paths.QUERIES_DIR
    return {path.stem: parse_header(path) for path in sorted(folder.glob("*.rq"))}


def did_you_mean(word: str, choices, n: int = 3) -> list[str]:
    """Close matches for a mistyped name: spelling distance first, then names that contain the word."""
    import difflib

    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    close = [lowered[c] for c in difflib.get_close_matches(word.lower(), list(lowered), n=n, cutoff=0.6)]
    close += [c for c in choices if word.lower() in c.lower() and c not in close]
    return close[:n]


def get_query(name: str, folder: Path | None = None) -> PackagedQuery:
    queries = registry(folder)
    if name not in queries:
        close = did_you_mean(name, queries)
        hint = f"; did you mean {' or '.join(close)}?" if close else "; run `ifnonto queries` for the list"
        raise IfnontoError(f"unknown query {name!r}{hint}")
    return queries[name]


def _expand_iri(value: str, param: str) -> str:
    if ":" in value and not value.startswith(("http://", "https://", "urn:")):
        prefix, _, local = value.partition(":")
        if prefix in PREFIXES:
            value = PREFIXES[prefix] + local
        elif prefix in xref_prefixes():  # a reference term as its CURIE: CL:0000738, GO:0012501, MONDO:0004993
            value = xref_prefixes()[prefix] + local
    elif not value.startswith(("http://", "https://", "urn:")):
        value = BASE + value
    if _IRI_FORBIDDEN.search(value) or not value:
        raise IfnontoError(f"parameter {param!r}: {value!r} is not a valid IRI or id "
                           f"(spaces, quotes, braces and angle brackets are not allowed)")
    import pyoxigraph  # the strict IRI parser (RFC 3987) decides what is left

    try:
        pyoxigraph.NamedNode(value)
    except ValueError as exc:
        raise IfnontoError(f"parameter {param!r}: {value!r} is not a valid IRI or id ({exc})") from None
    return value


def bind_values(query: PackagedQuery, values: dict[str, str | list[str]]) -> dict[str, tuple]:
    """Check the user's ``--param`` values against the header; return name -> (type, lexical value), or
    (type, (value, ...)) for several values of a ``multiple`` parameter."""
    bound: dict[str, tuple] = {}
    for name in values:
        if query.param(name) is None:
            known = ", ".join(p.name for p in query.params) or "none"
            raise IfnontoError(f"query {query.name!r} has no parameter {name!r} (its parameters: {known})")
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            continue
        if isinstance(raw, (list, tuple)):
            if not param.multiple:
                raise IfnontoError(f"parameter {param.name!r} given more than once ({', '.join(map(repr, raw))}): "
                                   f"query {query.name!r} takes one value for it")
            if not raw:
                raise IfnontoError(f"parameter {param.name!r}: no value given")
            single = [bind_values(_one(query, param), {param.name: value})[param.name] for value in raw]
            bound[param.name] = (single[0][0], tuple(dict.fromkeys(v for _k, v in single)))
            continue
        if "\x00" in raw:
            raise IfnontoError(f"parameter {param.name!r}: NUL character is not allowed")
        if param.type == "iri":
            bound[param.name] = ("iri", _expand_iri(raw, param.name))
        elif param.type == "integer":
            # int() strips fewer characters than str.strip() (not U+001F): convert what was checked
            digits = raw.strip()
            if not re.fullmatch(r"[+-]?[0-9]{1,18}", digits):
                raise IfnontoError(f"parameter {param.name!r} must be an integer, got {raw!r}")
            bound[param.name] = ("integer", str(int(digits)))
        else:
            bound[param.name] = ("string", raw)
    return bound


def _one(query: PackagedQuery, param: Param) -> PackagedQuery:
    """The query as if ``param`` were its only parameter (to check one value of a multiple parameter)."""
    from dataclasses import replace

    return replace(query, params=(replace(param, multiple=False),))


def parse_param_args(pairs: list[str], query: PackagedQuery | None = None) -> dict[str, str | list[str]]:
    """``name=value`` pairs; a repeated name gives a list, which only a ``multiple`` parameter accepts (the last
    value must never win silently)."""
    values: dict[str, str | list[str]] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise IfnontoError(f"--param needs the form name=value, got {pair!r}")
        if name in values:
            param = query.param(name) if query else None
            if param is None or not param.multiple:
                previous = values[name]
                raise IfnontoError(f"parameter {name!r} given more than once ({previous!r}, {value!r}): "
                                   f"this query takes one value for it")
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    return values


_LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "http://www.geneontology.org/formats/oboInOwl#hasExactSynonym",
           "http://www.geneontology.org/formats/oboInOwl#hasRelatedSynonym",
           "http://www.geneontology.org/formats/oboInOwl#hasNarrowSynonym",
           "http://www.geneontology.org/formats/oboInOwl#hasBroadSynonym")


def _names_query() -> str:
    values = " ".join(f"<{p}>" for p in _LABELS)
    return ("SELECT DISTINCT ?entity ?name WHERE { VALUES ?p { " + values + " } ?entity ?p ?name . "
            "FILTER(isIRI(?entity)) FILTER NOT EXISTS { ?entity a ?kind . VALUES ?kind { "
            "<http://www.w3.org/2002/07/owl#ObjectProperty> <http://www.w3.org/2002/07/owl#DatatypeProperty> "
            "<http://www.w3.org/2002/07/owl#AnnotationProperty> } } }")


def entity_names(engine) -> list[tuple[str, str]]:
    """(IRI, label or synonym) of every named entity in the data the engine queries."""
    result = engine.select(_names_query())
    return [(row[0], row[1]) for row in result.rows if row[0] and row[1]]


def _exists(engine, iri: str) -> bool:
    return engine.select(f"ASK {{ {{ <{iri}> ?p ?o }} UNION {{ ?s ?p <{iri}> }} }}").rows[0][0] == "true"


def resolve_entities(query: PackagedQuery, raw: dict[str, str], engine) -> dict[str, str]:
    """Turn each user-given entity parameter into the IRI of an entity in the data.

    A value may be an id (``CD274``), a CURIE or IRI, a label (``PD-L1``) or a synonym, in any case. A value that
    names nothing exits 2 with suggestions, rather than a silent empty result.
    """
    resolved = dict(raw)
    for name, value in raw.items():
        if isinstance(value, list):
            resolved[name] = [resolve_entities(query, {name: one}, engine)[name] for one in value]
    names: list[tuple[str, str]] | None = None
    for name, value in raw.items():
        param = query.param(name)
        if param is None or param.type != "iri" or isinstance(value, list):
            continue
        try:
            iri = _expand_iri(value, name)
        except IfnontoError:
            iri = None
        if iri is not None and _exists(engine, iri):
            resolved[name] = iri
            continue
        if names is None:
            names = [n for n in entity_names(engine) if n[0].startswith(BASE)]
        wanted = value.strip().lower()
        matches = sorted({e for e, n in names if n.lower() == wanted}
                         | {e for e, _n in names if e.startswith(BASE) and e[len(BASE):].lower() == wanted})
        if len(matches) == 1:
            resolved[name] = matches[0]
            continue
        if len(matches) > 1:
            ids = ", ".join(_short_id(m) for m in matches[:8])
            raise IfnontoError(f"parameter {name!r}: {value!r} names several entities ({ids}); give the id")
        ids = sorted({_short_id(e) for e, _n in names})
        labels = {n: e for e, n in names}
        close = did_you_mean(value, ids + sorted(labels), n=5)
        shown = []
        for c in close:
            label = c if c in ids else f"{c} ({_short_id(labels[c])})"
            if label not in shown:
                shown.append(label)
        hint = f"; did you mean {', '.join(shown)}?" if shown else "; see `ifnonto queries " + query.name + "`"
        raise IfnontoError(f"no entity {value!r} (parameter {name!r}){hint}")
    return resolved


MAX_ENUMERATION = 15


def parameter_values(param: Param, engine) -> tuple[list[str], bool]:
    """Valid values of an entity parameter, found from the data: the members of the smallest class that holds
    the default and every id the description names. Returns (ids, complete): all members when there are at
    most MAX_ENUMERATION, else examples (the named ids, when no class holds them all)."""
    words = ([param.default] if param.default else []) + re.findall(r"[A-Za-z][\w-]*\w", param.description)
    seeds: list[str] = []
    for word in words:
        try:
            iri = _expand_iri(word, param.name)
        except IfnontoError:
            continue
        if iri not in seeds and word[0].isalpha() and _exists_as_subject(engine, iri):
            seeds.append(iri)
    if not seeds:
        return [], False
    shared = " ".join(f"<{iri}> a ?class ." for iri in seeds)
    rows = engine.select(
        "SELECT ?class (COUNT(DISTINCT ?member) AS ?n) WHERE { " + shared + " ?member a ?class . "
        "FILTER(STRSTARTS(STR(?class), \"" + BASE + "\")) FILTER(isIRI(?member)) "
        # a defined class (filled by the reasoner from what the data says) is not a kind of value
        "FILTER NOT EXISTS { ?class <http://www.w3.org/2002/07/owl#equivalentClass> ?definition } } GROUP BY ?class "
        "HAVING (COUNT(DISTINCT ?member) > 1) ORDER BY ?n ?class LIMIT 1").rows
    named = [_short_id(iri) for iri in seeds]
    if not rows or rows[0][0] is None:
        return named, False
    members = engine.select("SELECT DISTINCT ?member WHERE { ?member a <" + rows[0][0] + "> . "
                            "FILTER(isIRI(?member)) } ORDER BY ?member").rows
    ids = [_short_id(m[0]) for m in members]
    if len(ids) <= MAX_ENUMERATION:
        return ids, True
    examples = named + [i for i in ids if i not in named][: max(0, 8 - len(named))]
    return examples + [f"... ({len(ids)} in all)"], False


def _exists_as_subject(engine, iri: str) -> bool:
    return engine.select(f"ASK {{ <{iri}> ?p ?o }}").rows[0][0] == "true"


def _short_id(iri: str) -> str:
    return iri[len(BASE):] if iri.startswith(BASE) else iri


@dataclass
class GraphResult:
    """The triples a CONSTRUCT or DESCRIBE query gives, as N-Triples text."""

    ntriples: str

    def __len__(self) -> int:
        return sum(1 for line in self.ntriples.splitlines() if line.strip())


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[list[str | None]]
    # The engine's own term objects, row by row (pyoxigraph or rdflib), kept to tell IRIs, blank nodes and typed
    # literals apart when a format needs it (W3C SPARQL JSON); None when the engine gave plain strings.
    terms: list | None = field(default=None, repr=False, compare=False)
    boolean: bool | None = None   # the answer of an ASK query (then one column "result")

    def as_dicts(self) -> list[dict[str, str | None]]:
        return [dict(zip(self.columns, row)) for row in self.rows]

    def w3c_bindings(self) -> list[dict[str, dict[str, str]]]:
        """The rows as SPARQL 1.1 Query Results JSON bindings (unbound variables are left out)."""
        out = []
        for index, row in enumerate(self.rows):
            raw = self.terms[index] if self.terms is not None else [None] * len(row)
            binding = {}
            for column, value, term in zip(self.columns, row, raw):
                if value is not None:
                    binding[column] = _w3c_term(value, term)
            out.append(binding)
        return out


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _w3c_term(value: str, term) -> dict[str, str]:
    kind = type(term).__name__
    if kind in ("NamedNode", "URIRef"):
        return {"type": "uri", "value": value}
    if kind in ("BlankNode", "BNode"):
        return {"type": "bnode", "value": value[2:] if value.startswith("_:") else value}
    if kind == "Literal":
        language = getattr(term, "language", None) or getattr(term, "lang", None)
        datatype = getattr(term, "datatype", None)
        datatype = getattr(datatype, "value", datatype)
        cell = {"type": "literal", "value": value}
        if language:
            cell["xml:lang"] = language
        elif datatype and str(datatype) != _XSD_STRING:
            cell["datatype"] = str(datatype)
        return cell
    # No term object (a remote endpoint's plain values): tell the kinds apart by their form.
    if value.startswith("_:"):
        return {"type": "bnode", "value": value[2:]}
    if re.match(r"^(https?|urn|mailto|file):\S+$", value):
        return {"type": "uri", "value": value}
    return {"type": "literal", "value": value}
