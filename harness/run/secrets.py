"""The secrets a run has sent, and a masker for whatever comes back from the implementation.

A person's secrets (PINs, app lock codes, activation passwords) go into fixtures and into
the fields the spec marks `secret: true`. Test data written in a feature file is not such a
secret: it is needed to replay the scenario, so steps and replays show it as written. What
the implementation sends back (views, messages, its stderr) is another matter: the app must
mask secrets, and the harness must not publish one an implementation leaked. So every
secret the run has sent, in any scenario so far, is masked in everything the implementation
returns (an implementation's stderr may still hold an earlier scenario's requests).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from statechart.model import Spec

__all__ = ["MASK", "SecretBook", "fixture_secrets", "secret_fields"]

MASK: Final = "●●●●"
# A secret stands alone when no neighbour continues it: for a secret that begins or ends
# with a digit or a Latin letter, another digit or letter (「12345678です」 shows a code;
# 「_7」, a token name's number, does not show the PIN 「7」); for one that begins or ends
# with kana or kanji, any letter (Japanese compounds: 「ワンタイムパスワード」 and
# 「パスワード補正」 do not show the secret 「パスワード」).
_ALNUM: Final = "0-9A-Za-z０-９Ａ-Ｚａ-ｚ_"
_JAPANESE: Final = "\u3040-\u30ff\uff66-\uff9f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_FIXTURE_SECRET_KEYS: Final = frozenset({"pin", "app_lock_code", "activation_password"})


def secret_fields(spec: Spec) -> frozenset[str]:
    """The labels of the spec's secret input fields (PIN, アプリロックコード, …)."""
    return frozenset(
        element.label
        for state in spec.statechart.iter_states()
        for element in state.elements
        if element.kind == "field" and element.secret
    )


def fixture_secrets(fixture: Mapping[str, Any]) -> set[str]:
    """The secret values a fixture holds: PINs, the app lock code, activation passwords."""
    found: set[str] = set()
    stack: list[Any] = [fixture]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            for key, value in item.items():
                if key in _FIXTURE_SECRET_KEYS and isinstance(value, str) and value:
                    found.add(value)
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _kind(character: str) -> str | None:
    """The characters that would continue a secret at this edge character."""
    if re.match(f"[{_ALNUM}]", character):
        return _ALNUM
    if re.match(f"[{_JAPANESE}]", character):
        return _ALNUM + _JAPANESE
    return None


def _edges(secret: str) -> tuple[str | None, str | None]:
    return _kind(secret[0]), _kind(secret[-1])


def _standalone(secret: str) -> str:
    """A pattern for the secret not inside a longer run of its own kind of characters."""
    before, after = _edges(secret)
    head = f"(?<![{before}])" if before else ""
    tail = f"(?![{after}])" if after else ""
    return f"{head}{re.escape(secret)}{tail}"


# A secret of letters and digits only stands alone exactly where it is a whole run of
# them. In JSON text a character escaped beside it shows as 「\n」 or 「\u001f」, so
# escapes are read as separators (at worst that finds a run that is not one in the string,
# which only makes the masker look).
_ALNUM_ONLY: Final = re.compile(f"[{_ALNUM}]+")
_JSON_RUNS: Final = re.compile(rf"\\(?:u00[0-9a-fA-F]{{2}}|[nrtbf])|([{_ALNUM}]+)")


def _json_form(secret: str) -> str:
    """The secret as it appears inside a JSON string."""
    return json.dumps(secret, ensure_ascii=False)[1:-1]


class _Index:
    """The secrets arranged for masking, rebuilt when a secret is added (a run adds one a
    hundred times; compiling one pattern of them all each time cost 0.35 s of the run).

    Most secrets (codes, PINs, passwords) are letters and digits only: one of them stands
    alone exactly where it is a whole run of letters and digits, so finding and masking them
    takes a set lookup per run, and no pattern of them. The others, if any, have a pattern.
    """

    def __init__(self, secrets: set[str]) -> None:
        self.runs = frozenset(s for s in secrets if _ALNUM_ONLY.fullmatch(s))
        others = sorted(secrets - self.runs, key=len, reverse=True)
        self.words = re.compile("|".join(re.escape(_json_form(s)) for s in others or ["(?!)"]))
        self.others = re.compile("|".join(_standalone(s) for s in others)) if others else None

    def may_hold(self, dumped: str) -> bool:
        """Whether the JSON text of some data may hold a standalone secret (searching it
        with the masking pattern's lookarounds was ten times slower)."""
        if self.others is not None and self.words.search(dumped):
            return True
        return not self.runs.isdisjoint(_JSON_RUNS.findall(dumped))

    def masked(self, text: str) -> str:
        """The text with every standalone secret masked. The others go first: a match of
        theirs is never continued by a letter or digit, so it splits no run."""
        if self.others is not None:
            text = self.others.sub(MASK, text)
        return _ALNUM_ONLY.sub(self._run, text) if self.runs else text

    def _run(self, found: re.Match[str]) -> str:
        return MASK if found.group() in self.runs else found.group()


class SecretBook:
    """Every secret value sent so far, and masking with all of them.

    A value is masked where it stands alone, not continued by the characters around it
    (see `_kind`), so a one-digit code does not blot out error codes, dates and token
    numbers, nor a word secret the labels that contain it.
    """

    def __init__(self, fields: frozenset[str]) -> None:
        self.fields = fields
        self._secrets: set[str] = set()
        self._index: _Index | None = None  # made when first needed after a change

    def add(self, values: Iterable[str]) -> None:
        """Records secret values that were sent."""
        new = {value for value in values if value} - self._secrets
        if new:
            self._secrets |= new
            self._index = None

    def sent(self, op: str, args: Mapping[str, Any]) -> None:
        """Records the secrets of one request: a fixture's, or a value typed into a secret field."""
        if op == "reset":
            self.add(fixture_secrets(args.get("fixture") or {}))
        elif op == "enter" and args.get("field") in self.fields:
            self.add([str(args.get("value", ""))])

    def _indexed(self) -> _Index:
        if self._index is None:
            self._index = _Index(self._secrets)
        return self._index

    def text(self, text: str) -> str:
        """The text with every standalone secret masked."""
        if not self._secrets:
            return text
        return self._indexed().masked(text)

    def data(self, value: Any) -> Any:
        """JSON-like data with secrets masked in every string: the data itself when none of
        its strings holds one (most views), else a masked copy."""
        if not self._secrets:
            return value
        if not self._indexed().may_hold(json.dumps(value, ensure_ascii=False, default=str)):
            return value
        return self._masked(value)

    def _masked(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {key: self._masked(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._masked(item) for item in value]
        return value
