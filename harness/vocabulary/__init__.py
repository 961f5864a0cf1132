"""The step library: every sentence a feature file may use (`otpspec steps` lists them)."""

from __future__ import annotations

from harness.vocabulary.phrases import (
    KIND_KEYWORDS,
    PHRASES,
    Phrase,
    match_any,
    match_step,
    suggest,
)

__all__ = [
    "KIND_KEYWORDS",
    "PHRASES",
    "Phrase",
    "match_any",
    "match_step",
    "suggest",
]
