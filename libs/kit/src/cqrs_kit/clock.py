"""The one clock services read: UTC, truncated to the millisecond MongoDB stores."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """Current UTC instant at millisecond precision, so what is saved reads back identical."""
    instant = dt.datetime.now(dt.UTC)
    return instant.replace(microsecond=instant.microsecond // 1000 * 1000)
