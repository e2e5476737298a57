"""The base every integration event extends, giving it a versioned CloudEvents type and a key."""

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """Something that happened in one service that other services may react to."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    service: ClassVar[str]
    name: ClassVar[str]
    version: ClassVar[int]
    topic: ClassVar[str]

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Default the event's name to its class name unless the class says otherwise."""
        super().__pydantic_init_subclass__(**kwargs)
        if "name" not in cls.__dict__:
            cls.name = cls.__name__

    @classmethod
    def ce_type(cls) -> str:
        """Give the CloudEvents ``type``: ``uk.nhs.cqrs.<service>.<name>.v<version>``."""
        return f"uk.nhs.cqrs.{cls.service}.{cls.name}.v{cls.version}"

    def aggregate_id(self) -> str:
        """Give the id of the aggregate this event is about: the record key and ``ce_subject``."""
        msg = f"{type(self).__name__} must say which field is its aggregate id"
        raise NotImplementedError(msg)
