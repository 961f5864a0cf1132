"""World.copy: the contracts' record of the world, copied before each step."""

from __future__ import annotations

import copy
from dataclasses import fields

from contract_helpers import fixture, token, transactions

from harness.contracts.world import Params, World
from statechart.model import Spec


def _world(spec: Spec) -> World:
    made = fixture(token(transaction_started=True), transactions=transactions("T1", "T2"))
    world = World.from_fixture(made, Params.from_spec(spec))
    world.used_steps[("MIRAI01", "USER0001")] = {1, 2}
    world.deleted["123"] = "x"
    world.typed["PIN"] = "1234"
    return world


class TestCopy:
    def test_equals_a_deep_copy(self, spec: Spec) -> None:
        world = _world(spec)
        assert world.copy() == copy.deepcopy(world)

    def test_shares_only_the_params(self, spec: Spec) -> None:
        world = _world(spec)
        clone = world.copy()
        assert clone.params is world.params
        for item in fields(world):
            value = getattr(world, item.name)
            if isinstance(value, dict | list | set):
                assert getattr(clone, item.name) is not value, item.name

    def test_changing_the_copy_leaves_the_world(self, spec: Spec) -> None:
        world = _world(spec)
        before = copy.deepcopy(world)
        clone = world.copy()
        clone.tokens[0].renamed = True
        clone.tokens[0].pin = "9999"
        clone.transactions[0].details["金額"] = "1円"
        clone.used_steps[("MIRAI01", "USER0001")].add(3)
        next(iter(clone.accounts.values())).issued = True
        clone.tokens.pop()
        assert world == before
