"""Errors: status mapping, every error body shape, bad 2xx bodies, transport failures."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
import respx
from _support import PROJECTS_PATH, ClientFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from pictory_async import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BulkOperationError,
    BulkResult,
    ConflictError,
    InternalServerError,
    InvalidInputError,
    InvalidProjectIdError,
    ItemResult,
    MissingAPIKeyError,
    NotFoundError,
    Outcome,
    PermissionDeniedError,
    PictoryError,
    RateLimitError,
    ResponseValidationError,
    UnprocessableEntityError,
)
from pictory_async._error_body import decode_error_body
from pictory_async._failures import make_status_error

PATH = f"{PROJECTS_PATH}/p1"
URL = f"https://api.pictory.ai{PATH}"

CLOUDFLARE_403 = """<!DOCTYPE html>
<html lang="en-US"><head>
<title>Access denied |
  api.pictory.ai used Cloudflare to restrict access</title>
<meta charset="UTF-8" /></head>
<body><h1>Error 1010</h1></body></html>"""

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n"
)


def response(status: int, *, request_id: str | None = None, **kwargs: Any) -> httpx.Response:
    """An API response bound to a GET of project p1."""
    headers = {"x-request-id": request_id} if request_id else {}
    return httpx.Response(status, headers=headers, request=httpx.Request("GET", URL), **kwargs)


# -- each status to its class, through the client --------------------------------------


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, UnprocessableEntityError),
        (429, RateLimitError),
        (500, InternalServerError),
        (502, InternalServerError),
        (503, InternalServerError),
        (504, InternalServerError),
        (418, APIStatusError),
        (405, APIStatusError),
    ],
)
async def test_each_status_maps_to_its_class(
    router: respx.Router, make_client: ClientFactory, status: int, cls: type[APIStatusError]
) -> None:
    """Each error status raises its own class with status, message, body, id and response."""
    body = {"message": f"status {status}"}
    router.get(PATH).mock(
        return_value=httpx.Response(status, json=body, headers={"x-request-id": "req-42"})
    )
    async with make_client(max_retries=0) as client:
        with pytest.raises(APIStatusError) as info:
            await client.projects.get("p1")
    exc = info.value
    assert cls is type(exc)
    assert (status, f"status {status}", body, "req-42") == (
        exc.status_code,
        exc.message,
        exc.body,
        exc.request_id,
    )
    assert status == exc.response.status_code
    assert URL == str(exc.request.url)
    hint = (
        "; check the API key (PICTORY_API_KEY or api_key=) and that base_url points at "
        "the API it belongs to"
        if status == 401
        else ""
    )
    assert f"{status} status {status} (request id req-42){hint}" == str(exc)


# -- every body shape ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kwargs", "message", "body"),
    [
        (401, {"json": {"message": "Unauthorized"}}, "Unauthorized", {"message": "Unauthorized"}),
        (
            400,
            {
                "json": {
                    "code": "INVALID_REQUEST_BODY",
                    "message": "Request body is invalid",
                    "fields": [{"field": "name", "message": "required"}],
                }
            },
            "Request body is invalid",
            {
                "code": "INVALID_REQUEST_BODY",
                "message": "Request body is invalid",
                "fields": [{"field": "name", "message": "required"}],
            },
        ),
        (
            404,
            {
                "json": {
                    "success": False,
                    "error": {"error_message": "No project", "error_code": 890},
                }
            },
            "No project",
            {"success": False, "error": {"error_message": "No project", "error_code": 890}},
        ),
        (
            403,
            {"text": CLOUDFLARE_403},
            "Access denied | api.pictory.ai used Cloudflare to restrict access",
            CLOUDFLARE_403,
        ),
        (502, {"text": NGINX_502}, "502 Bad Gateway", NGINX_502),
        (503, {"content": b""}, "Service Unavailable", None),
        (
            429,
            {"json": {"error": "Too many requests"}},
            "Too many requests",
            {"error": "Too many requests"},
        ),
        (422, {"json": {"errorMessage": "bad value"}}, "bad value", {"errorMessage": "bad value"}),
        (400, {"json": {"detail": "nope"}}, "nope", {"detail": "nope"}),
        (400, {"json": {"message": 5}}, "Bad Request", {"message": 5}),
        (400, {"json": {"message": ""}}, "Bad Request", {"message": ""}),
        (400, {"json": {"error": {"code": 1}}}, "Bad Request", {"error": {"code": 1}}),
        (400, {"json": ["a", "b"]}, "Bad Request", ["a", "b"]),
        (
            500,
            {"text": "upstream connect error"},
            "Internal Server Error",
            "upstream connect error",
        ),
        (
            500,
            {"text": "<html><title>  </title></html>"},
            "Internal Server Error",
            "<html><title>  </title></html>",
        ),
        (
            500,
            {"text": "<html><title>never closed"},
            "Internal Server Error",
            "<html><title>never closed",
        ),
        (
            500,
            {"json": {"message": "line one\n   line two"}},
            "line one line two",
            {"message": "line one\n   line two"},
        ),
        (599, {"content": b""}, "Error", None),
    ],
)
def test_message_and_body_from_each_body_shape(
    status: int, kwargs: dict[str, Any], message: str, body: object
) -> None:
    """The message is read from each documented body shape; the body is kept decoded."""
    error = make_status_error(response(status, **kwargs))
    assert (message, body) == (error.message, error.body)


def test_a_long_message_is_shortened() -> None:
    """A message longer than 500 characters is cut with an ellipsis."""
    error = make_status_error(response(400, json={"message": "x" * 2000}))
    assert "x" * 499 + "…" == error.message


@pytest.mark.parametrize(
    ("headers", "request_id"),
    [
        ({"x-request-id": "a1"}, "a1"),
        ({"x-amzn-requestid": "b2"}, "b2"),
        ({"cf-ray": "8c1f-CDG"}, "8c1f-CDG"),
        ({"x-request-id": "", "cf-ray": "c3"}, "c3"),
        ({}, None),
    ],
)
def test_request_id_is_read_from_the_headers(
    headers: dict[str, str], request_id: str | None
) -> None:
    """``request_id`` comes from x-request-id, then x-amzn-requestid, then cf-ray."""
    error = make_status_error(
        httpx.Response(404, headers=headers, request=httpx.Request("GET", URL))
    )
    assert request_id == error.request_id


def test_str_without_a_request_id() -> None:
    """``str(exc)`` is ``<status> <message>`` when there is no request id."""
    assert "404 Not Found" == str(make_status_error(response(404)))


def test_retry_after_is_kept_on_the_error() -> None:
    """``retry_after`` carries what the server asked for."""
    assert 7.5 == make_status_error(response(429), retry_after=7.5).retry_after


async def test_html_502_page_is_retried_then_raised_with_its_title(
    router: respx.Router, make_client: ClientFactory
) -> None:
    """A proxy's HTML 502 page is retried, then raised as ``InternalServerError``."""
    route = router.get(PATH).mock(return_value=httpx.Response(502, text=NGINX_502))
    async with make_client(max_retries=2) as client:
        with pytest.raises(InternalServerError) as info:
            await client.projects.get("p1")
    assert ("502 Bad Gateway", NGINX_502, 3) == (
        info.value.message,
        info.value.body,
        route.call_count,
    )


