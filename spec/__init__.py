"""The specification as data: the statechart, the error catalogue, the rules, the sections
and the assumptions register, with their JSON Schemas in `schemas/`.

Shipped as package data of `statechart.spec` (see `statechart.resources`); no code here.
"""
