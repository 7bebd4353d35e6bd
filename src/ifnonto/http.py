"""HTTP calls to remote SPARQL endpoints and Graph Stores (httpx), each bounded by a total deadline and a cap on
the response size, with Basic or Digest authentication obtained before a body is sent.

Every call runs under asyncio.wait_for, so a server that trickles one byte every two seconds cannot stretch a
5 s timeout (per-read socket timeouts would). Servers such as Virtuoso answer 401 before reading an upload and
close the connection (a broken pipe for the sender), so authenticated uploads first make a bodiless request
that obtains the challenge; the upload then carries its Authorization header from the first byte.
"""

from __future__ import annotations

import asyncio
import math
import os
import urllib.parse

from ifnonto.errors import IfnontoError

DEFAULT_MAX_RESPONSE_BYTES = 512 * 1024 * 1024
PASSWORD_ENV = "IFNONTO_PASSWORD"
PREFLIGHT_BYTES = 32 * 1024  # smaller bodies fit in the socket buffers, so an early 401 cannot break them


class RemoteCallError(IfnontoError):
    """A failed call. ``maybe_executed`` is False only when the request certainly never reached the server
    (bad URL, connection refused), so a caller can tell "not done" from "outcome unknown"."""

    def __init__(self, message: str, *, maybe_executed: bool):
        super().__init__(message)
        self.maybe_executed = maybe_executed


def password_from_env(user: str | None, password: str | None) -> str | None:
    """The password: given, else from the IFNONTO_PASSWORD environment variable, else None."""
    if password is not None or user is None:
        return password
    return os.environ.get(PASSWORD_ENV)


def ask_password(user: str | None, password: str | None, prompt_allowed: bool = True) -> str | None:
    """For the CLI: the given password, IFNONTO_PASSWORD, or a prompt on a terminal."""
    password = password_from_env(user, password)
    if password is None and user is not None and prompt_allowed:
        import sys

        if sys.stdin.isatty():
            import getpass

            password = getpass.getpass(f"password for {user}: ")
    return password


