"""SPARQL engines behind one small interface: pyoxigraph (default, fast), rdflib, and a remote endpoint."""

from __future__ import annotations

import json
import os
import re
import signal
from pathlib import Path
from typing import Iterable, Protocol

from ifnonto import paths
from ifnonto.errors import IfnontoError
from ifnonto.queries import GraphResult, QueryResult

class Engine(Protocol):
    name: str

    def select(self, text: str, bindings: dict[str, tuple[str, str]] | None = None,
               timeout: float | None = None) -> QueryResult: ...


def default_data(inferred: bool = True) -> list[Path]:
    path = paths.release_file("nt", inferred=inferred)
    if not path.is_file():
        raise IfnontoError(f"release file {path} is missing: run `ifnonto build` first")
    return [path]


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
        raise box.pop("error")  # popped: box -> error -> traceback -> target's frame -> box is a cycle
    return box.pop("result")


def syntax_error(message: str, text: str, line: int | None, column: int | None) -> IfnontoError:
    """One message for a query syntax error: position, reason, the offending line and a caret under it."""
    reason = " ".join(message.split())
    if "Prefix not found" in reason or reason == "unknown prefix":
        reason = "unknown prefix (run `ifnonto prefixes` for the predefined ones)"
    elif len(reason) > 120:
        reason = reason[:117] + "..."
    if not line:
        return IfnontoError(f"SPARQL syntax error: {reason}")
    lines = text.splitlines() or [""]
    source = lines[min(line, len(lines)) - 1]
    column = max(1, min(column or 1, len(source) + 1))
    if reason.startswith("unknown prefix"):  # point at the prefixed name, not past it
        names = list(re.finditer(r"(?<![\w<?$])([A-Za-z][\w.-]*)?:(?=[\w%]|\s|$)", source[:column]))
        if names:
            column = names[-1].start() + 1
            reason = f"unknown prefix '{names[-1].group(1) or ''}:'" + reason[len("unknown prefix"):]
    return IfnontoError(f"SPARQL syntax error at line {line}, column {column}: {reason}\n"
                        f"  {source}\n  {' ' * (column - 1)}^")


def _earliest_error(text: str, message: str, line: int, column: int) -> IfnontoError:
    """pyoxigraph's parser reports the furthest point it reached, which can be a line or more past the mistake;
    rdflib's grammar (pyparsing) often stops closer to it. Report whichever position comes first."""
    try:
        from pyparsing import ParseException
        from rdflib.plugins.sparql.parser import parseQuery
    except ImportError:
        return syntax_error(message, text, line, column)
    try:
        parseQuery(text)
    except ParseException as exc:
        if (exc.lineno, exc.col) < (line, column):
            return syntax_error(exc.msg, text, exc.lineno, exc.col)
    except Exception:  # noqa: BLE001 - any other failure: keep pyoxigraph's report
        pass
    return syntax_error(message, text, line, column)


_POSITION = re.compile(r"error at (\d+):(\d+):\s*(.*)", re.S)


class _LocalEngine:
    """What the two in-process engines share: ``select`` on top of their ``run``."""

    def run(self, text, bindings=None, timeout=None, prefixes=None) -> QueryResult | GraphResult:
        raise NotImplementedError

    def select(self, text, bindings=None, timeout=None) -> QueryResult:
        result = self.run(text, bindings, timeout)
        if isinstance(result, GraphResult):
            raise IfnontoError("only SELECT and ASK queries can be run here")
        return result


