"""Contracts on tokens and the app's other stored effects (3.3, 3.4, 3.5-3.7, 3.9, 3.12, 4.2)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Final

from harness.contracts.registry import contract
from harness.contracts.step import Step, shown_date
from harness.contracts.types import Finding
from harness.contracts.world import World

__all__: list[str] = []


def _names(names: list[str]) -> str:
    return "、".join(f"「{name}」" for name in names) or "(none)"


def _list_owner(world: World, shown: list[str]) -> str | None:
    """Which contract a wrong token list breaks: deletion, renaming, or the naming rule."""
    expected = [token.display_name for token in world.tokens]
    if shown == expected:
        return None
    extra = Counter(shown) - Counter(expected)
    if set(extra) & set(world.deleted.values()) or (len(shown) < len(expected) and world.deleted):
        return "deletion_removes_that_token"
    for index, token in enumerate(world.tokens):
        if index >= len(shown) or shown[index] != token.display_name:
            # The first token out of place says which promise broke.
            return "display_text_applied" if token.renamed else "display_names"
    return "display_names"


def _listed(step: Step) -> list[str] | None:
    tokens = None if step.view is None else step.view.get("tokens")
    if not isinstance(tokens, list) or not tokens or not step.world.tokens_known:
        return None
    return [str(name) for name in tokens]


def _list_findings(step: Step, owner: str) -> Iterator[Finding]:
    shown = _listed(step)
    if shown is not None and _list_owner(step.world, shown) == owner:
        expected = [token.display_name for token in step.world.tokens]
        # The same tokens in another order break only the order of ASM-064.
        aspect = "order" if Counter(shown) == Counter(expected) else ""
        yield Finding("the token list is not the stored tokens' names in the order added",
                      _names(expected), _names(shown), aspect)  # fmt: skip


_SUFFIX: Final = re.compile(r"_[0-9]+$")


def _suffix_only(expected: str, shown: str) -> bool:
    """Whether two names differ only in the number after `_` (ASM-012's numbering); a
    missing `_n` is 3.3's own requirement."""
    both = _SUFFIX.search(expected) is not None and _SUFFIX.search(shown) is not None
    return both and _SUFFIX.sub("", expected) == _SUFFIX.sub("", shown)


def _name_findings(step: Step, owner: str) -> Iterator[Finding]:
    token = step.shown_token()
    name = step.shown_token_field("name")
    if token is None or name is None or name == token.display_name:
        return
    if ("display_text_applied" if token.renamed else "display_names") == owner:
        # A renamed token's name is 3.12's text exactly (an empty text drops the suffix);
        # otherwise a name off only in its number breaks ASM-012's numbering alone.
        numbering = not token.renamed and _suffix_only(token.display_name, str(name))
        aspect = "suffix_number" if numbering else ""
        yield Finding(f"token {token.serial} shows another name", token.display_name, name, aspect)


@contract("display_names", aspects=("order", "suffix_number"))
def _display_names(step: Step) -> Iterator[Finding]:
    yield from _list_findings(step, "display_names")
    yield from _name_findings(step, "display_names")


@contract("display_text_applied", aspects=("order",))
def _display_text(step: Step) -> Iterator[Finding]:
    yield from _list_findings(step, "display_text_applied")
    yield from _name_findings(step, "display_text_applied")


@contract("deletion_removes_that_token", aspects=("order",))
def _deletion(step: Step) -> Iterator[Finding]:
    yield from _list_findings(step, "deletion_removes_that_token")
    serial = step.shown_token_field("serial")
    if serial in step.world.deleted and step.world.token(serial) is None:
        yield Finding("a deleted token is shown", "not shown", step.world.deleted[str(serial)])


@contract("token_limit")
def _limit(step: Step) -> Iterator[Finding]:
    most = step.world.params.max_tokens
    listed = _listed(step) or []
    if len(listed) > most:
        yield Finding(f"{len(listed)} tokens are listed", f"at most {most}", str(len(listed)))
    added = step.on in ("初期設定", "トークン追加") and step.tapped == "送信"
    if added and not step.failed and step.shown != step.on and len(step.before.tokens) >= most:
        yield Finding(f"a token was added with {most} stored", "no token added", "added")


@contract("token_serial")
def _serial(step: Step) -> Iterator[Finding]:
    serial = step.shown_token_field("serial")
    world = step.world
    if serial is None or not world.tokens_known or world.token(serial) is not None:
        return
    if serial in world.deleted:
        return  # deletion_removes_that_token's case
    known = [token.serial for token in world.tokens]
    yield Finding("the serial shown is none of the stored tokens'", " / ".join(known), serial)


@contract("acted_on_token_is_named")
def _acted_on(step: Step) -> Iterator[Finding]:
    world, view = step.world, step.view
    if view is None or step.failed or view.get("dialog") is not None:
        return
    if step.shown == "トークン削除確認":
        target, what = world.token(world.deletion_target), "the token chosen for deletion"
    elif step.shown == "トークン表示名設定":
        target = world.token(world.naming) if world.naming else world.selected_token
        what = "the token just issued" if world.naming else "the selected token"
    else:
        return
    if target is None:
        return
    shown = step.shown_token_field("name")
    serial = step.shown_token_field("serial")
    if serial is not None:
        # By identity: a wrong name of the right token is display_names' or
        # display_text_applied's, an unknown serial token_serial's.
        wrong = world.token(serial) is not None and serial != target.serial
    else:
        wrong = shown != target.display_name
    if wrong:
        yield Finding(f"「{step.shown}」 does not name {what}", target.display_name, str(shown))


@contract("selection_kept")
def _selection(step: Step) -> Iterator[Finding]:
    world = step.world
    serial = step.shown_token_field("serial")
    selected = world.selected_token
    if step.shown != "ワンタイムパスワード" or serial is None or selected is None:
        return
    if serial != selected.serial and world.token(serial) is not None:
        shown = world.token(serial)
        yield Finding(
            "「ワンタイムパスワード」 shows another token than the one selected",
            selected.display_name,
            shown.display_name if shown is not None else serial,
        )


def _launched(step: Step) -> bool:
    launching = step.request.op == "launch" or step.tapped == "取引確認を促す通知"
    return launching and not step.before.running


@contract("lock_code_in_force")
def _lock(step: Step) -> Iterator[Finding]:
    before = step.before
    if step.view is None or not before.lock_known:
        return
    if _launched(step) and not step.failed and before.privacy_agreed and before.tokens:
        asked = step.shown == "アプリロックコード入力"
        if asked != (before.lock_code is not None):
            yield Finding(
                "the app lock code is " + ("asked without one set" if asked else "not asked"),
                "「アプリロックコード入力」" if before.lock_code else "no lock",
                str(step.shown),
            )
    entering = step.on == "アプリロックコード入力" and not step.on_dialog
    typed = before.typed.get("アプリロックコード")
    if entering and step.tapped == "確定" and typed is not None and before.lock_code:
        right = typed == before.lock_code
        if right == step.failed:
            yield Finding(
                "the app lock " + ("refused the code in force" if right else "took another code"),
                "accepted" if right else "A914",
                str(step.error_code) if step.failed else "accepted",
            )


@contract("renewal_extends_expiry")
def _renewal(step: Step) -> Iterator[Finding]:
    serial = step.shown_token_field("serial")
    old = None if serial is None else step.world.renewed.get(serial)
    shown = step.shown_token_field("expires")
    before, after = shown_date(old), shown_date(shown)
    if before is not None and after is not None and after <= before:
        yield Finding("the expiry shown after renewal is not later", f"after {old}", str(shown))
