"""The wire format: renames, strict scalars, datetimes, ``raw``, and drift detection."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import cattrs
import httpx
import pytest
from _support import load_fixture
from hypothesis import given
from hypothesis import strategies as st

from pictory_async import Project, ProjectSummary, ResponseValidationError, Scene, VisualFilter
from pictory_async._converter import camel_case, converter, unstructure
from pictory_async._decode import decode_json, structure
from pictory_async._models import DeleteBody, PageBody
from pictory_async._types import ProjectId

UTC = timezone.utc
STRICT = converter.copy(forbid_extra_keys=True)
"""The converter that fails on any key the models do not know: the drift detector."""


def ok_response(content: bytes = b"{}") -> httpx.Response:
    """A 200 response to a GET of one project."""
    return httpx.Response(
        200,
        content=content,
        request=httpx.Request("GET", "https://api.pictory.ai/pictoryapis/v2/projects/p1"),
    )


# -- drift detection against the recorded payloads -------------------------------------


def test_strict_converter_reads_the_documented_project() -> None:
    """Every key of the reference page's sample is a known field (no drift)."""
    sample = load_fixture("get-project-by-id.json")
    strict = structure(sample, Project, ok_response(), STRICT)
    assert converter.structure(sample, Project) == strict
    assert "Hello World Template" == strict.project_name


def test_strict_converter_reads_the_documented_delete_answer() -> None:
    """The reference page's delete answer has only known keys."""
    body = STRICT.structure(load_fixture("delete-project.json"), DeleteBody)
    assert DeleteBody(success=True, message="Project deleted successfully") == body


def test_strict_converter_reads_the_recorded_list_page() -> None:
    """The recorded list page has only known keys, at both levels."""
    page = STRICT.structure(load_fixture("list-projects-page.json"), PageBody)
    assert 3 == len(page.items)
    assert "eyJpZCI6IjEyMzQiLCJ1c2VySWQiOiJ1LTEifQ==" == page.page_key


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"projectName": "x", "renderEngine": "v4"}, "@ Project"),
        ({"scriptTxtSceneSettings": {"maxLines": 2, "fontSize": 9}}, "script_txt_scene_settings"),
        ({"scenes": [{"sceneId": 1, "voice": "x"}]}, "scenes"),
    ],
)
def test_strict_converter_fails_on_an_unknown_key(payload: dict[str, Any], where: str) -> None:
    """A new key, at any depth, fails the strict converter: that is how drift shows."""
    with pytest.raises(ResponseValidationError, match="extra fields") as info:
        structure(payload, Project, ok_response(), STRICT)
    assert where in str(info.value)


def test_default_converter_stays_lenient_after_the_strict_copy() -> None:
    """Copying a strict converter leaves the production one lenient."""
    project = converter.structure({"projectName": "x", "renderEngine": "v4"}, Project)
    assert {"projectName": "x", "renderEngine": "v4"} == project.raw


# -- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "wire"),
    [
        ("project_name", "projectName"),
        ("id", "id"),
        ("script_txt_scene_settings", "scriptTxtSceneSettings"),
    ],
)
def test_camel_case(name: str, wire: str) -> None:
    """snake_case attribute names become camelCase keys."""
    assert wire == camel_case(name)


def test_wire_metadata_overrides_the_camel_case_name() -> None:
    """``video_url`` reads ``videoURL``; ``videoUrl`` is an unknown key kept in ``raw``."""
    project = converter.structure({"videoURL": "a", "videoUrl": "b"}, Project)
    assert ("a", "b") == (project.video_url, project.raw["videoUrl"])


# -- scalar hooks ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "type_", "expected"),
    [
        (True, bool, True),
        (0, bool, False),
        (1, bool, True),
        ("TRUE", bool, True),
        ("false", bool, False),
        (3, int, 3),
        (3.0, int, 3),
        ("12", int, 12),
        ("-3", int, -3),
        (" 7 ", int, 7),
        (1, float, 1.0),
        (1.5, float, 1.5),
        ("2.5", float, 2.5),
        ("x", str, "x"),
        ("abc", ProjectId, "abc"),
        (5, ProjectId, 5),
        (None, ProjectId | None, None),
        (7, ProjectId | None, 7),
    ],
)
def test_scalars_accepted(value: object, type_: Any, expected: object) -> None:
    """Scalars of the right type, or their unambiguous string or number forms, are read."""
    result = converter.structure(value, type_)
    assert expected == result
    assert type(expected) is type(result)


@pytest.mark.parametrize(
    ("value", "type_"),
    [
        (2, bool),
        ("yes", bool),
        (1.0, bool),
        (None, bool),
        (2.5, int),
        ("x", int),
        (True, int),
        ("1e3", int),
        (None, int),
        (True, float),
        (None, float),
        ({}, float),
        ("NaN", float),
        (float("inf"), float),
        ("abc", float),
        (5, str),
        (None, str),
        ([], str),
        (True, ProjectId),
        (1.5, ProjectId),
        (None, ProjectId),
        ([1], ProjectId | None),
    ],
)
def test_scalars_refused(value: object, type_: Any) -> None:
    """Wrong types are refused, not coerced (no ``"false"`` that becomes ``True``)."""
    with pytest.raises((TypeError, ValueError)):
        converter.structure(value, type_)


