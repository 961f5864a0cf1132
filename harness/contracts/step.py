"""One step as a contract sees it: the world before and after, the request and the view."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from harness.contracts.advance import dialog, title
from harness.contracts.types import Request, View
from harness.contracts.world import Token, World

__all__ = ["Step", "shown_date"]


def shown_date(text: object) -> date | None:
    """A date as the app shows it, `YYYY/MM/DD` (4.2); None if it is not one."""
    if not isinstance(text, str):
        return None
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        return None


@dataclass(frozen=True)
class Step:
    """A step: `world` has the request's effects applied and its markers still set.

    Attributes:
        before: The world before the request.
        world: The world after the request's effects (what the view must agree with).
        before_view: The view before the request (None before the first).
        request: The request.
        view: The answer, or None when the request was refused.
    """

    before: World
    world: World
    before_view: View | None
    request: Request
    view: View | None

    @property
    def tapped(self) -> str | None:
        """The label tapped, for a `tap`."""
        target = self.request.args.get("target") if self.request.op == "tap" else None
        return target if isinstance(target, str) else None

    @property
    def on(self) -> str | None:
        """The title of the screen the request was made on."""
        return title(self.before_view)

    @property
    def on_dialog(self) -> bool:
        """Whether a dialog was in front when the request was made."""
        return dialog(self.before_view)

    @property
    def shown(self) -> str | None:
        """The title of the screen after the request."""
        return title(self.view)

    @property
    def error_code(self) -> str | None:
        """The code of the error on screen after the request (None: no error, or no code)."""
        error = None if self.view is None else self.view.get("error")
        return error.get("code") if isinstance(error, Mapping) else None

    @property
    def failed(self) -> bool:
        """Whether an error is on screen after the request."""
        return self.view is not None and self.view.get("error") is not None

    def shown_token(self) -> Token | None:
        """The stored token the view shows (by its serial), if the record knows it."""
        token = None if self.view is None else self.view.get("token")
        if not isinstance(token, Mapping):
            return None
        return self.world.token(
            token.get("serial") if isinstance(token.get("serial"), str) else None
        )

    def shown_token_field(self, key: str) -> str | None:
        """A field of the view's `token` (`name`, `serial`, `expires`, `start`)."""
        token = None if self.view is None else self.view.get("token")
        value = token.get(key) if isinstance(token, Mapping) else None
        return value if isinstance(value, str) else None

    def server_judged(self, operation: str) -> bool:
        """Whether the service's own judgement shows: online, nothing injected pending."""
        pending = any(op == operation for op, _ in self.before.injected)
        return self.before.online and not pending and not self.world.injected_now
