"""Conformance harness: CLI, protocol and adapters."""

from __future__ import annotations
