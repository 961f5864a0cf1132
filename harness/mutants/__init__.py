"""Non-conforming implementations: the reference with one plausible bug each."""

from __future__ import annotations

from harness.mutants.catalogue import (
    MUTANTS,
    Mutant,
    MutantApp,
    mutant_named,
)

__all__ = [
    "MUTANTS",
    "Mutant",
    "MutantApp",
    "mutant_named",
]
