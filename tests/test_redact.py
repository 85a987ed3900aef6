"""How a CDN URL is shown: the exact rules of ``redact_url``, ``secrets_of`` and ``redact_error``.

The neighbours of ``test_download_errors.py``'s end-to-end checks: the length a shown URL
is cut at, a URL cut by hand, a short query, a secret exactly as long as the limit.
"""

from __future__ import annotations

import httpx
import pytest

from pictory_async._download_errors import redact_error
from pictory_async._exceptions import APIStatusError, PictoryError
from pictory_async._redact import redact_url, redacted_request, scrub, secrets_of

HOST = "https://cdn.example/"  # 20 characters


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        (300, HOST + "a" * 280),
        (301, HOST + "a" * 279 + "…"),
        (302, HOST + "a" * 279 + "…"),
    ],
)
def test_a_shown_url_is_cut_to_300_characters(length: int, expected: str) -> None:
    """A URL of 300 characters is shown whole; a longer one as its first 299 and ``…``."""
    assert expected == redact_url(HOST + "a" * (length - len(HOST)) + "?sig=1").removesuffix("?…")


def test_a_parseable_url_is_shown_as_httpx_normalises_it() -> None:
    """Scheme and host in lower case, a space percent-encoded: the URL as it was requested."""
    url = "HTTPS://CDN.Example:8443/a b.mp4?sig=1"
    assert "https://cdn.example:8443/a%20b.mp4?…" == redact_url(url)
    assert "https://cdn.example:8443/a%20b.mp4?…" == redact_url(httpx.URL(url))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("h/p\x00?sig=1", "h/p%00?…"),  # no scheme
        ("?sig=sec\x00ret", "?…"),  # nothing but a query
        ("http://h:1/p\x00?a=1?b=2", "http://h:1/p%00?…"),  # the first "?" starts it
        ("http://h:1/p\x00#a#b", "http://h:1/p%00"),  # the first "#" starts the fragment
        ("http://h:1/p\x00#frag?x", "http://h:1/p%00"),  # a "?" in the fragment is no query
        ("http://h:1/p\x00?next=http://u:pw@x", "http://h:1/p%00?…"),  # a URL in the query
        ("http://h:1/a@b/c\x00?s=1", "http://h:1/a@b/c%00?…"),  # an "@" in the path
        ("http://u:pw@h:1/p\x00", "http://h:1/p%00"),  # user info
    ],
    ids=[
        "no-scheme",
        "query-only",
        "two-queries",
        "two-fragments",
        "fragment",
        "url-in-query",
        "at-in-path",
        "userinfo",
    ],
)
def test_an_unparseable_url_is_cut_by_hand_at_its_first_query_or_fragment(
    url: str, expected: str
) -> None:
    """A URL httpx refuses keeps its scheme, host and path; its query shows as ``?…``."""
    assert expected == redact_url(url)


def _scrubbed(text: str, url: str) -> str:
    return scrub(text, secrets_of([httpx.URL(url)]))


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ("GET https://h/p?a=1 failed", "https://h/p?a=1", "GET https://h/p?… failed"),
        ("denied: s=123456", "https://h/p?s=123456", "denied: …"),  # 8 characters alone
        ("denied: s=12345", "https://h/p?s=12345", "denied: s=12345"),  # 7: may be chance
        ("bad signature 12345678", "https://h/p?sig=12345678&x=1", "bad signature …"),
        ("bad signature 1234567", "https://h/p?sig=1234567&x=1", "bad signature 1234567"),
        ("bad ab%2Fcdefgh", "https://h/p?sig=ab%2Fcdefgh", "bad …"),  # quoted, "/" too
        ("at https://u:password1@h/p", "https://u:password1@h/p", "at https://h/p"),
    ],
    ids=[
        "short-query",
        "query-alone",
        "short-alone",
        "value",
        "short-value",
        "quoted-value",
        "userinfo-no-query",
    ],
)
def test_secrets_are_cut_in_context_always_and_alone_from_8_characters(
    text: str, url: str, expected: str
) -> None:
    """``?query`` and ``userinfo@`` go anywhere; a query or value alone once 8 characters."""
    assert expected == _scrubbed(text, url)


def test_a_redacted_request_keeps_its_method_and_headers() -> None:
    """Only the URL loses its secrets: the method and headers asked with stay."""
    request = httpx.Request("GET", "https://u:pw@h/p?sig=1#f", headers={"If-None-Match": '"e"'})
    redacted = redacted_request(request)
    assert ("GET", "https://h/p", '"e"') == (
        redacted.method,
        str(redacted.url),
        redacted.headers["If-None-Match"],
    )


def test_an_error_keeps_the_arguments_that_are_no_text() -> None:
    """Strings among an error's ``args`` are scrubbed; an int next to them stays as it was."""
    error = PictoryError("failed: https://h/p?sig=12345678", 42)
    redact_error(error, [httpx.URL("https://h/p?sig=12345678")])
    assert ("failed: https://h/p?…", 42) == error.args


def test_a_status_errors_response_points_at_the_redacted_request() -> None:
    """``error.response.request`` is the request without its query, as ``error.request``."""
    url = httpx.URL("https://h/p?sig=12345678")
    response = httpx.Response(403, request=httpx.Request("GET", url))
    error = APIStatusError(f"403 for {url}", response=response, body=None)
    redact_error(error, [url])
    assert ("403 for https://h/p?…", "https://h/p", "https://h/p") == (
        error.message,
        str(error.request.url),
        str(error.response.request.url),
    )
