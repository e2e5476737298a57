"""The one error type of the identity domain, naming the field a person has to correct."""

from __future__ import annotations


class RuleBroken(ValueError):
    """A command would break an identity rule; ``field`` names the input to correct, if any."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(RuleBroken):
    """The actor may not do this (wrong role, or the organisation lies outside their scope)."""


class Unknown(RuleBroken):
    """The thing named does not exist (or the actor may not know that it does)."""
