"""What a broken expectation rests on: manual sections, registered assumptions, or both.

`Grounds` is the grader's answer (docs/grading.md): the sections to name and the assumption
ids that make the failure a deviation. It is built from `statechart.basis.Basis` of the spec
items the broken expectation involves, joined by `gather`, which also decides which sections
are named: a step's items each cite every procedure they take part in (the launch transition
cites 2.1 and the whole of 3.1), so the sections named are those all of them share, and only
where they share none, all of them. That is what makes one bug turn one section red.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from statechart.basis import Basis
from statechart.model import Spec

__all__ = [
    "REGISTER_ONLY",
    "Grounds",
    "gather",
    "narrowed",
    "register_grounds",
    "related_sections",
]

Verdict = Literal["fail", "deviation"]

REGISTER_ONLY: Final[dict[str, str]] = {
    "suffix_number": "ASM-012",
    "inputs_kept": "ASM-041",
    "password_elsewhere": "ASM-076",
}
"""Assumptions docs/grading.md names for an expectation no spec item's `assumed` carries: the
number after `_` in a further token's name (rules `suffix` only cites ASM-012), and whether
typed inputs are kept after an error or cleared on re-entry (ASM-041, cited by the error
dialogs), and that no screen but 「ワンタイムパスワード」 shows a password (ASM-076: the
screens' `shows` leave it out). tests/grading checks that each is registered."""


def related_sections(one: str, other: str) -> bool:
    """Whether two section ids are the same or one contains the other (3.9 and 3.9.1)."""
    return one == other or one.startswith(other + ".") or other.startswith(one + ".")


def narrowed(clauses: Sequence[str], sections: Sequence[str]) -> tuple[str, ...]:
    """The clauses that bear on an item of these sections, or all of them if none does.

    A contract cites every section it guards (deletion: 3.4, 3.9.2, 3.9.3); a 3.4 scenario
    that breaks it breaks 3.4, so one bug makes one section red.
    """
    near = tuple(c for c in clauses if any(related_sections(c, s) for s in sections))
    return near or tuple(clauses)


@dataclass(frozen=True)
class Grounds:
    """What a broken expectation rests on.

    Attributes:
        sections: The manual sections to name, most specific first.
        assumptions: The ids of the registered assumptions it rests on instead of the manual
            (empty: the manual alone requires what was not observed).
    """

    sections: tuple[str, ...] = ()
    assumptions: tuple[str, ...] = ()

    @property
    def verdict(self) -> Verdict:
        """`fail` when every ground is the manual's, `deviation` when any is assumed."""
        return "deviation" if self.assumptions else "fail"

    @property
    def clauses(self) -> tuple[str, ...]:
        """The sections, then the assumption ids (what a report lists as the clauses)."""
        return (*self.sections, *self.assumptions)

    def describe(self, spec: Spec | None = None) -> str:
        """One line naming the grounds: the sections, or the ASM ids with their questions.

        Args:
            spec: Where the assumptions' questions are read (without it: their ids only).
        """
        sections = "、".join(self.sections) or "-"
        if not self.assumptions:
            return f"fail: マニュアル {sections}"
        questions = {a.id: a.question for a in spec.assumptions} if spec is not None else {}
        named = "; ".join(
            f"{ident} ({questions[ident]})" if ident in questions else ident
            for ident in self.assumptions
        )
        return f"deviation: {named} [マニュアル {sections}]"

    def counting(self, tags: Iterable[str]) -> Grounds:
        """The grounds without the assumptions a scenario disclaims (`@not-ASM-063`).

        Every assumed ground counts, whether or not the scenario tags it: a scenario writer
        cannot be expected to know which assumptions the spec's items rest on. A scenario
        says with `@not-ASM-…` that its expectations hold by the manual even where the
        spec's item is assumed (docs/grading.md, "Features"): 3.10's correction repeated at
        once must give S4H9 whatever the exact window of ASM-063 is.
        """
        names = [tag.removeprefix("@") for tag in tags]
        disclaimed = {n.removeprefix("not-") for n in names if n.startswith("not-ASM-")}
        kept = tuple(a for a in self.assumptions if a not in disclaimed)
        if kept == self.assumptions:
            return self
        # The scenario's own sections settle what the assumption did: name them first.
        own = [n.removeprefix("section-") for n in names if n.startswith("section-")]
        return Grounds(tuple(dict.fromkeys([*own, *self.sections])), kept)

    @classmethod
    def of(cls, basis: Basis) -> Grounds:
        """The grounds of one `statechart.basis.Basis`."""
        return cls(tuple(basis.sections), tuple(basis.assumptions))


def _shared(parts: Sequence[Grounds]) -> tuple[str, ...]:
    """The sections every part with sections has (or a related one of), else all of them."""
    cited = [p.sections for p in parts if p.sections]
    union = tuple(dict.fromkeys(s for sections in cited for s in sections))
    shared = tuple(s for s in union if all(any(related_sections(s, t) for t in c) for c in cited))
    return shared or union


def gather(parts: Iterable[Grounds | Basis]) -> Grounds:
    """The grounds of an expectation that rests on several items.

    Assumptions add up (a deviation as soon as one part is assumed); the sections named are
    those every part shares (3.9 shares with 3.9.1), or all when they share none.
    """
    listed = [p if isinstance(p, Grounds) else Grounds.of(p) for p in parts]
    assumptions = tuple(dict.fromkeys(a for p in listed for a in p.assumptions))
    return Grounds(_shared(listed), assumptions)


def register_grounds(spec: Spec, ident: str) -> Grounds:
    """The grounds of an expectation that only the register entry `ident` makes.

    Raises:
        KeyError: The register has no such entry.
    """
    for assumption in spec.assumptions:
        if assumption.id == ident:
            return Grounds(tuple(assumption.sections), (ident,))
    raise KeyError(f"spec/assumptions.yaml has no {ident}")
