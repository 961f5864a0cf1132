"""The words of the diagrams: transition ids, what the user does, guards, section headings.

Every drawing (Graphviz, Mermaid, SCXML) and the replay's coverage name a transition by
the same `owner#index` id and describe it with the manual's words, so the texts live here,
apart from the flow model that places them.
"""

from __future__ import annotations

import re

from statechart.model import Section, Statechart, Transition

__all__ = [
    "action_text",
    "condition_text",
    "section_heading",
    "transition_id",
    "transition_label",
]

_KEYS = {"back": "バックキー", "home": "ホーム"}
_BIOMETRIC = {"success": "成功", "failure": "失敗", "cancel": "キャンセル"}
_EVENTS = {"launch": "起動", "notify": "通知", "timer": "タイマー"}
_TAPS = {
    "button": "[{}]",
    "tab": "「{}」タブ",
    "menu_item": "「{}」",
    "list": "「{}」から選択",
    "toggle": "「{}」切替",
    "notification": "「{}」をタップ",
}


def transition_id(chart: Statechart, transition: Transition) -> str:
    """Returns the stable id of a transition: `owner_path#index` in its owner's list.

    Raises:
        KeyError: if the transition is not one of its owner's transitions.
    """
    owned = chart.state(transition.owner).transitions
    for index, candidate in enumerate(owned):
        if candidate is transition:
            return f"{transition.owner}#{index}"
    for index, candidate in enumerate(owned):
        if candidate == transition:
            return f"{transition.owner}#{index}"
    raise KeyError(f"transition not owned by {transition.owner}")


def _element_kind(chart: Statechart, transition: Transition) -> str | None:
    for element in chart.visible_elements(transition.owner):
        if element.label == transition.element:
            return element.kind
    return None


def action_text(chart: Statechart, transition: Transition) -> str:
    """Returns what the user does: `[送信]`, `「設定」タブ`, `バックキー`, `起動`, or ""."""
    event = transition.event
    if event == "tap":
        label = transition.element or ""
        return _TAPS.get(_element_kind(chart, transition) or "", "「{}」").format(label)
    if event == "key":
        return _KEYS.get(transition.key or "", f"キー {transition.key}")
    if event == "biometric":
        return f"生体認証: {_BIOMETRIC.get(transition.result or '', transition.result or '')}"
    return "" if event is None else _EVENTS.get(event, event)


def condition_text(transition: Transition) -> str:
    """Returns the guards as `[a] [not b]` ("" when there are none)."""
    conditions = [*transition.guard, *(f"not {name}" for name in transition.unless)]
    return " ".join(f"[{condition}]" for condition in conditions)


def transition_label(chart: Statechart, transition: Transition) -> str:
    """Returns the action and the guards on one line."""
    parts = (action_text(chart, transition), condition_text(transition))
    return " ".join(part for part in parts if part)


def section_heading(section: Section) -> str:
    """Returns `3.9.1 有効期限まで180日以内の場合`, or the title alone for unnumbered sections."""
    if re.fullmatch(r"[0-9][0-9.]*", section.id):
        return f"{section.id} {section.title}"
    return section.title
