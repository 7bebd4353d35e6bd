"""Run ad-hoc and served SPARQL queries in worker processes that can crash or run away without harm.

Each worker has an address-space limit (RLIMIT_AS), is killed at its wall-clock deadline or when the client
leaves, caps what it sends back, and, where the kernel allows it, runs in an empty network namespace so that no
query can reach another host even if a parser disagreed with the safety check. (Measured: a 4.4 KB nested query
segfaults pyoxigraph, a cross product grew a server to 3.1 GB in 40 s; neither can be stopped inside a process.)
"""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import socket
import struct
import time
from dataclasses import dataclass, field
from pathlib import Path

from ifnonto.errors import IfnontoError
from ifnonto.http import check_seconds as check_timeout

DEFAULT_MEMORY_MB = 2048
DEFAULT_WALL_SECONDS = 300.0
DEFAULT_MAX_RESULT_BYTES = 256 * 1024 * 1024
_HEADER = struct.Struct(">Q")


class QueryStopped(IfnontoError):
    """The worker was stopped (deadline, memory, crash, result too large); the message says which."""

    def __init__(self, message: str, status: int = 503):
        super().__init__(message)
        self.status = status


@dataclass
class Limits:
    memory_mb: int = DEFAULT_MEMORY_MB
    wall_seconds: float = DEFAULT_WALL_SECONDS
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    isolate_network: bool = True

    def __post_init__(self):
        self.wall_seconds = check_timeout(self.wall_seconds)


# ---------------------------------------------------------------------------------------- framing

def send_frame(sock: socket.socket, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket):
    (size,) = _HEADER.unpack(_recv_exact(sock, _HEADER.size))
    return pickle.loads(_recv_exact(sock, size))


# ---------------------------------------------------------------------------------------- worker side

def _isolate_network() -> bool:
    """Enter an empty network namespace (root, or unprivileged user namespaces); False where not allowed."""
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    clone_newnet, clone_newuser = 0x40000000, 0x10000000
    return libc.unshare(clone_newnet) == 0 or libc.unshare(clone_newuser | clone_newnet) == 0


def cap_address_space(limit: int) -> None:
    """Limit this process's address space to ``limit`` bytes, never above a limit already set (a query process
    started inside a limited worker must not escape the worker's limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = min([limit] + [v for v in (soft, hard) if v != resource.RLIM_INFINITY])
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _apply_limits(limits: Limits) -> None:
    cap_address_space(limits.memory_mb * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.isolate_network:
        _isolate_network()


def worker_main(sock: socket.socket, make_handler, limits: Limits) -> None:
    """Worker process body: apply the limits, build the handler (loads the data), then answer tasks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a worker ends
    # An engine that aborts on the memory limit prints a panic; the parent reports it in one line instead.
    import faulthandler

    faulthandler.disable()
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        _apply_limits(limits)
        handler = make_handler()
        send_frame(sock, ("ready", None))
    except IfnontoError as exc:
        send_frame(sock, ("error", exc))
        return
    except MemoryError:
        send_frame(sock, ("error", IfnontoError(f"loading the data needs more than {limits.memory_mb} MB")))
        return
    while True:
        try:
            task = recv_frame(sock)
        except EOFError:
            return
        try:
            reply = ("ok", handler(task))
        except IfnontoError as exc:
            reply = ("error", exc)
        except MemoryError:
            reply = ("error", QueryStopped(f"the query was stopped: it needed more than {limits.memory_mb} MB "
                                           "of memory"))
        except RecursionError:
            reply = ("error", IfnontoError("query too deeply nested"))
        except Exception as exc:  # noqa: BLE001 - an engine's own exception types become one line
            text = " ".join(str(exc).split())[:300] or type(exc).__name__
            reply = ("error", IfnontoError(f"query failed: {text}"))
        data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        if len(data) > limits.max_result_bytes:
            reply = ("error", QueryStopped(f"the result is larger than {limits.max_result_bytes // 1_000_000} MB "
                                           "and was not sent: add LIMIT or narrow the query", 422))
            data = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
        sock.sendall(_HEADER.pack(len(data)) + data)


