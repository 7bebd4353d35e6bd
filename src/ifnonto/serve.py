"""`ifnonto serve`: a local, read-only SPARQL 1.1 Protocol endpoint over the release (pyoxigraph in memory).

Updates are never accepted; SERVICE (federated queries to other hosts) is refused unless --allow-service.
The server binds to loopback by default.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from ifnonto.errors import IfnontoError
from ifnonto.sparql_guard import check_query

MAX_BODY = 1_000_000

RESULT_TYPES = {
    "application/sparql-results+json": "JSON", "application/json": "JSON",
    "application/sparql-results+xml": "XML", "text/csv": "CSV", "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {"application/n-triples": "N_TRIPLES", "text/turtle": "TURTLE", "application/rdf+xml": "RDF_XML"}


def _pick(accept: str, table: dict[str, str], default: str) -> tuple[str, str]:
    for part in (accept or "").split(","):
        mime = part.split(";")[0].strip().lower()
        if mime in table:
            return mime, table[mime]
    return default, table[default]


def make_handler(store, allow_service: bool):
    import pyoxigraph as ox

    class Handler(BaseHTTPRequestHandler):
        server_version = "ifnonto-sparql"

        def log_message(self, fmt, *args):  # keep the console quiet; errors go to the client
            return

        def _send(self, status: int, body: bytes, mime: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", mime)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _error(self, status: int, message: str) -> None:
            self._send(status, (message + "\n").encode(), "text/plain; charset=utf-8")

        def do_GET(self):  # noqa: N802 - http.server naming
            url = urlparse(self.path)
            if url.path not in ("/sparql", "/query"):
                return self._error(404, "the SPARQL endpoint is at /sparql")
            query = parse_qs(url.query).get("query", [None])[0]
            if "update" in parse_qs(url.query):
                return self._error(403, "this endpoint is read-only: SPARQL updates are refused")
            self._answer(query)

        def do_POST(self):  # noqa: N802
            url = urlparse(self.path)
            if url.path not in ("/sparql", "/query"):
                return self._error(404, "the SPARQL endpoint is at /sparql")
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self._error(413, f"request body larger than {MAX_BODY} bytes")
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ctype == "application/sparql-update":
                return self._error(403, "this endpoint is read-only: SPARQL updates are refused")
            if ctype == "application/sparql-query":
                return self._answer(body)
            form = parse_qs(body)
            if "update" in form:
                return self._error(403, "this endpoint is read-only: SPARQL updates are refused")
            self._answer(form.get("query", [None])[0])

        def _answer(self, query: str | None) -> None:
            if not query:
                return self._error(400, "missing 'query' parameter")
            try:
                check_query(query, allow_service=allow_service)
            except IfnontoError as exc:
                return self._error(403 if "refused" in exc.message else 400, exc.message)
            try:
                result = store.query(query)
            except SyntaxError as exc:
                return self._error(400, f"SPARQL syntax error: {exc}")
            except (OSError, RuntimeError) as exc:
                return self._error(500, f"query failed: {exc}")
            accept = self.headers.get("Accept", "")
            if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
                mime, name = _pick(accept, RESULT_TYPES, "application/sparql-results+json")
                data = result.serialize(format=getattr(ox.QueryResultsFormat, name))
            else:
                mime, name = _pick(accept, GRAPH_TYPES, "application/n-triples")
                data = ox.serialize(result, format=getattr(ox.RdfFormat, name))
            self._send(200, data or b"", mime)

    return Handler


def make_server(files: list[Path], host: str = "127.0.0.1", port: int = 7879, allow_service: bool = False):
    from ifnonto.engines import OxigraphEngine

    engine = OxigraphEngine(files)
    try:
        server = ThreadingHTTPServer((host, port), make_handler(engine.store, allow_service))
    except OSError as exc:
        raise IfnontoError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    server.daemon_threads = True
    return server


def serve_forever(files: list[Path], host: str, port: int, allow_service: bool, say) -> None:
    server = make_server(files, host, port, allow_service)
    say(json.dumps({"endpoint": f"http://{host}:{server.server_address[1]}/sparql", "read_only": True,
                    "service_allowed": allow_service}))
    try:
        server.serve_forever()
    finally:
        server.server_close()


def serve_in_thread(files: list[Path], host: str = "127.0.0.1", port: int = 0, allow_service: bool = False):
    """Start a server on a background thread (for tests and embedding); returns (server, url)."""
    server = make_server(files, host, port, allow_service)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{host}:{server.server_address[1]}/sparql"
