"""`ifnonto serve`: a local, read-only SPARQL 1.1 Protocol endpoint over the release.

HTTP is uvicorn + Starlette (listen backlog, keep-alive and idle timeouts, strict request parsing); queries run
in a pool of worker processes (ifnonto.query_sandbox) with memory and wall-clock limits, killed when the client
leaves. Updates are never accepted; SERVICE is refused unless --allow-service; the server binds to loopback by
default.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from ifnonto.errors import IfnontoError
from ifnonto.query_sandbox import DEFAULT_MEMORY_MB, Limits, QueryStopped, WorkerPool, check_timeout

MAX_BODY = 1_000_000
BODY_SECONDS = 30.0
HEADER_SECONDS = 10.0
MAX_HEADER_BYTES = 64 * 1024
DEFAULT_QUERY_SECONDS = 60.0
DEFAULT_MAX_RESULT_BYTES = 64 * 1024 * 1024
READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 7879
    allow_service: bool = False
    workers: int = 0                    # 0: one per CPU
    timeout: float = DEFAULT_QUERY_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    backlog: int = 2048
    keep_alive: int = 5
    header_seconds: float = HEADER_SECONDS
    max_connections: int = 1000


def check_served_files(files: list[Path]) -> list[Path]:
    """Every file is a regular, readable RDF file that the project's safe loader reads (no FIFO, device or
    directory; no entity bomb; valid syntax), checked before any worker starts."""
    from ifnonto.loading import iter_quads

    checked = []
    for path in map(Path, files):
        for _quad in iter_quads(path):
            pass
        checked.append(path)
    return checked


def open_listener(host: str, port: int, backlog: int) -> socket.socket:
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise IfnontoError(f"port must be between 0 and 65535, got {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, _, _, _, address = infos[0]
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except (OSError, UnicodeError) as exc:
        raise IfnontoError(f"cannot listen on {host}:{port}: {getattr(exc, 'strerror', None) or exc}") from None
    sock.set_inheritable(True)
    return sock


class BodyTooLarge(Exception):
    pass


async def read_body(request, limit: int) -> bytes:
    """The request body, counted as it arrives (Content-Length is never trusted: negative, absent and chunked
    bodies are all bounded by the bytes actually received), within BODY_SECONDS."""
    async def collect() -> bytes:
        parts, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge
            parts.append(chunk)
        return b"".join(parts)

    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    return await asyncio.wait_for(collect(), BODY_SECONDS)


def make_app(pool: WorkerPool):
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Route

    def error(status: int, message: str) -> Response:
        return PlainTextResponse(message + "\n", status_code=status)

    async def until_disconnected(request) -> None:
        while True:
            message = await request.receive()
            if message["type"] == "http.disconnect":
                return

    async def endpoint(request) -> Response:
        params = parse_qs(request.url.query, keep_blank_values=True)
        if request.method == "POST":
            try:
                body = await read_body(request, MAX_BODY)
            except BodyTooLarge:
                return error(413, f"request body larger than {MAX_BODY} bytes")
            except asyncio.TimeoutError:
                return error(408, f"request body not received within {BODY_SECONDS:g} s")
            ctype = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-update":
                return error(403, READ_ONLY)
            if ctype == "application/sparql-query":
                params.setdefault("query", []).append(body.decode("utf-8", errors="replace"))
            elif ctype in ("application/x-www-form-urlencoded", ""):
                for key, values in parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True).items():
                    params.setdefault(key, []).extend(values)
            else:
                return error(415, f"unsupported Content-Type {ctype!r}: use application/sparql-query or "
                                  "application/x-www-form-urlencoded")
        if "update" in params:
            return error(403, READ_ONLY)
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            return error(400, "give exactly one 'query' parameter" if queries else "missing 'query' parameter")
        task = {"query": queries[0], "accept": request.headers.get("accept", ""),
                "default_graphs": params.get("default-graph-uri", []),
                "named_graphs": params.get("named-graph-uri", [])}
        from ifnonto.sparql_guard import is_refusal, precheck

        try:
            precheck(task["query"])  # cheap limits in the server process; the parsed check runs in the worker
            mime, data = await pool.run(task, lambda: until_disconnected(request))
        except QueryStopped as exc:
            return error(exc.status, exc.message)
        except IfnontoError as exc:
            status = 403 if is_refusal(exc) else 406 if "media types" in exc.message else 400
            return error(status, exc.message)
        return Response(data, media_type=mime)

    async def not_found(request) -> Response:
        return error(404, "the SPARQL endpoint is at /sparql")

    routes = [Route("/sparql", endpoint, methods=["GET", "POST"]),
              Route("/query", endpoint, methods=["GET", "POST"]),
              Route("/{rest:path}", not_found, methods=["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH"])]
    return Starlette(routes=routes)


def bounded_request_protocol(header_seconds: float):
    """uvicorn's HTTP protocol with a deadline for each request's headers.

    uvicorn starts its idle timer only after a first response, and any byte cancels it: a client that connected
    and stayed silent, or sent its headers a byte at a time, held its connection (and a slot of the connection
    limit) for ever; 1,000 such connections made the server answer 503 to everyone else. Here the headers of a
    request must be complete within ``header_seconds`` of the connection opening or of the previous response;
    a request being answered is never cut. httptools also sets no limit on the size of the headers (20,000
    header lines were read and answered 200): over MAX_HEADER_BYTES the answer is 431 and the connection
    closes."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class BoundedRequestProtocol(HttpToolsProtocol):
        _deadline = None
        _header_bytes = 0

        def data_received(self, data: bytes) -> None:
            awaiting_headers = self._deadline is not None
            if awaiting_headers:
                self._header_bytes += len(data)
            super().data_received(data)
            if awaiting_headers and self._deadline is not None and self._header_bytes > MAX_HEADER_BYTES:
                self._disarm()
                if not self.transport.is_closing():
                    self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                         b"content-length: 0\r\nconnection: close\r\n\r\n")
                    self.transport.close()

        def _arm(self) -> None:
            self._disarm()
            self._header_bytes = 0
            self._deadline = self.loop.call_later(header_seconds, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            answering = self.cycle is not None and not self.cycle.response_complete
            if not answering and not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport) -> None:
            super().connection_made(transport)
            self._arm()

        def on_headers_complete(self) -> None:
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing() and (self.cycle is None or self.cycle.response_complete):
                self._arm()

        def connection_lost(self, exc) -> None:
            self._disarm()
            super().connection_lost(exc)

    return BoundedRequestProtocol


