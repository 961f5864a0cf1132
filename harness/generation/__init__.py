"""Model-based checks generated from the statechart, and the differential walk."""

from __future__ import annotations
