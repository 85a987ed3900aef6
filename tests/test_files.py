"""The files a download writes: a new ``Partial``'s state, the umask read from ``/proc``."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from pictory_async import _files as files_module
from pictory_async._files import Partial, file_mode


def test_a_new_partial_knows_nothing_of_the_file_yet() -> None:
    """No bytes, the hash of nothing, and nothing the CDN said: no length, ETag or condition."""
    partial = Partial(io.BytesIO(), Path("x.part"))
    assert (
        Path("x.part"),
        0,
        hashlib.sha256().hexdigest(),
        None,
        None,
        False,
        None,
        False,
        None,
        False,
        None,
    ) == (
        partial.path,
        partial.size,
        partial.hasher.hexdigest(),
        partial.total,
        partial.etag,
        partial.ranges,
        partial.expected_sha256,
        partial.chunked,
        partial.condition,
        partial.not_modified,
        partial.headers,
    )


@pytest.fixture
def no_umask_call(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """``os.umask`` recorded and left alone: the calls ``_files`` made to it."""
    calls: list[int] = []

    def umask(mask: int) -> int:
        calls.append(mask)
        return 0o022

    monkeypatch.setattr(os, "umask", umask)
    return calls


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (b"Name:\tpython\nUmask:\t0027\nState:\tR (running)\n", 0o640),
        (b"Name:\tpyth\xc3\xb6n \xff\nUmask:\t0077\n", 0o600),  # a name that is no ASCII
        (b"Umask:\t0002\n", 0o664),
        (b"Umask:\t0000\n", 0o666),
    ],
    ids=["027", "not-ascii", "002", "000"],
)
def test_the_umask_is_read_from_proc_without_setting_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_umask_call: list[int],
    status: bytes,
    expected: int,
) -> None:
    """Where ``/proc/self/status`` says ``Umask:``, that is the mask, and umask is not set."""
    path = tmp_path / "status"
    path.write_bytes(status)
    monkeypatch.setattr(files_module, "_PROC_STATUS", str(path))
    assert (expected, []) == (file_mode(), no_umask_call)


@pytest.mark.parametrize(
    "status",
    [None, b"Name:\tpython\n", b"Umask:\n", b"Umask:\tmost\n"],
    ids=["no-file", "no-line", "no-value", "not-octal"],
)
def test_without_a_umask_line_it_is_read_by_setting_the_most_private_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_umask_call: list[int], status: bytes | None
) -> None:
    """Then umask is set to ``0o077`` for an instant and set back: no file is more open."""
    path = tmp_path / "status"
    if status is not None:
        path.write_bytes(status)
    monkeypatch.setattr(files_module, "_PROC_STATUS", str(path))
    assert (0o644, [0o077, 0o022]) == (file_mode(), no_umask_call)


def test_the_umask_is_read_from_this_process() -> None:
    """On this platform, whichever way it is read, it is the process's own umask."""
    before = os.umask(0o037)
    try:
        assert 0o640 == file_mode()
    finally:
        os.umask(before)
