"""One process's share of a conformance run: the spec, the implementation, the secrets.

pytest-xdist runs one pytest session per worker, so each worker holds one `RunState`: the
spec loaded once, one implementation process (started on first use, reset between items,
closed at the end), its contract monitor (every request of every item goes through it, so
it follows the implementation's world across `reset`s), the secrets sent so far, and an
in-process reference for replays.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from _pytest.outcomes import Failed  # pytest.fail.Exception, typed

from harness.adapters import Adapter, ImplementationError, ImplementationFailure, adapter_for
from harness.adapters.base import BREAK_AFTER
from harness.contracts import Monitor
from harness.generation.fixtures import FIXTURES, WalkFixture
from harness.generation.steps import Refusal, attempt_reset
from harness.run.context import attach_monitor
from harness.run.options import RunOptions
from harness.run.replay import ScenarioReplayer
from harness.run.secrets import SecretBook, secret_fields
from harness.run.shipped_replays import ShippedTransitions, Transitions
from harness.scenarios.feature import SECTION_TAG, Scenario, marker_name
from statechart.app import ReferenceApp
from statechart.capabilities import Capability, rewrite_fixture
from statechart.model import Spec

__all__ = ["ImplementationUnavailable", "RunState"]


class ImplementationUnavailable(Failed):
    """The implementation could not be started (or did not answer `hello`), or it broke
    the protocol BREAK_AFTER times in a row and counts as broken (the message says which,
    with the evidence).

    A pytest failure without a Python traceback (`pytrace=False`): pytest would otherwise
    format the traceback of every item it ends, some 0.4 s each, only for the plugin to
    replace it with the verdict.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, pytrace=False)


@dataclass
class RunState:
    """What every item of this process shares.

    Attributes:
        options: The run's options.
        spec: The spec, loaded and checked once.
        secrets: Every secret sent to the implementation so far.
        hello: The implementation's answer to `hello`, once started.
        start_failure: Why the implementation could not start ('' while it could).
        section_markers: Marker name → manual section id (`section-3.9.1` → `3.9.1`).
        monitor: The implementation's contract monitor (harness.contracts), fed every
            request of the scenarios, generated checks and differential walks.
        absent: The capabilities the vendor's declaration says the implementation lacks
            that have a `without`: every fixture the run sends is rewritten to the manual's
            own case without them (docs/declaration.md, "The rule, as data").
    """

    options: RunOptions
    spec: Spec
    secrets: SecretBook = field(init=False)
    section_markers: dict[str, str] = field(init=False)
    monitor: Monitor = field(init=False)
    hello: dict[str, Any] | None = None
    start_failure: str = ""
    absent: tuple[Capability, ...] = ()
    _adapter: Adapter | None = None
    _replayer: ScenarioReplayer | None = None
    _shipped: ShippedTransitions | None = None

    def __post_init__(self) -> None:
        self.secrets = SecretBook(secret_fields(self.spec))
        self.monitor = Monitor(self.spec)
        self.section_markers = {
            marker_name(f"{SECTION_TAG}{section.id}"): section.id for section in self.spec.sections
        }

    def implementation(self) -> Adapter:
        """The implementation, started and greeted on first use.

        Raises:
            ImplementationUnavailable: It cannot be started, or it failed `hello`, or it
                is broken (failed BREAK_AFTER times in a row, with no good answer between):
                every later call raises it again, with the same reason, at once, and no
                further process is started.
        """
        if self.start_failure:
            raise ImplementationUnavailable(self.start_failure)
        if self._adapter is not None and self._adapter.broken:
            raise ImplementationUnavailable(self._adapter.broken)
        if self._adapter is None:
            adapter = adapter_for(
                self.options.impl,
                self.spec,
                timeout=self.options.timeout,
                start_timeout=self.options.start_timeout,
                max_failures=BREAK_AFTER,
            )
            try:
                self.hello = adapter.hello()
            except (ImplementationError, ImplementationFailure) as error:
                adapter.close()
                self.start_failure = f"{self.options.impl}: {error}"
                raise ImplementationUnavailable(self.start_failure) from None
            self._adapter = adapter
            attach_monitor(adapter, self.monitor)
        return self._adapter

    def shipped_transitions(self, scenario: Scenario) -> Transitions | None:
        """The transitions a scenario takes on the reference, when they were shipped for
        it (harness.run.shipped_replays), and fixtures are sent as written; else None."""
        if self.absent:
            return None
        if self._shipped is None:
            self._shipped = ShippedTransitions(self.spec)
        return self._shipped.get(scenario)

    def replayer(self) -> ScenarioReplayer:
        """The in-process reference that replays scenarios (built on first use), with the
        fixtures rewritten as the implementation gets them."""
        if self._replayer is None:
            self._replayer = ScenarioReplayer(self.spec, self.rewrite if self.absent else None)
        return self._replayer

    def rewrite(self, fixture: dict[str, Any]) -> dict[str, Any]:
        """A fixture as this run sends it: without the absent capabilities."""
        return rewrite_fixture(fixture, self.absent)

    @functools.cached_property
    def fixtures(self) -> tuple[WalkFixture, ...]:
        """The walk fixtures of the generated checks and walks, as this run sends them.

        A fixture that has no case without the absent capabilities (the spec refuses it
        rewritten: a PIN token of a service without PINs) is kept as it is: it still
        needs the capability, so its checks are not applicable.
        """
        if not self.absent:
            return FIXTURES
        reference = ReferenceApp(self.spec)
        kept = []
        for fixture in FIXTURES:
            rewritten = fixture.without(self.absent)
            accepted = not isinstance(attempt_reset(reference, rewritten.fixture()), Refusal)
            kept.append(rewritten if accepted else fixture)
        return tuple(kept)

    def close(self) -> None:
        """Stops the implementation (if it was started)."""
        if self._adapter is not None:
            self._adapter.close()
            self._adapter = None
