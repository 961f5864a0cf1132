"""The generated checks shipped as package data (harness.generation.shipped)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from harness.generation import shipped
from harness.generation.checks import generate_checks
from harness.generation.fixtures import FIXTURES
from harness.generation.shipped import SHIPPED_NAME, fingerprint, shipped_checks, write_shipped
from harness.run.checks import generated_checks
from statechart.model import Spec

REGENERATE = "python -m harness.generation.shipped"


class TestShippedChecks:
    def test_they_are_current(self, spec: Spec) -> None:
        shipped = shipped_checks(spec, fingerprint(spec))
        assert shipped is not None, (
            f"harness/generation/{SHIPPED_NAME} was made for another spec or generating "
            f"code; run `{REGENERATE}` and commit it"
        )
        fresh = generate_checks(spec).checks
        assert [c.to_json() for c in shipped] == [c.to_json() for c in fresh]

    def test_a_run_takes_them_for_the_shipped_spec(
        self, spec: Spec, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        def exploring(*args: object, **kwargs: object) -> object:
            raise AssertionError("the shipped checks should have been used")

        monkeypatch.setattr("harness.run.checks.generate_checks", exploring)
        assert len(generated_checks(spec, None, FIXTURES)) > 200

    def test_another_fingerprint_is_not_taken(self, spec: Spec) -> None:
        assert shipped_checks(spec, "0" * 64) is None

    def test_write_shipped_records_the_fingerprint(self, spec: Spec, tmp_path: Path) -> None:
        path = write_shipped(tmp_path / SHIPPED_NAME)
        data = json.loads(gzip.decompress(path.read_bytes()))
        assert data["fingerprint"] == fingerprint(spec)
        assert len(data["checks"]) == len(generate_checks(spec).checks)


class TestReadData:
    def test_a_file_cut_short_is_not_taken(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        whole = gzip.compress(json.dumps({"fingerprint": "x", "checks": []}).encode())
        (tmp_path / SHIPPED_NAME).write_bytes(whole[: len(whole) // 2])
        monkeypatch.setattr(shipped, "files", lambda package: tmp_path)
        assert shipped.read_data("harness.generation", SHIPPED_NAME) is None

    def test_a_whole_file_is_read(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        shipped.write_data({"fingerprint": "x"}, tmp_path / SHIPPED_NAME)
        monkeypatch.setattr(shipped, "files", lambda package: tmp_path)
        assert shipped.read_data("harness.generation", SHIPPED_NAME) == {"fingerprint": "x"}
