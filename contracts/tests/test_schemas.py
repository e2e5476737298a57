"""Committed JSON Schemas match the models, and no change breaks readers of older events."""

import json
from pathlib import Path
from typing import Any

import pytest

from cqrs_contracts.schemas import (
    FROZEN_DIR,
    SCHEMA_DIR,
    IncompatibleSchema,
    check_compatible,
    freeze,
    generate,
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


def test_schemas_backward_compatible_with_frozen_copies() -> None:
    problems: list[str] = []
    for copy in sorted(FROZEN_DIR.glob("*.json")):
        path = SCHEMA_DIR / copy.name
        if not path.exists():
            problems.append(f"{copy.name}: a published event version was removed")
            continue
        frozen: dict[str, Any] = json.loads(copy.read_text())
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
