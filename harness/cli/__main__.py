"""`python -m harness.cli`: the `otpspec` command."""

from __future__ import annotations

import sys

from harness.cli.program import entry

sys.exit(entry())