@settings(max_examples=200, deadline=None)
@given(
    status=st.integers(min_value=400, max_value=599),
    body=st.binary(max_size=300) | st.text(max_size=700).map(str.encode),
    content_type=st.sampled_from(["application/json", "text/html", "text/plain; charset=latin-1"]),
)
def test_any_error_body_gives_a_status_error(status: int, body: bytes, content_type: str) -> None:
    """Whatever the error body, a status error comes out, with a message of <= 500 chars."""
    resp = httpx.Response(
        status,
        content=body,
        headers={"content-type": content_type},
        request=httpx.Request("GET", URL),
    )
    error = make_status_error(resp)
    assert isinstance(error, APIStatusError)
    assert status == error.status_code
    assert 0 < len(error.message) <= 500
    assert (error.body, error.message) == decode_error_body(resp)


# -- bad bodies on 2xx -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"content": b'{"projectName": '}, "got broken JSON in a 200 response, expected JSON"),
        (
            {"text": "<!DOCTYPE html><html><title>Maintenance</title></html>"},
            "got an HTML page in a 200 response, expected JSON",
        ),
        ({"content": b""}, "empty body in a 200 response, expected JSON"),
        ({"content": b"\xff\xfe{\x00"}, "got broken JSON in a 200 response, expected JSON"),
    ],
)
async def test_a_2xx_body_that_is_not_json_is_a_validation_error(
    router: respx.Router, make_client: ClientFactory, kwargs: dict[str, Any], message: str
) -> None:
    """Broken JSON, HTML or nothing in a 200 is ``ResponseValidationError``, not a decode error."""
    router.get(PATH).mock(return_value=httpx.Response(200, **kwargs))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError) as info:
            await client.projects.get("p1")
    assert message == str(info.value)
    assert 200 == info.value.response.status_code
    assert info.value.__cause__ is None


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ([{"projectName": "x"}], "expected a JSON object, got list"),
        ("a string", "expected a JSON object, got str"),
        (None, "expected a JSON object, got NoneType"),
        (3, "expected a JSON object, got int"),
        ({"inProgress": "maybe"}, "Project.in_progress"),
        ({"videoDuration": {}}, "Project.video_duration"),
        ({"videoDuration": "NaN"}, "Project.video_duration"),
        ({"videoDuration": 1e400}, "Project.video_duration"),
        ({"projectName": 5}, "Project.project_name"),
        ({"saveDate": "yesterday"}, "Project.save_date"),
        ({"saveDate": True}, "Project.save_date"),
        ({"saveDate": 1e20}, "Project.save_date"),
        ({"scriptTxtSceneSettings": []}, "Project.script_txt_scene_settings"),
        ({"scriptTxtSceneSettings": {"maxLines": "two"}}, "max_lines"),
        ({"scenes": "abc"}, "Project.scenes"),
        ({"scenes": [1]}, "Project.scenes"),
        ({"visualFilter": {"styles": 3}}, "styles"),
    ],
)
async def test_a_2xx_body_of_the_wrong_shape_is_a_validation_error(
    router: respx.Router, make_client: ClientFactory, payload: Any, where: str
) -> None:
    """A JSON body of the wrong shape or types raises ``ResponseValidationError`` naming it."""
    router.get(PATH).mock(return_value=httpx.Response(200, content=json.dumps(payload).encode()))
    async with make_client() as client:
        with pytest.raises(ResponseValidationError) as info:
            await client.projects.get("p1")
    assert where in str(info.value)
    assert str(info.value).startswith("unexpected response body")
    assert json.loads(json.dumps(payload)) == info.value.body


