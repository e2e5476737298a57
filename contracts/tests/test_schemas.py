"""Committed JSON Schemas match the models, and no change breaks readers of older events."""

import json
import re
from pathlib import Path
from typing import Any

import pytest

from cqrs_contracts.registry import RETIRED, deserialize
from cqrs_contracts.schemas import (
    FROZEN_DIR,
    SCHEMA_DIR,
    IncompatibleSchema,
    check_compatible,
    freeze,
    generate,
    schema_file_name,
)

CONTRACTS_DIR = Path(__file__).resolve().parents[1]


def test_committed_schemas_match_models(tmp_path: Path) -> None:
    generate(tmp_path)
    expected = {path.name: path.read_text() for path in tmp_path.glob("*.json")}
    committed = {path.name: path.read_text() for path in SCHEMA_DIR.glob("*.json")}
    assert committed == expected, "contracts/schemas/ is out of date: run `make schemas`"


def test_generate_removes_schemas_of_events_that_no_longer_exist(tmp_path: Path) -> None:
    stale = tmp_path / "uk.nhs.cqrs.claims.Gone.v1.json"
    stale.write_text("{}\n")
    generate(tmp_path)
    assert not stale.exists()


def test_every_published_version_is_frozen() -> None:
    frozen = {path.name for path in FROZEN_DIR.glob("*.json")}
    missing = sorted(path.name for path in SCHEMA_DIR.glob("*.json") if path.name not in frozen)
    assert not missing, f"no frozen copy in contracts/schemas/published/ (run `make schemas`): {missing}"


def _retired_problems(name: str, frozen: dict[str, Any]) -> list[str]:
    """A retired version must be readable as its successor: only dropped properties may differ."""
    successor = RETIRED[name.removesuffix(".json")]
    current = json.loads((SCHEMA_DIR / schema_file_name(successor)).read_text())
    return [
        p
        for p in check_compatible(frozen, current)
        if not re.fullmatch(r"event: property '\w+' was removed", p)
    ]


def test_schemas_backward_compatible_with_frozen_copies() -> None:
    problems: list[str] = []
    for copy in sorted(FROZEN_DIR.glob("*.json")):
        path = SCHEMA_DIR / copy.name
        frozen: dict[str, Any] = json.loads(copy.read_text())
        if not path.exists() and copy.name.removesuffix(".json") in RETIRED:
            problems += [f"{copy.name} (retired): {p}" for p in _retired_problems(copy.name, frozen)]
            continue
        if not path.exists():
            problems.append(f"{copy.name}: a published event version was removed")
            continue
        problems += [f"{copy.name}: {p}" for p in check_compatible(frozen, json.loads(path.read_text()))]
    assert not problems, "breaking schema changes (publish a new version instead):\n" + "\n".join(problems)


def test_freeze_refuses_a_removed_field_and_writes_nothing(tmp_path: Path) -> None:
    current, frozen = tmp_path / "current", tmp_path / "frozen"
    current.mkdir()
    frozen.mkdir()
    (frozen / "E.v1.json").write_text(json.dumps(schema({"id": STRING, "note": STRING}, ["id"])))
    (current / "E.v1.json").write_text(json.dumps(schema({"id": STRING}, ["id"])))
    (current / "F.v1.json").write_text(json.dumps(schema({"id": STRING}, ["id"])))
    with pytest.raises(IncompatibleSchema, match="'note' was removed"):
        freeze(current, frozen)
    assert not (frozen / "F.v1.json").exists()


def test_freeze_adds_new_versions_and_compatible_additions(tmp_path: Path) -> None:
    current, frozen = tmp_path / "current", tmp_path / "frozen"
    current.mkdir()
    frozen.mkdir()
    (frozen / "E.v1.json").write_text(json.dumps(schema({"id": STRING}, ["id"])))
    widened = json.dumps(schema({"id": STRING, "target_date": OPTIONAL_DATE}, ["id"]))
    (current / "E.v1.json").write_text(widened)
    (current / "F.v1.json").write_text(json.dumps(schema({"id": STRING}, ["id"])))
    assert sorted(p.name for p in freeze(current, frozen)) == ["E.v1.json", "F.v1.json"]
    assert (frozen / "E.v1.json").read_text() == widened


