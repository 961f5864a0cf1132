"""The reports of a conformance run: JSON, HTML, traceability, coverage."""

from __future__ import annotations
