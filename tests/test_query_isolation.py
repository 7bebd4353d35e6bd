"""Ad-hoc and served queries cannot crash the process, run away, or reach another host.

Each attack below was reproduced against the earlier text-based guard and in-process engine: nested groups that
segfault pyoxigraph's parser, escapes that hid SERVICE from the guard (the federated call went out), a cross
product that grew without bound, updates and remote FROM clauses.
"""

from __future__ import annotations

import multiprocessing
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import run_cli, unraisable_on_another_thread
from ifnonto import paths
from ifnonto.errors import IfnontoError
from ifnonto.query_sandbox import Limits, QueryStopped, Worker, _make_engine_handler, run_isolated_query
from ifnonto.sparql_guard import MAX_DEPTH, check_query, nesting

RELEASE = paths.release_file("nt", inferred=True)
NESTED = "SELECT * WHERE " + "{" * 2200 + "}" * 2200
UNIONS = "SELECT * WHERE { " + " UNION ".join(f"{{ ?s <http://x/{i}> ?o }}" for i in range(6500)) + " }"
CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
# the same product only counted: Oxigraph streams it in constant memory (90 MB resident over 10 s), so only the
# deadline can stop it; CROSS sorts and so may reach the memory limit first on a fast machine
COUNTED_CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Listener:
    """A loopback HTTP server that records every request made to it (the target of a would-be SSRF)."""

    def __init__(self):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def _record(self):
                hits.append(self.path)
                body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _record

            def log_message(self, *args):
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def bypasses(url: str) -> dict[str, str]:
    """The queries that slipped SERVICE past the text guard, and SERVICE hidden deeper in the query."""
    p = "PREFIX ex: <http://example.org/> "
    service = f"SERVICE <{url}> {{ ?x ?y ?z }}"
    return {
        "escaped-hash": p + f"SELECT * WHERE {{ OPTIONAL {{ ?s ex:p\\# ?o }} {service} }}",
        "escaped-quote": p + f"SELECT * WHERE {{ OPTIONAL {{ ?s ex:p\\' ?o }} {service} }}",
        "long-string-escape": p + f'SELECT * WHERE {{ BIND("""x\\"""" AS ?a) {service} }}',
        "in-exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ {service} }} }} LIMIT 1",
        "in-subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ {service} }} }} }}",
        "in-not-exists-path": f"ASK {{ ?s <http://x/p>/<http://x/q> ?o FILTER NOT EXISTS {{ {service} }} }}",
        "variable-service": "SELECT * WHERE { BIND(<" + url + "> AS ?e) SERVICE ?e { ?x ?y ?z } }",
    }


BYPASS_NAMES = sorted(bypasses("http://127.0.0.1:9/"))


@pytest.mark.parametrize("name", BYPASS_NAMES)
def test_service_bypasses_are_refused_by_sparql_and_no_request_leaves(listener, name):
    done = run_cli("sparql", bypasses(listener.url)[name], "--timeout", "20")
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.rstrip("\n").splitlines()
    assert "Traceback" not in done.stderr
    # one line; or, for what the parser behind the refusals cannot read, the syntax-error form: the message,
    # the offending line and a caret under it
    assert len(lines) == 1 or (len(lines) == 3 and "syntax error at line" in lines[0] and lines[2].strip() == "^")
    # rdflib, whose parse tree the refusal reads, takes `\#` in a prefixed name for a comment when the query has
    # a SERVICE clause: that one is refused as unreadable; every other one is refused by name
    assert "SERVICE" in done.stderr or (name == "escaped-hash" and "syntax" in done.stderr)
    assert listener.hits == []


def test_service_runs_when_allowed_with_the_predefined_prefixes(listener):
    """The predefined prefixes end in `#`; on the same line as the query they hid a SERVICE clause from rdflib's
    parser, so an allowed SERVICE query failed as a syntax error."""
    done = run_cli("sparql", "--allow-service", f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?x ?y ?z }} }}",
                   "--timeout", "30")
    assert done.returncode == 0, done.stderr
    assert len(listener.hits) == 1


