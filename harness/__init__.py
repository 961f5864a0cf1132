"""The conformance harness: drive any implementation, check it, report, draw.

Subpackages, each one job, importing `statechart` and never the reverse:

- `protocol`: conformance protocol v1 (messages, dispatch, the `serve` loop);
- `adapters`: the reference in-process or any implementation as a subprocess;
- `scenarios`: Japanese Gherkin features as typed data, their replay on the reference;
- `vocabulary`: the step library (前提/もし/ならば phrases);
- `generation`: model-based checks and the differential walk;
- `run`: running scenarios and checks against an implementation;
- `reports`: JSON, HTML, traceability and coverage reports;
- `diagrams`: screen-flow diagrams (Graphviz, Mermaid, SCXML);
- `mutants`: non-conforming implementations that prove the checks' power;
- `cli`: the `otpspec` command.
"""

from __future__ import annotations