# -- transport failures ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "cls", "message"),
    [
        (
            httpx.ConnectError("Name or service not known"),
            APIConnectionError,
            f"GET {PATH} failed (ConnectError): Name or service not known (after 2 attempts)",
        ),
        (
            httpx.RemoteProtocolError("Server disconnected"),
            APIConnectionError,
            f"GET {PATH} failed (RemoteProtocolError): Server disconnected (after 2 attempts)",
        ),
        (
            httpx.ReadError(""),
            APIConnectionError,
            f"GET {PATH} failed (ReadError): ReadError (after 2 attempts)",
        ),
        (
            httpx.ReadTimeout("read timed out"),
            APITimeoutError,
            f"GET {PATH} timed out (ReadTimeout): read timed out (after 2 attempts)",
        ),
        (
            httpx.ConnectTimeout("connect timed out"),
            APITimeoutError,
            f"GET {PATH} timed out (ConnectTimeout): connect timed out (after 2 attempts)",
        ),
    ],
)
async def test_transport_failures_become_connection_errors(
    router: respx.Router,
    make_client: ClientFactory,
    raised: httpx.TransportError,
    cls: type[APIConnectionError],
    message: str,
) -> None:
    """Once retries are spent, a transport failure is an ``APIConnectionError``/timeout.

    It chains nothing from the transport (whose exceptions hold the unredacted request).
    """
    route = router.get(PATH).mock(side_effect=raised)
    async with make_client(max_retries=1) as client:
        with pytest.raises(APIConnectionError) as info:
            await client.projects.get("p1")
    assert cls is type(info.value)
    assert message == str(info.value)
    assert (None, 2) == (info.value.__cause__, info.value.attempts)
    assert not isinstance(info.value.__context__, httpx.HTTPError)
    assert URL == str(info.value.request.url)
    assert 2 == route.call_count


def test_default_messages_of_connection_errors() -> None:
    """``APIConnectionError`` and ``APITimeoutError`` have plain default messages."""
    request = httpx.Request("GET", URL)
    assert "Connection error." == str(APIConnectionError(request=request))
    assert "Request timed out." == str(APITimeoutError(request=request))


# -- the tree ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "bases"),
    [
        (InvalidInputError, (PictoryError, ValueError)),
        (InvalidProjectIdError, (InvalidInputError, ValueError)),
        (MissingAPIKeyError, (InvalidInputError, ValueError)),
        (APIError, (PictoryError,)),
        (APIConnectionError, (APIError,)),
        (APITimeoutError, (APIConnectionError,)),
        (APIStatusError, (APIError,)),
        (ResponseValidationError, (APIError,)),
        (BulkOperationError, (PictoryError,)),
        (BadRequestError, (APIStatusError,)),
        (AuthenticationError, (APIStatusError,)),
        (PermissionDeniedError, (APIStatusError,)),
        (NotFoundError, (APIStatusError,)),
        (ConflictError, (APIStatusError,)),
        (UnprocessableEntityError, (APIStatusError,)),
        (RateLimitError, (APIStatusError,)),
        (InternalServerError, (APIStatusError,)),
    ],
)
def test_exception_tree(cls: type[Exception], bases: tuple[type[Exception], ...]) -> None:
    """Each exception sits where the documented tree puts it."""
    assert all(issubclass(cls, base) for base in bases)


def test_bulk_operation_error_summarises_the_failures() -> None:
    """``BulkOperationError`` counts failures and shows the first one."""
    result: BulkResult[Any] = BulkResult()
    result.add(ItemResult(item="p1", outcome=Outcome.DELETED))
    result.add(ItemResult(item="p2", outcome=Outcome.FAILED, error=RuntimeError("boom")))
    error = BulkOperationError(result)
    assert "1 of 2 items failed; first: 'p2': boom" == str(error)
    assert result is error.result


def test_bulk_operation_error_without_failures() -> None:
    """With no failure recorded, the message has no "first" part."""
    result: BulkResult[Any] = BulkResult()
    result.add(ItemResult(item="p1", outcome=Outcome.DELETED))
    assert "0 of 1 items failed" == str(BulkOperationError(result))
