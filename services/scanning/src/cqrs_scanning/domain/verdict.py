"""The verdict rules: infected beats rejected beats clean, and clean needs clamd's word."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from cqrs_scanning.domain import reasons

Verdict = Literal["clean", "infected", "rejected"]
MAX_REASONS = 10
MAX_REASON_CHARS = 1000


class NoMalwareVerdict(RuntimeError):
    """A file was about to pass without clamd having scanned it: never allowed."""


@dataclass(frozen=True)
class MalwareResult:
    """What clamd said about the whole byte stream: None means nothing was found."""

    signature: str | None = None


@dataclass(frozen=True)
class Outcome:
    """The decision published in FileScanned."""

    verdict: Verdict
    reasons: list[str] = field(default_factory=list)
    signature: str | None = None


def size_reasons(size: int, limit: int) -> list[str]:
    """Why a file's size is unacceptable (empty when it is fine)."""
    if size == 0:
        return [reasons.empty()]
    if size > limit:
        return [reasons.too_large(size, limit)]
    return []


def _shown(found: Sequence[str]) -> list[str]:
    """At most MAX_REASONS distinct reasons of at most MAX_REASON_CHARS each, as FileScanned allows."""
    distinct = list(dict.fromkeys(found))
    if len(distinct) > MAX_REASONS:
        hidden = len(distinct) - MAX_REASONS + 1
        distinct = [*distinct[: MAX_REASONS - 1], reasons.more_problems(hidden)]
    return [r if len(r) <= MAX_REASON_CHARS else r[: MAX_REASON_CHARS - 1] + "…" for r in distinct]


def decide(malware: MalwareResult | None, found: Sequence[str]) -> Outcome:
    """Malware first (with its signature), then any content reason; clean only with clamd's OK."""
    if malware is not None and malware.signature is not None:
        return Outcome("infected", [reasons.infected(malware.signature)], malware.signature)
    if found:
        return Outcome("rejected", _shown(found))
    if malware is None:
        msg = "refusing to pass a file that clamd did not scan"
        raise NoMalwareVerdict(msg)
    return Outcome("clean")