class OxigraphEngine(_LocalEngine):
    name = "oxigraph"

    def __init__(self, files: Iterable[Path] | None = None):
        import pyoxigraph

        self._ox = pyoxigraph
        self.store = pyoxigraph.Store()
        for path in (files if files is not None else default_data()):
            self.load(Path(path))

    def load(self, path: Path, fmt: str | None = None) -> None:
        from ifnonto.loading import load_store

        load_store(self.store, path, fmt)

    def _term(self, kind: str, value: str):
        ox = self._ox
        if kind == "iri":
            return ox.NamedNode(value)
        if kind == "integer":
            return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
        return ox.Literal(value)

    def run(self, text, bindings=None, timeout=None, prefixes=None) -> QueryResult | GraphResult:
        """Run any query form: SELECT and ASK give a QueryResult, CONSTRUCT and DESCRIBE a GraphResult."""
        return within_timeout(lambda: self._run(text, bindings, prefixes), timeout)

    def _run(self, text, bindings, prefixes) -> QueryResult | GraphResult:
        ox = self._ox
        text, bindings = split_multiple(text, bindings)
        try:
            substitutions = {ox.Variable(k): self._term(*v) for k, v in (bindings or {}).items()}
        except ValueError as exc:
            raise IfnontoError(f"invalid parameter value: {exc}") from None
        # pyoxigraph's lazy results may only be freed on the thread that made them. An error raised while they
        # are iterated keeps them alive through its traceback, so the error is raised only after they are gone.
        solutions, error = None, None
        try:
            solutions = self.store.query(text, substitutions=substitutions or None, prefixes=prefixes or None)
            if isinstance(solutions, ox.QueryBoolean):
                return QueryResult(["result"], [["true" if bool(solutions) else "false"]], boolean=bool(solutions))
            if isinstance(solutions, ox.QueryTriples):
                return GraphResult(ox.serialize(solutions, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))
            columns = [v.value for v in solutions.variables]
            terms = [list(solution) for solution in solutions]
        except SyntaxError as exc:
            match = _POSITION.match(str(exc))
            error = (_earliest_error(text, match.group(3), int(match.group(1)), int(match.group(2))) if match
                     else syntax_error(str(exc), text, None, None))
        except (RuntimeError, OSError) as exc:  # e.g. a bound parameter that the query does not project, or
            error = IfnontoError(f"query failed: {exc}")  # a SERVICE call failing during iteration
        finally:
            del solutions
        if error is not None:
            raise error
        blank = ox.BlankNode
        rows = [[None if term is None else f"_:{term.value}" if isinstance(term, blank) else term.value
                 for term in solution] for solution in terms]
        return QueryResult(columns, rows, terms)


def _limit_memory_growth(extra_mb: int) -> None:
    """In the forked child: allow its address space to grow by ``extra_mb`` over what it inherited (a limit
    on the total would count the parent's loaded data)."""
    from ifnonto.query_sandbox import cap_address_space  # not at the top: it imports the HTTP stack

    try:
        with open("/proc/self/statm") as statm:
            inherited = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return  # no /proc: the timeout still bounds the query
    cap_address_space(inherited + extra_mb * 1024 * 1024)


