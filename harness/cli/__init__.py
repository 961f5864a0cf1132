"""The `otpspec` command: validate, serve, render, steps, mutants and conform."""

from __future__ import annotations

from harness.cli.commands import main

__all__ = ["main"]
