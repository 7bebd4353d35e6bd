"""Bounded fuzz and abuse run: the attack categories of the hardening work, against the package's own processes.

    .venv/bin/python benchmarks/fuzz.py [--seed 7] [--mutations 300] [--clients 200]

Everything runs on loopback and in a private temporary folder. It starts `ifnonto serve` (a child process) and a
canary HTTP server that counts every request it receives: a federated call or remote FROM that got through
would reach it. A lying endpoint (empty JSON, wrong shapes, a trickle, an endless body) stands in for a hostile
triplestore. Each attack has an expected outcome (an HTTP status, or an exit code with one line on stderr and no
traceback, within a time bound); the run prints one table with the attacks tried, handled as expected, crashes
(a signal death, a dead server, a 5xx) and the peak memory of the server with its workers. Exit 1 if any attack
was not handled, with the list.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from ifnonto import paths  # noqa: E402
from ifnonto.queries import registry  # noqa: E402
from ifnonto.serve import HEADER_SECONDS  # noqa: E402
from servers import free_port, wait_for  # noqa: E402

CLI = [sys.executable, "-m", "ifnonto"]
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@dataclass
class Tally:
    tried: int = 0
    handled: int = 0
    crashes: int = 0
    failures: list = field(default_factory=list)

    def record(self, name: str, ok: bool, crash: bool = False, detail: str = "") -> None:
        self.tried += 1
        self.handled += ok
        self.crashes += crash
        if not ok:
            self.failures.append(f"{name}: {detail}")


# --- helpers: the canary, the lying endpoint, the served endpoint ---------------------------------------------

class Canary(BaseHTTPRequestHandler):
    hits = 0

    def _hit(self):
        Canary.hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[]}}')

    do_GET = do_POST = _hit

    def log_message(self, *args):
        pass


class Liar(BaseHTTPRequestHandler):
    """A SPARQL endpoint that answers with the behaviour named in the path."""

    def _answer(self):
        kind = self.path.strip("/").split("/")[0].split("?")[0]
        replies = {"empty-object": b"{}", "list": b"[]", "boolean": b'{"boolean":true}',
                   "html": b"<html><body>login</body></html>", "truncated": b'{"head":{"vars":["s"]},"res'}
        if kind in replies:
            body = replies[kind]
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        try:
            if kind == "trickle":                       # one byte every 2 s, forever
                while True:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(2)
            if kind == "endless":                       # an endless body, as fast as the client reads
                self.wfile.write(b'{"head":{"vars":["s"]},"results":{"bindings":[')
                chunk = b'{"s":{"type":"literal","value":"' + b"x" * 4000 + b'"}},' * 1
                while True:
                    self.wfile.write(chunk * 64)
        except OSError:
            pass

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


def start_http(handler) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{current}/task").iterdir():
                stack.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return total


class Served:
    def __init__(self, timeout: float, workers: int):
        self.port = free_port()
        self.process = subprocess.Popen(CLI + ["serve", "--port", str(self.port), "--timeout", str(timeout),
                                               "--workers", str(workers)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        wait_for(self.url + "?query=" + urllib.parse.quote("ASK {}"), seconds=120)
        self.peak_kb = 0
        self._watching = True
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        while self._watching:
            self.peak_kb = max(self.peak_kb, tree_rss_kb(self.process.pid))
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> str:
        self._watching = False
        self.process.terminate()
        try:
            _, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
        return err.decode(errors="replace")


def post(url: str, query: str, timeout: float = 60) -> int:
    """HTTP status of a form POST; 0 when the connection failed (reset, refused, timed out)."""
    import httpx

    try:
        return httpx.post(url, data={"query": query}, timeout=timeout, trust_env=False).status_code
    except httpx.HTTPError:
        return 0


def raw_exchange(port: int, data: bytes, seconds: float = 20) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        try:
            sock.sendall(data)
        except OSError:
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer


def cli(args: list[str], seconds: float, cwd: Path = ROOT) -> tuple[int, str, float]:
    started = time.monotonic()
    try:
        done = subprocess.run(CLI + args, capture_output=True, text=True, timeout=seconds, cwd=cwd,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return -999, "no answer within the bound", seconds
    return done.returncode, done.stderr, time.monotonic() - started


def one_line_error(name: str, tally: Tally, code: int, err: str, expected: set[int]) -> None:
    """One message (a syntax error adds the offending line and a caret under it), the expected exit code."""
    crash = code < 0 and code != -999
    lines = [line for line in err.strip().splitlines() if line.strip()]
    shaped = len(lines) == 1 or (len(lines) == 3 and "syntax error at line" in lines[0] and lines[2].strip() == "^")
    ok = code in expected and "Traceback" not in err and shaped and lines[0].startswith("ifnonto")
    tally.record(name, ok, crash, f"exit {code}, {len(lines)} stderr lines: {err.strip()[:160]!r}")


# --- the categories ----------------------------------------------------------------------------------------------

def parser_bombs(served: Served, tally: Tally, folder: Path) -> None:
    bombs = {
        "nested groups x2200": "SELECT * WHERE " + "{" * 2200 + "}" * 2200,
        "nested groups x20000": "SELECT * WHERE " + "{" * 20000 + "}" * 20000,
        "UNION chain x6500": "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 6500) + " }",
        "nested parentheses x5000": "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "?o" + ")" * 5000 + ") }",
        "nested subqueries x400": "SELECT * WHERE " + "{ SELECT * WHERE " * 400 + "{ ?s ?p ?o }" + " }" * 400,
        "path alternatives x20000": "SELECT * WHERE { ?s " + "|".join(["<urn:p>"] * 20000) + " ?o }",
        "2 MB of triple patterns": "SELECT * WHERE { " + " ".join(f"?s{i} <urn:p> ?o{i} ." for i in range(60000)) + " }",
    }
    for name, text in bombs.items():
        status = post(served.url, text)
        # refused before parsing (400, 413), or stopped at the query deadline (503)
        tally.record(f"serve: {name}", status in (400, 413, 503) and served.alive(), not served.alive(),
                     f"HTTP {status}")
        argument = text
        if len(text) > 100_000:     # over the kernel's limit for one argument: give it as a .rq file
            argument = str(folder / "bomb.rq")
            Path(argument).write_text(text)
        code, err, _ = cli(["sparql", argument], 120)
        one_line_error(f"sparql: {name}", tally, code, err, {2})


def federation(served: Served, tally: Tally, canary: str) -> None:
    iri = f"<{canary}/sparql>"
    attempts = {
        "plain SERVICE": f"SELECT * WHERE {{ SERVICE {iri} {{ ?s ?p ?o }} }}",
        "lower-case service": f"select * where {{ service {iri} {{ ?s ?p ?o }} }}",
        "SERVICE SILENT": f"SELECT * WHERE {{ SERVICE SILENT {iri} {{ ?s ?p ?o }} }}",
        "after an escaped # in a name": f"PREFIX ex: <urn:x#> SELECT * WHERE {{ OPTIONAL {{ ?s ex:p\\# ?o }} "
                                        f"SERVICE {iri} {{ ?s ?p ?o }} }}",
        "after an escaped quote in a name": f"PREFIX ex: <urn:x#> SELECT * WHERE {{ ?s ex:p\\' ?o . "
                                            f"SERVICE {iri} {{ ?s ?p ?o }} }}",
        "after a long string with an escaped quote": f'SELECT * WHERE {{ BIND("""x\\"""" AS ?a) '
                                                      f"SERVICE {iri} {{ ?s ?p ?o }} }}",
        "inside a subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE {iri} {{ ?s ?p ?o }} }} }} }}",
        "inside FILTER EXISTS": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {iri} {{ ?s ?p ?o }} }} }}",
        "inside MINUS": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE {iri} {{ ?s ?p ?o }} }} }}",
        "behind a comment line": f"SELECT * WHERE {{ # }}\n SERVICE {iri} {{ ?s ?p ?o }} }}",
        "IRI by prefix": f"PREFIX c: <{canary}/> SELECT * WHERE {{ SERVICE c:sparql {{ ?s ?p ?o }} }}",
        "variable SERVICE": f"SELECT * WHERE {{ BIND({iri} AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
        "remote FROM": f"SELECT * FROM {iri} WHERE {{ ?s ?p ?o }}",
        "remote FROM NAMED": f"SELECT * FROM NAMED {iri} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "LOAD": f"LOAD {iri}",
        "INSERT DATA": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE": "DELETE WHERE { ?s ?p ?o }",
        "DROP ALL": "DROP ALL",
    }
    for name, text in attempts.items():
        before = Canary.hits
        status = post(served.url, text)
        tally.record(f"serve: {name}", status in (400, 403) and Canary.hits == before, False,
                     f"HTTP {status}, canary hits {Canary.hits - before}")
        before = Canary.hits
        code, err, _ = cli(["sparql", text], 60)
        one_line_error(f"sparql: {name}", tally, code, err, {2})
        if Canary.hits != before:
            tally.record(f"sparql: {name} reached the canary", False, False, "federated call went out")


def runaway(served: Served, tally: Tally, query_seconds: float) -> None:
    started = time.monotonic()
    status = post(served.url, CROSS, timeout=query_seconds + 60)
    elapsed = time.monotonic() - started
    tally.record("serve: cross product is stopped at the deadline", status in (503, 504, 408)
                 and elapsed < query_seconds + 30 and served.alive(), not served.alive(),
                 f"HTTP {status} after {elapsed:.1f} s")
    ordered = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    status = post(served.url, ordered, timeout=query_seconds + 60)
    tally.record("serve: sorted cross product is stopped", status in (503, 504, 408, 413) and served.alive(),
                 not served.alive(), f"HTTP {status}")
    code, err, elapsed = cli(["sparql", "--timeout", "3", CROSS], 90)
    one_line_error("sparql --timeout 3: cross product", tally, code, err, {2})
    catastrophic = 'SELECT * WHERE { BIND("' + "a" * 40 + 'b" AS ?x) FILTER regex(?x, "^(a+)+$") }'
    code, err, elapsed = cli(["sparql", "--engine", "rdflib", "--timeout", "3", catastrophic], 90)
    one_line_error("sparql --engine rdflib: catastrophic regex stopped", tally, code, err, {2})
    tally.record("sparql --engine rdflib: stopped near the deadline", elapsed < 30, False, f"{elapsed:.1f} s")


def http_abuse(served: Served, tally: Tally) -> None:
    port = served.port
    body = b"query=ASK%7B%7D"
    requests = {
        "Content-Length -1": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
                             b"\r\nContent-Length: -1\r\n\r\n" + body,
        "Content-Length 400 MB": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
                                 b"\r\nContent-Length: 400000000\r\n\r\n" + b"x" * 2_000_000,
        "chunked 4 MB": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n" + (b"100000\r\n" + b"x" * 0x100000 + b"\r\n") * 4
                        + b"0\r\n\r\n",
        "two Content-Lengths": b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 900"
                               b"\r\n\r\nquery",
        "garbage request line": b"\x00\xff GET / HTTP/9.9\r\n\r\n",
        "header flood": b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n" + b"X-A: b\r\n" * 20000 + b"\r\n",
    }
    for name, data in requests.items():
        answer = raw_exchange(port, data)
        status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
        refused = status in (400, 411, 413, 431) or (status == 0 and not answer)
        tally.record(f"serve: {name}", refused and served.alive(), not served.alive(), f"answer {answer[:60]!r}")
    for name, path in {"unknown route": "/admin", "update route": "/update", "store route": "/store"}.items():
        import httpx
        status = httpx.post(f"http://127.0.0.1:{port}{path}", content=b"DROP ALL", trust_env=False,
                            headers={"Content-Type": "application/sparql-update"}).status_code
        tally.record(f"serve: {name}", status in (403, 404, 405), False, f"HTTP {status}")


def idle_and_concurrent(served: Served, tally: Tally, clients: int) -> tuple[int, int]:
    idle = []
    for _ in range(1000):
        try:
            idle.append(socket.create_connection(("127.0.0.1", served.port), timeout=5))
        except OSError:
            break
    time.sleep(HEADER_SECONDS + 3)   # the server closes connections whose request has not come in time
    closed = 0
    for sock in idle:
        sock.settimeout(0.01)
        try:
            closed += sock.recv(1) == b""
        except OSError:
            pass
        sock.close()
    status = post(served.url, "ASK { ?s ?p ?o }", timeout=60)
    tally.record("serve: 1,000 silent connections are closed at the header deadline", closed == len(idle),
                 False, f"{closed} of {len(idle)} closed")
    tally.record("serve: a request is answered after 1,000 silent connections", status == 200, False,
                 f"HTTP {status}")
    queries = [q.text for q in registry().values() if not q.params][:20]

    def one(n: int) -> bool:
        return post(served.url, queries[n % len(queries)], timeout=120) == 200

    with ThreadPoolExecutor(clients) as pool:
        outcomes = list(pool.map(one, range(clients * 3)))
    errors = outcomes.count(False)
    tally.record(f"serve: {clients} concurrent clients, {len(outcomes)} requests", errors == 0, False,
                 f"{errors} errors")
    return len(outcomes), errors


def hostile_files(tally: Tally, folder: Path) -> None:
    bomb = folder / "bomb.owl"
    bomb.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
                    + "".join(f'<!ENTITY {chr(98 + i)} "' + f"&{chr(97 + i)};" * 10 + '">' for i in range(8))
                    + ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                    '<rdf:Description rdf:about="urn:x"><rdf:value>&i;</rdf:value></rdf:Description></rdf:RDF>')
    deep = folder / "deep.jsonld"
    deep.write_text('{"@id": "urn:x", "urn:p": ' + "[" * 5000 + "1" + "]" * 5000 + "}")
    trig = folder / "graphs.trig"
    trig.write_text("<urn:g> { <urn:a> <urn:b> <urn:c> . }\n")
    binary = folder / "binary.ttl"
    binary.write_bytes(bytes(random.Random(1).randrange(256) for _ in range(100_000)))
    fifo = folder / "pipe.ttl"
    os.mkfifo(fifo)
    loop = folder / "loop.ttl"
    loop.symlink_to(folder / "loop2.ttl")
    (folder / "loop2.ttl").symlink_to(loop)
    cyclic = folder / "cyclic.ttl"
    cyclic.write_text("@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .\n"
                      "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
                      "<urn:C> owl:unionOf _:l . _:l rdf:first <urn:A> ; rdf:rest _:l .\n")
    literal = folder / "multiline.ttl"
    literal.write_text('<urn:a> <urn:b> """' + "line\n" * 2_000_000 + '""" .\n')
    cases = [
        ("validate", bomb, {2}), ("validate", deep, {2}), ("validate", trig, {2}), ("validate", binary, {2}),
        ("validate", fifo, {2}), ("validate", loop, {2}), ("validate", folder, {2}),
        ("serve", bomb, {2}), ("serve", fifo, {2}), ("serve", deep, {2}),
        ("reason", cyclic, {1, 2}), ("reason", bomb, {2}),
    ]
    for command, path, expected in cases:
        extra = ["--port", "0"] if command == "serve" else []
        code, err, _ = cli([command, str(path), *extra], 300)
        one_line_error(f"{command} {path.name}", tally, code, err, expected)
    code, err, elapsed = cli(["validate", str(literal)], 300)
    tally.record("validate: a 10 MB multi-line literal is read at once", code in (0, 1)
                 and "Traceback" not in err and elapsed < 120, code < 0, f"exit {code} in {elapsed:.1f} s")


def export_targets(tally: Tally, folder: Path) -> None:
    fifo = folder / "export.fifo"
    os.mkfifo(fifo)
    link = folder / "link.ttl"
    link.symlink_to(folder / "elsewhere.ttl")
    targets = {"/dev/null": Path("/dev/null"), "a FIFO": fifo, "a directory": folder, "a symbolic link": link,
               "a release file": paths.release_file("ttl", inferred=False)}
    for name, target in targets.items():
        before = target.lstat()
        content = target.read_bytes() if target.is_file() and not target.is_symlink() else None
        code, err, _ = cli(["export", "--format", "ttl", "-o", str(target)], 120)
        after = target.lstat()
        untouched = stat.S_IFMT(before.st_mode) == stat.S_IFMT(after.st_mode) and \
            (content is None or target.read_bytes() == content)
        one_line_error(f"export -o {name}", tally, code, err, {2})
        tally.record(f"export -o {name}: target untouched", untouched, False, "the target was replaced")
    good = folder / "out.ttl"
    code, err, _ = cli(["export", "--format", "ttl", "-o", str(good)], 120)
    mode = stat.S_IMODE(good.stat().st_mode) if good.exists() else 0
    tally.record("export -o a new file is readable by all (umask 022)", code == 0 and mode & 0o044 == 0o044,
                 False, f"exit {code}, mode {oct(mode)}")


def bad_values(tally: Tally, liar: str) -> None:
    for value in ("inf", "nan", "1e300", "-1", "abc"):
        code, err, _ = cli(["sparql", "--timeout", value, "ASK {}"], 60)
        one_line_error(f"sparql --timeout {value}", tally, code, err, {2})
    code, err, _ = cli(["serve", "--port", "99999"], 60)
    one_line_error("serve --port 99999", tally, code, err, {2})
    code, err, _ = cli(["query", "signaling-cascade", "--endpoint", "http://[::1"], 60)
    one_line_error("--endpoint http://[::1", tally, code, err, {2})
    for kind in ("empty-object", "list", "boolean", "html", "truncated"):
        code, err, _ = cli(["query", "signaling-cascade", "--endpoint", f"{liar}/{kind}", "--timeout", "10"], 60)
        one_line_error(f"an endpoint that replies {kind}", tally, code, err, {2})
    for kind in ("trickle", "endless"):
        code, err, elapsed = cli(["query", "signaling-cascade", "--endpoint", f"{liar}/{kind}", "--timeout", "5"],
                                 90)
        one_line_error(f"an endpoint that sends an {kind} reply", tally, code, err, {2})
        tally.record(f"an {kind} reply is cut at the deadline", elapsed < 30, False, f"{elapsed:.1f} s")
    code, err, _ = cli(["load", "--endpoint", f"{liar}/trickle", "--timeout", "5"], 90)
    one_line_error("load into an endpoint that trickles", tally, code, err, {1, 2})


def mutations(served: Served, tally: Tally, seed: int, count: int) -> dict[int, int]:
    """Random edits of the packaged queries: every answer is 200 or a 4xx/503 refusal, and the server lives."""
    rng = random.Random(seed)
    texts = [q.text for q in registry().values()]
    alphabet = list("{}()[]<>\"'#\\?.;,|^*+!=&$@:_ \n") + ["SERVICE <http://127.0.0.1:1/>", "UNION", "FILTER",
                                                            "OPTIONAL", "\\u0000", "\ud7ff", "%00", "BIND("]
    statuses: dict[int, int] = {}
    for _ in range(count):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(text) + 1)
            edit = rng.random()
            if edit < 0.4:
                text = text[:at] + rng.choice(alphabet) + text[at:]
            elif edit < 0.7:
                text = text[:at] + text[at + rng.randint(1, 20):]
            else:
                piece = text[at:at + rng.randint(1, 200)]
                text = text[:at] + piece * rng.randint(2, 50) + text[at:]
        status = post(served.url, text, timeout=120)
        statuses[status] = statuses.get(status, 0) + 1
        tally.record("serve: mutated packaged query", status in (200, 400, 413, 503) and served.alive(),
                     not served.alive(), f"HTTP {status} for {text[:100]!r}")
    return statuses


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mutations", type=int, default=300)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--query-seconds", type=float, default=5)
    parser.add_argument("--only", default="", help="comma-separated words: run only the categories whose name "
                        "contains one of them (e.g. federation,mutations)")
    args = parser.parse_args()
    random.seed(args.seed)
    started = time.monotonic()
    _, canary = start_http(Canary)
    _, liar = start_http(Liar)
    served = Served(args.query_seconds, workers=2)
    tallies: dict[str, Tally] = {}
    extra: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="ifn-fuzz-") as tmp:
        folder = Path(tmp)
        (folder / "files").mkdir()
        (folder / "export").mkdir()
        steps = [
            ("parser bombs (nesting, size)", lambda t: parser_bombs(served, t, folder)),
            ("federation and updates (SSRF)", lambda t: federation(served, t, canary)),
            ("runaway queries", lambda t: runaway(served, t, args.query_seconds)),
            ("HTTP abuse (lengths, chunks, floods)", lambda t: http_abuse(served, t)),
            ("idle and concurrent clients",
             lambda t: extra.__setitem__("concurrency", "%d requests, %d errors"
                                         % idle_and_concurrent(served, t, args.clients))),
            ("random mutations of the packaged queries",
             lambda t: extra.__setitem__("mutations", json.dumps(mutations(served, t, args.seed, args.mutations)))),
            ("hostile files", lambda t: hostile_files(t, folder / "files")),
            ("export targets", lambda t: export_targets(t, folder / "export")),
            ("bad values and lying endpoints", lambda t: bad_values(t, liar)),
        ]
        wanted = [word.strip() for word in args.only.split(",") if word.strip()]
        unknown = [w for w in wanted if not any(w in name for name, _ in steps)]
        if unknown:
            parser.error(f"no category matches {', '.join(unknown)}")
        for name, step in steps:
            if wanted and not any(word in name for word in wanted):
                continue
            tally = tallies[name] = Tally()
            begun = time.monotonic()
            step(tally)
            extra.setdefault(name, f"{time.monotonic() - begun:.0f} s")
            print(f"{name}: {tally.handled}/{tally.tried} handled ({time.monotonic() - begun:.0f} s)",
                  file=sys.stderr)
    alive = served.alive()
    peak_mb = served.peak_kb / 1024
    served.stop()
    print(f"\n{'category':44s}{'tried':>7s}{'handled':>9s}{'crashes':>9s}")
    for name, tally in tallies.items():
        print(f"{name:44s}{tally.tried:7d}{tally.handled:9d}{tally.crashes:9d}")
    total = sum(t.tried for t in tallies.values())
    handled = sum(t.handled for t in tallies.values())
    print(f"{'total':44s}{total:7d}{handled:9d}{sum(t.crashes for t in tallies.values()):9d}")
    print(f"\nserver alive at the end: {'yes' if alive else 'NO'}; peak memory of serve and its workers: "
          f"{peak_mb:.0f} MB; federated requests that reached the canary: {Canary.hits}; "
          f"concurrency: {extra.get('concurrency')}; mutation statuses: {extra.get('mutations')}; "
          f"{time.monotonic() - started:.0f} s in all")
    failures = [f for t in tallies.values() for f in t.failures]
    for failure in failures:
        print("NOT HANDLED: " + failure)
    return 0 if not failures and alive and Canary.hits == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
