"""The `otpspec` command: validate, serve, render, steps, mutants and conform.

`commands.main` runs it; `program.entry` is the installed program. This package imports
neither on its own, so that the program can say plainly when a dependency is missing.
"""

from __future__ import annotations