def schema(properties: dict[str, Any], required: list[str], **defs: Any) -> dict[str, Any]:
    """A minimal object schema, in the shape pydantic writes."""
    built: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if defs:
        built["$defs"] = defs
    return built


STRING = {"type": "string", "title": "A string"}
INTEGER = {"type": "integer"}
OPTIONAL_DATE = {"anyOf": [{"type": "string", "format": "date"}, {"type": "null"}], "default": None}
LINE = schema({"units": INTEGER}, ["units"])


def test_unchanged_schema_is_compatible() -> None:
    old = schema({"id": STRING, "line": {"$ref": "#/$defs/Line"}}, ["id"], Line=LINE)
    assert check_compatible(old, old) == []


def test_added_optional_property_is_compatible() -> None:
    old = schema({"id": STRING}, ["id"])
    new = schema({"id": STRING, "target_date": OPTIONAL_DATE}, ["id"])
    assert check_compatible(old, new) == []


def test_changed_title_or_description_is_compatible() -> None:
    old = schema({"id": STRING}, ["id"])
    new = schema({"id": STRING | {"title": "Id", "description": "Who"}}, ["id"])
    assert check_compatible(old, new) == []


def test_removed_property_is_reported() -> None:
    old = schema({"id": STRING, "note": STRING}, ["id"])
    assert check_compatible(old, schema({"id": STRING}, ["id"])) == ["event: property 'note' was removed"]


def test_retyped_property_is_reported() -> None:
    old = schema({"id": STRING, "target_date": OPTIONAL_DATE}, ["id"])
    new = schema({"id": INTEGER, "target_date": STRING}, ["id"])
    problems = check_compatible(old, new)
    assert len(problems) == 2
    assert "property 'id' changed type" in problems[0]
    assert "property 'target_date' changed type" in problems[1]


def test_property_made_required_is_reported() -> None:
    old = schema({"id": STRING, "target_date": OPTIONAL_DATE}, ["id"])
    new = schema({"id": STRING, "target_date": OPTIONAL_DATE}, ["id", "target_date"])
    assert check_compatible(old, new) == ["event: property 'target_date' became required"]


def test_new_required_property_is_reported() -> None:
    old = schema({"id": STRING}, ["id"])
    new = schema({"id": STRING, "step": STRING}, ["id", "step"])
    assert check_compatible(old, new) == ["event: new property 'step' is required"]


def test_changes_inside_nested_models_are_reported() -> None:
    old = schema({"line": {"$ref": "#/$defs/Line"}}, [], Line=LINE, Gone=LINE)
    new = schema({"line": {"$ref": "#/$defs/Line"}}, [], Line=schema({"units": STRING}, []))
    problems = check_compatible(old, new)
    assert "nested model 'Gone' was removed" in problems
    assert any(p.startswith("nested model 'Line': property 'units' changed type") for p in problems)


def test_narrowed_enum_is_reported() -> None:
    old = schema({"step": {"enum": ["commissioner", "finance"], "type": "string"}}, ["step"])
    new = schema({"step": {"enum": ["commissioner"], "type": "string"}}, ["step"])
    assert len(check_compatible(old, new)) == 1


def test_retired_versions_are_read_as_their_successor_without_the_link() -> None:
    """An old RegistrationApproved v1 record (with its link) still reads; the link is dropped."""
    body = {
        "user_id": "u-1",
        "email": "jane.smith@example.nhs.uk",
        "organisation_ods_code": "E85001",
        "request_id": "r-1",
        "roles": [{"role": "View"}],
        "completion_url": "https://cqrs.example/complete-registration?token=secret",
        "link_expires_at": "2025-05-04T09:30:00Z",
        "approved_by": "admin-1",
        "approved_at": "2025-05-01T09:30:00Z",
    }
    event = deserialize("uk.nhs.cqrs.identity.RegistrationApproved.v1", json.dumps(body).encode())
    assert event.ce_type() == "uk.nhs.cqrs.identity.RegistrationApproved.v2"
    assert "secret" not in event.model_dump_json()