class EngineHandler:
    """Runs any query form for the CLI's ad-hoc queries (local engines only)."""

    def __init__(self, engine: str, files: list[Path]):
        from ifnonto.engines import make_engine

        self.engine = make_engine(engine, files)

    def __call__(self, task):
        text, bindings, prefixes = task if len(task) == 3 else (*task, None)
        # the worker is the killable process: run in it directly (the rdflib engine's own child process would
        # be a child of a daemon, which multiprocessing refuses)
        return self.engine._run(text, bindings, prefixes)


def _make_engine_handler(engine: str, files: list[str]):
    return EngineHandler(engine, [Path(f) for f in files])


# ---------------------------------------------------------------------------------------- parent side

def describe_death(exitcode: int | None, limits: Limits) -> QueryStopped:
    if exitcode is not None and exitcode < 0:
        sig = -exitcode
        if sig in (signal.SIGABRT, signal.SIGBUS) or sig == signal.SIGKILL:
            return QueryStopped(f"the query was stopped: it needed more than {limits.memory_mb} MB of memory "
                                f"or crashed the engine (signal {sig})")
        return QueryStopped(f"the query crashed the SPARQL engine (signal {sig}); nothing else was affected", 500)
    return QueryStopped(f"the query engine stopped unexpectedly (exit code {exitcode})", 500)


@dataclass(eq=False)
class Worker:
    """One worker process and the parent's end of its socket."""

    process: object
    sock: socket.socket
    limits: Limits
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def start(cls, context, make_handler, args: tuple, limits: Limits) -> "Worker":
        parent, child = socket.socketpair()
        process = context.Process(target=_worker_entry, args=(child, make_handler, args, limits), daemon=True)
        process.start()
        child.close()
        return cls(process, parent, limits)

    def kill(self) -> None:
        try:
            if self.process.is_alive():
                os.kill(self.process.pid, signal.SIGKILL)
            self.process.join(5)
        except (OSError, ValueError):
            pass
        self.sock.close()

    def death(self) -> QueryStopped:
        self.process.join(5)
        return describe_death(self.process.exitcode, self.limits)

    def wait_ready(self, timeout: float) -> None:
        kind, value = self._receive(time.monotonic() + timeout, what="loading the data")
        if kind == "error":
            self.kill()
            raise value

    def call(self, task, deadline: float):
        """Send one task; return its result or raise (deadline, crash, refusal)."""
        try:
            send_frame(self.sock, task)
        except OSError:
            raise self.death() from None
        kind, value = self._receive(deadline, what="the query")
        if kind == "error":
            raise value
        return value

    def _receive(self, deadline: float, what: str):
        left = deadline - time.monotonic()
        ready, _, _ = select.select([self.sock], [], [], max(0.0, left))
        if not ready:
            self.kill()
            raise QueryStopped(f"{what} did not finish within {self.limits.wall_seconds:g} s and was stopped")
        try:
            self.sock.settimeout(max(1.0, deadline - time.monotonic()))
            return recv_frame(self.sock)
        except (EOFError, OSError):
            died = self.death()
            self.kill()
            raise died from None


def _worker_entry(sock, make_handler, args, limits):
    worker_main(sock, lambda: make_handler(*args), limits)


def run_isolated_query(engine: str, files: list[Path], text: str, bindings=None, *,
                       allow_service: bool = False, timeout: float | None = None,
                       memory_mb: int = DEFAULT_MEMORY_MB, prefixes: dict | None = None,
                       checked_text: str | None = None):
    """The CLI's ad-hoc query: checked here (parsed-query refusals, on ``checked_text``: the query with the
    predefined ``prefixes`` written out), run in a fresh worker process with a memory and wall-clock limit, and
    the worker always killed at the end (Ctrl-C included)."""
    import multiprocessing

    from ifnonto.sparql_guard import check_query

    limits = Limits(memory_mb=memory_mb, wall_seconds=timeout if timeout is not None else DEFAULT_WALL_SECONDS,
                    isolate_network=not allow_service)
    check_query(checked_text or text, allow_service=allow_service)
    deadline = time.monotonic() + limits.wall_seconds
    worker = Worker.start(multiprocessing.get_context("fork"), _make_engine_handler,
                          (engine, [str(f) for f in files]), limits)
    try:
        worker.wait_ready(max(0.0, deadline - time.monotonic()))
        return worker.call((text, bindings, prefixes), deadline)
    finally:
        worker.kill()


# ---------------------------------------------------------------------------------------- served queries