def test_sandbox_blocks_the_network_even_when_service_is_allowed_by_the_check(listener):
    """Defense in depth: with the parsed check passed (--allow-service off but the worker told nothing), the
    worker's network namespace still has no route out, where the kernel allows one to be made."""
    from ifnonto.query_sandbox import _isolate_network

    ctx = multiprocessing.get_context("fork")
    probe = ctx.Process(target=lambda: exit(0 if _isolate_network() else 1))
    probe.start()
    probe.join(10)
    if probe.exitcode != 0:
        pytest.skip("this kernel does not allow a private network namespace")
    limits = Limits(wall_seconds=20, isolate_network=True)
    worker = Worker.start(ctx, _make_engine_handler, ("oxigraph", [str(RELEASE)]), limits)
    try:
        worker.wait_ready(20)
        with pytest.raises(IfnontoError):
            worker.call((f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", None),
                        time.monotonic() + 20)
    finally:
        worker.kill()
    assert listener.hits == []


@pytest.mark.parametrize("text", [
    "INSERT DATA { <http://a> <http://b> <http://c> }", "DELETE DATA { <http://a> <http://b> <http://c> }",
    "DELETE WHERE { ?s ?p ?o }", "LOAD <http://127.0.0.1:9/x.ttl>", "CLEAR ALL", "DROP GRAPH <http://g>",
    "CREATE GRAPH <http://g>", "ADD <http://a> TO <http://b>", "MOVE DEFAULT TO <http://b>",
    "COPY <http://a> TO DEFAULT",
    "WITH <http://g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "PREFIX x: <http://x/> INSERT DATA { x:a x:b x:c } ; CLEAR ALL",
])
def test_every_update_form_is_refused(text):
    with pytest.raises(IfnontoError, match="update is refused"):
        check_query(text)


def test_keywords_inside_strings_names_and_variables_are_not_refusals():
    check_query('SELECT ?service ?insert WHERE { ?service ?p "SERVICE <http://x/> { INSERT }" . '
                '?insert <http://x/drop> ?o }')


@pytest.mark.parametrize("clause", ["FROM", "FROM NAMED"])
def test_remote_from_is_refused_locally_and_never_fetched(listener, clause):
    """FROM NAMED went past the check (rdflib's CompValue.get answers a missing key with the key's name)."""
    text = f"SELECT (COUNT(*) AS ?n) {clause} <{listener.url}data.ttl> WHERE {{ ?s ?p ?o }}"
    for engine in ("oxigraph", "rdflib"):
        done = run_cli("sparql", text, "--engine", engine)
        assert done.returncode == 2 and f"{clause} <" not in done.stdout and "is refused" in done.stderr, \
            done.stdout + done.stderr
    with pytest.raises(IfnontoError, match="is refused"):
        check_query(text)
    check_query(text, remote_dataset=True)  # a remote store resolves FROM among its own graphs
    assert listener.hits == []


@pytest.mark.parametrize("text, fragment", [(NESTED, "deep"), (UNIONS, "group patterns"),
                                            ("SELECT * WHERE { " + "(" * 500 + "1" + ")" * 500 + " }", "deep")])
def test_nesting_and_size_are_checked_before_the_parser(tmp_path, text, fragment):
    query = tmp_path / "attack.rq"
    query.write_text(text, encoding="utf-8")
    done = run_cli("sparql", str(query))
    assert done.returncode == 2, done.stderr
    assert fragment in done.stderr and "Traceback" not in done.stderr


def test_closing_brackets_hidden_in_strings_do_not_hide_depth():
    hidden = "SELECT * WHERE " + "{" * 40 + ' ?s ?p "' + "}" * 40 + '" ' + "{" * 40 + "}" * 80
    assert nesting(hidden)[0] > MAX_DEPTH
    with pytest.raises(IfnontoError, match="deep"):
        check_query(hidden)


def test_a_parser_crash_kills_only_the_worker():
    """The 4.4 KB query segfaults pyoxigraph's parser: sent straight to a worker (no pre-check), the worker
    dies and the caller gets a one-line error."""
    worker = Worker.start(multiprocessing.get_context("fork"), _make_engine_handler, ("oxigraph", [str(RELEASE)]),
                          Limits(wall_seconds=60))
    try:
        worker.wait_ready(30)
        with pytest.raises(QueryStopped, match="signal 11"):
            worker.call((NESTED, None), time.monotonic() + 60)
    finally:
        worker.kill()


def test_a_runaway_query_is_stopped_at_the_deadline():
    started = time.monotonic()
    with pytest.raises(QueryStopped, match="within 3 s"):
        run_isolated_query("oxigraph", [RELEASE], COUNTED_CROSS, timeout=3)
    assert time.monotonic() - started < 15


def test_a_runaway_query_is_stopped_at_the_memory_limit():
    with pytest.raises(QueryStopped, match="1024 MB"):
        run_isolated_query("oxigraph", [RELEASE], CROSS, timeout=120, memory_mb=1024)


def test_the_rdflib_engine_obeys_the_timeout():
    """A catastrophic regular expression that rdflib runs in Python, ignoring --timeout before."""
    text = ('SELECT * WHERE { BIND("' + "a" * 40 + '!" AS ?x) FILTER(REGEX(?x, "^(a+)+$")) }')
    started = time.monotonic()
    done = run_cli("sparql", "--engine", "rdflib", "--timeout", "3", text)
    assert done.returncode == 2 and "within 3 s" in done.stderr, done.stderr
    assert time.monotonic() - started < 30


def test_the_rdflib_engine_stops_a_query_that_outgrows_its_memory(tmp_path):
    """A cross product in rdflib once took all 24 GB of the machine, ended by the kernel's out-of-memory killer:
    the query's process may add only its limit to the loaded graph, and the stop is an error, not a crash."""
    from ifnonto.engines import RdflibEngine

    data = tmp_path / "small.nt"
    data.write_text("".join(f"<urn:x:{i}> <urn:x:p> <urn:x:{i + 1}> .\n" for i in range(300)), encoding="utf-8")
    engine = RdflibEngine([data])
    engine.memory_mb = 100
    started = time.monotonic()
    with pytest.raises(IfnontoError, match="needed more than 100 MB of memory"):
        engine.select("SELECT * WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }", timeout=300)  # 27 million rows
    assert time.monotonic() - started < 120
    # the limit is on growth: a parent holding more than the limit still runs small queries
    ballast = bytearray(300 * 1024 * 1024)
    assert engine.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", timeout=60).rows == [["300"]]
    del ballast
    # ... and never above a limit set before it (a served query's worker)
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    worker = context.Process(target=_limit_then_run_killable, args=(answers, 8 * 1024**3))
    worker.start()
    inner = answers.get(timeout=60)
    worker.join(60)
    assert 0 < inner <= 8 * 1024**3


def _limit_then_run_killable(answers, limit: int) -> None:
    import resource

    from ifnonto.engines import run_killable

    resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
    answers.put(run_killable(lambda: resource.getrlimit(resource.RLIMIT_AS)[0], 60, memory_mb=10**6))


@pytest.mark.parametrize("value", ["inf", "nan", "1e300", "-1", "0"])
def test_impossible_timeouts_are_one_line_errors(value):
    done = run_cli("sparql", "ASK {}", "--timeout", value)
    assert done.returncode == 2 and "timeout" in done.stderr and "Traceback" not in done.stderr


def test_sparql_still_answers_normal_queries():
    result = run_isolated_query("oxigraph", [RELEASE], "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(result.rows[0][0]) > 20000
    result = run_isolated_query("rdflib", [RELEASE], "ASK { ?s a ?o }")
    assert result.rows == [["true"]]


def test_a_query_failing_mid_iteration_is_an_error_and_its_results_die_on_their_thread(monkeypatch):
    """pyoxigraph's lazy results may only be freed on the thread that made them. A SERVICE call fails while the
    results are iterated; its traceback used to keep them alive until another thread's garbage collection freed
    them ("PyQuerySolutions is unsendable, but is being dropped on another thread", seen in `serve`)."""
    import gc

    from ifnonto.engines import OxigraphEngine

    engine = OxigraphEngine([])
    with pytest.raises(IfnontoError, match="query failed"):
        engine.run("SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }", timeout=30)
    assert unraisable_on_another_thread(monkeypatch, gc.collect) == []
