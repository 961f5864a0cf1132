"""How a request and the view that answered it change the harness's record of the world.

`interpret` applies what the request did, as a person reads the manual: a PIN typed on
「PIN入力」 and 確定 is the PIN in use (3.1.3), [送信] on 「初期設定」 that leads on without an
error issued a token (1.3.1), and so on. The screens are named by their titles, the manual's
words. Markers for what follows (the token being named, a renewal in progress, a
notification being opened) are set here, and `settle` records what the view showed and
clears the markers the view has answered. Contracts see the world between the two.

A refused request changed nothing (docs/protocol.md). Where the record cannot follow (a
value a person typed that the harness did not see), it says so (`tokens_known`,
`lock_known`) and the contracts that need it stay silent rather than guess.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Final

from harness.contracts.oracle import accepted_step, counter, password
from harness.contracts.types import Outcome, Refusal, Request, View
from harness.contracts.world import Token, World
from statechart.clock import parse_instant

__all__ = [
    "NAMING_FLOW",
    "NOTHING_TO_CONFIRM",
    "app_password",
    "confirming",
    "dialog",
    "interpret",
    "says_nothing_to_confirm",
    "settle",
    "title",
]

NOTHING_TO_CONFIRM: Final = "現在認証対象のお取引がありません"
"""The start of the line shown when no transaction awaits confirmation (3.13.2 注意 cuts it
with ～: the spec's `match: prefix`)."""


def says_nothing_to_confirm(texts: object) -> bool:
    """Whether a view's text lines hold the no-transaction line (any ending after its start)."""
    lines = texts if isinstance(texts, list) else []
    return any(isinstance(line, str) and line.startswith(NOTHING_TO_CONFIRM) for line in lines)


NAMING_FLOW: Final = frozenset({"初期設定完了", "トークン追加完了", "トークン表示名設定"})
"""Screens during which the token just issued is the one being named (ASM-056)."""
_NOTIFICATION: Final = "取引確認を促す通知"


def title(view: View | None) -> str | None:
    """The title of the screen a view shows (None when closed)."""
    screen = None if view is None else view.get("screen")
    return screen.get("title") if isinstance(screen, Mapping) else None


def dialog(view: View | None) -> bool:
    """Whether a dialog (or error) is in front of the screen."""
    return view is not None and (view.get("dialog") is not None or view.get("error") is not None)


def _screen_id(view: View | None) -> str | None:
    screen = None if view is None else view.get("screen")
    return screen.get("id") if isinstance(screen, Mapping) else None


def _error_code(view: View) -> str | None:
    error = view.get("error")
    return error.get("code") if isinstance(error, Mapping) else None


def app_password(world: World, token: Token) -> str:
    """The password the app should show for a token now (docs/protocol.md, Passwords)."""
    pin = None
    if token.pin is not None:
        use = world.pin_in_use if token.serial == world.selected else None
        pin = use if use is not None else token.pin
    params = world.params
    return password(token.seed, pin, world.device_now, period=params.period, digits=params.digits)


# ---- the request's effects


def interpret(world: World, before: View | None, request: Request, outcome: Outcome) -> World:
    """A copy of `world` with the request's effects applied (markers set, nothing settled)."""
    if request.op == "reset" and not isinstance(outcome, Refusal):
        return World.from_fixture(request.args.get("fixture", {}), world.params)
    after = world.copy()
    after.injected_now = False
    if isinstance(outcome, Refusal):
        return after
    handler = _HANDLERS.get(request.op)
    if handler is not None:
        handler(after, before, request.args, outcome)
    _consume_injection(after, outcome)
    return after


def _clock(world: World, before: View | None, args: Mapping[str, Any], view: View) -> None:
    if args.get("advance") is not None:
        world.now += timedelta(seconds=float(args["advance"]))
    elif isinstance(args.get("set"), str):
        world.now = parse_instant(str(args["set"]))


def _network(world: World, before: View | None, args: Mapping[str, Any], view: View) -> None:
    world.online = bool(args.get("online"))


def _server(world: World, before: View | None, args: Mapping[str, Any], view: View) -> None:
    world.injected.append((str(args.get("operation")), str(args.get("code"))))


def _notify(world: World, before: View | None, args: Mapping[str, Any], view: View) -> None:
    world.notified = str(args.get("transaction"))


def _enter(world: World, before: View | None, args: Mapping[str, Any], view: View) -> None:
    world.typed[str(args.get("field"))] = str(args.get("value"))


def _launch(world: World, before: View | None, args: Mapping[str, Any], view: View) -> None:
    if not world.running:
        _started(world)


def _started(world: World) -> None:
    """A launch: the PIN is asked again (3.1.3) and a single token is the one in use."""
    world.running = True
    world.pin_in_use = None
    world.pin_source = None
    if len(world.tokens) == 1:
        world.selected = world.tokens[0].serial


def _tap(world: World, before: View | None, args: Mapping[str, Any], view: View) -> None:
    label = str(args.get("target"))
    if label == _NOTIFICATION:
        _open_notification(world)
        return
    on = title(before)
    if dialog(before):
        if confirming(before, label) and view.get("error") is None and title(view) != on:
            _confirmed(world, view)
        return
    ok = view.get("error") is None
    action = _TAPS.get((on, label))
    if action is not None and ok:
        action(world, before, view)
    elif on == "トークン選択" and before is not None and label in before.get("tokens", []):
        _choose(world, label)
    elif on == "トークン削除" and before is not None and label in before.get("tokens", []):
        chosen = world.token_named(label)
        world.deletion_target = None if chosen is None else chosen.serial
    elif label in ("同意して進む", "同意する"):
        world.privacy_agreed = True
    elif label == "同意しない":
        world.privacy_agreed = False


def confirming(before: View | None, label: str) -> bool:
    """[OK] of the dialog that confirms a transaction (not of an error dialog), 3.13.2 (5)."""
    on_error = before is not None and before.get("error") is not None
    return title(before) == "取引確認" and dialog(before) and not on_error and label == "OK"


def _open_notification(world: World) -> None:
    """3.13.2 (3): the notification's transaction opens, on its own token (ASM-026)."""
    if not world.running:
        world.running = True
    world.pin_in_use = None
    world.pin_source = None
    world.opening = world.notified
    transaction = world.transaction(world.notified)
    owner = (
        None
        if transaction is None
        else next((t for t in world.tokens if t.key == transaction.key), None)
    )
    chosen = owner or (world.tokens[0] if world.tokens else None)
    world.selected = None if chosen is None else chosen.serial


def _choose(world: World, name: str) -> None:
    chosen = world.token_named(name)
    world.selected = None if chosen is None else chosen.serial
    world.pin_in_use = None
    world.pin_source = None


def _pin_entered(world: World, before: View | None, view: View) -> None:
    pin = world.typed.get("PIN")
    world.pin_in_use = pin
    world.pin_source = "entered" if pin is not None else None


def _issued(world: World, before: View | None, view: View) -> None:
    """初期設定／トークン追加 led on without an error: the service issued a token."""
    if title(view) == title(before):
        return
    service = world.services.get(world.typed.get("サービスID", ""))
    user_id = world.typed.get("ユーザID")
    if service is None or user_id is None:
        world.tokens_known = False
        return
    token = world.new_token(service, user_id)
    world.tokens.append(token)
    world.naming = token.serial
    if title(before) == "初期設定":
        world.selected = token.serial
        world.pin_in_use = token.pin
        world.pin_source = "initial" if token.pin is not None else None


def _named(world: World, before: View | None, view: View) -> None:
    target = world.token(world.naming) if world.naming else world.selected_token
    text = world.typed.get("変更後の追加文言")
    if target is not None and text is not None:
        target.text = text
        target.renamed = True


def _deleted(world: World, before: View | None, view: View) -> None:
    _remove(world, world.deletion_target)
    world.deletion_target = None


def _expired_removed(world: World, before: View | None, view: View) -> None:
    _remove(world, world.selected)


def _remove(world: World, serial: str | None) -> None:
    token = world.token(serial)
    if token is None:
        return
    world.tokens.remove(token)
    world.deleted[token.serial] = token.display_name
    if world.selected == token.serial:
        world.selected = None


def _pin_changed(world: World, before: View | None, view: View) -> None:
    token, new = world.selected_token, world.typed.get("新しいPIN")
    if token is None or title(view) == "PIN変更":
        return
    if new is None:
        world.tokens_known = False
        return
    token.pin = new
    token.pin_initial = False
    world.pin_in_use = new
    world.pin_source = "changed"


def _renewal(world: World, before: View | None, view: View) -> None:
    token = world.selected_token
    if token is not None and token.serial in world.expiries:
        world.renewed[token.serial] = world.expiries[token.serial]


def _corrected(world: World, before: View | None, view: View) -> None:
    token = world.selected_token
    if token is not None and world.online:
        world.corrections[token.key] = world.skew


def _lock_set(world: World, before: View | None, view: View) -> None:
    fields = {} if before is None else before.get("fields", {})
    if fields.get("アプリロック設定") == "OFF":
        world.lock_code, world.lock_known = None, True
        return
    code = world.typed.get("アプリロックコード")
    world.lock_code, world.lock_known = code, code is not None


def _confirmed(world: World, view: View) -> None:
    """認証確認 succeeded: the transaction shown is confirmed and its step used (3.13.2)."""
    transaction = world.transaction(world.shown_transaction)
    token = world.selected_token
    if transaction is not None:
        transaction.confirmed = True
        world.confirmed_any = True
    if token is None:
        return
    params = world.params
    used = world.used_steps.setdefault(token.key, set())
    step = accepted_step(
        app_password(world, token),
        token.seed,
        token.pin,
        world.now,
        correction=world.corrections.get(token.key, 0),
        used=frozenset(used),
        period=params.period,
        digits=params.digits,
    )
    used.add(step if step is not None else counter(world.now, params.period))


def _key(world: World, before: View | None, args: Mapping[str, Any], view: View) -> None:
    """Keys change nothing recorded beyond what the view shows (closing, see settle)."""


Handler = Callable[[World, View | None, Mapping[str, Any], View], None]
_HANDLERS: Final[dict[str, Handler]] = {
    "clock": _clock,
    "network": _network,
    "server": _server,
    "notify": _notify,
    "enter": _enter,
    "launch": _launch,
    "tap": _tap,
    "key": _key,
}
TapAction = Callable[[World, View | None, View], None]
_TAPS: Final[dict[tuple[str | None, str], TapAction]] = {
    ("PIN入力", "確定"): _pin_entered,
    ("初期設定", "送信"): _issued,
    ("トークン追加", "送信"): _issued,
    ("トークン表示名設定", "登録"): _named,
    ("トークン削除確認", "削除"): _deleted,
    ("有効期限切れ", "確認"): _expired_removed,
    ("有効期限切れ", "削除"): _expired_removed,
    ("PIN変更", "送信"): _pin_changed,
    ("有効期限更新", "今すぐ更新"): _renewal,
    ("パスワード補正", "実行"): _corrected,
    ("アプリロック設定", "確定"): _lock_set,
}


def _consume_injection(world: World, view: View) -> None:
    """An error whose code was injected is the injection's, not the app's own judgement."""
    code = _error_code(view)
    for index, (_operation, injected) in enumerate(world.injected):
        if code is not None and injected == code:
            del world.injected[index]
            world.injected_now = True
            return


# ---- what the view showed


def settle(world: World, before: View | None, outcome: Outcome) -> World:
    """Records what the view showed and clears the markers it answered (in place)."""
    if isinstance(outcome, Refusal):
        return world
    view = outcome
    if view.get("app") == "closed":
        _closed(world)
        return world
    world.running = True
    if _screen_id(view) != _screen_id(before):
        world.typed = {}
    shown = title(view)
    token = view.get("token")
    if isinstance(token, Mapping) and isinstance(token.get("serial"), str):
        serial = str(token["serial"])
        world.expiries[serial] = str(token.get("expires"))
        world.renewed.pop(serial, None)
        if world.selected is None and shown == "ワンタイムパスワード" and world.token(serial):
            world.selected = serial  # the app knew what the record could not: adopt it
    if shown not in NAMING_FLOW:
        world.naming = None
    if shown == "取引確認" and not dialog(view):
        world.shown_transaction = _match_transaction(world, view)
        world.opening = None
    elif shown == "取引確認開始完了" and says_nothing_to_confirm(view.get("texts")):
        world.shown_transaction = None
        world.opening = None
    return world


def _closed(world: World) -> None:
    world.running = False
    world.pin_in_use = None
    world.pin_source = None
    world.typed = {}
    world.naming = None
    world.opening = None
    world.shown_transaction = None


def _match_transaction(world: World, view: View) -> str | None:
    details = view.get("transaction")
    token = world.selected_token
    if not isinstance(details, Mapping) or token is None:
        return None
    candidates = [t for t in world.pending(token.key) if t.details == dict(details)]
    return candidates[0].transaction_id if candidates else None
