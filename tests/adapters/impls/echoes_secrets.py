"""The reference app, echoing every request to stderr and crashing now and then.

Usage: echoes_secrets.py DIR [EVERY]. Each request line goes to stderr as `REQ <line>`, and
each secret in it (a fixture's PINs, app lock code and activation passwords; a value typed
into a secret field) once more as `SECRET-ECHO[<value>]`, and is appended to DIR/secrets.txt
(the test's list of what must never appear in clear). Every EVERY-th request (default 9)
of a process it exits with status 1 instead of answering, so that failures carry the tail
of its stderr, which holds earlier scenarios' requests.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from harness.protocol import handle_line
from statechart.app import ReferenceApp
from statechart.loader import load_spec

SECRET_FIELDS = frozenset(
    {"PIN", "現在のPIN", "新しいPIN", "新しいPIN(確認用)", "アプリロックコード",
     "アプリロックコード(確認用)", "利用開始パスワード", "ログインパスワード"}
)  # fmt: skip
SECRET_KEYS = frozenset({"pin", "app_lock_code", "activation_password"})


def secrets_of(request: Any) -> list[str]:
    """The secret values a request carries."""
    if not isinstance(request, dict):
        return []
    if request.get("op") == "enter" and request.get("field") in SECRET_FIELDS:
        return [value] if (value := str(request.get("value", ""))) else []
    found, stack = [], [request.get("fixture")]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in SECRET_KEYS and isinstance(value, str):
                    found.append(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return [value for value in found if value]


def main(argv: list[str]) -> int:
    """Serves the reference until EOF (or the next planned crash)."""
    book, every = Path(argv[1]) / "secrets.txt", int(argv[2]) if len(argv) > 2 else 9
    app = ReferenceApp(load_spec())
    for count, line in enumerate(sys.stdin, start=1):
        sys.stderr.write(f"REQ {line.rstrip()}\n")
        try:
            secrets = secrets_of(json.loads(line))
        except ValueError:
            secrets = []
        for secret in secrets:
            sys.stderr.write(f"SECRET-ECHO[{secret}]\n")
        with book.open("a", encoding="utf-8") as listed:
            listed.writelines(f"{secret}\n" for secret in secrets)
        sys.stderr.flush()
        if count % every == 0:
            return 1
        answer = handle_line(app, line)
        if answer is not None:
            sys.stdout.write(answer + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
