"""Spot JSON Schema changes that would stop today's consumers reading yesterday's events."""

import json
from typing import Any

_SHAPE_KEYS = ("type", "$ref", "anyOf", "allOf", "oneOf", "format", "enum", "const", "items")
"""The keywords that decide what values a property accepts (titles and descriptions do not)."""


def _bare(schema: Any) -> Any:
    """Strip a schema down to its shape keywords, also inside ``anyOf`` branches and ``items``."""
    if isinstance(schema, list):
        return [_bare(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {
        key: value if key in ("enum", "const") else _bare(value)
        for key, value in schema.items()
        if key in _SHAPE_KEYS
    }


def _shape(schema: dict[str, Any]) -> str:
    """Reduce a property's schema to the keywords that decide its type, in a comparable form."""
    return json.dumps(_bare(schema), sort_keys=True)


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Read an object schema's properties, treating a missing ``properties`` as none."""
    properties: dict[str, dict[str, Any]] = schema.get("properties", {})
    return properties


def _compare_object(where: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """List the breaking differences between two versions of one object schema."""
    problems: list[str] = []
    old_props, new_props = _properties(old), _properties(new)
    if not old_props and not new_props and _shape(old) != _shape(new):
        problems.append(f"{where} changed type from {_shape(old)} to {_shape(new)}")
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{where}: property {name!r} was removed")
        elif _shape(old_prop) != _shape(new_props[name]):
            problems.append(
                f"{where}: property {name!r} changed type "
                f"from {_shape(old_prop)} to {_shape(new_props[name])}"
            )
    old_required = set(old.get("required", []))
    for name in sorted(set(new.get("required", [])) - old_required):
        if name in old_props:
            problems.append(f"{where}: property {name!r} became required")
        else:
            problems.append(f"{where}: new property {name!r} is required")
    return problems


def check_compatible(old_schema: dict[str, Any], new_schema: dict[str, Any]) -> list[str]:
    """List, in words, every way ``new_schema`` would reject data valid under ``old_schema``.

    Removing or retyping a property, or requiring one that used to be optional or absent, breaks
    readers of stored and in-flight events; adding an optional property does not. Nested models
    (``$defs``) are checked the same way.
    """
    problems = _compare_object("event", old_schema, new_schema)
    old_defs: dict[str, dict[str, Any]] = old_schema.get("$defs", {})
    new_defs: dict[str, dict[str, Any]] = new_schema.get("$defs", {})
    for name, old_def in sorted(old_defs.items()):
        if name not in new_defs:
            problems.append(f"nested model {name!r} was removed")
        else:
            problems.extend(_compare_object(f"nested model {name!r}", old_def, new_defs[name]))
    return problems
