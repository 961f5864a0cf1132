"""Paths a user names (statechart.files): what they are, said in words, and a bounded read
that never blocks on a FIFO nor reads a device without end."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile_paths import dev_zero, directory, fifo

from statechart.files import FileRefused, directory_problem, file_problem, kind_of, read_bytes

Make = Callable[[Path], None]


def _file(path: Path) -> None:
    path.write_text("{}", encoding="utf-8")


def _broken_link(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere")


def _nothing(path: Path) -> None:
    pass


ZERO = " (a symbolic link to /dev/zero)"

# (case, how to make the path, kind_of, file_problem, directory_problem)
PATHS: list[tuple[str, Make, str, str, str]] = [
    ("file", _file, "a regular file", "", "is a file, not a directory"),
    ("directory", directory, "a directory", "is a directory, not a file", ""),
    ("fifo", fifo, "a named pipe (FIFO)", "is a named pipe (FIFO), not a regular file",
     "is a named pipe (FIFO), not a directory"),
    ("dev_zero", dev_zero, "a character device",
     f"is a character device, not a regular file{ZERO}",
     f"is a character device, not a directory{ZERO}"),
    ("broken_link", _broken_link, "missing", "is a broken symbolic link",
     "is a broken symbolic link"),
    ("missing", _nothing, "missing", "does not exist", "does not exist"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "kind", "as_file", "as_directory"),
    [case[1:] for case in PATHS],
    ids=[case[0] for case in PATHS],
)
def test_what_a_path_is(
    tmp_path: Path, make: Make, kind: str, as_file: str, as_directory: str
) -> None:
    path = tmp_path / "p"
    make(path)
    assert kind_of(path) == kind
    assert file_problem(path) == as_file
    assert directory_problem(path) == as_directory


class TestReadBytes:
    def test_a_file_within_the_limit(self, tmp_path: Path) -> None:
        path = tmp_path / "f"
        path.write_bytes(b"x" * 10)
        assert read_bytes(path, 10) == b"x" * 10

    def test_a_file_over_the_limit_is_refused_before_it_is_read(self, tmp_path: Path) -> None:
        path = tmp_path / "f"
        path.write_bytes(b"x" * 2_000_000)
        with pytest.raises(FileRefused) as caught:
            read_bytes(path, 1024 * 1024)
        refused = caught.value
        assert (refused.kind, refused.size) == ("too large", 2_000_000)
        assert refused.reason == "the file has 2,000,000 bytes; at most 1,048,576 (1 MiB) are read"

    @pytest.mark.parametrize(
        ("make", "kind", "reason"),
        [
            (fifo, "a named pipe (FIFO)", "it is a named pipe (FIFO), not a regular file"),
            (
                dev_zero,
                "a character device",
                f"it is a character device{ZERO}, not a regular file",
            ),
            (directory, "a directory", "it is a directory, not a regular file"),
            (_nothing, "unreadable", "cannot read it: No such file or directory"),
        ],
        ids=["fifo", "dev_zero", "directory", "missing"],
    )
    def test_what_is_not_a_regular_file_is_refused_at_once(
        self, tmp_path: Path, make: Make, kind: str, reason: str
    ) -> None:
        path = tmp_path / "p"
        make(path)
        started = time.perf_counter()
        with pytest.raises(FileRefused) as caught:
            read_bytes(path, 1024)
        assert (caught.value.kind, caught.value.reason) == (kind, reason)
        assert time.perf_counter() - started < 2  # a FIFO read would block for good

    def test_a_nul_in_the_path_is_unreadable_not_a_traceback(self, tmp_path: Path) -> None:
        with pytest.raises(FileRefused) as caught:
            read_bytes(tmp_path / "a\x00b", 1024)
        assert caught.value.kind == "unreadable"
        assert caught.value.reason.startswith("cannot read it: ")
