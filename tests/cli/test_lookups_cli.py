"""``pictory quota``, ``credits``, ``templates list``, ``voices list``, ``brands list``.

Against the emulator over loopback: a table, JSON lines with ``--json``, a bad option
exits 2 before anything is sent, a refused key exits 1.
"""

from __future__ import annotations

import json

import pytest

from pictory_async.emulator import Emulator

from .conftest import Invoke

WRONG_KEY = "pictai_wrong-key-0123456789abcdef"


def _lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_quota_is_a_table_of_used_limit_and_left(invoke: Invoke, emulator: Emulator) -> None:
    """Each allowance a row: used, limit and what is left."""
    emulator.set_quota(video_minutes={"used": 590, "limit": 600})

    result = invoke("quota")

    assert 0 == result.exit_code, result.output
    rows = [line.split() for line in result.stdout.splitlines()]
    assert ["Video", "minutes", "590", "600", "10"] in rows
    assert ["AI", "credits", "0", "1,000", "1,000"] in rows
    assert "ElevenLabs voice-over minutes" in result.stdout


def test_quota_json_is_one_object_in_the_librarys_names(invoke: Invoke, emulator: Emulator) -> None:
    """--json: one line, the ``Quota`` without its raw mapping."""
    emulator.set_quota(transcription_minutes={"used": 12})

    result = invoke("quota", "--json")

    assert 0 == result.exit_code, result.output
    [quota] = _lines(result.stdout)
    assert {"used": 12.0, "limit": 600.0} == quota["transcription_minutes"]
    assert "raw" not in quota
    assert "" == result.stderr


def test_a_refused_key_exits_1_with_the_status(invoke: Invoke) -> None:
    """401 on a look-up: exit 1, one ``error: HTTP 401`` line, nothing on stdout."""
    for args in (["quota"], ["templates", "list"], ["voices", "list"], ["brands", "list"]):
        result = invoke(*args, PICTORY_API_KEY=WRONG_KEY)
        assert 1 == result.exit_code, args
        assert result.stderr.startswith("error: HTTP 401"), args
        assert "" == result.stdout


def test_templates_list_shows_ids_names_and_variables(invoke: Invoke) -> None:
    """A row per template: its whole id, name, state and variable names."""
    result = invoke("templates", "list")

    assert 0 == result.exit_code, result.output
    assert "Hello World Template" in result.stdout
    line = next(line for line in result.stdout.splitlines() if "Pending Loan" in line)
    assert "customer_name, payment_date" in line
    assert "published" in line
    assert result.stdout.rstrip().endswith("templates")


def test_templates_list_json_has_each_template(invoke: Invoke) -> None:
    """--json: one object per template, with its id and variables."""
    result = invoke("templates", "list", "--json")

    assert 0 == result.exit_code, result.output
    templates = _lines(result.stdout)
    names = [template["name"] for template in templates]
    assert "Hello World Template" in names
    assert all(template["id"] for template in templates)
    assert {"Name": "NAME"} == templates[names.index("Hello World Template")]["variables"]


def test_voices_list_filters_by_language_prefix(invoke: Invoke) -> None:
    """--language en-gb: only British voices (any case); the table counts them."""
    result = invoke("voices", "list", "--language", "en-gb")

    assert 0 == result.exit_code, result.output
    assert "Martin" in result.stdout
    assert "Fiona" in result.stdout
    assert "Joanna" not in result.stdout
    assert result.stdout.rstrip().endswith("2 voices")


def test_voices_list_json_is_a_line_per_voice(invoke: Invoke) -> None:
    """--json --language de: the one German voice, its name what a speaker takes."""
    result = invoke("voices", "list", "--json", "--language", "de")

    assert 0 == result.exit_code, result.output
    [voice] = _lines(result.stdout)
    assert ("Wilbur", "de-DE") == (voice["name"], voice["language"])


@pytest.mark.parametrize(
    "args",
    [
        ["voices", "list", "--language", " "],
        ["credits", "--month", "2026-13"],
        ["credits", "--month", "May"],
        ["quota", "--bogus"],
    ],
    ids=" ".join,
)
def test_a_bad_option_exits_2_before_any_request(
    invoke: Invoke, emulator: Emulator, args: list[str]
) -> None:
    """A usage error: exit 2, nothing sent."""
    result = invoke(*args)

    assert 2 == result.exit_code, result.output
    assert 0 == emulator.stats.total


def test_brands_list_table_and_json(invoke: Invoke) -> None:
    """Each brand's id and name; --json the same as objects."""
    table = invoke("brands", "list")
    lines = invoke("brands", "list", "--json")

    assert 0 == table.exit_code, table.output
    brands = _lines(lines.stdout)
    assert "Acme Corporate" in [brand["name"] for brand in brands]
    for brand in brands:
        assert f"{brand['id']}  {brand['name']}" in table.stdout


def test_credits_of_a_month_without_any_is_an_empty_table(invoke: Invoke) -> None:
    """``credits --month``: the header and a count of none, exit 0; --json prints nothing."""
    result = invoke("credits", "--month", "2026-05")
    data = invoke("credits", "--json")

    assert 0 == result.exit_code, result.output
    assert "Date (UTC)" in result.stdout
    assert result.stdout.rstrip().endswith("0 transactions")
    assert (0, "") == (data.exit_code, data.stdout)
