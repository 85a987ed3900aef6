"""The ``httpx.AsyncClient`` an ``AsyncPictory`` builds when it is not given one.

It is httpx, configured: aiohttp's pool as the transport (see ``_transport``), proxies
routed through httpx mounts the way httpx routes them from ``proxy=`` or the
environment, TLS as httpx would set it up, and two costs httpx pays on every request
trimmed without changing what it does:

- Cookies are extracted only from responses that set one. httpx builds two
  ``urllib`` compatibility objects per response to ask its ``CookieJar``, which then
  finds no ``Set-Cookie`` header; on an API that sets none that was ~15% of the CPU of
  a bulk delete.
- ``RequestFactory`` builds the exact request ``build_request`` would (the client's
  headers merged in, ours winning, ``Host`` first, the timeout extension) from a merge
  done once, and falls back to ``build_request`` whenever the client's headers, params
  or cookies are not what the merge was made from. Its URL is the base URL's parsed form
  with the path swapped in: the path is one ``project_path`` made of unreserved
  characters and percent escapes, which httpx's parser (~30 µs a URL) would leave as is.
  That uses httpx's private ``URL._uri_reference`` (a ``NamedTuple``); if a future httpx
  changes it, ``_url_with_path`` is ``None`` and the URL is parsed the public way.

Both are fast twins of httpx's own path: ``tests/test_twins.py`` holds them equal to it
on generated inputs, against the pinned httpx and (in CI) the newest release.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from ._exceptions import InvalidInputError
from ._transport import WITHIN, AiohttpTransport, has_header

if TYPE_CHECKING:
    from httpx._client import UseClientDefault

__all__ = ["RequestFactory", "default_http_client"]


def _probe_url_with_path() -> Callable[[httpx.URL, str], httpx.URL] | None:
    """A fast ``URL`` with another path, if this httpx's ``URL`` is what we expect."""

    def with_path(base: httpx.URL, path: str) -> httpx.URL:
        url = httpx.URL.__new__(httpx.URL)
        url._uri_reference = base._uri_reference._replace(path=path)
        return url

    expected = "https://api.example:8443/a/b%2F~c"
    try:
        probe = with_path(httpx.URL("https://api.example:8443"), "/a/b%2F~c")
        works = probe == httpx.URL(expected) and str(probe) == expected
    except Exception:  # pragma: no cover - a future httpx
        works = False
    return with_path if works else None


_url_with_path = _probe_url_with_path()
_NO_BODY = httpx.ByteStream(b"")
_BODYLESS = frozenset({"GET", "DELETE", "HEAD", "OPTIONS"})
"""Methods httpx sends without ``Content-Length: 0`` when there is no body (the others,
a POST, get one from ``build_request``, which some proxies require)."""


class _Cookies(httpx.Cookies):
    """``httpx.Cookies`` that skips the cookie jar for a response without ``Set-Cookie``.

    ``http.cookiejar`` reads only ``Set-Cookie`` (and the obsolete ``Set-Cookie2``,
    which its default policy ignores), so the result is the same.
    """

    def extract_cookies(self, response: httpx.Response) -> None:
        """Load the cookies a response sets, if it sets any."""
        if has_header(response.headers, b"set-cookie"):
            super().extract_cookies(response)