# -- datetimes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-12-23T01:54:26.658Z", datetime(2025, 12, 23, 1, 54, 26, 658000, tzinfo=UTC)),
        ("2025-12-23T01:54:26.658z", datetime(2025, 12, 23, 1, 54, 26, 658000, tzinfo=UTC)),
        ("2025-12-23T03:54:26+02:00", datetime(2025, 12, 23, 1, 54, 26, tzinfo=UTC)),
        ("2025-12-23T01:54:26", datetime(2025, 12, 23, 1, 54, 26, tzinfo=UTC)),
        ("2025-12-23", datetime(2025, 12, 23, tzinfo=UTC)),
        (1_700_000_000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1_700_000_000_000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1_700_000_000.5, datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
    ],
)
def test_datetimes_are_aware_utc(value: object, expected: datetime) -> None:
    """ISO strings (with Z, offsets or naive) and epoch s/ms become aware UTC datetimes."""
    result = converter.structure(value, datetime)
    assert expected == result
    assert timedelta(0) == result.utcoffset()


@pytest.mark.parametrize("value", [True, [], "yesterday", "", "Z", None])
def test_datetimes_refused(value: object) -> None:
    """Anything else is refused."""
    with pytest.raises((TypeError, ValueError)):
        converter.structure(value, datetime)


# -- tuples and nesting ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ()), ([], ()), (["a", 1, None], ("a", 1, None)), (("x",), ("x",))],
)
def test_arrays_of_anything_become_tuples(value: object, expected: tuple[Any, ...]) -> None:
    """``tuple[Any, ...]`` takes a JSON array as is; ``null`` is empty."""
    assert expected == converter.structure(value, tuple[Any, ...])


@pytest.mark.parametrize("value", ["abc", {"a": 1}, 3])
def test_a_non_array_is_refused(value: object) -> None:
    """A string, object or number where an array belongs is refused."""
    with pytest.raises(cattrs.BaseValidationError):
        converter.structure({"libraries": value}, VisualFilter)


def test_arrays_of_models_are_structured() -> None:
    """``tuple[Scene, ...]`` structures each element."""
    scenes = converter.structure([{"sceneId": 1}, {"text": "b"}], tuple[Scene, ...])
    assert (Scene(scene_id=1), Scene(text="b")) == scenes


# -- unstructure and round trips -------------------------------------------------------


def test_unstructure_goes_back_to_the_wire_names() -> None:
    """A ``Project`` unstructures to the wire keys and formats, ``raw`` left out."""
    sample = load_fixture("get-project-by-id.json")
    wire = json.loads(json.dumps(converter.unstructure(converter.structure(sample, Project))))
    assert sample == {key: value for key, value in wire.items() if value not in (None, [])}
    assert "raw" not in wire


def test_to_dict_is_the_converters_unstructure() -> None:
    """``to_dict`` in both key styles is what the one converter writes, nothing else."""
    project = converter.structure(
        {**load_fixture("get-project-by-id.json"), "futureField": [1]}, Project
    )
    assert (unstructure(project), converter.unstructure(project)) == (
        project.to_dict(),
        project.to_dict(wire_names=True),
    )


@given(
    project_id=st.integers(min_value=0) | st.text(min_size=1),
    name=st.none() | st.text(),
    saved=st.none()
    | st.datetimes(
        min_value=datetime(1971, 1, 1),
        max_value=datetime(2200, 1, 1),
        timezones=st.just(UTC),
    ).map(lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000)),
)
def test_summary_round_trips(
    project_id: ProjectId, name: str | None, saved: datetime | None
) -> None:
    """A ``ProjectSummary`` survives unstructure -> JSON -> structure unchanged."""
    original = ProjectSummary(id=project_id, name=name, saved_date=saved)
    wire = json.loads(json.dumps(converter.unstructure(original)))
    assert original == converter.structure(wire, ProjectSummary)


def test_raw_is_not_part_of_equality() -> None:
    """Two models that differ only in ``raw`` are equal."""
    assert Project(id=1, raw={"a": 1}) == Project(id=1, raw={"b": 2})
    assert "raw" not in repr(Project(id=1, raw={"secret": 1}))


def test_models_are_frozen() -> None:
    """Models cannot be changed after creation."""
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Project().project_name = "x"  # type: ignore[misc]


# -- decode_json and structure ---------------------------------------------------------


def test_decode_json_returns_the_payload() -> None:
    """A JSON body is decoded as is."""
    assert {"a": [1, 2]} == decode_json(ok_response(b'{"a": [1, 2]}'))


@pytest.mark.parametrize(
    ("content", "message", "body"),
    [
        (b"", "empty body in a 200 response, expected JSON", None),
        (b"{", "got broken JSON in a 200 response, expected JSON", "{"),
        (
            b"  <html>hi</html>",
            "got an HTML page in a 200 response, expected JSON",
            "  <html>hi</html>",
        ),
    ],
)
def test_decode_json_refuses_what_is_not_json(content: bytes, message: str, body: object) -> None:
    """Empty, broken or HTML bodies raise ``ResponseValidationError`` with the text."""
    with pytest.raises(ResponseValidationError) as info:
        decode_json(ok_response(content))
    assert (message, body) == (str(info.value), info.value.body)


def test_structure_error_message_for_a_non_object() -> None:
    """A top-level non-object names the class and what came instead."""
    with pytest.raises(ResponseValidationError) as info:
        structure([1], Project, ok_response())
    assert "unexpected response body for Project: expected a JSON object, got list [1]" == str(
        info.value
    )
    assert [1] == info.value.body
