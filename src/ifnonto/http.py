"""Minimal HTTP client for SPARQL endpoints (standard library only), with timeouts and optional auth."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

from ifnonto.errors import IfnontoError


def _opener(url: str, user: str | None, password: str | None) -> urllib.request.OpenerDirector:
    handlers: list = []
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, user, password or "")
        handlers += [urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)]
    # Never follow proxies from the environment to a loopback store; keep requests where the user pointed them.
    handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def request(method: str, url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
            user: str | None = None, password: str | None = None, timeout: float = 60.0) -> tuple[int, str]:
    """Send one request; return (status, body text). Network failures become IfnontoError."""
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _opener(url, user, password).open(req, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", errors="replace") if exc.fp else ""
        return exc.code, body
    except urllib.error.URLError as exc:
        raise IfnontoError(f"cannot reach {url}: {exc.reason}") from None
    except TimeoutError:
        raise IfnontoError(f"no answer from {url} within {timeout:g} s") from None
    except (ConnectionError, OSError) as exc:
        raise IfnontoError(f"connection to {url} failed: {exc}") from None


def post_form(url: str, params: dict[str, str], *, accept: str, user: str | None = None,
              password: str | None = None, timeout: float = 60.0) -> tuple[int, str]:
    data = urllib.parse.urlencode(params).encode()
    headers = {"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"}
    return request("POST", url, data=data, headers=headers, user=user, password=password, timeout=timeout)
