"""ETag and If-Match on edits that could silently overwrite someone else's (identity: a user's roles
and clusters, a cluster; claims: a commissioner's review flow): the ETag is the aggregate's version;
an edit names the version it was made from, and a stale one is refused with 412 rather than lost."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Response

from cqrs_kit.errors import PreconditionFailed, PreconditionRequired

IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=100, description="the ETag of the version the edit was made from"),
]


def etag(version: int) -> str:
    """The ETag of a version."""
    return f'"{version}"'


def tag(response: Response, version: int) -> None:
    """Set the ETag header of a response."""
    response.headers["ETag"] = etag(version)


def expected_version(if_match: str | None, what: str) -> int:
    """The version If-Match names: 428 when missing, 412 when it is not one of ours."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            f"send If-Match with the ETag of the {what} you loaded, so that an edit made meanwhile "
            "by someone else is not silently overwritten",
            field="If-Match",
        )
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit():
        raise PreconditionFailed(f"If-Match {if_match} is not an ETag of this {what}", field="If-Match")
    return int(value)


def check(expected: int, current: int, what: str) -> None:
    """Refuse an edit made from a version that is no longer current."""
    if expected != current:
        raise PreconditionFailed(
            f"this {what} was changed by someone else since you loaded it (your copy is version "
            f"{expected}, it is now {current}); reload it to see their change and make your edit again",
            field="If-Match",
        )
