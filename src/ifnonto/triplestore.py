"""Loading the release into a remote triplestore so that the target graph is replaced atomically.

The data first goes into a private staging graph through the SPARQL 1.1 Graph Store Protocol; its triple count
is checked; then one SPARQL Update request moves it over the target graph. If anything fails before that last
request — server down, refused, 4xx/5xx, timeout, connection dropped mid-upload — the target graph has not been
touched, and the command says so.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ifnonto import paths
from ifnonto.errors import IfnontoError
from ifnonto.http import post_form, request
from ifnonto.iris import ONTOLOGY_IRI

DEFAULT_GRAPH = ONTOLOGY_IRI


@dataclass
class Endpoints:
    query: str
    update: str
    store: str
    graph_param: str = "graph"

    @classmethod
    def derive(cls, endpoint: str, update: str | None = None, store: str | None = None,
               graph_param: str | None = None) -> "Endpoints":
        """Guess the update and Graph Store URLs from the query URL (Oxigraph/Fuseki: /query, /update, /store;
        Virtuoso: /sparql and /sparql-graph-crud)."""
        if not endpoint.startswith(("http://", "https://")):
            raise IfnontoError(f"endpoint must be an http(s) URL, got {endpoint!r}")
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
        if graph_param is None:
            graph_param = "graph-uri" if "sparql-graph-crud" in store else "graph"
        return cls(endpoint, update, store, graph_param)


@dataclass
class LoadReport:
    graph: str
    triples: int
    staging_graph: str


def _iri_ok(iri: str) -> str:
    if not iri.startswith(("http://", "https://", "urn:")) or any(c in iri for c in ' <>"{}|\\^`\n'):
        raise IfnontoError(f"not a valid graph IRI: {iri!r}")
    return iri


def count_file_triples(data: bytes, mime: str, path: Path) -> int:
    """How many distinct triples the file holds (what the store must end up with), parsed strictly.
    Only a hash per triple is kept, so a file of millions of triples is counted in little memory."""
    import hashlib

    import pyoxigraph as ox

    seen: set[bytes] = set()
    try:
        for quad in ox.parse(data, ox.RdfFormat.from_media_type(mime)):
            text = f"{quad.subject} {quad.predicate} {quad.object}".encode()
            seen.add(hashlib.blake2b(text, digest_size=12).digest())
    except SyntaxError as exc:
        raise IfnontoError(f"cannot parse: {str(exc).split(' (line ')[0]}", path=str(path), line=exc.lineno) from None
    return len(seen)


def count_triples(endpoints: Endpoints, graph: str, *, user=None, password=None, timeout=60.0) -> int:
    from ifnonto.engines import RemoteEngine

    engine = RemoteEngine(endpoints.query, user=user, password=password, timeout=timeout)
    result = engine.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{_iri_ok(graph)}> {{ ?s ?p ?o }} }}")
    return int(result.rows[0][0]) if result.rows and result.rows[0][0] is not None else 0


def _update(endpoints: Endpoints, text: str, *, user, password, timeout) -> None:
    status, body = post_form(endpoints.update, {"update": text}, accept="*/*", user=user, password=password,
                             timeout=timeout)
    if status >= 400:
        raise IfnontoError(f"update at {endpoints.update} failed with HTTP {status}: {body.strip()[:300]!r}")


def load_release(endpoints: Endpoints, graph: str = DEFAULT_GRAPH, *, inferred: bool = False,
                 data_file: Path | None = None, user: str | None = None, password: str | None = None,
                 timeout: float = 300.0) -> LoadReport:
    graph = _iri_ok(graph)
    source = Path(data_file) if data_file else paths.release_file("nt", inferred=inferred)
    if not data_file and not source.is_file():
        raise IfnontoError("release file is missing: run `ifnonto build`", path=str(source))
    from ifnonto.loading import read_checked  # the one safe loader: regular file, no DOCTYPE, no remote context

    data, form = read_checked(source)
    mime = form.media_type
    staging = f"urn:ifnonto:staging:{uuid.uuid4()}"
    untouched = f"the graph <{graph}> was not modified"
    try:
        expected = count_file_triples(data, mime, source)
    except IfnontoError as exc:
        raise IfnontoError(f"{exc.message}; nothing was sent, {untouched}", path=exc.path, line=exc.line) from None
    try:
        url = f"{endpoints.store}?{endpoints.graph_param}={quote(staging, safe='')}"
        for attempt in range(3):
            # A PUT into the private staging graph can simply be sent again: servers with digest
            # authentication (Virtuoso) may reset the connection while the first, unauthenticated
            # attempt is still sending its body.
            try:
                status, body = request("PUT", url, data=data, headers={"Content-Type": mime},
                                       user=user, password=password, timeout=timeout)
                break
            except IfnontoError as exc:
                if attempt == 2 or "reset" not in exc.message.lower():
                    raise IfnontoError(f"upload to {endpoints.store} failed ({exc.message}); {untouched}") from None
        if status >= 400:
            raise IfnontoError(f"upload to {endpoints.store} answered HTTP {status}: {body.strip()[:300]!r}; "
                               f"{untouched}")
        loaded = count_triples(endpoints, staging, user=user, password=password, timeout=timeout)
        if loaded != expected:
            raise IfnontoError(f"the store holds {loaded} of the {expected} uploaded triples; {untouched}")
        # The swap: one update request, executed by the store as a single transaction.
        try:
            _update(endpoints, f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{graph}>", user=user, password=password,
                    timeout=timeout)
        except IfnontoError as exc:
            raise IfnontoError(f"{exc.message}; the store rejected the final replacement, so {untouched}") from None
    except BaseException:
        try:
            _update(endpoints, f"DROP SILENT GRAPH <{staging}>", user=user, password=password, timeout=30)
        except Exception:  # noqa: BLE001 - the server may be gone; the staging graph is then left to the admin
            pass
        raise
    final = count_triples(endpoints, graph, user=user, password=password, timeout=timeout)
    if final != expected:
        raise IfnontoError(f"after the replacement the graph <{graph}> holds {final} triples, expected {expected}")
    return LoadReport(graph, final, staging)
