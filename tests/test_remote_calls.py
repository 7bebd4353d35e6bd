"""Calls to remote endpoints are bounded and honest: a total deadline per call, a cap on what is read, one-line
errors for malformed replies and URLs, authentication that survives a 401 sent before the body is read, and a
`load` that says "not modified" only when it knows. Misbehaving servers are started on loopback by the tests."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import run_cli
from ifnonto import paths
from ifnonto.engines import RemoteEngine
from ifnonto.errors import IfnontoError
from ifnonto.http import HttpClient
from ifnonto.triplestore import Endpoints, Triples, count_triples, load_release, read_triples, replacement_update
from servers import oxigraph_binary, start_oxigraph

needs_oxigraph = pytest.mark.skipif(oxigraph_binary() is None, reason="the oxigraph server binary is not installed")


class FakeServer:
    """A loopback server whose handler the test chooses."""

    def __init__(self, handle):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_any(self):
                handle(self)

            do_GET = do_POST = do_PUT = do_any

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def answer(body: bytes, status: int = 200, ctype: str = "application/sparql-results+json"):
    def handle(request):
        length = int(request.headers.get("Content-Length") or 0)
        request.rfile.read(length)
        request.send_response(status)
        request.send_header("Content-Type", ctype)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)
    return handle


@pytest.fixture
def fake():
    servers = []

    def make(handle):
        server = FakeServer(handle)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def test_a_trickling_server_cannot_stretch_the_timeout(fake):
    def trickle(request):
        request.rfile.read(int(request.headers.get("Content-Length") or 0))
        request.send_response(200)
        request.send_header("Content-Type", "application/sparql-results+json")
        request.send_header("Content-Length", "1000")
        request.end_headers()
        try:
            for _ in range(60):
                request.wfile.write(b" ")
                request.wfile.flush()
                time.sleep(2)
        except OSError:
            pass

    server = fake(trickle)
    started = time.monotonic()
    done = run_cli("sparql", "--endpoint", f"{server.base}/sparql", "--timeout", "5", "ASK {}", timeout=60)
    assert done.returncode == 2 and "within 5 s" in done.stderr, done.stderr
    assert time.monotonic() - started < 15


def test_a_huge_response_is_capped(fake):
    def flood(request):
        request.rfile.read(int(request.headers.get("Content-Length") or 0))
        request.send_response(200)
        request.send_header("Content-Type", "application/sparql-results+json")
        request.end_headers()  # no length: read until closed
        try:
            chunk = b"x" * 1_000_000
            for _ in range(3000):
                request.wfile.write(chunk)
        except OSError:
            pass
        request.close_connection = True

    server = fake(flood)
    client = HttpClient(timeout=60, max_response_bytes=20_000_000)
    with pytest.raises(IfnontoError, match="larger than 20 MB"):
        client.request("GET", f"{server.base}/sparql")


@pytest.mark.parametrize("body, fragment", [
    (b"{}", "no 'head'"), (b"[]", "not a JSON object"), (b'{"boolean": "yes"}', "boolean"),
    (b"<html>", "not JSON"), (b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": 5}]}}', "not an RDF term"),
])
def test_malformed_endpoint_replies_are_one_line_errors(fake, body, fragment):
    server = fake(answer(body))
    done = run_cli("sparql", "--endpoint", f"{server.base}/sparql", "SELECT * WHERE { ?s ?p ?o }")
    assert done.returncode == 2 and fragment in done.stderr and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("query, body, fragment", [
    ("SELECT * WHERE { ?s ?p ?o }", b'{"boolean": true}', "a boolean for a SELECT query"),
    ("ASK { ?s ?p ?o }", b'{"head": {"vars": []}, "results": {"bindings": []}}', "a table of solutions for an ASK"),
])
def test_a_reply_of_the_wrong_form_is_not_taken_for_an_answer(fake, query, body, fragment):
    """A boolean reply to a SELECT query was printed as a one-row table "result: true", exit 0."""
    server = fake(answer(body))
    done = run_cli("sparql", "--endpoint", f"{server.base}/sparql", query)
    assert done.returncode == 2 and fragment in done.stderr and "Traceback" not in done.stderr, done.stderr
    done = run_cli("query", "signaling-cascade", "--endpoint", f"{server.base}/sparql") if "SELECT" in query \
        else done
    assert done.returncode == 2 and fragment in done.stderr, done.stderr


@pytest.mark.parametrize("body", [b'{"head": {"vars": []}, "results": {"bindings": []}}', b"<html>oops</html>"])
def test_a_construct_reply_that_is_not_rdf_is_a_one_line_error(fake, body):
    server = fake(answer(body, ctype="application/n-triples"))
    done = run_cli("sparql", "--endpoint", f"{server.base}/sparql", "CONSTRUCT WHERE { ?s ?p ?o }")
    assert done.returncode == 2 and "did not return N-Triples or Turtle" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_boolean_reply_to_a_count_and_a_non_integer_count_are_reported(fake):
    server = fake(answer(b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", '
                         b'"value": "many"}}]}}'))
    with pytest.raises(IfnontoError, match="not an integer"):
        count_triples(Endpoints.derive(f"{server.base}/query"), "https://example.org/g")
    server = fake(answer(b'{"boolean": true}'))
    done = run_cli("load", "--endpoint", f"{server.base}/query", "--timeout", "10")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:99999/sparql", "ftp://example.org/sparql",
                                 "http:///sparql"])
def test_bad_endpoint_urls_are_one_line_errors(url):
    for command in (["sparql", "--endpoint", url, "ASK {}"], ["load", "--endpoint", url]):
        done = run_cli(*command)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert "URL" in done.stderr or "url" in done.stderr


def test_basic_auth_uses_the_environment_password_and_precedes_a_large_body(fake):
    """A server that answers 401 without reading the body and closes the connection (as Virtuoso does): the
    upload succeeds because the challenge was obtained first by a bodiless request."""
    seen = []

    def strict(request):
        if request.headers.get("Authorization") != "Basic dTpzM2NyZXQ=":  # u:s3cret
            seen.append("challenged")
            request.send_response(401)
            request.send_header("WWW-Authenticate", 'Basic realm="x"')
            request.send_header("Content-Length", "0")
            request.send_header("Connection", "close")
            request.end_headers()
            request.close_connection = True
            return
        size = len(request.rfile.read(int(request.headers.get("Content-Length") or 0)))
        seen.append(size)
        request.send_response(201)
        request.send_header("Content-Length", "0")
        request.end_headers()

    server = fake(strict)
    import os

    os.environ["IFNONTO_PASSWORD"] = "s3cret"
    try:
        client = HttpClient("u", None, timeout=30)
        status, _ = client.request("PUT", f"{server.base}/store?graph=x", content=b"<a:b> <a:c> <a:d> .\n" * 200_000)
    finally:
        del os.environ["IFNONTO_PASSWORD"]
    assert status == 201 and seen[-1] == 20 * 200_000


def test_final_step_with_an_unknown_outcome_is_checked_and_reported(fake, tmp_path):
    """The update request is sent and the server never answers: `load` must not claim "not modified"; it
    checks the graph and reports what it holds."""
    count = b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "7"}}]}}'

    def store(request):
        if request.path.startswith("/update"):
            request.rfile.read(int(request.headers.get("Content-Length") or 0))
            time.sleep(8)  # longer than the client's timeout
            return
        if request.path.startswith("/store"):  # the graph holds an older version
            return answer(b'<https://e.org/old> <https://e.org/p> "0" .\n', 200, "application/n-triples")(request)
        return answer(count)(request)

    server = fake(store)
    data = tmp_path / "data.nt"
    data.write_text("".join(f"<https://e.org/s{i}> <https://e.org/p> \"{i}\" .\n" for i in range(3)), encoding="utf-8")
    with pytest.raises(IfnontoError) as caught:
        load_release(Endpoints.derive(f"{server.base}/query"), "https://e.org/g", data_file=data, timeout=3)
    message = str(caught.value)
    assert "unknown" in message and "holds 7 triples" in message and "not modified" not in message


def test_replacement_update_carries_only_the_difference():
    old = read_triples(b'<http://e/a> <http://e/p> "1" .\n<http://e/b> <http://e/p> "2" .\n_:x <http://e/p> "3" .\n',
                       "application/n-triples")
    new = read_triples(b'<http://e/a> <http://e/p> "1" .\n<http://e/c> <http://e/p> "4" .\n_:y <http://e/p> "3" .\n',
                       "application/n-triples")
    body = replacement_update("http://e/g", new, old).decode()
    assert body.count("DELETE DATA") == 1 and '<http://e/b> <http://e/p> "2"' in body
    assert '<http://e/c> <http://e/p> "4"' in body and body.count('<http://e/a>') == 0
    assert "isBlank" in body  # blank-node triples are replaced whole
    whole = replacement_update("http://e/g", new, None).decode()
    assert whole.startswith("DROP SILENT GRAPH <http://e/g>") and whole.count("<http://e/a>") == 1
    assert replacement_update("http://e/g", Triples({}, []), Triples({}, [])).startswith(b"CREATE SILENT")


@needs_oxigraph
@pytest.mark.parametrize("method", ["update", "stage"])
def test_both_load_methods_replace_the_graph_exactly(tmp_path, method):
    server = start_oxigraph(tmp_path / "store")
    try:
        endpoints = Endpoints.derive(server.query)
        graph = f"https://example.org/test/{method}"
        first = tmp_path / "first.nt"
        second = tmp_path / "second.nt"
        release = paths.release_file("nt", inferred=False).read_text(encoding="utf-8").splitlines(keepends=True)
        first.write_text("".join(release), encoding="utf-8")
        # the second version drops some triples, adds others, and keeps the blank-node axioms
        second.write_text("".join(release[100:]) + '<https://example.org/new> <https://example.org/p> "v" .\n',
                          encoding="utf-8")
        methods = []
        for path in (first, second, second):
            report = load_release(endpoints, graph, data_file=path, method=method)
            methods.append(report.method)
            expected = read_triples(path.read_bytes(), "application/n-triples")
            assert count_triples(endpoints, graph) == expected.count
        # into the missing graph, the update method makes one transactional POST; then real replacements
        assert methods == (["post", "update", "update"] if method == "update" else ["stage"] * 3)
        status, body = HttpClient().request("GET", f"{endpoints.store}?graph={graph}",
                                            headers={"Accept": "application/n-triples"})
        held = read_triples(body.encode(), "application/n-triples")
        assert set(held.plain) == set(expected.plain) and len(held.blank) == len(expected.blank)
        assert not [g for (g,) in RemoteEngine(server.query).select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").rows if g.startswith("urn:ifnonto:staging:")]
    finally:
        server.stop()


