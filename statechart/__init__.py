"""Load, check, build and run the app's statechart model."""

from __future__ import annotations
