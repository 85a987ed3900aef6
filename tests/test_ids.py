"""Project ids: what is refused before any request, and how accepted ids are encoded."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import respx
from _support import PROJECTS_PATH, ClientFactory
from hypothesis import given
from hypothesis import strategies as st

from pictory_async import InvalidInputError, InvalidProjectIdError
from pictory_async._ids import validate_project_id
from pictory_async._paths import project_path

REJECTED: list[Any] = [
    "",
    -1,
    -5,
    "-5",
    "-0",
    "-\u0663",
    "a/b",
    "/",
    "../admin",
    "a?b",
    "a#b",
    "a%2Fb",
    "%",
    "a\\b",
    "a b",
    " p1",
    "p1 ",
    "\t",
    "a\nb",
    "a\rb",
    "\x00",
    "a\x1fb",
    "a\x7fb",
    "a\u00a0b",
    "a\u200bb",
    "a\u2028b",
    "..",
    ".",
    "a..b",
    "x" * 201,
    True,
    False,
    1.5,
    1.0,
    None,
    b"p1",
    ["p1"],
    {"id": 1},
]

ACCEPTED: list[tuple[Any, str]] = [
    ("p1", "p1"),
    (
        "20251222191648030d7df02f5b4054d4ca8831f1369459e25",
        "20251222191648030d7df02f5b4054d4ca8831f1369459e25",
    ),
    (0, "0"),
    (4815162342, "4815162342"),
    ("0", "0"),
    ("-", "-"),
    ("-abc", "-abc"),
    ("v3.project_id-1~", "v3.project_id-1~"),
    ("a.b", "a.b"),
    ("x" * 200, "x" * 200),
    ("café", "caf%C3%A9"),
    ("日本", "%E6%97%A5%E6%9C%AC"),
    ("a+b", "a%2Bb"),
    ("a&b=c", "a%26b%3Dc"),
    ("a;b:c@d", "a%3Bb%3Ac%40d"),
    ("'\"<>", "%27%22%3C%3E"),
]


@pytest.mark.parametrize("project_id", REJECTED, ids=repr)
def test_unsafe_ids_are_refused(project_id: Any) -> None:
    """Empty, negative, path-breaking, blank, control, ``..``, bool, float, None: refused."""
    with pytest.raises(InvalidProjectIdError) as info:
        validate_project_id(project_id)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, InvalidInputError)


@pytest.mark.parametrize("project_id", REJECTED, ids=repr)
async def test_unsafe_ids_send_nothing(
    router: respx.Router, make_client: ClientFactory, project_id: Any
) -> None:
    """``get`` and ``delete`` raise ``InvalidProjectIdError`` and no request leaves."""
    route = router.route().mock(return_value=httpx.Response(200, json={"success": True}))
    async with make_client() as client:
        with pytest.raises(InvalidProjectIdError):
            await client.projects.get(project_id)
        with pytest.raises(InvalidProjectIdError):
            await client.projects.delete(project_id, missing_ok=True)
    assert 0 == route.call_count


@pytest.mark.parametrize(("project_id", "encoded"), ACCEPTED, ids=repr)
def test_safe_ids_are_percent_encoded(project_id: str | int, encoded: str) -> None:
    """Accepted ids come back unchanged and are percent-encoded as one path segment."""
    assert project_id == validate_project_id(project_id)
    assert f"{PROJECTS_PATH}/{encoded}" == project_path(project_id)


@pytest.mark.parametrize(("project_id", "encoded"), ACCEPTED, ids=repr)
async def test_safe_ids_reach_the_one_project_path(
    router: respx.Router, make_client: ClientFactory, project_id: str | int, encoded: str
) -> None:
    """The request for an accepted id goes to exactly that encoded path, on the API host."""
    route = router.route().mock(return_value=httpx.Response(200, json={"success": True}))
    async with make_client() as client:
        await client.projects.delete(project_id)
    url = route.calls.last.request.url
    assert ("api.pictory.ai", f"{PROJECTS_PATH}/{encoded}") == (url.host, url.raw_path.decode())


def test_messages_say_what_is_wrong() -> None:
    """The message names the problem."""
    messages = []
    for bad in (True, -1, "", "x" * 201, "-5", "..", "a/b"):
        with pytest.raises(InvalidProjectIdError) as info:
            validate_project_id(bad)
        messages.append(str(info.value))
    assert [
        "project id must be a str or an int, not bool",
        "project id must not be negative, got -1",
        "project id must not be empty",
        "project id is longer than 200 characters",
        "project id must not be negative, got '-5'",
        "project id must not contain '..': '..'",
        "project id contains a forbidden character '/': 'a/b'",
    ] == messages


@given(st.text(max_size=40) | st.integers())
def test_any_input_is_refused_or_stays_one_segment(project_id: str | int) -> None:
    """Whatever the id, it is refused, or it stays one segment that decodes back to itself."""
    try:
        path = project_path(project_id)
    except InvalidProjectIdError:
        return
    prefix = f"{PROJECTS_PATH}/"
    assert path.startswith(prefix)
    segment = path[len(prefix) :]
    assert "/" not in segment
    assert "?" not in segment
    assert "#" not in segment
    assert segment not in ("", ".", "..")
    assert str(project_id) == unquote(segment)
    assert httpx.URL("https://api.pictory.ai" + path).path == f"{prefix}{project_id}"
