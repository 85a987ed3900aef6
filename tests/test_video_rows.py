"""Rows of a CSV or JSON Lines file as video requests (``_video_rows``): every row on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pictory_async import InvalidInputError
from pictory_async._models.videos import TemplateVideoRequest, VideoRequest
from pictory_async._payload_rules import MAX_STORY
from pictory_async._video_rows import MAX_LINE_BYTES, VideoRow, read_rows


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    """A file in ``tmp_path`` holding ``text``."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def rows_of(path: Path) -> list[VideoRow]:
    """Every row of ``path``."""
    return list(read_rows(path))


def errors_of(path: Path) -> dict[int, str]:
    """Line number to error message, for the bad rows of ``path``."""
    return {row.line: str(row.error) for row in rows_of(path) if row.error is not None}


def test_a_csv_row_is_the_request_create_makes_of_its_script(tmp_path: Path) -> None:
    """A script row gets create's defaults: Martin's voice, automatic music, its name."""
    path = write(tmp_path, "v.csv", "name,script,aspect_ratio\nLaunch,Cats sleep a lot.,9:16\n")

    (row,) = rows_of(path)

    assert row.error is None
    assert isinstance(row.request, VideoRequest)
    assert "Launch" == row.request.video_name
    assert "9:16" == row.request.aspect_ratio
    assert row.request.voice_over is not None
    assert "Martin" == row.request.voice_over.ai_voices[0].speaker  # type: ignore[index]
    assert row.request.background_music is not None
    assert row.request.background_music.auto_music is True
    assert 2 == row.line


def test_line_numbers_count_blank_lines_bom_and_quoted_newlines(tmp_path: Path) -> None:
    """A row's line is where it starts; blank rows (only commas and spaces) are skipped."""
    text = '\ufeffname,script\n\nA,One.\n"B","Two\nlines."\n\r\n , \nC,\n'
    path = write(tmp_path, "v.csv", text)

    rows = rows_of(path)

    assert [3, 4, 8] == [row.line for row in rows]
    assert [None, None] == [row.error for row in rows[:2]]
    assert str(rows[2].error).startswith("line 8: ")


