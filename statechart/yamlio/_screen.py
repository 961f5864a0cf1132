"""Step 2 of reading a spec file: the parser's events, checked before anything is built.

Tags, nesting depth and alias expansion are checked on the event stream, so that an alias
bomb or ten thousand open brackets are refused at their own line in one linear pass,
without building a node. Sizes are counted, never built: an anchor's size is the number of
values under it with its own aliases expanded.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import yaml

from statechart.problems import JsonPath, Problem
from statechart.yamlio._common import (
    DEPTH_HINT,
    MAX_DEPTH,
    MAX_PATH_STEPS,
    MAX_VALUES,
    SIZE_HINT,
    STANDARD,
    Loader,
    Refused,
    at,
    problem,
)

__all__ = ["screen"]

_SCALAR_TAGS: Final = frozenset(STANDARD + name for name in ("str", "int", "float", "bool", "null"))
_TAG_HINT: Final = "remove the tag: spec files hold plain mappings, lists and scalars only"


def _events(text: str) -> Iterator[yaml.Event]:
    loader = Loader(text)
    try:
        while loader.check_event():
            yield loader.get_event()
    finally:
        loader.dispose()


def _tag_problem(file: str, event: yaml.Event) -> Problem | None:
    tag = getattr(event, "tag", None)
    if tag is None:
        return None
    if isinstance(event, yaml.ScalarEvent) and tag in _SCALAR_TAGS:
        return None
    if isinstance(event, yaml.MappingStartEvent) and tag == STANDARD + "map":
        return None
    if isinstance(event, yaml.SequenceStartEvent) and tag == STANDARD + "seq":
        return None
    shown = str(tag).replace(STANDARD, "!!", 1)
    return problem(at(file, event.start_mark), f"explicit tag {shown} is not allowed", _TAG_HINT)


@dataclass
class _Open:
    """A list or mapping being read: its anchor, the values counted before it, where we are."""

    anchor: str | None
    before: int
    mapping: bool
    items: int = 0  # items of a list; keys and values of a mapping
    key: str = "?"

    def step(self) -> str | int | None:
        """The path step of the node being read inside this one (None at a mapping key)."""
        if not self.mapping:
            return self.items
        return self.key if self.items % 2 else None


class _Screen:
    """Reads events one by one; raises Refused at the first that breaks a limit."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.sizes: dict[str, int] = {}
        self.open: list[_Open] = []
        self.total = 0

    def path(self) -> JsonPath:
        steps: list[str | int] = []
        for node in self.open[:MAX_PATH_STEPS]:
            step = node.step()
            if step is None:
                break
            steps.append(step)
        return tuple(steps)

    def refuse(self, event: yaml.Event, message: str, hint: str) -> None:
        raise Refused(problem(at(self.file, event.start_mark), message, hint, self.path()))

    def count(self, event: yaml.Event, added: int) -> None:
        self.total += added
        if self.total <= MAX_VALUES:
            return
        if isinstance(event, yaml.AliasEvent):
            message = (
                f"the alias *{event.anchor} copies {added:,} values; with aliases expanded "
                f"the file holds more than {MAX_VALUES:,} values (an alias bomb?)"
            )
            self.refuse(event, message, "write the repeated part out, or alias a smaller part")
        self.refuse(event, f"the file holds more than {MAX_VALUES:,} values", SIZE_HINT)

    def done(self, key: str) -> None:
        """A node inside the innermost open one is complete."""
        if self.open:
            parent = self.open[-1]
            if parent.mapping and parent.items % 2 == 0:
                parent.key = key
            parent.items += 1

    def read(self, event: yaml.Event) -> None:
        found = _tag_problem(self.file, event)
        if found is not None:
            self.problems.append(found)
        if isinstance(event, yaml.AliasEvent):
            anchor = str(event.anchor)
            if any(node.anchor == anchor for node in self.open):
                message = f"the alias *{anchor} is inside its own anchor (a recursive alias)"
                self.refuse(event, message, "do not refer to an anchor inside itself")
            # An undefined alias counts one here; composing reports it with its line.
            self.count(event, self.sizes.get(anchor, 1))
            self.done("?")
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                self.sizes[event.anchor] = 1
            self.count(event, 1)
            self.done(str(event.value))
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(self.open) >= MAX_DEPTH:
                message = f"lists and mappings nest more than {MAX_DEPTH} deep here"
                self.refuse(event, message, DEPTH_HINT)
            mapping = isinstance(event, yaml.MappingStartEvent)
            self.open.append(_Open(event.anchor, self.total, mapping))
            self.count(event, 1)
        elif isinstance(event, yaml.CollectionEndEvent):
            node = self.open.pop()
            if node.anchor is not None:
                self.sizes[node.anchor] = self.total - node.before
            self.done("?")


def screen(text: str, file: str) -> list[Problem]:
    """Checks a file's events: returns the tags it may not use.

    Raises:
        Refused: At the first alias, list or mapping that breaks MAX_DEPTH or MAX_VALUES,
            or a recursive alias.
        yaml.MarkedYAMLError: The text is not valid YAML.
    """
    checker = _Screen(file)
    for event in _events(text):
        checker.read(event)
    return checker.problems