class _Client(httpx.AsyncClient):
    """An ``httpx.AsyncClient`` whose cookie store is ``_Cookies``."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._pictory_cookies = _Cookies(self._cookies)

    @property
    def cookies(self) -> httpx.Cookies:
        """Cookie values to include when sending requests."""
        return self._pictory_cookies

    @cookies.setter
    def cookies(self, cookies: httpx._types.CookieTypes) -> None:
        self._pictory_cookies = _Cookies(cookies)


def default_http_client(
    *,
    max_connections: int,
    proxy: str | None,
    verify: bool | ssl.SSLContext,
    trust_env: bool,
    headers: Mapping[str, str],
) -> httpx.AsyncClient:
    """Our own ``httpx.AsyncClient``: aiohttp's pool, proxies routed as httpx routes them.

    Raises:
        InvalidInputError: ``proxy``/``verify`` are unusable, or a proxy from the
            environment is not an HTTP(S) proxy, or ``SSL_CERT_FILE`` cannot be loaded.
    """
    if not isinstance(verify, (bool, ssl.SSLContext)):
        raise InvalidInputError("verify must be a bool or an ssl.SSLContext")

    def transport(proxy_url: str | None = None) -> AiohttpTransport:
        try:
            return AiohttpTransport(
                max_connections=max_connections,
                verify=verify,
                trust_env=trust_env,
                proxy=proxy_url,
            )
        except ValueError:
            raise InvalidInputError(
                "only http:// and https:// proxies are supported by the default transport; "
                "for another kind pass your own http_client="
            ) from None
        except OSError as exc:
            raise InvalidInputError(
                f"cannot load the CA bundle from SSL_CERT_FILE/SSL_CERT_DIR: {exc}"
            ) from None

    # The routing httpx builds from proxy= or from the environment, which httpx skips
    # when it is handed a transport: one of our transports per proxy.
    if proxy is not None:
        if not isinstance(proxy, str):
            raise InvalidInputError("proxy must be a URL string")
        routes: dict[str, str | None] = {"all://": proxy}
    elif trust_env:
        from httpx._utils import get_environment_proxies

        routes = get_environment_proxies()
    else:
        routes = {}
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {
        pattern: None if url is None else transport(url) for pattern, url in routes.items()
    }
    return _Client(
        transport=transport(),
        mounts=mounts,
        trust_env=trust_env,
        follow_redirects=False,
        headers=headers,
    )


class RequestFactory:
    """Builds API requests exactly as ``http.build_request`` does, without redoing the merge.

    Args:
        http: The client the requests are for.
        base_url: The API's base URL (its origin gives the ``Host`` header).
        headers: Our headers; they win over the client's.
        timeout: The timeout, or ``httpx.USE_CLIENT_DEFAULT``.
        within: Seconds within which the pipeline cancels each attempt itself (its
            total timeout), told to our transport (``WITHIN``) so it arms no timer
            that could only fire later; ``None``: no such bound.
    """

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        headers: httpx.Headers,
        timeout: httpx.Timeout | UseClientDefault,
        within: float | None = None,
    ) -> None:
        self._http = http
        self._within = within
        self._base_url = base_url
        self._base = httpx.URL(base_url)
        # as written (percent escapes kept: ``URL.path`` would decode them); no query
        self._prefix = self._base.raw_path.decode("ascii").rstrip("/")
        self._headers = headers
        self._timeout = timeout
        self._client_headers = http.headers.raw
        merged = httpx.Headers(http.headers)
        merged.update(headers)
        if "Host" not in merged:  # Host first, where httpx's Request._prepare puts it
            merged = httpx.Headers([(b"Host", httpx.URL(base_url).netloc), *merged.raw])
        self._merged = merged
        self._client_timeout = http.timeout
        given = http.timeout if timeout is httpx.USE_CLIENT_DEFAULT else timeout
        assert isinstance(given, httpx.Timeout)
        self._timeout_ext = given.as_dict()

    def _fresh(self) -> bool:
        """Whether the client is still as it was when the merge was made."""
        http = self._http
        return (
            not http.params
            and not _has_cookies(http.cookies)
            and http.timeout is self._client_timeout
            and http.headers.raw == self._client_headers
        )

    def build(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Request:
        """``build_request(method, base_url + path, params=..., headers=..., timeout=...)``.

        A body-less request to a fresh client is built here (the bulk path); a ``POST``
        (or any method httpx gives ``Content-Length: 0``), a request with ``params``, a
        body or extra headers is built by ``build_request`` itself.

        Args:
            method: The HTTP method.
            path: A path made of unreserved characters and percent escapes (a project
                path), appended to the base URL's path.
            params: Query parameters.
            json: An encoded JSON body (sent with ``Content-Type: application/json``).
            headers: Headers to add to ours, winning over them (a call's
                ``extra_headers``).
        """
        if params or json is not None or headers or method not in _BODYLESS or not self._fresh():
            ours = self._headers
            if json is not None or headers:
                ours = httpx.Headers(self._headers)  # case-insensitive: a name is replaced
                if json is not None:
                    ours["Content-Type"] = "application/json"
                for name, value in (headers or {}).items():
                    ours[name] = value
            return self._http.build_request(
                method,
                self._base_url + path,
                params=params,
                headers=ours,
                content=json,
                timeout=self._timeout,
            )
        url = (
            _url_with_path(self._base, self._prefix + path)
            if _url_with_path is not None
            else httpx.URL(self._base_url + path)
        )
        request = httpx.Request(
            method,
            url,
            headers=self._merged,
            stream=_NO_BODY,  # what encode_request gives a body-less request, minus its cost
            extensions=(
                {"timeout": dict(self._timeout_ext)}
                if self._within is None
                else {"timeout": dict(self._timeout_ext), WITHIN: self._within}
            ),
        )
        request._content = b""  # as build_request leaves it: content read (what read() sets)
        return request


def _has_cookies(cookies: httpx.Cookies) -> bool:
    """``bool(cookies)``, without walking an empty jar (a generator per request)."""
    store = getattr(cookies.jar, "_cookies", None)  # http.cookiejar's own dict
    if isinstance(store, dict) and not store:
        return False
    return bool(cookies)