class _CappedBuffer:
    """A write target that stops the serializer once the result passes the cap."""

    def __init__(self, cap: int):
        self.cap, self.size, self.parts = cap, 0, []

    def write(self, data) -> int:
        self.size += len(data)
        if self.size > self.cap:
            raise OverflowError
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None


class ProtocolHandler:
    """Answers one SPARQL Protocol request inside a serve worker: the parsed-query check (verdicts cached in
    the worker), the query, and serialization into the negotiated format, capped."""

    RESULTS = {"application/sparql-results+json": "JSON", "application/json": "JSON",
               "application/sparql-results+xml": "XML", "application/xml": "XML",
               "text/csv": "CSV", "text/tab-separated-values": "TSV"}
    GRAPHS = {"application/n-triples": "N_TRIPLES", "text/turtle": "TURTLE", "application/rdf+xml": "RDF_XML",
              "application/n-quads": "N_QUADS", "text/plain": "N_TRIPLES"}

    def __init__(self, files: list[str], allow_service: bool, max_result_bytes: int):
        import pyoxigraph

        from ifnonto.engines import OxigraphEngine

        self.ox = pyoxigraph
        self.store = OxigraphEngine([Path(f) for f in files]).store
        self.allow_service = allow_service
        self.cap = max_result_bytes

    def __call__(self, task: dict):
        from ifnonto.sparql_guard import check_query

        ox = self.ox
        check_query(task["query"], allow_service=self.allow_service)
        options = {}
        if task.get("default_graphs"):
            options["default_graph"] = [ox.NamedNode(g) for g in task["default_graphs"]]
        if task.get("named_graphs"):
            options["named_graphs"] = [ox.NamedNode(g) for g in task["named_graphs"]]
        try:
            result = self.store.query(task["query"], **options)
        except SyntaxError as exc:
            raise IfnontoError(f"SPARQL syntax error: {exc}") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise IfnontoError(f"query failed: {exc}") from None
        buffer = _CappedBuffer(self.cap)
        try:
            if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
                mime = negotiate(task.get("accept", ""), self.RESULTS, "application/sparql-results+json")
                result.serialize(buffer, getattr(ox.QueryResultsFormat, self.RESULTS[mime]))
            else:
                mime = negotiate(task.get("accept", ""), self.GRAPHS, "application/n-triples")
                ox.serialize(result, buffer, getattr(ox.RdfFormat, self.GRAPHS[mime]))
        except OverflowError:
            raise QueryStopped(f"the result is larger than {self.cap // 1_000_000} MB and was not sent: add LIMIT "
                               "or narrow the query", 422) from None
        except (OSError, RuntimeError) as exc:
            raise IfnontoError(f"query failed: {exc}") from None
        return mime, b"".join(buffer.parts)


def negotiate(accept: str, table: dict[str, str], default: str) -> str:
    """The acceptable media type with the highest q-value that the table offers (ties: the client's order);
    wildcards and an empty header give the default. Raises IfnontoError (HTTP 406) if nothing fits."""
    choices = []
    for position, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        mime = fields[0].lower()
        if not mime:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            if parameter.lower().startswith("q="):
                try:
                    quality = float(parameter[2:])
                except ValueError:
                    quality = 0.0
        choices.append((-quality, position, mime, quality))
    if not choices:
        return default
    for _, _, mime, quality in sorted(choices):
        if quality <= 0:
            continue
        if mime in table:
            return mime
        if mime in ("*/*", default.split("/")[0] + "/*"):
            return default
        if mime.endswith("/*"):
            for offered in table:
                if offered.startswith(mime[:-1]):
                    return offered
    raise IfnontoError(f"none of the requested media types ({accept}) can be produced; offered: "
                       f"{', '.join(table)}")


def _make_protocol_handler(files, allow_service, max_result_bytes):
    return ProtocolHandler(files, allow_service, max_result_bytes)


async def _send_async(sock: socket.socket, obj) -> None:
    import asyncio

    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    await asyncio.get_running_loop().sock_sendall(sock, _HEADER.pack(len(data)) + data)


async def _recv_exact_async(sock: socket.socket, size: int) -> bytes:
    import asyncio

    loop = asyncio.get_running_loop()
    buffer = bytearray(size)
    view, got = memoryview(buffer), 0
    while got < size:
        n = await loop.sock_recv_into(sock, view[got:])
        if not n:
            raise EOFError
        got += n
    return bytes(buffer)


