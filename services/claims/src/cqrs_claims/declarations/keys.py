"""The shapes of ids in paths, queries and bodies: printable, no slash, bounded."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import StringConstraints

_PRINTABLE = r"^[^\x00-\x1f\x7f/]+$"

Key = Annotated[str, StringConstraints(min_length=1, max_length=300, pattern=_PRINTABLE)]
"""A declaration or Quality Service id in a body."""

KeyPath = Annotated[str, Path(min_length=1, max_length=300, pattern=_PRINTABLE)]
"""A declaration or Quality Service id in a path."""

KeyQuery = Annotated[str | None, Query(min_length=1, max_length=300, pattern=_PRINTABLE)]
"""An optional Quality Service id in a query."""

OdsPath = Annotated[str, Path(pattern=r"^[A-Z0-9]{3,12}$")]
"""An organisation's ODS code in a path."""
