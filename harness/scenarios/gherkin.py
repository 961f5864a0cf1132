"""Reads Japanese Gherkin feature files, parsed by pytest-bdd and checked, as typed data.

pytest-bdd is used only to parse (`pytest_bdd.gherkin_parser`, which wraps the official
Gherkin parser); this is the one module that runs it. A file is read here and checked for
what comes before the parser: a regular file of at most `MAX_FEATURE_BYTES` (checked before
a byte is read), UTF-8, the `# language: ja` header, a 機能 line; parse errors become
located problems. The parsed document is turned into the frozen dataclasses of
`harness.scenarios.feature` by `harness.scenarios.outline` (rules, backgrounds, outline
rows, unique names), whose tags and steps are checked by `harness.scenarios.source`
(`@section-…` / `@ASM-…` against the spec, explicit first steps).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from pytest_bdd.exceptions import GherkinParseError
from pytest_bdd.gherkin_parser import GherkinDocument, get_gherkin_document

# The data types are re-exported: harness/run, harness/reports and tests/conform import
# them from here; harness.scenarios.feature is their home.
from harness.scenarios.feature import (
    Feature,
    FeatureInvalid,
    FeatureProblem,
)
from harness.scenarios.outline import document_feature
from harness.scenarios.source import FeatureFile
from statechart.files import FileRefused, read_bytes
from statechart.model import Spec

__all__ = [
    "MAX_FEATURE_BYTES",
    "feature_files",
    "load_features",
    "read_feature",
    "read_feature_document",
]

_LANGUAGE = re.compile(r"#\s*language\s*:\s*(\S+)\s*$")
_GHERKIN_ERROR = re.compile(r"^\((\d+):\d+\): (.*)$")
_FEATURE_KEYWORDS: Final = ("機能:", "フィーチャ:")
MAX_FEATURE_BYTES: Final = 1024 * 1024
"""Largest feature file read (the largest shipped one has 70 KB): checked before reading."""
_KINDS: Final = {
    "a directory": "ディレクトリ",
    "a named pipe (FIFO)": "名前付きパイプ (FIFO)",
    "a character device": "キャラクタデバイス",
    "a block device": "ブロックデバイス",
    "a socket": "ソケット",
    "not a regular file": "特殊なファイル",
}


def feature_files(paths: Iterable[str | Path]) -> list[Path]:
    """Returns the `.feature` files named by `paths` (directories searched recursively)."""
    found: list[Path] = []
    for path in map(Path, paths):
        found.extend(sorted(path.rglob("*.feature")) if path.is_dir() else [path])
    return found


def load_features(paths: Iterable[str | Path], spec: Spec | None = None) -> tuple[Feature, ...]:
    """Parses and checks feature files.

    Args:
        paths: Feature files or directories holding them.
        spec: The spec whose section and assumption ids tags may name (default: spec/).

    Returns:
        The features, in path order.

    Raises:
        FeatureInvalid: With every problem of every file.
    """
    if spec is None:
        from statechart.loader import DEFAULT_SPEC_DIR, load_spec

        spec = load_spec(DEFAULT_SPEC_DIR)
    features: list[Feature] = []
    problems: list[FeatureProblem] = []
    for path in feature_files(paths):
        feature, found = read_feature(path, spec)
        problems.extend(found)
        if feature is not None and not found:
            features.append(feature)
    if problems:
        raise FeatureInvalid(problems)
    return tuple(features)


def read_feature(path: str | Path, spec: Spec) -> tuple[Feature | None, tuple[FeatureProblem, ...]]:
    """Parses and checks one feature file, keeping what could be read.

    Args:
        path: The feature file.
        spec: The spec whose section and assumption ids tags may name.

    Returns:
        The feature (None when the file cannot be read as one) and its problems, each once.
    """
    feature, problems, _ = read_feature_document(path, spec)
    return feature, problems


def read_feature_document(
    path: str | Path, spec: Spec
) -> tuple[Feature | None, tuple[FeatureProblem, ...], GherkinDocument | None]:
    """`read_feature`, and the Gherkin document it parsed (None where it could not), which
    the pytest plugin hands on to pytest-bdd instead of parsing the file again."""
    file = FeatureFile(str(path), [], spec.section_ids(), spec.assumption_ids())
    feature, document = _read(file, Path(path))
    return feature, tuple(dict.fromkeys(file.problems)), document  # outline rows repeat theirs


def _refusal(refused: FileRefused) -> str:
    """A refused file's problem, in the words of the features' readers."""
    if refused.kind == "too large":
        return (
            f"ファイルが大きすぎます ({refused.size:,} バイト)。フィーチャファイルは "
            f"{MAX_FEATURE_BYTES:,} バイト ({MAX_FEATURE_BYTES // 1024 // 1024} MiB) までです。"
            "シナリオを複数のファイルに分けてください"
        )
    kind = _KINDS.get(refused.kind)
    if kind is not None:
        return f"通常のファイルではなく{kind}です。.feature ファイルを指定してください ({refused})"
    return f"読めません ({refused})。UTF-8 の .feature ファイルを指定してください"


def _read(file: FeatureFile, path: Path) -> tuple[Feature | None, GherkinDocument | None]:
    try:  # type and size first: a FIFO or /dev/zero would block or never end
        raw = read_bytes(path, MAX_FEATURE_BYTES)
    except FileRefused as refused:
        file.problem(1, _refusal(refused), "")
        return None, None
    try:
        file.lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        file.problem(line, "UTF-8 ではありません。ファイルを UTF-8 で保存してください", "")
        return None, None
    if not _has_language(file):
        return None, None
    if not any(line.lstrip().startswith(_FEATURE_KEYWORDS) for line in file.lines):
        file.problem(1, "「機能:」がありません。`機能: <名前>` を書いてください", "")
        return None, None
    document = _parse(file)
    if document is None:
        return None, None
    return document_feature(file, document), document


def _has_language(file: FeatureFile) -> bool:
    for number, line in enumerate(file.lines, start=1):
        stripped = line.strip()
        match = _LANGUAGE.match(stripped)
        if match and match.group(1) == "ja":
            return True
        if match:
            file.problem(number, "言語が ja ではありません。`# language: ja` にしてください")
            return False
        if stripped and not stripped.startswith("#"):
            break
    file.problem(1, "1行目に `# language: ja` がありません。ファイルの先頭に書いてください")
    return False


def _parse(file: FeatureFile) -> GherkinDocument | None:
    try:
        return get_gherkin_document(file.path)
    except GherkinParseError as error:
        _parse_problems(file, error)
    return None


def _parse_problems(file: FeatureFile, error: GherkinParseError) -> None:
    found = False
    for line in str(error.__cause__ or "").splitlines():
        match = _GHERKIN_ERROR.match(line.strip())
        if match:
            found = True
            hint = "キーワード (機能, 背景, シナリオ, 前提, もし, ならば, かつ) を確認してください"
            file.problem(
                int(match.group(1)), f"Gherkin として読めません ({match.group(2)}); {hint}"
            )
    if not found:
        file.problem(error.line, f"Gherkin として読めません: {error.message}", error.line_content)
