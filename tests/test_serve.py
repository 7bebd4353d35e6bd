"""`ifnonto serve` under hostile and heavy use: the W3C SPARQL 1.1 Protocol, body limits no header can bypass,
queries stopped at their deadline or when the client leaves, crashes contained, 200 concurrent clients."""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import time
import urllib.parse

import httpx
import pytest

from conftest import run_cli
from ifnonto import paths
from ifnonto.serve import MAX_BODY, serve_in_thread

RELEASE = paths.release_file("nt", inferred=True)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def served():
    server, url = serve_in_thread([RELEASE], timeout=6, workers=2)
    yield server, url
    server.shutdown()


def raw(url: str, data: bytes, timeout: float = 20) -> bytes:
    """Send raw bytes over one connection; return what the server answered (until it closes or times out)."""
    parts = urllib.parse.urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass
        chunks = []
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if b"\r\n\r\n" in b"".join(chunks):
                    break
        except OSError:
            pass
    return b"".join(chunks)


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0


@pytest.mark.parametrize("accept, mime, marker", [
    ("application/sparql-results+json", "application/sparql-results+json", b'"bindings"'),
    ("application/sparql-results+xml", "application/sparql-results+xml", b"<sparql"),
    ("text/csv", "text/csv", b"n\r\n"),
    ("text/tab-separated-values", "text/tab-separated-values", b"?n\n"),
    ("text/html;q=0.9, text/csv;q=0.5", "text/csv", b"n\r\n"),
    ("*/*", "application/sparql-results+json", b'"bindings"'),
])
def test_protocol_get_form_and_direct_post_with_content_negotiation(served, accept, mime, marker):
    _, url = served
    headers = {"Accept": accept}
    answers = [
        httpx.get(url, params={"query": COUNT}, headers=headers),
        httpx.post(url, data={"query": COUNT}, headers=headers),
        httpx.post(url, content=COUNT, headers={**headers, "Content-Type": "application/sparql-query"}),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(mime)
        assert marker in answer.content and b"23980" in answer.content or str(
            sum(1 for _ in open(RELEASE, encoding="utf-8"))).encode() in answer.content


def test_graph_results_and_unacceptable_types(served):
    _, url = served
    answer = httpx.get(url, params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"}, headers={"Accept": "text/turtle"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/turtle")
    answer = httpx.get(url, params={"query": COUNT}, headers={"Accept": "image/png"})
    assert answer.status_code == 406


@pytest.mark.parametrize("request_text", [
    "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: -1\r\n\r\n",
    "POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    "Content-Length: 10\r\nContent-Length: 99999999\r\n\r\n",
])
def test_malformed_content_length_is_rejected(served, request_text):
    _, url = served
    answer = raw(url, request_text.encode() + b"x" * 200_000)
    assert status_of(answer) in (400, 413), answer[:200]
    assert httpx.get(url, params={"query": COUNT}).status_code == 200


def test_chunked_and_unannounced_bodies_are_capped(served):
    _, url = served

    def chunks():
        for _ in range(40):
            yield b"#" * 100_000  # 4 MB in chunks, no Content-Length

    answer = httpx.post(url, content=chunks(), headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert answer.status_code == 413 and str(MAX_BODY) in answer.text
    answer = httpx.post(url, content=b"#" * (MAX_BODY + 10), headers={"Content-Type": "application/sparql-query"})
    assert answer.status_code == 413


def test_updates_and_service_are_refused_on_every_route(served):
    _, url = served
    assert httpx.post(url, data={"update": "CLEAR ALL"}).status_code == 403
    assert httpx.get(url, params={"update": "CLEAR ALL"}).status_code == 403
    assert httpx.post(url, content="CLEAR ALL", headers={"Content-Type": "application/sparql-update"}).status_code == 403
    assert httpx.post(url, data={"query": "CLEAR ALL"}).status_code == 403
    text = "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:p\\' ?o . SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }"
    answer = httpx.post(url, data={"query": text})
    assert answer.status_code == 403 and "SERVICE" in answer.text


def test_syntax_errors_from_the_workers_leave_every_worker_serving(served):
    """rdflib cannot read `ex:p\\#` before a SERVICE clause: the worker's syntax error (an exception with extra
    fields) could not be unpickled, the worker was dropped, and after two of them every request waited for a
    worker that never came (HTTP 503 for all 600 requests of the fuzz run)."""
    server, url = served
    text = ("PREFIX ex: <http://e/> SELECT * WHERE { OPTIONAL { ?s ex:p\\# ?o } "
            "SERVICE <http://127.0.0.1:9/> { ?a ?b ?c } }")
    for _ in range(3 * server.pool.size):
        answer = httpx.post(url, data={"query": text}, timeout=60)
        assert answer.status_code == 400 and "syntax error" in answer.text, answer.text
    assert len(server.pool.all) == server.pool.size
    assert httpx.get(url, params={"query": COUNT}, timeout=30).status_code == 200


def test_crashing_and_runaway_queries_are_contained(served):
    server, url = served
    nested = "SELECT * WHERE " + "{" * 2200 + "}" * 2200
    assert httpx.post(url, data={"query": nested}).status_code == 400
    started = time.monotonic()
    answer = httpx.post(url, data={"query": CROSS}, timeout=60)
    assert answer.status_code == 503 and "within 6 s" in answer.text
    assert time.monotonic() - started < 20
    for _ in range(40):  # the killed worker is replaced
        if len(server.pool.all) == server.pool.size:
            break
        time.sleep(0.25)
    assert len(server.pool.all) == server.pool.size
    assert httpx.get(url, params={"query": COUNT}).status_code == 200


def test_a_query_is_stopped_when_its_client_leaves(served):
    server, url = served
    before = {w.process.pid for w in server.pool.all}
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(url, data={"query": CROSS}, timeout=1.0)
    deadline = time.monotonic() + 5  # well before the 6 s query deadline
    gone = set()
    while time.monotonic() < deadline and not gone:
        gone = {pid for pid in before if not _alive(pid)}
        time.sleep(0.1)
    assert gone, "the worker running the abandoned query was not stopped"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False


def test_results_are_capped_with_a_message(tmp_path):
    server, url = serve_in_thread([RELEASE], timeout=30, workers=1, max_result_bytes=100_000)
    try:
        answer = httpx.get(url, params={"query": "SELECT * WHERE { ?s ?p ?o }"}, timeout=60)
        assert answer.status_code == 422 and "LIMIT" in answer.text
        assert httpx.get(url, params={"query": COUNT}).status_code == 200
    finally:
        server.shutdown()


def test_two_hundred_concurrent_clients_get_no_errors(served):
    _, url = served
    query = "SELECT ?s WHERE { ?s a ?t } LIMIT 5"

    def client(_):
        with httpx.Client(timeout=60) as session:
            return [session.get(url, params={"query": query}).status_code for _ in range(2)]

    with concurrent.futures.ThreadPoolExecutor(200) as pool:
        codes = [code for codes in pool.map(client, range(200)) for code in codes]
    assert len(codes) == 400 and set(codes) == {200}


def test_idle_connections_are_closed(served):
    _, url = served
    parts = urllib.parse.urlsplit(url)
    sockets = [socket.create_connection((parts.hostname, parts.port), timeout=30) for _ in range(50)]
    try:
        time.sleep(1)
        assert httpx.get(url, params={"query": COUNT}).status_code == 200  # idle connections hold no worker
        sockets[0].sendall(f"GET /sparql?query={urllib.parse.quote(COUNT)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert sockets[0].recv(12).startswith(b"HTTP/1.1 200")
        sockets[1].settimeout(30)
        started = time.monotonic()
        sockets[1].sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n\r\n")
        data = b""
        while True:  # keep-alive: the server closes the connection after its idle timeout
            chunk = sockets[1].recv(65536)
            if not chunk:
                break
            data += chunk
        assert data.startswith(b"HTTP/1.1 200") and time.monotonic() - started < 20
    finally:
        for sock in sockets:
            sock.close()


@pytest.mark.parametrize("args, fragment", [
    (["--port", "99999"], "port"),
    (["--port", "-5"], "port"),
])
def test_bad_serve_arguments_are_one_line_errors(args, fragment):
    done = run_cli("serve", *args, timeout=60)
    assert done.returncode == 2 and fragment in done.stderr and "Traceback" not in done.stderr


def test_a_fifo_or_directory_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "data.nt"
    os.mkfifo(fifo)
    done = run_cli("serve", str(fifo), "--port", "0", timeout=60)
    assert done.returncode == 2 and "not a regular file" in done.stderr
    done = run_cli("serve", str(tmp_path), "--port", "0", timeout=60)
    assert done.returncode == 2 and "directory" in done.stderr


def test_an_entity_bomb_is_refused_before_serving(tmp_path):
    bomb = tmp_path / "bomb.rdf"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', encoding="utf-8")
    done = run_cli("serve", str(bomb), "--port", "0", timeout=60)
    assert done.returncode == 2 and "DOCTYPE" in done.stderr and "bomb.rdf" in done.stderr


def test_serve_prints_its_endpoint_and_answers(tmp_path):
    import subprocess
    import sys

    from servers import free_port

    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "ifnonto", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = json.loads(process.stdout.readline())
        assert line["endpoint"] == f"http://127.0.0.1:{port}/sparql" and line["read_only"] is True
        assert httpx.get(line["endpoint"], params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    finally:
        process.terminate()
        process.wait(30)


def test_silent_and_trickling_connections_are_closed_at_the_header_deadline():
    """A connection that sends nothing, or its headers a byte at a time, held a connection slot for ever: with
    1,000 of them every other client got 503. Each now ends when its headers are not complete in time."""
    server, url = serve_in_thread([RELEASE], timeout=5, workers=1, header_seconds=2, max_connections=50)
    try:
        parts = urllib.parse.urlsplit(url)
        silent = [socket.create_connection((parts.hostname, parts.port), timeout=20) for _ in range(60)]
        trickle = socket.create_connection((parts.hostname, parts.port), timeout=20)
        started = time.monotonic()
        for byte in b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n":
            try:
                trickle.sendall(bytes([byte]))
            except OSError:
                break
            time.sleep(0.2)
        assert time.monotonic() - started < 12  # the server cut the trickle well before it ended
        for sock in silent:  # each ends with no answer, the slot freed
            assert sock.recv(100) == b""
            sock.close()
        assert httpx.get(url, params={"query": COUNT}, timeout=30).status_code == 200
        # a request being answered is not cut by the deadline: only a request's headers are timed (the query
        # runs until the 5 s query deadline, then the connection carries the answer)
        started = time.monotonic()
        assert httpx.post(url, data={"query": CROSS}, timeout=60).status_code == 503
        assert time.monotonic() - started > 4
    finally:
        server.shutdown()


def test_oversized_headers_get_431(served):
    """httptools sets no limit on the headers: 20,000 header lines were read and answered 200."""
    _, url = served
    flood = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 20000 + b"\r\n"
    assert status_of(raw(url, flood)) == 431
    normal = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 50 + b"\r\n"
    assert status_of(raw(url, normal)) == 200
    body = {"query": "ASK { ?s ?p ?o }" + " " * 500_000}  # a large body is not counted as headers
    assert httpx.post(url, data=body, timeout=60).status_code == 200


def test_the_fuzz_script_runs_and_every_attack_is_handled():
    """The README's SECURITY figures come from benchmarks/fuzz.py; a small run of two of its categories keeps
    the script working (the full run is in the README)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz.py"
    done = subprocess.run([sys.executable, str(script), "--only", "federation,mutations", "--mutations", "20"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    total = next(line for line in done.stdout.splitlines() if line.startswith("total"))
    tried, handled, crashes = map(int, total.split()[1:])
    assert tried == handled == 36 + 20 and crashes == 0
    assert "federated requests that reached the canary: 0" in done.stdout