def test_extra_columns_are_ignored_and_listed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A column no field reads changes nothing and is named in ``unknown_columns``."""
    plain = write(tmp_path, "a.csv", "script\nCats sleep a lot.\n")
    extra = write(tmp_path, "b.csv", "Script,Owner,Notes\nCats sleep a lot.,Ana,x\n")

    rows = read_rows(extra)
    with caplog.at_level("WARNING", logger="pictory_async"):
        (row,) = list(rows)

    assert rows_of(plain)[0].request == row.request
    assert {"owner", "notes"} == rows.unknown_columns
    assert "ignoring column(s) no field reads: notes, owner" in caplog.text


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (",,yes", "exactly one of script, url and template"),
        ("Cats.,https://example.com/post", "exactly one of script, url and template (it has"),
        ("Cats.,,maybe", "save_project must be true or false"),
        (",ftp://example.com", "url must start with http"),
    ],
)
def test_a_bad_row_is_its_own_error_with_its_line(tmp_path: Path, row: str, expected: str) -> None:
    """A bad row never stops the reading: the rows after it are read as usual."""
    path = write(tmp_path, "v.csv", f"script,url,save_project\nOK.,,\n{row}\nAlso OK.,,\n")

    rows = rows_of(path)
    errors = errors_of(path)

    assert 3 == len(rows)
    assert [3] == list(errors)
    assert errors[3].startswith("line 3: ")
    assert expected in errors[3]


def test_an_aspect_ratio_pictory_does_not_make_is_that_rows_error(tmp_path: Path) -> None:
    """``2:1`` is refused as the row is read (the API would refuse it mid-run)."""
    path = write(tmp_path, "v.csv", "script,aspect_ratio\nA.,2:1\nB.,4:5\n")

    errors = errors_of(path)

    assert [2] == list(errors)
    assert "aspectRatio must be one of 16:9, 9:16, 1:1, 4:5, not '2:1'" in errors[2]


def test_a_script_over_pictorys_limit_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    """The payload rules of videos.render apply to each row: a story too long is its error."""
    path = write(tmp_path, "v.csv", f"script\n{'word ' * (MAX_STORY // 4)}\nShort.\n")

    errors = errors_of(path)

    assert [2] == list(errors)
    assert "15" in errors[2]  # the limit is named


def test_a_field_over_csvs_cap_is_that_rows_error_and_reading_goes_on(tmp_path: Path) -> None:
    """A 200 kB cell (a pasted file) is one bad row, not a crash of the run."""
    huge = "x" * 200_000
    path = write(tmp_path, "v.csv", f'script\nFirst.\n"{huge}"\nLast.\n')

    rows = rows_of(path)

    assert [2, 3, 4] == [row.line for row in rows]
    assert "unreadable CSV" in str(rows[1].error)
    assert rows[2].request is not None


def test_bytes_that_are_not_utf8_are_that_rows_error(tmp_path: Path) -> None:
    """A Latin-1 row in a UTF-8 file is refused with its line, the others read."""
    path = write(tmp_path, "v.csv", b"script\nCaf\xe9 time.\nTea time.\n")

    assert {2: "line 2: not UTF-8 text"} == errors_of(path)


def test_more_cells_than_the_header_names_is_an_error_unless_they_are_empty(
    tmp_path: Path,
) -> None:
    """A stray comma at the end is forgiven; a cell with text beyond the header is not."""
    path = write(tmp_path, "v.csv", "script\nOne.,\nTwo.,oops\n")

    assert [3] == list(errors_of(path))


def test_voice_none_is_silent_and_music_takes_a_track(tmp_path: Path) -> None:
    """``voice`` none makes a silent video; ``music`` takes true, false or a URL."""
    path = write(
        tmp_path,
        "v.csv",
        "script,voice,music\nA.,none,false\nB.,Joanna,https://example.com/t.mp3\n",
    )

    silent, voiced = (row.request for row in rows_of(path))

    assert isinstance(silent, VideoRequest)
    assert isinstance(voiced, VideoRequest)
    assert silent.voice_over is None
    assert silent.background_music is None
    assert voiced.background_music is not None
    assert "https://example.com/t.mp3" == voiced.background_music.music_url


def test_brand_by_name_or_id_not_both(tmp_path: Path) -> None:
    """``brand`` is a name, ``brand_id`` an id (a number as an int); both is an error."""
    path = write(tmp_path, "v.csv", "script,brand,brand_id\nA.,Lumen,\nB.,,42\nC.,,b-7\nD.,X,1\n")

    rows = rows_of(path)

    assert "Lumen" == rows[0].request.brand_name  # type: ignore[union-attr]
    assert 42 == rows[1].request.brand_id  # type: ignore[union-attr]
    assert "b-7" == rows[2].request.brand_id  # type: ignore[union-attr]
    assert "not both" in str(rows[3].error)


def test_a_template_row_takes_variables_in_their_case(tmp_path: Path) -> None:
    """``var.Name`` fills the variable ``Name`` (case kept); ``variables`` takes JSON."""
    text = 'template,var.Name,VAR.City,variables\ntmpl_1,Ana,Lisbon,"{""Day"": ""Mon""}"\n'
    path = write(tmp_path, "v.csv", text)

    (row,) = rows_of(path)

    assert (
        TemplateVideoRequest(
            template_id="tmpl_1", variables={"Day": "Mon", "Name": "Ana", "City": "Lisbon"}
        )
        == row.request
    )


def test_a_template_row_refuses_script_fields(tmp_path: Path) -> None:
    """Fields a template render has no place for are an error, not silently dropped."""
    path = write(tmp_path, "v.csv", "template,name,voice\ntmpl_1,Weekly,Martin\n")

    assert "name, voice apply to a script" in errors_of(path)[2]


def test_a_user_key_is_kept_for_the_rows_identity(tmp_path: Path) -> None:
    """The ``key`` column is the row's identity across runs, spaces around it ignored."""
    path = write(tmp_path, "v.csv", "key,script\nw-12,Hello.\n,Bye.\n  w-13 ,Hi.\n  ,Yo.\n")

    assert ["w-12", None, "w-13", None] == [row.key for row in rows_of(path)]