def check_url(url: str) -> str:
    """An absolute http(s) URL with a host, or a one-line error (``http://[::1`` included)."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise IfnontoError(f"not a valid endpoint URL {url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IfnontoError(f"endpoint must be an http(s) URL with a host, got {url!r}")
    return url


def _auth(user: str | None, password: str | None):
    if user is None:
        return None
    import httpx

    class ServerAuth(httpx.Auth):
        """Digest when the server challenges with Digest (Virtuoso), Basic when it asks for Basic; the
        challenge is kept, so later requests are authenticated from their first byte."""

        def __init__(self):
            self.digest = httpx.DigestAuth(user, password or "")
            self.basic = httpx.BasicAuth(user, password or "")
            self.scheme = None

        def auth_flow(self, request):
            if self.scheme == "basic":
                yield from self.basic.auth_flow(request)
                return
            flow = self.digest.auth_flow(request)
            outgoing = next(flow)
            while True:
                response = yield outgoing
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    break
            challenge = response.headers.get("www-authenticate", "").lower()
            if response.status_code == 401 and challenge.startswith("basic"):
                self.scheme = "basic"
                yield from self.basic.auth_flow(request)
            elif response.status_code != 401 and self.digest._last_challenge is not None:
                self.scheme = "digest"

    return ServerAuth()


class HttpClient:
    """One client per command: keeps the authentication challenge between calls."""

    def __init__(self, user: str | None = None, password: str | None = None, timeout: float = 60.0,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES):
        self.user = user
        self.auth = _auth(user, password_from_env(user, password))
        self.timeout = check_seconds(timeout)
        self.max_response_bytes = max_response_bytes
        self.authenticated: set[str] = set()

    def request(self, method: str, url: str, *, content: bytes | None = None, headers: dict | None = None,
                timeout: float | None = None) -> tuple[int, str]:
        """Send one request; return (status, body text). Failures become RemoteCallError."""
        check_url(url)
        seconds = check_seconds(timeout) if timeout is not None else self.timeout
        if self.auth is not None and content and len(content) > PREFLIGHT_BYTES \
                and self._origin(url) not in self.authenticated:
            self._preflight(url, seconds)
        attempts = 3 if method in ("PUT", "GET", "HEAD") else 1
        for attempt in range(attempts):
            try:
                return self._run(method, url, content, headers or {}, seconds)
            except RemoteCallError as exc:
                # a connection closed while the body was still going out: an idempotent request is sent again
                if attempt + 1 == attempts or "while sending" not in exc.message:
                    raise
                if self.auth is not None:
                    self._preflight(url, seconds)

    def _origin(self, url: str) -> str:
        parts = urllib.parse.urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"

    def _preflight(self, url: str, seconds: float) -> None:
        """A bodiless GET that obtains the server's challenge (the status does not matter)."""
        try:
            self._run("GET", url, None, {"Accept": "*/*"}, seconds, cap=1_000_000)
        except RemoteCallError:
            pass  # the real request reports the problem
        self.authenticated.add(self._origin(url))

    def _run(self, method, url, content, headers, seconds, cap=None) -> tuple[int, str]:
        try:
            return asyncio.run(asyncio.wait_for(self._call(method, url, content, headers, seconds,
                                                           cap or self.max_response_bytes), seconds))
        except asyncio.TimeoutError:
            raise RemoteCallError(f"no complete answer from {url} within {seconds:g} s (--timeout)",
                                  maybe_executed=True) from None

    async def _call(self, method, url, content, headers, seconds, cap) -> tuple[int, str]:
        import httpx

        limits = httpx.Timeout(seconds)
        try:
            async with httpx.AsyncClient(auth=self.auth, timeout=limits, trust_env=False, verify=_tls_context(),
                                         follow_redirects=False) as client:
                async with client.stream(method, url, content=content, headers=headers) as response:
                    parts, size = [], 0
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > cap:
                            raise RemoteCallError(f"the answer from {url} is larger than {cap // 1_000_000} MB "
                                                  "and was not read further", maybe_executed=True)
                        parts.append(chunk)
                    return response.status_code, b"".join(parts).decode("utf-8", errors="replace")
        except httpx.InvalidURL as exc:
            raise RemoteCallError(f"not a valid URL {url!r}: {exc}", maybe_executed=False) from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise RemoteCallError(f"cannot reach {url}: {_reason(exc)}", maybe_executed=False) from None
        except httpx.WriteError as exc:
            raise RemoteCallError(f"connection to {url} closed while sending the request ({_reason(exc)})",
                                  maybe_executed=True) from None
        except httpx.TimeoutException:
            raise RemoteCallError(f"no complete answer from {url} within {seconds:g} s (--timeout)",
                                  maybe_executed=True) from None
        except httpx.HTTPError as exc:
            raise RemoteCallError(f"connection to {url} failed: {_reason(exc)}", maybe_executed=True) from None


_TLS = []


def _tls_context():
    """One certificate store per process (building it costs ~0.1-0.5 s; a new client per call would pay it)."""
    if not _TLS:
        import ssl

        _TLS.append(ssl.create_default_context())
    return _TLS[0]


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if "Broken pipe" in text or "Errno 32" in text:
        return "broken pipe"
    return text.splitlines()[0][:200]


def check_seconds(value) -> float:
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise IfnontoError(f"timeout must be a number of seconds, got {value!r}") from None
    if not math.isfinite(seconds) or seconds <= 0 or seconds > 7 * 24 * 3600:
        raise IfnontoError(f"timeout must be a positive number of seconds up to one week, got {value!r}")
    return seconds


def request(method: str, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
            user: str | None = None, password: str | None = None, timeout: float = 60.0,
            client: HttpClient | None = None) -> tuple[int, str]:
    client = client or HttpClient(user, password, timeout)
    return client.request(method, url, content=data, headers=headers, timeout=timeout)


def post_form(url: str, params: dict[str, str], *, accept: str, user: str | None = None,
              password: str | None = None, timeout: float = 60.0, client: HttpClient | None = None
              ) -> tuple[int, str]:
    data = urllib.parse.urlencode(params).encode()
    headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
    return request("POST", url, data=data, headers=headers, user=user, password=password, timeout=timeout,
                   client=client)