def run_killable(run, timeout: float | None, memory_mb: int | None = None):
    """Run ``run()`` in a forked child process that a timeout or Ctrl-C kills outright, and that may grow by at
    most ``memory_mb`` (default: the served-query limit; a cross product in rdflib took all 24 GB of a machine
    and was ended by the kernel's out-of-memory killer).

    rdflib evaluates queries in pure Python (a catastrophic REGEX holds the interpreter in C code), so neither a
    thread nor a signal handler can stop it; a child process can always be killed. The result comes back
    pickled through a pipe.
    """
    import multiprocessing

    from ifnonto.query_sandbox import DEFAULT_MEMORY_MB  # one limit for every query process

    memory_mb = DEFAULT_MEMORY_MB if memory_mb is None else memory_mb
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork (Windows): run in-process, bounded by a thread
        return within_timeout(run, timeout)
    receiver, sender = context.Pipe(duplex=False)

    memory_message = f"the query was stopped: it needed more than {memory_mb} MB of memory"

    def child() -> None:
        _limit_memory_growth(memory_mb)
        try:
            outcome = ("ok", run())
        except MemoryError:
            outcome = ("error", memory_message)
        except IfnontoError as exc:
            outcome = ("error", str(exc))
        except RecursionError:
            outcome = ("error", "the query is nested too deeply")
        except BaseException as exc:  # noqa: BLE001 - reported in the parent as one line
            outcome = ("error", f"query failed: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
        sender.send(outcome)

    worker = context.Process(target=child, daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise IfnontoError(f"the query did not finish within {timeout:g} s (--timeout)")
        try:
            status, value = receiver.recv()
        except EOFError:
            worker.join(5)
            if worker.exitcode == -signal.SIGABRT:  # a native library aborts when an allocation fails
                raise IfnontoError(memory_message + " (or its engine aborted)") from None
            raise IfnontoError(f"the query process ended without an answer (exit code {worker.exitcode})") from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
    if status == "error":
        raise IfnontoError(value)
    return value


class RdflibEngine(_LocalEngine):
    name = "rdflib"
    memory_mb: int | None = None  # how much a query may add to the loaded graph (None: run_killable's default)

    def __init__(self, files: Iterable[Path] | None = None):
        from ifnonto.loading import load_graph

        self.graph = load_graph(files if files is not None else default_data())

    def run(self, text, bindings=None, timeout=None, prefixes=None) -> QueryResult | GraphResult:
        return run_killable(lambda: self._run(text, bindings, prefixes), timeout, self.memory_mb)

    def _run(self, text, bindings, prefixes) -> QueryResult | GraphResult:
        from pyparsing import ParseException
        from rdflib import BNode, Literal, URIRef
        from rdflib.namespace import XSD
        from rdflib.plugins.sparql import prepareQuery

        text, bindings = split_multiple(text, bindings)
        init = {}
        for name, (kind, value) in bindings.items():
            init[name] = URIRef(value) if kind == "iri" else Literal(int(value), datatype=XSD.integer) \
                if kind == "integer" else Literal(value)
        try:
            prepared = prepareQuery(text, initNs=prefixes or {})
        except ParseException as exc:
            raise syntax_error(exc.msg, text, exc.lineno, exc.col) from None
        except Exception as exc:  # noqa: BLE001 - rdflib raises several types for bad queries (unknown prefix...)
            unknown = re.search(r"Unknown namespace prefix : (\S*)", str(exc))
            where = re.search(r"(?<![\w<?$])" + re.escape(unknown.group(1)) + r":", text) if unknown else None
            if where:
                line = text.count("\n", 0, where.start()) + 1
                column = where.start() - (text.rfind("\n", 0, where.start()) + 1) + 1
                raise syntax_error("unknown prefix", text, line, column + len(unknown.group(1)) + 1) from None
            raise syntax_error(str(exc), text, None, None) from None
        if getattr(prepared.algebra, "datasetClause", None):
            raise IfnontoError("FROM and FROM NAMED are not supported by the rdflib engine (nothing is fetched); "
                               "use --engine oxigraph")
        result = self.graph.query(prepared, initBindings=init)
        if result.type == "ASK":
            return QueryResult(["result"], [["true" if result.askAnswer else "false"]], boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            return GraphResult(result.graph.serialize(format="nt"))
        columns = [str(v) for v in result.vars]
        rows = []
        terms = []
        for row in result:
            terms.append(list(row))
            values = []
            for term in row:
                if term is None:
                    values.append(None)
                elif isinstance(term, BNode):
                    values.append(f"_:{term}")
                else:
                    values.append(str(term))
            rows.append(values)
        return QueryResult(columns, rows, terms)


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
    single = sorted(n for n, (_kind, value) in bindings.items() if isinstance(value, str))
    blocks = []
    if single:
        head = " ".join(f"?{n}" for n in single)
        row = " ".join(_sparql_term(*bindings[n]) for n in single)
        blocks.append(f"VALUES ({head}) {{ ({row}) }}")
    for name in sorted(set(bindings) - set(single)):  # a multiple parameter: one row per value
        kind, values = bindings[name]
        blocks.append(f"VALUES ?{name} {{ {' '.join(_sparql_term(kind, v) for v in values)} }}")
    cut = match.end()
    return f"{text[:cut]}\n  {' '.join(blocks)}{text[cut:]}"


def split_multiple(text: str, bindings: dict | None) -> tuple[str, dict]:
    """Put the values of multiple parameters into the text (a VALUES block of escaped terms); return the text
    and the single-valued bindings, which the engine binds itself."""
    bindings = bindings or {}
    multiple = {n: b for n, b in bindings.items() if not isinstance(b[1], str)}
    if not multiple:
        return text, bindings
    return with_values_clause(text, multiple), {n: b for n, b in bindings.items() if n not in multiple}


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

    def _post(self, text, bindings, accept: str, timeout) -> bytes:
        from ifnonto.http import post_form

        params = {"query": with_values_clause(text, bindings or {})}
        if self.default_graph:
            params["default-graph-uri"] = self.default_graph
        status, body = post_form(self.endpoint, params, accept=accept, timeout=timeout or self.timeout,
                                 client=self.client)
        if status >= 400:
            raise IfnontoError(f"endpoint {self.endpoint} answered HTTP {status}: {body[:300]!r}")
        return body

    def select(self, text, bindings=None, timeout=None) -> QueryResult:
        body = self._post(text, bindings, "application/sparql-results+json", timeout)
        from ifnonto.sparql_guard import query_form

        return parse_results_json(body, self.endpoint, expected=query_form(text))

    def run(self, text, bindings=None, timeout=None, prefixes=None) -> QueryResult | GraphResult:
        """Any query form: CONSTRUCT and DESCRIBE ask for N-Triples and give a GraphResult. ``prefixes`` are
        expected in the text already (the endpoint may not know them)."""
        from ifnonto.sparql_guard import query_form

        if query_form(text) not in ("CONSTRUCT", "DESCRIBE"):
            return self.select(text, bindings, timeout)
        # Turtle is accepted too (some stores ignore the order of preference); it is parsed as Turtle either way,
        # since N-Triples is a subset of it
        body = self._post(text, bindings, "application/n-triples, text/turtle;q=0.9", timeout)
        return parse_graph_reply(body, self.endpoint)


def parse_graph_reply(body: str, endpoint: str) -> GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE reply, re-serialized as N-Triples; anything that is not RDF is a
    one-line error naming the endpoint and the line."""
    import pyoxigraph as ox

    try:
        triples = [quad.triple for quad in ox.parse(body.encode("utf-8"), format=ox.RdfFormat.TURTLE)]
    except SyntaxError as exc:
        raise IfnontoError(f"endpoint {endpoint} did not return N-Triples or Turtle ({exc}): {body[:120]!r}") \
            from None
    return GraphResult(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8") if triples else "")


def parse_results_json(body: str, endpoint: str, expected: str | None = None) -> QueryResult:
    """W3C SPARQL 1.1 Query Results JSON, checked: anything else ({} or [] or a truncated reply, or a boolean
    for a SELECT query and rows for an ASK query) is a one-line error naming the endpoint, never a traceback or
    a made-up result."""
    def bad(what: str) -> IfnontoError:
        return IfnontoError(f"endpoint {endpoint} did not return SPARQL JSON results ({what}): {body[:120]!r}")

    try:
        data = json.loads(body)
    except ValueError:
        raise bad("not JSON") from None
    if not isinstance(data, dict):
        raise bad("not a JSON object")
    if expected in ("SELECT", "ASK") and ("boolean" in data) != (expected == "ASK"):
        kind = "a boolean" if "boolean" in data else "a table of solutions"
        raise bad(f"{kind} for {'an' if expected == 'ASK' else 'a'} {expected} query")
    if "boolean" in data:
        if not isinstance(data["boolean"], bool):
            raise bad("'boolean' is not true or false")
        return QueryResult(["result"], [["true" if data["boolean"] else "false"]], boolean=data["boolean"])
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
