"""The Japanese Gherkin features, one file per manual procedure.

Shipped as package data of `harness.features` (see `harness.resources`); no code here.
"""
