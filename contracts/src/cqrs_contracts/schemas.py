"""Write each event's JSON Schema into ``contracts/schemas/`` so changes show up in review.

Run ``python -m cqrs_contracts.schemas [DIRECTORY]``.
"""

import json
import sys
from pathlib import Path
from typing import Any

from cqrs_contracts.compatibility import check_compatible
from cqrs_contracts.events import Event
from cqrs_contracts.registry import all_events

__all__ = ["SCHEMA_DIR", "check_compatible", "generate", "render", "schema_file_name"]

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
"""``contracts/schemas/`` in a source checkout, where the committed schemas live."""


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


def main(argv: list[str]) -> int:
    """Regenerate the schemas into the given directory, or into ``contracts/schemas/``."""
    directory = Path(argv[0]) if argv else SCHEMA_DIR
    for path in generate(directory):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
