"""The one request pipeline through ``httpx.AsyncClient.send``, seen from the outside.

Proxies and certificates from the environment, a user's ``http_client`` defaults and
hooks, ``RequestFactory`` against ``build_request``, cookies, respx on a default client,
and the pipeline on the default (aiohttp) transport over loopback. Logging and
OpenTelemetry are in ``test_observability.py``. Everything runs on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
import trustme
from _rawserver import RawServer, Seen, response
from _support import API_KEY, PROJECTS_PATH, FakeTime, load_fixture, refused_url
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pictory_async import (
    APIConnectionError,
    APIStatusError,
    AsyncPictory,
    ClientClosedError,
    InternalServerError,
    InvalidInputError,
    InvalidProjectIdError,
)
from pictory_async._http import RequestFactory
from pictory_async._ids import validate_project_id
from pictory_async._paths import project_path
from pictory_async._transport import WITHIN

JSON = [("Content-Type", "application/json")]
PROJECT = b'{"projectName": "over loopback"}'
EMPTY_PAGE = b'{"items": [], "pageKey": null}'
INVALID_HOST = "http://api.pictory.invalid"
ENV_VARS = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
    "no_proxy",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUEST_METHOD",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy or CA bundle from the machine running the tests."""
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


def answer(body: bytes = PROJECT, status: int = 200) -> Callable[[Seen], bytes]:
    """Answer every request with ``status`` and the JSON ``body``."""
    return lambda seen: response(status, body, JSON)


def api(server: RawServer | str, **options: Any) -> AsyncPictory:
    """A client with the test key on the default transport (unless told otherwise)."""
    base_url = server.url if isinstance(server, RawServer) else server
    return AsyncPictory(api_key=API_KEY, base_url=base_url, **options)


