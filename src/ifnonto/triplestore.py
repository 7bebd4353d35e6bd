"""Loading the release into a remote triplestore so that the target graph is replaced atomically.

Two ways, chosen per store (measured on Oxigraph 0.5.13 and Virtuoso 7.2):
- ``update`` (Oxigraph and other SPARQL 1.1 stores): ONE SPARQL Update request. A store executes one update
  request as one transaction (Oxigraph documents this), so readers see the old graph or the new one. The
  request carries only the difference from the graph's current content (read first through the Graph Store
  Protocol): removing triples is what makes a replacement slow (Oxigraph 0.5.13, 24k triples: DROP + INSERT
  7.2 s, INSERT into an empty graph 2.5 s, plain POST 2.6 s). Triples with blank nodes are always replaced,
  since their labels cannot be matched. Oxigraph's Graph Store PUT is not used: its server clears the graph
  and loads the body in two separate steps, so a failed upload leaves the graph empty.
  Into an empty or missing graph, one Graph Store POST (loaded in one transaction) is all it takes.
- ``stage`` (Virtuoso, and replacements whose update would exceed UPDATE_LIMIT_BYTES: Oxigraph 0.5.13 refuses
  update bodies over 128 MiB): upload into a private staging graph through the Graph Store Protocol, check its
  triple count, then one ``MOVE``.
If anything fails before the final request, the target graph has not been touched, and the command says so. If
the final request's outcome is unknown (timeout, dropped connection after sending), the target's triple count
is checked and reported; "not modified" is only said when that is certain.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ifnonto import paths
from ifnonto.errors import IfnontoError
from ifnonto.http import HttpClient, RemoteCallError, check_url, post_form, request
from ifnonto.iris import ONTOLOGY_IRI

DEFAULT_GRAPH = ONTOLOGY_IRI
UPDATE_LIMIT_BYTES = 100_000_000
METHODS = ("auto", "update", "stage")


@dataclass
class Endpoints:
    query: str
    update: str
    store: str
    graph_param: str = "graph"
    dialect: str = "sparql11"       # or "virtuoso"

    @classmethod
    def derive(cls, endpoint: str, update: str | None = None, store: str | None = None,
               graph_param: str | None = None) -> "Endpoints":
        """Guess the update and Graph Store URLs from the query URL (Oxigraph/Fuseki: /query, /update, /store;
        Virtuoso: /sparql and /sparql-graph-crud)."""
        check_url(endpoint)
        for other in (update, store):
            if other:
                check_url(other)
        base = endpoint.rstrip("/")
        if base.endswith("/query"):
            root = base[: -len("/query")]
            update = update or f"{root}/update"
            store = store or f"{root}/store"
        elif base.endswith(("/sparql", "/sparql-auth")):
            auth = "-auth" if base.endswith("-auth") else ""
            root = base.rsplit("/", 1)[0]
            update = update or base
            store = store or f"{root}/sparql-graph-crud{auth}"
        else:
            update = update or base
            store = store or base
        virtuoso = "sparql-graph-crud" in store
        if graph_param is None:
            graph_param = "graph-uri" if virtuoso else "graph"
        return cls(endpoint, update, store, graph_param, "virtuoso" if virtuoso else "sparql11")


@dataclass
class LoadReport:
    graph: str
    triples: int
    method: str                 # "post" (into an empty graph), "update" or "stage"
    staging_graph: str | None = None


def _iri_ok(iri: str) -> str:
    if not iri.startswith(("http://", "https://", "urn:")) or any(c in iri for c in ' <>"{}|\\^`\n'):
        raise IfnontoError(f"not a valid graph IRI: {iri!r}")
    return iri


@dataclass
class Triples:
    """A file's distinct triples as canonical N-Triples lines: those without blank nodes keyed by a digest
    (so they can be compared with the store's), and those with blank nodes apart (their labels differ)."""

    plain: dict[bytes, bytes]
    blank: list[bytes]

    @property
    def count(self) -> int:
        return len(self.plain) + len(self.blank)


def _digest(line: str) -> bytes:
    import hashlib

    return hashlib.blake2b(line.encode(), digest_size=12).digest()


def read_triples(data: bytes, mime: str, path: Path | None = None) -> Triples:
    """The file's distinct triples, parsed strictly (errors name the file and line)."""
    import pyoxigraph as ox

    plain: dict[bytes, bytes] = {}
    blank: dict[bytes, bytes] = {}
    blank_type = ox.BlankNode
    try:
        for quad in ox.parse(data, ox.RdfFormat.from_media_type(mime)):
            line = f"{quad.subject} {quad.predicate} {quad.object} .\n"
            target = blank if isinstance(quad.subject, blank_type) or isinstance(quad.object, blank_type) else plain
            target.setdefault(_digest(line), line.encode())
    except SyntaxError as exc:
        raise IfnontoError(f"cannot parse: {str(exc).split(' (line ')[0]}", path=str(path) if path else None,
                           line=exc.lineno) from None
    return Triples(plain, list(blank.values()))


def replacement_update(graph: str, new: Triples, old: Triples | None) -> bytes:
    """One SPARQL Update request that turns the graph into ``new``: only the difference when the current
    content ``old`` is known (removing triples is the slow part of a store's transaction), else DROP + INSERT.
    Triples with blank nodes cannot be matched across the two sides, so they are all replaced."""
    g = f"<{graph}>".encode()
    if old is None:
        return (b"DROP SILENT GRAPH " + g + b" ;\nINSERT DATA { GRAPH " + g + b" {\n"
                + b"".join(new.plain.values()) + b"".join(new.blank) + b"} }\n")
    removed = [line for key, line in old.plain.items() if key not in new.plain]
    added = [line for key, line in new.plain.items() if key not in old.plain]
    parts = []
    if removed:
        parts.append(b"DELETE DATA { GRAPH " + g + b" {\n" + b"".join(removed) + b"} }")
    if old.blank:
        parts.append(b"DELETE { GRAPH " + g + b" { ?s ?p ?o } } WHERE { GRAPH " + g
                     + b" { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) } }")
    if added or new.blank:
        parts.append(b"INSERT DATA { GRAPH " + g + b" {\n" + b"".join(added) + b"".join(new.blank) + b"} }")
    return b" ;\n".join(parts) + b"\n" if parts else b"CREATE SILENT GRAPH " + g + b"\n"


def current_content(endpoints: Endpoints, graph: str, client: HttpClient, timeout: float) -> Triples | None:
    """The graph's triples read through the Graph Store Protocol (empty if it does not exist), or None if the
    store does not answer that (then the update replaces the graph whole)."""
    url = f"{endpoints.store}?{endpoints.graph_param}={quote(graph, safe='')}"
    try:
        status, body = request("GET", url, headers={"Accept": "application/n-triples"}, timeout=timeout,
                               client=client)
    except IfnontoError:
        return None
    if status == 404:
        return Triples({}, [])
    if status != 200:
        return None
    return store_lines(body)


_BLANK_OBJECT = re.compile(r" _:\S+ \.$")


def store_lines(body: str) -> Triples:
    """The store's N-Triples answer taken line by line, without a parser (it is the store's own canonical
    output; a line formatted differently from ours is merely deleted and inserted again, which is still exact).
    A line has a blank node iff its subject or object is one: a literal cannot end in ``_:x .``."""
    plain: dict[bytes, bytes] = {}
    blank: list[bytes] = []
    for raw in body.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        text = line + "\n"
        if line.startswith("_:") or _BLANK_OBJECT.search(line):
            blank.append(text.encode())
        else:
            plain.setdefault(_digest(text), text.encode())
    return Triples(plain, blank)


def count_file_triples(data: bytes, mime: str, path: Path) -> int:
    return read_triples(data, mime, path).count


def count_triples(endpoints: Endpoints, graph: str, *, user=None, password=None, timeout=60.0,
                  client: HttpClient | None = None) -> int:
    from ifnonto.engines import RemoteEngine

    engine = RemoteEngine(endpoints.query, user=user, password=password, timeout=timeout, client=client)
    result = engine.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_iri_ok(graph)}> {{ ?s ?p ?o }} }}")
    value = result.rows[0][0] if result.rows and result.rows[0] else None
    if value is None:
        return 0
    try:
        return int(value)
    except ValueError:
        raise IfnontoError(f"endpoint {endpoints.query} answered a triple count that is not an integer: "
                           f"{value[:60]!r}") from None


