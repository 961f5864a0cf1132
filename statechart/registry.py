"""The names of the guards and actions the Python side implements.

`otpspec validate` compares them with the names the statechart uses.
"""

from __future__ import annotations

from statechart import actions, guards

__all__ = ["ACTIONS", "GUARDS"]

GUARDS: frozenset[str] = frozenset(guards.GUARDS)
ACTIONS: frozenset[str] = frozenset(actions.ACTIONS)
