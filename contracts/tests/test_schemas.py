"""Committed JSON Schemas match the models, and no change breaks readers of older events."""

import json
import subprocess
from pathlib import Path
from typing import Any

from cqrs_contracts.schemas import SCHEMA_DIR, check_compatible, generate

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


def committed_version(name: str) -> dict[str, Any] | None:
    """The schema as of git HEAD, or None when it is new or there is no HEAD (or no git)."""
    try:
        shown = subprocess.run(
            ["git", "show", f"HEAD:./schemas/{name}"],
            cwd=CONTRACTS_DIR,
            capture_output=True,
            check=False,
            text=True,
        )
    except FileNotFoundError:
        return None
    if shown.returncode != 0:
        return None
    schema: dict[str, Any] = json.loads(shown.stdout)
    return schema


def test_schemas_backward_compatible() -> None:
    problems: list[str] = []
    for path in sorted(SCHEMA_DIR.glob("*.json")):
        current: dict[str, Any] = json.loads(path.read_text())
        previous = committed_version(path.name) or current
        problems += [f"{path.name}: {problem}" for problem in check_compatible(previous, current)]
    assert not problems, "breaking schema changes (publish a new version instead):\n" + "\n".join(problems)


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