async def _recv_async(sock: socket.socket, cap: int):
    (size,) = _HEADER.unpack(await _recv_exact_async(sock, _HEADER.size))
    if size > cap + 65536:
        raise EOFError
    return pickle.loads(await _recv_exact_async(sock, size))


class WorkerPool:
    """A fixed number of serve workers. A request takes an idle worker; a worker that times out, crashes or
    whose client left is killed and replaced, so one query can never hold the server."""

    def __init__(self, files: list[Path], size: int, limits: Limits, allow_service: bool):
        import multiprocessing

        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["ifnonto.query_sandbox", "ifnonto.engines", "ifnonto.sparql_guard",
                                             "pyoxigraph", "rdflib.plugins.sparql.parser"])
        self.args = ([str(f) for f in files], allow_service, limits.max_result_bytes)
        self.size = size
        self.limits = limits
        self.idle = None
        self.all: set[Worker] = set()
        self.queue_seconds = max(60.0, 2 * limits.wall_seconds)

    def _start_one(self) -> Worker:
        worker = Worker.start(self.context, _make_protocol_handler, self.args, self.limits)
        worker.wait_ready(120)
        worker.sock.setblocking(False)
        return worker

    def start(self) -> None:
        """Start the workers (blocking; before the event loop serves requests). Raises on a load error."""
        workers = []
        try:
            for _ in range(self.size):
                workers.append(self._start_one())
        except BaseException:
            for worker in workers:
                worker.kill()
            raise
        self._ready = workers

    async def attach(self) -> None:
        import asyncio

        self.idle = asyncio.Queue()
        for worker in self._ready:
            self.all.add(worker)
            self.idle.put_nowait(worker)

    async def _replace(self, worker: Worker) -> None:
        import asyncio

        self.all.discard(worker)
        worker.kill()
        loop = asyncio.get_running_loop()
        for attempt in range(3):
            try:
                fresh = await loop.run_in_executor(None, self._start_one)
            except IfnontoError:
                await asyncio.sleep(1 + attempt)
                continue
            self.all.add(fresh)
            self.idle.put_nowait(fresh)
            return

    async def run(self, task: dict, disconnected) -> tuple[str, bytes]:
        """Run one task within the wall-clock limit (counted from when a worker takes it; waiting for a free
        worker is bounded by ``queue_seconds``); ``disconnected()`` returns an awaitable that completes when
        the client goes away (the worker is then killed)."""
        import asyncio

        try:
            worker = await asyncio.wait_for(self.idle.get(), self.queue_seconds)
        except asyncio.TimeoutError:
            raise QueryStopped(f"the server is busy: no worker became free within {self.queue_seconds:g} s")
        deadline = asyncio.get_running_loop().time() + self.limits.wall_seconds
        job = asyncio.ensure_future(self._exchange(worker, task))
        watch = asyncio.ensure_future(disconnected())
        try:
            left = deadline - asyncio.get_running_loop().time()
            done, _ = await asyncio.wait({job, watch}, timeout=max(0.0, left), return_when=asyncio.FIRST_COMPLETED)
        except asyncio.CancelledError:
            job.cancel()
            asyncio.ensure_future(self._replace(worker))
            raise
        finally:
            watch.cancel()
        if job in done:
            try:
                kind, value = job.result()
            except (EOFError, OSError):
                death = worker.death()
                asyncio.ensure_future(self._replace(worker))
                raise death from None
            except Exception as exc:  # noqa: BLE001 - an answer that cannot be read: never lose the worker slot
                asyncio.ensure_future(self._replace(worker))
                raise QueryStopped(f"the query's answer could not be read ({type(exc).__name__}: {exc})",
                                   500) from None
            self.idle.put_nowait(worker)
            if kind == "error":
                raise value
            return value
        job.cancel()
        asyncio.ensure_future(self._replace(worker))
        if watch in done:
            raise QueryStopped("the client disconnected; the query was stopped", 499)
        raise QueryStopped(f"the query did not finish within {self.limits.wall_seconds:g} s and was stopped")

    async def _exchange(self, worker: Worker, task):
        await _send_async(worker.sock, task)
        return await _recv_async(worker.sock, self.limits.max_result_bytes)

    def close(self) -> None:
        for worker in list(self.all) + list(getattr(self, "_ready", [])):
            worker.kill()
        self.all.clear()
