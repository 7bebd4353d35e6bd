"""SPARQL engines behind one small interface: pyoxigraph (default, fast), rdflib, and a remote endpoint."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable, Protocol

from ifnonto import paths
from ifnonto.errors import IfnontoError
from ifnonto.queries import QueryResult

RDF_FORMATS = {
    ".nt": "application/n-triples", ".ttl": "text/turtle", ".owl": "application/rdf+xml",
    ".rdf": "application/rdf+xml", ".xml": "application/rdf+xml", ".jsonld": "application/ld+json",
    ".json": "application/ld+json", ".nq": "application/n-quads", ".trig": "application/trig",
}


class Engine(Protocol):
    name: str

    def select(self, text: str, bindings: dict[str, tuple[str, str]] | None = None,
               timeout: float | None = None) -> QueryResult: ...


def default_data(inferred: bool = True) -> list[Path]:
    path = paths.release_file("nt", inferred=inferred)
    if not path.is_file():
        raise IfnontoError(f"release file {path} is missing: run `ifnonto build` first")
    return [path]


def media_type(path: Path, fmt: str | None = None) -> str:
    if fmt:
        key = fmt if fmt.startswith(".") else "." + fmt
    else:
        key = Path(path).suffix.lower()
    if key not in RDF_FORMATS:
        raise IfnontoError(f"cannot tell the RDF format of {path}: use one of "
                           f"{', '.join(sorted(RDF_FORMATS))} or give the format", path=str(path))
    return RDF_FORMATS[key]


def within_timeout(run, timeout: float | None):
    """Run ``run()`` and return its result, or raise IfnontoError after ``timeout`` seconds.

    Local engines cannot interrupt a running query, so it is left to finish on a daemon thread; the CLI exits
    right after the error, which ends it.
    """
    if not timeout:
        return run()
    import threading

    box: dict = {}

    def target():
        try:
            box["result"] = run()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise IfnontoError(f"the query did not finish within {timeout:g} s (--timeout)")
    if "error" in box:
        raise box["error"]
    return box["result"]


class OxigraphEngine:
    name = "oxigraph"

    def __init__(self, files: Iterable[Path] | None = None):
        import pyoxigraph

        self._ox = pyoxigraph
        self.store = pyoxigraph.Store()
        for path in (files if files is not None else default_data()):
            self.load(Path(path))

    def load(self, path: Path, fmt: str | None = None) -> None:
        mime = media_type(path, fmt)
        rdf_format = self._ox.RdfFormat.from_media_type(mime)
        try:
            self.store.bulk_load(path=str(path), format=rdf_format)
        except (SyntaxError, ValueError) as exc:
            raise IfnontoError(f"cannot parse as {mime}: {exc}", path=str(path)) from None
        except OSError as exc:
            raise IfnontoError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None

    def _term(self, kind: str, value: str):
        ox = self._ox
        if kind == "iri":
            return ox.NamedNode(value)
        if kind == "integer":
            return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        return ox.Literal(value)

    def select(self, text, bindings=None, timeout=None) -> QueryResult:
        return within_timeout(lambda: self._select(text, bindings), timeout)

    def _select(self, text, bindings) -> QueryResult:
        ox = self._ox
        try:
            substitutions = {ox.Variable(k): self._term(*v) for k, v in (bindings or {}).items()}
        except ValueError as exc:
            raise IfnontoError(f"invalid parameter value: {exc}") from None
        try:
            solutions = self.store.query(text, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise IfnontoError(f"SPARQL syntax error: {exc}") from None
        except RuntimeError as exc:  # e.g. a bound parameter that the query does not project
            raise IfnontoError(f"query failed: {exc}") from None
        if isinstance(solutions, ox.QueryBoolean):
            return QueryResult(["result"], [["true" if bool(solutions) else "false"]])
        if not isinstance(solutions, ox.QuerySolutions):
            raise IfnontoError("only SELECT and ASK queries can be run here")
        columns = [v.value for v in solutions.variables]
        blank = ox.BlankNode
        rows = [[None if term is None else f"_:{term.value}" if isinstance(term, blank) else term.value
                 for term in solution] for solution in solutions]
        return QueryResult(columns, rows)


class RdflibEngine:
    name = "rdflib"

    def __init__(self, files: Iterable[Path] | None = None):
        from rdflib import Graph

        from ifnonto.loading import guess_format

        self.graph = Graph()
        for path in (files if files is not None else default_data()):
            self.graph.parse(path, format=guess_format(Path(path)))

    def select(self, text, bindings=None, timeout=None) -> QueryResult:
        return within_timeout(lambda: self._select(text, bindings), timeout)

    def _select(self, text, bindings) -> QueryResult:
        from rdflib import BNode, Literal, URIRef
        from rdflib.namespace import XSD

        init = {}
        for name, (kind, value) in (bindings or {}).items():
            init[name] = URIRef(value) if kind == "iri" else Literal(int(value), datatype=XSD.integer) \
                if kind == "integer" else Literal(value)
        result = self.graph.query(text, initBindings=init)
        if result.type == "ASK":
            return QueryResult(["result"], [["true" if result.askAnswer else "false"]])
        columns = [str(v) for v in result.vars]
        rows = []
        for row in result:
            values = []
            for term in row:
                if term is None:
                    values.append(None)
                elif isinstance(term, BNode):
                    values.append(f"_:{term}")
                else:
                    values.append(str(term))
            rows.append(values)
        return QueryResult(columns, rows)


def _sparql_term(kind: str, value: str) -> str:
    """Serialize a bound value as a SPARQL term with full escaping (for endpoints without substitution)."""
    if kind == "iri":
        return f"<{value}>"
    if kind == "integer":
        return str(int(value))
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t"))
    return f'"{escaped}"'


def with_values_clause(text: str, bindings: dict[str, tuple[str, str]]) -> str:
    """Bind the parameters with an inline VALUES block at the start of the query's outermost WHERE group.

    Only the packaged query's own text is edited, at a place found outside strings, IRIs and comments; the values
    are serialized as escaped RDF terms. (A trailing VALUES clause would be joined after aggregation, and
    Virtuoso does not apply it at all: see tests/test_triplestores.py.)
    """
    if not bindings:
        return text
    from ifnonto.sparql_guard import mask_literals

    match = re.search(r"\bWHERE\s*\{", mask_literals(text), re.I)
    if match is None:
        raise IfnontoError("cannot bind parameters: the query has no WHERE clause")
    names = sorted(bindings)
    head = " ".join(f"?{n}" for n in names)
    row = " ".join(_sparql_term(*bindings[n]) for n in names)
    cut = match.end()
    return f"{text[:cut]}\n  VALUES ({head}) {{ ({row}) }}{text[cut:]}"


class RemoteEngine:
    """A SPARQL 1.1 Protocol endpoint (Oxigraph server, Virtuoso, Fuseki, GraphDB, ...)."""

    name = "remote"

    def __init__(self, endpoint: str, *, user: str | None = None, password: str | None = None,
                 timeout: float = 60.0, default_graph: str | None = None, client=None):
        from ifnonto.http import HttpClient, check_url

        self.endpoint = check_url(endpoint)
        self.timeout = timeout
        self.default_graph = default_graph
        self.client = client or HttpClient(user, password, timeout)

    def select(self, text, bindings=None, timeout=None) -> QueryResult:
        from ifnonto.http import post_form

        params = {"query": with_values_clause(text, bindings or {})}
        if self.default_graph:
            params["default-graph-uri"] = self.default_graph
        status, body = post_form(self.endpoint, params, accept="application/sparql-results+json",
                                 timeout=timeout or self.timeout, client=self.client)
        if status >= 400:
            raise IfnontoError(f"endpoint {self.endpoint} answered HTTP {status}: {body[:300]!r}")
        return parse_results_json(body, self.endpoint)


def parse_results_json(body: str, endpoint: str) -> QueryResult:
    """W3C SPARQL 1.1 Query Results JSON, checked: anything else ({} or [] or a truncated reply) is a one-line
    error naming the endpoint, never a traceback or an empty result."""
    def bad(what: str) -> IfnontoError:
        return IfnontoError(f"endpoint {endpoint} did not return SPARQL JSON results ({what}): {body[:120]!r}")

    try:
        data = json.loads(body)
    except ValueError:
        raise bad("not JSON") from None
    if not isinstance(data, dict):
        raise bad("not a JSON object")
    if "boolean" in data:
        if not isinstance(data["boolean"], bool):
            raise bad("'boolean' is not true or false")
        return QueryResult(["result"], [["true" if data["boolean"] else "false"]])
    head, results = data.get("head"), data.get("results")
    if not isinstance(head, dict) or not isinstance(results, dict):
        raise bad("no 'head' and 'results'")
    columns, bindings = head.get("vars", []), results.get("bindings")
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns) \
            or not isinstance(bindings, list):
        raise bad("'head.vars' or 'results.bindings' is not a list")
    rows = []
    for binding in bindings:
        if not isinstance(binding, dict):
            raise bad("a solution is not an object")
        row = []
        for column in columns:
            cell = binding.get(column)
            if cell is None:
                row.append(None)
            elif not isinstance(cell, dict) or not isinstance(cell.get("value"), str):
                raise bad(f"the value of ?{column} is not an RDF term")
            elif cell.get("type") == "bnode":
                row.append(f"_:{cell['value']}")
            else:
                row.append(cell["value"])
        rows.append(row)
    return QueryResult(columns, rows)


def make_engine(name: str = "oxigraph", files: Iterable[Path] | None = None, **remote) -> Engine:
    if name == "oxigraph":
        return OxigraphEngine(files)
    if name == "rdflib":
        return RdflibEngine(files)
    if name == "remote":
        return RemoteEngine(**remote)
    raise IfnontoError(f"unknown engine {name!r}: use oxigraph or rdflib")