def test_jsonl_rows_take_json_values_and_skip_blank_lines(tmp_path: Path) -> None:
    """JSON Lines: bools and nulls as values, a BOM and blank lines taken in stride."""
    lines = [
        json.dumps({"script": "One.", "save_project": True, "voice": None}),
        "",
        json.dumps({"template": "t1", "variables": {"Name": "Ana"}}),
        json.dumps({"Template": "t2", "var.Name": "Bo"}),
    ]
    path = write(tmp_path, "v.jsonl", "\ufeff" + "\n".join(lines) + "\n")

    rows = rows_of(path)

    assert [1, 3, 4] == [row.line for row in rows]
    assert rows[0].request.save_project is True  # type: ignore[union-attr]
    assert {"Name": "Ana"} == rows[1].request.variables  # type: ignore[union-attr]
    assert {"Name": "Bo"} == rows[2].request.variables  # type: ignore[union-attr]


def test_jsonl_bad_lines_are_errors_with_their_line(tmp_path: Path) -> None:
    """Not JSON, not an object, not text where text goes, not UTF-8: each its row's error."""
    lines = [b"{not json", b"[1, 2]", b'{"script": 5.5, "name": ["x"]}', b'{"script": "\xff"}']
    path = write(tmp_path, "v.jsonl", b"\n".join(lines) + b'\n{"script": "Fine."}\n')

    errors = errors_of(path)

    assert [1, 2, 3, 4] == list(errors)
    assert "not JSON" in errors[1]
    assert "JSON object, not list" in errors[2]
    assert "name must be text" in errors[3]
    assert "not UTF-8" in errors[4]


def test_a_jsonl_line_over_the_cap_is_skipped_whole(tmp_path: Path) -> None:
    """A line longer than MAX_LINE_BYTES is one error; the next line is read as a row."""
    huge = json.dumps({"script": "x" * (MAX_LINE_BYTES + 10)}).encode()
    path = write(tmp_path, "v.jsonl", huge + b'\n{"script": "After."}\n')

    rows = rows_of(path)

    assert [1, 2] == [row.line for row in rows]
    assert "longer than" in str(rows[0].error)
    assert rows[1].request is not None


def test_rows_are_streamed_again_on_each_iteration_and_counted(tmp_path: Path) -> None:
    """``len()`` counts rows; each iteration reads the file as it is then."""
    path = write(tmp_path, "v.csv", "script\nA.\n\nB.\n")
    rows = read_rows(path)

    first = [row.line for row in rows]
    path.write_text("script\nA.\nB.\nC.\n")

    assert [2, 4] == first
    assert [2, 3, 4] == [row.line for row in rows]
    assert 3 == len(rows)


def test_the_format_comes_from_the_suffix_or_is_given(tmp_path: Path) -> None:
    """``.csv``, ``.jsonl``, ``.ndjson``; anything else needs ``format=``."""
    path = write(tmp_path, "v.txt", "script\nHello.\n")

    with pytest.raises(InvalidInputError, match="suffix"):
        read_rows(path)
    with pytest.raises(InvalidInputError, match="format must be"):
        read_rows(path, format="xlsx")
    assert 1 == len(list(read_rows(path, format="csv")))
    assert "jsonl" == read_rows(tmp_path / "x.NDJSON").format


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=400), suffix=st.sampled_from(["csv", "jsonl"]))
def test_any_bytes_are_read_as_rows_or_row_errors_never_raised(
    tmp_path: Path, data: bytes, suffix: str
) -> None:
    """Hostile files: every row is a request or an error, on a line that exists."""
    path = write(tmp_path, f"v.{suffix}", b"script,name\n" + data if suffix == "csv" else data)

    rows = rows_of(path)

    total = data.count(b"\n") + data.count(b"\r") + 2
    assert all(1 <= row.line <= total for row in rows)
    assert all((row.request is None) != (row.error is None) for row in rows)
    assert [row.line for row in rows] == sorted(row.line for row in rows)
    assert len(rows) == len(read_rows(path))