def _update(endpoints: Endpoints, text: str | bytes, *, client: HttpClient, timeout) -> None:
    if isinstance(text, bytes):
        status, body = request("POST", endpoints.update, data=text, timeout=timeout, client=client,
                               headers={"Content-Type": "application/sparql-update", "Accept": "*/*"})
    else:
        status, body = post_form(endpoints.update, {"update": text}, accept="*/*", timeout=timeout, client=client)
    if status >= 400:
        raise IfnontoError(f"update at {endpoints.update} failed with HTTP {status}: {body.strip()[:300]!r}")


def choose_method(endpoints: Endpoints, method: str = "auto") -> str:
    if method not in METHODS:
        raise IfnontoError(f"unknown load method {method!r}: use {', '.join(METHODS)}")
    if method != "auto":
        return method
    return "stage" if endpoints.dialect == "virtuoso" else "update"


def _checked(answer: tuple[int, str], url: str) -> None:
    status, body = answer
    if status >= 400:
        raise IfnontoError(f"upload to {url} answered HTTP {status}: {body.strip()[:300]!r}")


def load_release(endpoints: Endpoints, graph: str = DEFAULT_GRAPH, *, inferred: bool = False,
                 data_file: Path | None = None, user: str | None = None, password: str | None = None,
                 timeout: float = 3600.0, method: str = "auto") -> LoadReport:
    graph = _iri_ok(graph)
    source = Path(data_file) if data_file else paths.release_file("nt", inferred=inferred)
    if not data_file and not source.is_file():
        raise IfnontoError("release file is missing: run `ifnonto build`", path=str(source))
    from ifnonto.loading import read_checked  # the one safe loader: regular file, no DOCTYPE, no remote context

    data, form = read_checked(source)
    mime = form.media_type
    method = choose_method(endpoints, method)
    untouched = f"the graph <{graph}> was not modified"
    client = HttpClient(user, password, timeout)
    reading = None
    if method == "update":  # the graph's current content is fetched while the file is parsed
        from concurrent.futures import ThreadPoolExecutor

        pool = ThreadPoolExecutor(1)
        reading = pool.submit(current_content, endpoints, graph, HttpClient(user, password, timeout), timeout)
        pool.shutdown(wait=False)
    try:
        triples = read_triples(data, mime, source)
    except IfnontoError as exc:
        raise IfnontoError(f"{exc.message}; nothing was sent, {untouched}", path=exc.path, line=exc.line) from None
    expected = triples.count
    if method == "update":
        old = reading.result()
        if old is not None and old.count == 0:
            # Nothing to replace: one Graph Store POST, which the store loads in one transaction.
            url = f"{endpoints.store}?{endpoints.graph_param}={quote(graph, safe='')}"
            _final_step(endpoints, graph, expected, lambda: _checked(request(
                "POST", url, data=data, headers={"Content-Type": mime}, timeout=timeout, client=client), url),
                client, timeout)
            return _verified(endpoints, graph, expected, client, timeout, LoadReport(graph, expected, "post"))
        body = replacement_update(graph, triples, old)
        del triples
        if len(body) <= UPDATE_LIMIT_BYTES:
            _final_step(endpoints, graph, expected,
                        lambda: _update(endpoints, body, client=client, timeout=timeout), client, timeout)
            return _verified(endpoints, graph, expected, client, timeout, LoadReport(graph, expected, "update"))
        del body  # too large for one update request: staging + MOVE
    staging = f"urn:ifnonto:staging:{uuid.uuid4()}"
    try:
        url = f"{endpoints.store}?{endpoints.graph_param}={quote(staging, safe='')}"
        try:
            status, body = request("PUT", url, data=data, headers={"Content-Type": mime}, timeout=timeout,
                                   client=client)
        except IfnontoError as exc:
            raise IfnontoError(f"upload to {endpoints.store} failed ({exc.message}); {untouched}") from None
        if status >= 400:
            raise IfnontoError(f"upload to {endpoints.store} answered HTTP {status}: {body.strip()[:300]!r}; "
                               f"{untouched}")
        try:
            loaded = count_triples(endpoints, staging, timeout=timeout, client=client)
        except IfnontoError as exc:
            raise IfnontoError(f"{exc.message}; {untouched}") from None
        if loaded != expected:
            raise IfnontoError(f"the store holds {loaded} of the {expected} uploaded triples; {untouched}")
        # The swap: one update request, executed by the store as a single transaction.
        _final_step(endpoints, graph, expected,
                    lambda: _update(endpoints, f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>", client=client,
                                    timeout=timeout), client, timeout)
    except BaseException:
        try:
            _update(endpoints, f"DROP SILENT GRAPH <{staging}>", client=client, timeout=30)
        except Exception:  # noqa: BLE001 - the server may be gone; the staging graph is then left to the admin
            pass
        raise
    return _verified(endpoints, graph, expected, client, timeout, LoadReport(graph, expected, "stage", staging))


