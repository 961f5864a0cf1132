"""`otpspec steps [--json]`: the step library, for writing feature files without Python."""

from __future__ import annotations

import argparse
import json
import re
from typing import Any

from harness.vocabulary.base import KIND_KEYWORDS
from harness.vocabulary.phrases import PHRASES, Phrase

__all__ = ["add_steps_command", "phrase_data", "run_steps", "shown_pattern"]

_TYPE_SPEC = re.compile(r"\{(\w+):\w+\}")


def add_steps_command(subparsers: Any) -> None:
    """Adds `steps` to the `otpspec` subcommands."""
    steps = subparsers.add_parser(
        "steps", help="list the step phrases feature files may use (前提 / もし / ならば)"
    )
    steps.add_argument("--json", action="store_true", help="print the phrases as JSON")


def shown_pattern(phrase: Phrase) -> str:
    """The pattern as a person reads it: `「{service}」のトークンが登録されている`."""
    return _TYPE_SPEC.sub(r"{\1}", phrase.pattern)


def phrase_data(phrase: Phrase) -> dict[str, Any]:
    """One phrase as JSON-ready data."""
    return {
        "kind": phrase.kind,
        "keyword": phrase.keyword,
        "pattern": shown_pattern(phrase),
        "example": phrase.example,
        "doc": phrase.doc,
        "secrets": list(phrase.secrets),
    }


def _text() -> str:
    lines: list[str] = []
    for kind, keyword in KIND_KEYWORDS.items():
        phrases = [phrase for phrase in PHRASES if phrase.kind == kind]
        lines.append(f"{keyword} ({len(phrases)})")
        for phrase in phrases:
            lines.append(f"  {shown_pattern(phrase)}")
            lines.append(f"      {phrase.doc}")
            lines.append(f"      例: {keyword} {phrase.example}")
        lines.append("")
    lines.append("「」の中は値、{n} は数 (全角数字も可)。かつ/しかし は前の文と同じ種類になる。")
    return "\n".join(lines)


def run_steps(args: argparse.Namespace) -> int:
    """Prints every phrase grouped by 前提/もし/ならば, or as JSON with `--json`."""
    if getattr(args, "json", False):
        print(json.dumps([phrase_data(p) for p in PHRASES], ensure_ascii=False, indent=2))
    else:
        print(_text())
    return 0
