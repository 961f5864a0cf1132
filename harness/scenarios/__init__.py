"""Japanese Gherkin features as typed data, their replay on the reference, and their text."""

from __future__ import annotations
