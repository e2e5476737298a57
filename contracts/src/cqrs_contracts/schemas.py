"""Write each event's JSON Schema into ``contracts/schemas/`` so changes show up in review, and keep a
frozen copy of every published version in ``contracts/schemas/published/``.

Run ``python -m cqrs_contracts.schemas [DIRECTORY]``. A frozen copy is written when an event version
first appears and refreshed only when the new schema is backward compatible with it, so a removed,
retyped or newly required field can never be frozen in, and the compatibility test compares with
these committed copies (not with git history, which a clean clone may not have).
"""

import json
import sys
from pathlib import Path
from typing import Any

from cqrs_contracts.compatibility import check_compatible
from cqrs_contracts.events import Event
from cqrs_contracts.registry import all_events

__all__ = [
    "FROZEN_DIR",
    "SCHEMA_DIR",
    "IncompatibleSchema",
    "check_compatible",
    "freeze",
    "generate",
    "render",
    "schema_file_name",
]

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
"""``contracts/schemas/`` in a source checkout, where the committed schemas live."""

FROZEN_DIR = SCHEMA_DIR / "published"
"""Frozen copies of every published event version; never deleted, refreshed only compatibly."""


class IncompatibleSchema(ValueError):
    """A schema would break readers of events already published under the same version."""


def schema_file_name(event: type[Event]) -> str:
    """Name an event's schema file after its CloudEvents type."""
    return f"{event.ce_type()}.json"


def render(event: type[Event]) -> str:
    """Render an event's JSON Schema in a stable text form (sorted keys, 2-space indent)."""
    schema: dict[str, Any] = event.model_json_schema()
    return json.dumps(schema, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def generate(directory: Path) -> list[Path]:
    """Write every registered event's schema into ``directory`` and delete schemas of no event."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for event in all_events():
        path = directory / schema_file_name(event)
        path.write_text(render(event), encoding="utf-8")
        written.append(path)
    for stale in set(directory.glob("*.json")) - set(written):
        stale.unlink()
    return written


def freeze(current: Path, frozen: Path) -> list[Path]:
    """Copy each current schema into ``frozen`` when it is new there or compatible with the copy.

    Raises IncompatibleSchema (naming every problem) and writes nothing when any schema breaks its
    frozen copy: publish a new event version instead.
    """
    frozen.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    updates: list[tuple[Path, str]] = []
    for path in sorted(current.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        copy = frozen / path.name
        if copy.exists():
            old: dict[str, Any] = json.loads(copy.read_text(encoding="utf-8"))
            found = check_compatible(old, json.loads(text))
            problems += [f"{path.name}: {problem}" for problem in found]
            if found or copy.read_text(encoding="utf-8") == text:
                continue
        updates.append((copy, text))
    if problems:
        raise IncompatibleSchema(
            "breaking schema changes (publish a new event version instead):\n" + "\n".join(problems)
        )
    for copy, text in updates:
        copy.write_text(text, encoding="utf-8")
    return [copy for copy, _ in updates]


def main(argv: list[str]) -> int:
    """Regenerate the schemas into the given directory (or ``contracts/schemas/``) and freeze them."""
    directory = Path(argv[0]) if argv else SCHEMA_DIR
    for path in generate(directory):
        print(path)
    try:
        frozen = freeze(directory, directory / FROZEN_DIR.name)
    except IncompatibleSchema as exc:
        print(exc, file=sys.stderr)
        return 1
    for path in frozen:
        print(f"frozen {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