# -- proxies on the default client ----------------------------------------------------


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "ALL_PROXY", "http_proxy"])
async def test_a_proxy_from_the_environment_carries_the_request(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``HTTP_PROXY``/``ALL_PROXY`` route the default client through that proxy."""
    async with RawServer(answer(EMPTY_PAGE)) as proxy:
        monkeypatch.setenv(variable, proxy.url)
        async with api(INVALID_HOST) as client:
            assert [] == [summary async for summary in client.projects.list()]
    assert [f"{INVALID_HOST}{PROJECTS_PATH}"] == [seen.target for seen in proxy.seen]
    assert API_KEY == proxy.seen[0].headers["authorization"]
    assert "api.pictory.invalid" == proxy.seen[0].headers["host"]


async def test_no_proxy_covering_the_host_bypasses_the_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A host listed in ``NO_PROXY`` is reached directly."""
    async with RawServer(answer()) as proxy, RawServer(answer()) as server:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with api(server) as client:
            await client.projects.get("p1")
    assert [] == proxy.seen
    assert [f"{PROJECTS_PATH}/p1"] == [seen.target for seen in server.seen]


async def test_the_proxy_option_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``proxy=`` sends through that proxy and ignores ``HTTP_PROXY``."""
    async with RawServer(answer()) as env_proxy, RawServer(answer()) as proxy:
        monkeypatch.setenv("HTTP_PROXY", env_proxy.url)
        async with api(INVALID_HOST, proxy=proxy.url) as client:
            await client.projects.get("p1")
    assert [] == env_proxy.seen
    assert [f"{INVALID_HOST}{PROJECTS_PATH}/p1"] == [seen.target for seen in proxy.seen]
    assert API_KEY == proxy.seen[0].headers["authorization"]


async def test_the_proxy_option_sends_its_credentials_to_the_proxy() -> None:
    """``proxy=http://user:pw@host`` authenticates to the proxy with Basic auth."""
    async with RawServer(answer()) as proxy:
        with_credentials = proxy.url.replace("http://", "http://user:pw@")
        async with api(INVALID_HOST, proxy=with_credentials) as client:
            await client.projects.get("p1")
    assert "Basic dXNlcjpwdw==" == proxy.seen[0].headers["proxy-authorization"]
    assert API_KEY == proxy.seen[0].headers["authorization"]


async def test_trust_env_false_ignores_proxies_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``trust_env=False`` connects directly despite ``HTTP_PROXY``."""
    async with RawServer(answer()) as proxy, RawServer(answer()) as server:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        async with api(server, trust_env=False) as client:
            await client.projects.get("p1")
    assert [] == proxy.seen
    assert 1 == len(server.seen)


async def test_https_through_a_proxy_that_refuses_connect_was_never_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A proxy answering ``CONNECT`` with 407 proves the API request never left."""
    refuse = response(407, b"", [("Proxy-Authenticate", "Basic")], "Proxy Auth Required")
    async with RawServer(lambda seen: refuse) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        async with api("https://api.pictory.invalid", max_retries=0) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.projects.delete("p1")
    assert [("CONNECT", "api.pictory.invalid:443")] == [
        (seen.method, seen.target) for seen in proxy.seen
    ]
    assert False is caught.value.may_have_been_sent


async def test_a_connect_carries_the_proxy_credentials_but_never_the_key() -> None:
    """For HTTPS the proxy sees ``CONNECT`` with its own credentials, never our key."""
    refuse = response(407, b"", [("Proxy-Authenticate", "Basic")], "Proxy Auth Required")
    async with RawServer(lambda seen: refuse) as proxy:
        with_credentials = proxy.url.replace("http://", "http://user:pw@")
        async with api("https://api.pictory.invalid", proxy=with_credentials, max_retries=0) as c:
            with pytest.raises(APIConnectionError):
                await c.projects.get("p1")
    connect = proxy.seen[0]
    assert ("CONNECT", "Basic dXNlcjpwdw==") == (
        connect.method,
        connect.headers["proxy-authorization"],
    )
    assert "authorization" not in connect.headers
    assert API_KEY not in str(connect.headers)


async def test_an_unreachable_proxy_is_a_never_sent_error() -> None:
    """A proxy nobody listens on fails the call before anything is sent."""
    async with api(INVALID_HOST, proxy=refused_url(), max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.projects.delete("p1")
    assert False is caught.value.may_have_been_sent


@pytest.mark.filterwarnings("ignore:The 'proxy_auth' parameter is deprecated:DeprecationWarning")
async def test_proxy_credentials_do_not_leak_into_errors() -> None:
    """The password in a proxy URL is in no error the call raises."""
    proxy = refused_url().replace("http://", "http://user:proxy-password@")
    async with api(INVALID_HOST, proxy=proxy, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.projects.get("p1")
    assert "proxy-password" not in str(caught.value)
    assert "proxy-password" not in repr(caught.value)
    assert "proxy-password" not in repr(vars(caught.value))
    assert "proxy-password" not in repr(client.http_client._mounts)


@pytest.mark.parametrize("proxy", ["socks5://user:proxy-password@127.0.0.1:1080", "nonsense"])
def test_an_unusable_proxy_option_is_refused_without_echoing_it(proxy: str) -> None:
    """An unusable ``proxy=`` is ``InvalidInputError`` whose text shows no credentials."""
    with pytest.raises(InvalidInputError) as caught:
        api(INVALID_HOST, proxy=proxy)
    assert "proxy-password" not in str(caught.value)


@pytest.mark.parametrize("variable", ["ALL_PROXY", "HTTPS_PROXY", "HTTP_PROXY"])
def test_a_socks_proxy_in_the_environment_is_invalid_input(
    variable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``socks5://`` proxy from the environment is refused when the client is built."""
    monkeypatch.setenv(variable, "socks5://127.0.0.1:1080")
    with pytest.raises(InvalidInputError, match="http_client"):
        api(INVALID_HOST)


def test_a_socks_proxy_option_is_invalid_input() -> None:
    """``proxy="socks5://..."`` is refused when the client is built."""
    with pytest.raises(InvalidInputError, match="only http:// and https:// proxies"):
        api(INVALID_HOST, proxy="socks5://127.0.0.1:1080")


def test_a_socks_proxy_in_the_environment_is_fine_with_trust_env_false(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``trust_env=False`` does not even look at a ``socks5://`` ``ALL_PROXY``."""
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    assert not api(INVALID_HOST, trust_env=False).is_closed


@pytest.mark.parametrize(
    "option",
    [{"proxy": "http://127.0.0.1:3128"}, {"verify": False}, {"trust_env": False}],
    ids=["proxy", "verify", "trust_env"],
)
async def test_default_client_options_with_an_http_client_are_invalid_input(
    option: dict[str, Any],
) -> None:
    """``proxy=``/``verify=``/``trust_env=`` configure our client, not a user's."""
    async with httpx.AsyncClient() as http:
        with pytest.raises(InvalidInputError, match="set them on your http_client"):
            api(INVALID_HOST, http_client=http, **option)


# -- TLS --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    """A private certificate authority."""
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    """A server context with a certificate for 127.0.0.1 issued by ``ca``."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def ca_file(ca: trustme.CA, tmp_path: Path) -> str:
    """The CA's certificate as a PEM file (a new path per test: contexts are cached)."""
    path = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture
async def https_server(server_tls: ssl.SSLContext) -> AsyncIterator[RawServer]:
    """An HTTPS server on 127.0.0.1 answering every request with a project."""
    async with RawServer(answer(), tls=server_tls) as server:
        yield server


async def test_ssl_cert_file_is_trusted(
    https_server: RawServer, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A private CA in ``SSL_CERT_FILE`` verifies the server's certificate."""
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    async with api(https_server) as client:
        project = await client.projects.get("p1")
    assert "over loopback" == project.project_name
    assert API_KEY == https_server.seen[0].headers["authorization"]


async def test_an_untrusted_certificate_is_a_clean_never_sent_error(
    https_server: RawServer,
) -> None:
    """Without the CA the call fails before sending, with no aiohttp noise in the text."""
    async with api(https_server, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.projects.get("p1")
    error = caught.value
    assert False is error.may_have_been_sent
    assert "ssl:default" not in str(error)
    assert "certificate" in str(error).lower()
    assert [] == https_server.seen


async def test_verify_accepts_an_ssl_context(https_server: RawServer, ca: trustme.CA) -> None:
    """``verify=`` an ``SSLContext`` that trusts the CA verifies the server."""
    context = ssl.create_default_context()
    ca.configure_trust(context)
    async with api(https_server, verify=context) as client:
        project = await client.projects.get("p1")
    assert "over loopback" == project.project_name


async def test_verify_false_skips_verification(https_server: RawServer) -> None:
    """``verify=False`` talks to a server whose certificate nobody vouches for."""
    async with api(https_server, verify=False) as client:
        project = await client.projects.get("p1")
    assert "over loopback" == project.project_name


async def test_trust_env_false_ignores_ssl_cert_file(
    https_server: RawServer, ca_file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``trust_env=False`` does not read ``SSL_CERT_FILE``."""
    monkeypatch.setenv("SSL_CERT_FILE", ca_file)
    async with api(https_server, trust_env=False, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.projects.get("p1")
    assert False is caught.value.may_have_been_sent


@pytest.fixture
def ca_dir(ca: trustme.CA, tmp_path: Path) -> str:
    """A CA directory as ``SSL_CERT_DIR`` expects it: the CA under its subject hash."""
    if shutil.which("openssl") is None:
        pytest.skip("needs openssl to hash the CA's subject")
    pem = ca.cert_pem.bytes()
    hashed = subprocess.run(
        ["openssl", "x509", "-hash", "-noout"], input=pem, capture_output=True, check=True
    )
    (tmp_path / f"{hashed.stdout.decode().strip()}.0").write_bytes(pem)
    return str(tmp_path)


async def test_ssl_cert_dir_is_trusted(
    https_server: RawServer, ca_dir: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A private CA in an ``SSL_CERT_DIR`` (hashed names) verifies the server."""
    monkeypatch.setenv("SSL_CERT_DIR", ca_dir)
    async with api(https_server) as client:
        project = await client.projects.get("p1")
    assert "over loopback" == project.project_name


def test_verify_must_be_a_bool_or_a_context() -> None:
    """A CA path as ``verify=`` is refused (httpx 0.28 deprecated it too)."""
    with pytest.raises(InvalidInputError, match="verify must be"):
        api(INVALID_HOST, verify="/etc/ssl/certs/ca.pem")


def test_an_unreadable_ssl_cert_file_is_invalid_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ``SSL_CERT_FILE`` that cannot be loaded is refused when the client is built."""
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "missing.pem"))
    with pytest.raises(InvalidInputError, match="SSL_CERT_FILE"):
        api(INVALID_HOST)


# -- a user's http_client ---------------------------------------------------------------


class Recorder:
    """A ``MockTransport`` handler that records requests and answers from a script."""

    def __init__(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses = list(statuses)
        self.headers = headers or {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if self.statuses else 200
        body = EMPTY_PAGE if request.url.path == PROJECTS_PATH else PROJECT
        return httpx.Response(status, content=body, headers={**dict(JSON), **self.headers})

    def client(self, **options: Any) -> httpx.AsyncClient:
        """A user's ``httpx.AsyncClient`` answered by this recorder."""
        return httpx.AsyncClient(transport=httpx.MockTransport(self), **options)


def user_api(http: httpx.AsyncClient, fake_time: FakeTime, **options: Any) -> AsyncPictory:
    """A client on a user's ``http_client`` that waits on fake time."""
    return api(
        "https://api.pictory.invalid",
        http_client=http,
        sleep=fake_time.sleep,
        clock=fake_time.clock,
        **options,
    )


async def test_the_user_clients_default_headers_are_sent(fake_time: FakeTime) -> None:
    """Headers set on the user's client reach the API next to ours."""
    recorder = Recorder()
    async with recorder.client(headers={"X-Trace-Id": "trace-1"}) as http:
        client = user_api(http, fake_time)
        await client.projects.get("p1")
        assert [] == [summary async for summary in client.projects.list(folder="f")]
    assert ["trace-1", "trace-1"] == [r.headers["x-trace-id"] for r in recorder.requests]


async def test_our_authorization_and_user_agent_win_over_the_user_clients(
    fake_time: FakeTime,
) -> None:
    """A client ``Authorization``/``User-Agent`` is replaced by ours, not sent twice."""
    recorder = Recorder()
    headers = {"Authorization": "other", "User-Agent": "theirs/1.0"}
    async with recorder.client(headers=headers) as http:
        await user_api(http, fake_time).projects.get("p1")
    sent = recorder.requests[0].headers
    assert [API_KEY] == sent.get_list("authorization")
    assert 1 == len(sent.get_list("user-agent"))
    assert sent["user-agent"].startswith("pictory-async/")
    assert "application/json" == sent["accept"]


async def test_the_user_clients_timeout_applies_when_none_is_given(
    fake_time: FakeTime,
) -> None:
    """Without ``timeout=``, the user's client's timeout is the request's."""
    recorder = Recorder()
    async with recorder.client(timeout=httpx.Timeout(7.0, connect=2.0)) as http:
        await user_api(http, fake_time).projects.get("p1")
    expected = {"connect": 2.0, "read": 7.0, "write": 7.0, "pool": 7.0}
    assert expected == recorder.requests[0].extensions["timeout"]


async def test_our_timeout_wins_when_given(fake_time: FakeTime) -> None:
    """``timeout=`` replaces the user's client's timeout."""
    recorder = Recorder()
    async with recorder.client(timeout=httpx.Timeout(7.0, connect=2.0)) as http:
        await user_api(http, fake_time, timeout=3).projects.get("p1")
    expected = {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0}
    assert expected == recorder.requests[0].extensions["timeout"]


async def test_the_user_clients_event_hooks_run_once_per_attempt(
    fake_time: FakeTime,
) -> None:
    """Request and response hooks see every attempt, retries included."""
    recorder = Recorder(503, 502, 200)
    requests: list[str] = []
    statuses: list[int] = []

    async def on_request(request: httpx.Request) -> None:
        requests.append(request.url.path)

    async def on_response(response: httpx.Response) -> None:
        statuses.append(response.status_code)

    hooks = {"request": [on_request], "response": [on_response]}
    async with recorder.client(event_hooks=hooks) as http:
        project = await user_api(http, fake_time).projects.get("p1")
    assert "over loopback" == project.project_name
    assert [f"{PROJECTS_PATH}/p1"] * 3 == requests
    assert [503, 502, 200] == statuses


async def test_a_response_hook_that_reads_the_body_leaves_it_intact(
    fake_time: FakeTime,
) -> None:
    """A user's response hook may ``aread()`` the body; the call still parses it."""
    bodies: list[bytes] = []

    async def on_response(response: httpx.Response) -> None:
        bodies.append(await response.aread())

    recorder = Recorder()
    async with recorder.client(event_hooks={"response": [on_response]}) as http:
        project = await user_api(http, fake_time).projects.get("p1")
    assert "over loopback" == project.project_name
    assert [PROJECT] == bodies


async def test_a_user_client_with_auth_is_invalid_input() -> None:
    """A client built with ``auth=`` is refused, without echoing any secret."""
    async with httpx.AsyncClient(auth=("user", "proxy-password")) as http:
        with pytest.raises(InvalidInputError) as caught:
            api(INVALID_HOST, http_client=http)
    assert "auth=" in str(caught.value)
    assert API_KEY not in str(caught.value)
    assert "proxy-password" not in str(caught.value)


async def test_auth_set_on_the_user_client_later_does_not_replace_the_key(
    fake_time: FakeTime,
) -> None:
    """``http.auth = ...`` after construction still sends our ``Authorization``."""
    recorder = Recorder()
    async with recorder.client() as http:
        client = user_api(http, fake_time)
        http.auth = ("user", "password")
        await client.projects.get("p1")
    assert [API_KEY] == recorder.requests[0].headers.get_list("authorization")


async def test_a_redirect_is_not_followed_even_if_the_user_client_would(
    fake_time: FakeTime,
) -> None:
    """``follow_redirects=True`` on the user's client does not apply to API calls."""
    recorder = Recorder(302, headers={"Location": "https://elsewhere.invalid/steal"})
    async with recorder.client(follow_redirects=True) as http:
        with pytest.raises(APIStatusError) as caught:
            await user_api(http, fake_time).projects.get("p1")
    assert 302 == caught.value.status_code
    assert ["api.pictory.invalid"] == [r.url.host for r in recorder.requests]


# -- RequestFactory against build_request -------------------------------------------------

BASE_URLS = [
    "https://api.pictory.ai",
    "http://127.0.0.1:8080",
    "https://host:8443/prefix",
    "https://host.example/a/b/",
]
HEADER_NAMES = ["X-Trace-Id", "x-other", "Authorization", "user-agent", "Accept", "Accept-Language"]


def _valid(text: str) -> bool:
    try:
        validate_project_id(text)
    except InvalidProjectIdError:
        return False
    return True


project_ids = st.one_of(
    st.integers(min_value=0, max_value=10**40),
    st.text(min_size=1, max_size=30).filter(_valid),
)
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20
)
user_headers = st.dictionaries(st.sampled_from(HEADER_NAMES), header_values, max_size=4)
timeouts = st.sampled_from([None, 3.0, httpx.Timeout(5.0, connect=1.0)])


def as_built(client: AsyncPictory, method: str, path: str) -> httpx.Request:
    """What ``http.build_request`` makes of an API call (the reference)."""
    return client.http_client.build_request(
        method,
        client.base_url + path,
        headers=client._headers,
        timeout=client._requests._timeout,
    )


def assert_same_request(expected: httpx.Request, actual: httpx.Request) -> None:
    """Same method, URL, raw headers (order included), timeout extension and body."""
    assert expected.method == actual.method
    assert str(expected.url) == str(actual.url)
    assert expected.url == actual.url
    assert expected.headers.raw == actual.headers.raw
    assert expected.extensions["timeout"] == actual.extensions["timeout"]
    assert expected.content == actual.content


def _timeout_option(timeout: float | httpx.Timeout | None) -> dict[str, Any]:
    return {} if timeout is None else {"timeout": timeout}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    base_url=st.sampled_from(BASE_URLS),
    method=st.sampled_from(["GET", "DELETE"]),
    project_id=project_ids,
    headers=user_headers,
    client_timeout=timeouts,
    our_timeout=st.sampled_from([None, 2.5]),
)
def test_the_fast_request_equals_build_request_on_a_user_client(
    base_url: str,
    method: str,
    project_id: str | int,
    headers: dict[str, str],
    client_timeout: float | httpx.Timeout | None,
    our_timeout: float | None,
) -> None:
    """For any user client defaults, the factory builds what ``build_request`` builds."""
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(Recorder()),
        headers=headers,
        **_timeout_option(client_timeout),
    )
    client = api(base_url, http_client=http, **_timeout_option(our_timeout))
    path = project_path(project_id)
    assert_same_request(as_built(client, method, path), client._build_request(method, path))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    base_url=st.sampled_from(BASE_URLS),
    method=st.sampled_from(["GET", "DELETE"]),
    project_id=project_ids,
    timeout=st.sampled_from([None, 2.5, 120.0]),
)
def test_the_fast_request_equals_build_request_on_the_default_client(
    base_url: str, method: str, project_id: str | int, timeout: float | None
) -> None:
    """On our default client the factory builds what ``build_request`` builds."""
    client = api(base_url, **_timeout_option(timeout))
    path = project_path(project_id)
    assert_same_request(as_built(client, method, path), client._build_request(method, path))


def test_the_fast_request_keeps_a_base_url_path_prefix() -> None:
    """A base URL with a path keeps it in front of the project path."""
    client = api("https://host:8443/prefix/")
    request = client._build_request("GET", project_path("p-1"))
    assert f"https://host:8443/prefix{PROJECTS_PATH}/p-1" == str(request.url)
    assert "host:8443" == request.headers["host"]


def test_a_host_header_on_the_user_client_is_treated_like_build_request() -> None:
    """A ``Host`` default on the user's client is sent once, as ``build_request`` does."""
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(Recorder()), headers={"Host": "internal.example"}
    )
    client = api("https://api.pictory.invalid", http_client=http)
    path = project_path("p1")
    fast = client._build_request("GET", path)
    assert_same_request(as_built(client, "GET", path), fast)
    assert ["internal.example"] == fast.headers.get_list("host")


def _mutate_headers(http: httpx.AsyncClient) -> None:
    http.headers["X-Late"] = "added"


def _mutate_cookies(http: httpx.AsyncClient) -> None:
    http.cookies.set("session", "s-1")


def _mutate_params(http: httpx.AsyncClient) -> None:
    http.params = httpx.QueryParams({"trace": "on"})


@pytest.mark.parametrize("user_client", [False, True], ids=["default", "user"])
@pytest.mark.parametrize(
    ("mutate", "check"),
    [
        (_mutate_headers, lambda r: "added" == r.headers["x-late"]),
        (_mutate_cookies, lambda r: "session=s-1" == r.headers["cookie"]),
        (_mutate_params, lambda r: "trace=on" == r.url.query.decode()),
    ],
    ids=["headers", "cookies", "params"],
)
def test_a_changed_client_falls_back_to_build_request(
    user_client: bool,
    mutate: Callable[[httpx.AsyncClient], None],
    check: Callable[[httpx.Request], bool],
) -> None:
    """After the client's headers, cookies or params change, requests carry the change."""
    if user_client:
        http = httpx.AsyncClient(transport=httpx.MockTransport(Recorder()))
        client = api("https://api.pictory.invalid", http_client=http)
    else:
        client = api("https://api.pictory.invalid")
    path = project_path("p1")
    client._build_request("GET", path)  # the fast path, before the change
    mutate(client.http_client)
    request = client._build_request("GET", path)
    assert check(request)
    assert_same_request(as_built(client, "GET", path), request)


def test_a_cookie_set_then_cleared_is_not_sent() -> None:
    """A jar emptied after use (its store keeps empty entries) adds no ``Cookie`` header."""
    client = api("https://api.pictory.invalid")
    jar = client.http_client.cookies
    jar.set("session", "s-1", domain="api.pictory.invalid")
    jar.clear()
    path = project_path("p1")
    request = client._build_request("GET", path)
    assert "cookie" not in request.headers
    assert_same_request(as_built(client, "GET", path), request)


@pytest.mark.parametrize(
    ("timeout", "expected"), [(None, 60.0), (2.5, 2.5), (timedelta(seconds=90), 90.0)]
)
def test_the_request_tells_our_transport_the_whole_request_bound(
    timeout: float | timedelta | None, expected: float
) -> None:
    """The total timeout the pipeline enforces rides on the request for our transport."""
    options = {} if timeout is None else {"timeout": timeout}
    client = api("https://api.pictory.invalid", **options)
    request = client._build_request("DELETE", project_path("p1"))
    copy = client.with_options(timeout=1.0)
    assert expected == request.extensions[WITHIN]
    assert 1.0 == copy._build_request("GET", project_path("p1")).extensions[WITHIN]


def test_no_bound_rides_on_a_request_without_a_total_timeout() -> None:
    """``timeout=None`` (no limit) and a user client's own timeout carry no bound."""
    unbounded = api("https://api.pictory.invalid", timeout=None)
    http = httpx.AsyncClient(transport=httpx.MockTransport(Recorder()), timeout=7.0)
    users = api("https://api.pictory.invalid", http_client=http)
    for client in (unbounded, users):
        request = client._build_request("GET", project_path("p1"))
        assert WITHIN not in request.extensions


def test_request_factory_builds_for_a_path_prefix_directly() -> None:
    """``RequestFactory`` on its own joins a prefixed base URL and a project path."""
    http = httpx.AsyncClient(transport=httpx.MockTransport(Recorder()))
    ours = httpx.Headers({"Authorization": "k"})
    factory = RequestFactory(http, "https://host:8443/prefix", ours, httpx.Timeout(4.0))
    request = factory.build("DELETE", "/x/y%2Fz")
    expected = http.build_request(
        "DELETE", "https://host:8443/prefix/x/y%2Fz", headers=ours, timeout=httpx.Timeout(4.0)
    )
    assert_same_request(expected, request)


# -- cookies on the default client -------------------------------------------------------


async def test_a_cookie_the_api_sets_is_sent_back() -> None:
    """A ``Set-Cookie`` answer is stored and sent with the next request."""
    answers = iter(
        [
            response(200, PROJECT, [*JSON, ("Set-Cookie", "__cf_bm=abc123; Path=/")]),
            response(200, PROJECT, JSON),
        ]
    )
    async with RawServer(lambda seen: next(answers)) as server, api(server) as client:
        await client.projects.get("p1")
        await client.projects.get("p2")
        assert "abc123" == client.http_client.cookies.get("__cf_bm")
    assert "cookie" not in server.seen[0].headers
    assert "__cf_bm=abc123" == server.seen[1].headers["cookie"]


async def test_responses_without_set_cookie_leave_the_jar_empty() -> None:
    """No ``Set-Cookie``, no cookie: and the next request carries none."""
    async with RawServer(answer()) as server, api(server) as client:
        await client.projects.get("p1")
        await client.projects.get("p2")
        assert 0 == len(client.http_client.cookies.jar)
    assert [False, False] == ["cookie" in seen.headers for seen in server.seen]


# -- respx on a default client ------------------------------------------------------------


async def test_respx_intercepts_a_default_client() -> None:
    """``respx.mock(using="httpx")`` answers get, delete and list of a default client."""
    base = "https://api.pictory.invalid"
    with respx.mock(using="httpx", base_url=base, assert_all_called=True) as mock:
        get = mock.get(f"{PROJECTS_PATH}/p1").respond(json=load_fixture("get-project-by-id.json"))
        delete = mock.delete(f"{PROJECTS_PATH}/p1").respond(
            json=load_fixture("delete-project.json")
        )
        listing = mock.get(PROJECTS_PATH).respond(json={"items": [{"id": 7}], "pageKey": None})
        async with api(base) as client:
            project = await client.projects.get("p1")
            deleted = await client.projects.delete("p1")
            summaries = [summary async for summary in client.projects.list()]
    assert "Hello World Template" == project.project_name
    assert deleted.success
    assert [7] == [summary.id for summary in summaries]
    for route in (get, delete, listing):
        assert 1 == route.call_count
        assert API_KEY == route.calls.last.request.headers["authorization"]


async def test_respx_side_effects_reach_the_error_mapping() -> None:
    """A ``ConnectError`` from a respx route is a never-sent ``APIConnectionError``."""
    base = "https://api.pictory.invalid"
    with respx.mock(using="httpx", base_url=base) as mock:
        route = mock.delete(f"{PROJECTS_PATH}/p1").mock(side_effect=httpx.ConnectError("down"))
        async with api(base, max_retries=0) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.projects.delete("p1")
    assert False is caught.value.may_have_been_sent
    assert 1 == route.call_count


# -- the pipeline on the default transport over loopback ---------------------------------


def scripted(*answers: bytes) -> Callable[[Seen], bytes]:
    """Answer with ``answers`` in turn, then keep answering with the last one."""
    queue = list(answers)
    return lambda seen: queue.pop(0) if len(queue) > 1 else queue[0]


async def test_a_503_is_retried_then_succeeds(fake_time: FakeTime) -> None:
    """Two 503s, then a 200: the call succeeds after three attempts."""
    unavailable = response(503, b'{"message": "busy"}', JSON, "Service Unavailable")
    handler = scripted(unavailable, unavailable, response(200, PROJECT, JSON))
    async with (
        RawServer(handler) as server,
        api(server, sleep=fake_time.sleep, clock=fake_time.clock) as client,
    ):
        project = await client.projects.get("p1")
    assert "over loopback" == project.project_name
    assert 3 == len(server.seen)
    assert 2 == len(fake_time.waits)


async def test_the_final_status_error_counts_the_attempts(fake_time: FakeTime) -> None:
    """A 503 that never ends says how many attempts were made."""
    unavailable = response(503, b'{"message": "busy"}', JSON, "Service Unavailable")
    async with (
        RawServer(lambda seen: unavailable) as server,
        api(server, max_retries=2, sleep=fake_time.sleep, clock=fake_time.clock) as client,
    ):
        with pytest.raises(InternalServerError) as caught:
            await client.projects.get("p1")
    assert 3 == caught.value.attempts
    assert "after 3 attempts" in str(caught.value)
    assert 3 == len(server.seen)


async def test_the_final_connection_error_counts_the_attempts(fake_time: FakeTime) -> None:
    """A refused connection, every time, says how many attempts were made."""
    async with api(
        refused_url(), max_retries=2, sleep=fake_time.sleep, clock=fake_time.clock
    ) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.projects.get("p1")
    assert 3 == caught.value.attempts
    assert "after 3 attempts" in str(caught.value)
    assert False is caught.value.may_have_been_sent
    assert API_KEY not in str(caught.value)


async def test_a_404_after_a_lost_delete_is_inferred(fake_time: FakeTime) -> None:
    """The server hangs up after reading a DELETE; the retry's 404 means it was deleted."""
    calls = 0

    def handler(seen: Seen) -> Any:
        nonlocal calls
        calls += 1
        if calls == 1:
            return hang_up()
        return response(404, b'{"message": "Project not found"}', JSON, "Not Found")

    async def hang_up() -> AsyncIterator[bytes | None]:
        yield None

    async with (
        RawServer(handler) as server,
        api(server, sleep=fake_time.sleep, clock=fake_time.clock) as client,
    ):
        result = await client.projects.delete("p1")
    assert result.inferred_from_retry
    assert result.success
    assert ["DELETE", "DELETE"] == [seen.method for seen in server.seen]


async def test_aclose_ends_a_call_in_flight_with_client_closed_error() -> None:
    """Closing the client while the server stalls ends that call with ``ClientClosedError``."""
    arrived = asyncio.Event()
    release = asyncio.Event()

    async def stall() -> AsyncIterator[bytes | None]:
        arrived.set()
        await release.wait()
        yield None

    async with RawServer(lambda seen: stall()) as server:
        client = api(server)
        await client.__aenter__()
        call = asyncio.create_task(client.projects.get("p1"))
        await asyncio.wait_for(arrived.wait(), 5)
        await client.aclose()
        try:
            with pytest.raises(ClientClosedError):
                await asyncio.wait_for(call, 5)
        finally:
            release.set()
    assert 1 == len(server.seen)


async def test_a_call_after_aclose_is_client_closed_error() -> None:
    """Nothing is sent after ``aclose()``."""
    async with RawServer(answer()) as server:
        async with api(server) as client:
            await client.projects.get("p1")
        with pytest.raises(ClientClosedError):
            await client.projects.get("p2")
    assert 1 == len(server.seen)
