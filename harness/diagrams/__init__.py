"""Screen-flow diagrams from the spec: the flow model, Graphviz drawings, Mermaid and SCXML."""

from __future__ import annotations