def _final_step(endpoints: Endpoints, graph: str, expected: int, run, client: HttpClient, timeout) -> None:
    """The one request that replaces the graph. A refusal leaves the graph as it was; an unknown outcome is
    checked and reported as found."""
    untouched = f"the graph <{graph}> was not modified"
    try:
        run()
    except RemoteCallError as exc:
        if not exc.maybe_executed:
            raise IfnontoError(f"{exc.message}; {untouched}") from None
        try:
            found = count_triples(endpoints, graph, timeout=min(timeout, 60.0), client=client)
        except IfnontoError as check:
            raise IfnontoError(f"{exc.message}; the outcome of the replacement is unknown and the graph <{graph}> "
                               f"could not be checked ({check.message})") from None
        verdict = "matches the new content" if found == expected else "does not match the new content"
        raise IfnontoError(f"{exc.message}; the outcome of the replacement is unknown: the graph <{graph}> now "
                           f"holds {found} triples, which {verdict} ({expected} triples)") from None
    except IfnontoError as exc:  # the store answered with an error status: it refused the whole request
        raise IfnontoError(f"{exc.message}; the store refused the replacement, so {untouched}") from None


def _verified(endpoints, graph, expected, client, timeout, report: LoadReport) -> LoadReport:
    final = count_triples(endpoints, graph, timeout=timeout, client=client)
    if final != expected:
        raise IfnontoError(f"after the replacement the graph <{graph}> holds {final} triples, expected {expected}")
    return report
