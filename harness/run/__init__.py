"""Running scenarios and checks against an implementation."""

from __future__ import annotations