class Server:
    """A running endpoint: its worker pool, listening socket and uvicorn server."""

    def __init__(self, files: list[Path], options: ServeOptions):
        import uvicorn

        self.options = options
        options.timeout = check_timeout(options.timeout)
        files = check_served_files(files)
        self.sock = open_listener(options.host, options.port, options.backlog)
        self.port = self.sock.getsockname()[1]
        size = options.workers or max(2, os.cpu_count() or 2)
        limits = Limits(memory_mb=options.memory_mb, wall_seconds=options.timeout,
                        max_result_bytes=options.max_result_bytes, isolate_network=not options.allow_service)
        self.pool = WorkerPool(files, size, limits, options.allow_service)
        try:
            self.pool.start()
        except BaseException:
            self.sock.close()
            raise
        config = uvicorn.Config(make_app(self.pool), backlog=options.backlog, timeout_keep_alive=options.keep_alive,
                                limit_concurrency=options.max_connections, log_level="warning", access_log=False,
                                lifespan="off", http=bounded_request_protocol(options.header_seconds),
                                loop="uvloop", server_header=False)
        self.uvicorn = uvicorn.Server(config)

    @property
    def url(self) -> str:
        host = f"[{self.options.host}]" if ":" in self.options.host else self.options.host
        return f"http://{host}:{self.port}/sparql"

    async def _main(self) -> None:
        await self.pool.attach()
        await self.uvicorn.serve(sockets=[self.sock])

    def run(self) -> None:
        import uvloop

        try:
            uvloop.run(self._main())
        finally:
            self.close()

    def close(self) -> None:
        self.pool.close()
        self.sock.close()

    def shutdown(self) -> None:
        self.uvicorn.should_exit = True


def serve_forever(files: list[Path], host: str, port: int, allow_service: bool, say, **options) -> None:
    server = Server(files, ServeOptions(host=host, port=port, allow_service=allow_service, **options))
    say(json.dumps({"endpoint": server.url, "read_only": True, "service_allowed": allow_service,
                    "workers": server.pool.size, "query_timeout_s": server.options.timeout}))
    server.run()


def serve_in_thread(files: list[Path], host: str = "127.0.0.1", port: int = 0, allow_service: bool = False,
                    **options):
    """Start a server on a background thread (for tests and embedding); returns (server, url)."""
    server = Server(files, ServeOptions(host=host, port=port, allow_service=allow_service, **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    original = server.shutdown

    def shutdown() -> None:
        original()
        thread.join(10)

    server.shutdown = shutdown
    import time

    deadline = time.monotonic() + 10
    while not server.uvicorn.started and time.monotonic() < deadline:
        time.sleep(0.02)
    return server, server.url
