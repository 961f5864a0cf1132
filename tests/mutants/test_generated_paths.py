"""harness/generation (checks, explore, graph): checks generated from the statechart."""

from __future__ import annotations

from pathlib import Path

from test_differential import MutantInProcess

from harness.adapters import InProcessAdapter
from harness.generation.checks import GeneratedSet, Limits, generate_checks, run_generated
from harness.generation.events import fills
from harness.generation.explore import explore
from harness.generation.fixtures import FIXTURES, FieldValue
from harness.generation.graph import Seen, explain, placements, relevant_guards, transition_graph
from harness.generation.steps import TransitionIndex
from harness.scenarios.gherkin import load_features
from statechart.model import Spec


class TestGenerateChecks:
    def test_covers_most_transitions(self, generated: GeneratedSet) -> None:
        assert generated.total == len(generated.covered) + len(generated.unreached)
        assert generated.percent >= 90
        assert generated.inputs > 50 and generated.checks

    def test_report(self, generated: GeneratedSet) -> None:
        lines = generated.report()
        assert (
            lines[1]
            == f"transitions: {len(generated.covered)}/{generated.total} = {generated.percent}%"
        )
        assert len(lines) == 4 + len(generated.unreached)

    def test_computed_once(self, spec: Spec, generated: GeneratedSet) -> None:
        assert generate_checks(spec) is generated

    def test_each_check_has_a_view_per_step(self, generated: GeneratedSet) -> None:
        for check in generated.checks:
            assert len(check.steps) == len(check.expected_views) == len(check.transitions)
            assert check.covers <= generated.covered

    def test_every_unreached_transition_says_why(self, generated: GeneratedSet) -> None:
        assert all(u.reason and u.sections for u in generated.unreached)
        reasons = {u.transition: u.reason for u in generated.unreached}
        # Ten tokens are in no fixture: the limit's dialog cannot be reached from them.
        assert "token_limit_reached" in reasons["running.main.settings.menu#0"]

    def test_stops_at_a_depth(self, spec: Spec) -> None:
        shallow = generate_checks(spec, limits=Limits(max_depth=3), fixtures=FIXTURES[:1])
        assert shallow.stopped == "depth 3 reached" and shallow.percent < 20

    def test_stops_at_a_coverage_target(self, spec: Spec) -> None:
        half = generate_checks(spec, limits=Limits(target=0.3), fixtures=FIXTURES[1:2])
        assert half.stopped.startswith("target of 30%") and half.percent >= 30


class TestRunGenerated:
    def test_reference_passes(self, spec: Spec, generated: GeneratedSet) -> None:
        assert all(r.ok for r in run_generated(InProcessAdapter(spec), generated.checks[:40]))

    def test_mutant_fails_with_a_replayable_scenario(
        self, spec: Spec, generated: GeneratedSet, tmp_path: Path
    ) -> None:
        impl = MutantInProcess(spec, "version_4_0_0")
        results = run_generated(impl, generated, stop_early=True)
        failed = results[-1]
        assert not failed.ok and failed.field == "texts" and "3.11" in failed.sections
        assert failed.expected == ["Version4.1.0"] and failed.observed == ["Version4.0.0"]
        path = tmp_path / "生成.feature"
        path.write_text(failed.gherkin, encoding="utf-8")
        assert load_features([path], spec)
        assert "「Version4.1.0」が表示される" in failed.gherkin


class TestTransitionGraph:
    def test_nodes_are_resting_states(self, spec: Spec) -> None:
        graph = transition_graph(spec)
        assert set(graph.nodes) == {s.path for s in spec.statechart.resting_states()}

    def test_edges_keyed_by_transition_id(self, spec: Spec) -> None:
        graph = transition_graph(spec)
        keys = {key for _, _, key in graph.edges(keys=True)}
        assert keys <= set(TransitionIndex(spec).ids)
        assert graph.has_edge("closed", "running.launch_route", key="closed#0")


class TestPlacements:
    def test_every_transition_is_placed(self, spec: Spec) -> None:
        placed = placements(spec)
        assert set(placed) == set(TransitionIndex(spec).ids)
        assert "running.main.settings.menu" in placed["running.main#2"]


class TestRelevantGuards:
    def test_launch_passes_the_choices(self, spec: Spec) -> None:
        guards = relevant_guards(spec)
        assert {"privacy_agreed", "app_lock_set", "selected_expired"} <= guards["closed"]


class TestExplain:
    def test_never_seen(self, spec: Spec) -> None:
        unreached = explain(spec, set(), Seen(), ())
        assert len(unreached) == len(TransitionIndex(spec).ids)
        assert "never reached" in unreached[0].reason


class TestExplore:
    def test_records_first_covering_paths(self, spec: Spec) -> None:
        found = explore(spec, FIXTURES[:1], Limits(max_depth=2))
        assert ("closed#0",) in found.first and found.levels == 2


class TestFills:
    def test_one_field_at_a_time_and_a_mismatch(self) -> None:
        values = {
            "コード": (FieldValue("5555", "正"), FieldValue("", "空")),
            "コード(確認用)": (FieldValue("5555", "正"), FieldValue("", "空")),
        }
        events = fills(["コード", "コード(確認用)"], values, frozenset({"コード"}))
        typed = [tuple(step.value for step in event) for event in events]
        assert typed == [("5555", "5555"), ("", ""), ("5555", "6666")]
        assert events[0][0].secret and not events[0][1].secret
