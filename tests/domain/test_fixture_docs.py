"""docs/fixture.md and the fixture schema say every default the reference uses (issue 12).

A vendor could find the demo service's link, the demo account's password and the like only
by logging the harness's requests. Each default is now written down; these tests fail when
the reference's constants and the documents drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from repo_paths import REPO_ROOT

from statechart.domain import (
    DEFAULT_ACTIVATION_PASSWORD,
    DEFAULT_NOW,
    FIXTURE_START_OFFSET_DAYS,
    TOKEN_VALIDITY_DAYS,
    Device,
    demo_account,
    demo_service,
    parse_fixture,
)

DOC = (REPO_ROOT / "docs" / "fixture.md").read_text(encoding="utf-8")
SCHEMA: dict[str, Any] = json.loads(
    (REPO_ROOT / "spec" / "schemas" / "fixture.schema.json").read_text(encoding="utf-8")
)


def _properties(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    for name, sub in node.get("properties", {}).items():
        yield f"{path}{name}", sub
        yield from _properties(sub, f"{path}{name}.")
    for name, sub in node.get("$defs", {}).items():
        yield f"$defs.{name}", sub
        yield from _properties(sub, f"$defs.{name}.")


@pytest.mark.parametrize("path", [path for path, _ in _properties(SCHEMA)])
def test_every_schema_key_has_a_description(path: str) -> None:
    node = dict(_properties(SCHEMA))[path]
    assert node.get("description"), f"{path} has no description"


@pytest.mark.parametrize(
    "path", [p for p, _ in _properties(SCHEMA) if not p.startswith("$defs.") or p.count(".") > 1]
)
def test_every_key_is_in_the_doc(path: str) -> None:
    assert f"`{path.rsplit('.', 1)[-1]}`" in DOC, path


def test_the_demo_world_is_written_down() -> None:
    service, account, device = demo_service(), demo_account(), Device()
    for value in (
        service.service_id,
        service.name,
        service.link,
        service.login_site,
        account.user_id,
        DEFAULT_ACTIVATION_PASSWORD,
        DEFAULT_NOW,
        device.os,
        device.os_version,
        device.biometrics,
        f"{TOKEN_VALIDITY_DAYS} days",
        f"{FIXTURE_START_OFFSET_DAYS} days before today",
    ):
        assert isinstance(value, str) and value in DOC, value
    assert DEFAULT_NOW in SCHEMA["properties"]["now"]["description"]
    assert service.link in SCHEMA["properties"]["services"]["description"]
    assert DEFAULT_ACTIVATION_PASSWORD in SCHEMA["properties"]["accounts"]["description"]


def test_a_fresh_install_is_what_the_doc_says() -> None:
    world = parse_fixture({})
    assert world.online and not world.app.privacy_policy_agreed and world.app.tokens == []
    assert list(world.services) == ["MIRAI01"] and world.transactions == []
    assert world.accounts[("MIRAI01", "USER0001")].issued is False
    assert world.device == Device() and world.device.skew_seconds == 0


def test_services_given_replace_the_demo_service_and_its_account() -> None:
    world = parse_fixture({"services": [{"service_id": "S1", "name": "サービス"}]})
    assert list(world.services) == ["S1"] and world.accounts == {}
    service = world.services["S1"]
    assert not (service.pin or service.transaction_confirmation or service.biometric_login)
    assert service.link is None and service.login_site is None
