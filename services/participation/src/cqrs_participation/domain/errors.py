"""The ways a participation command can be refused, each naming what to do instead."""


class RuleBroken(ValueError):
    """A command broke a participation rule; ``field`` names the input at fault, when there is one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowedInStatus(RuleBroken):
    """The command is not allowed in the offer's (or service's) current status; says what is."""


class AlreadyOffered(RuleBroken):
    """The provider already has a live offer of this service."""
