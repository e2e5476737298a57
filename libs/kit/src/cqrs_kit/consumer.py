"""Consuming events: one consumer group per service, ack after the effect is stored, retry what is
transient without moving the offset, dead-letter what can never succeed and move on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar

from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, NodeNotReadyError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker
from pydantic import ValidationError

from cqrs_contracts.envelope import Envelope, EnvelopeError, from_kafka_headers
from cqrs_contracts.events.base import Event
from cqrs_contracts.registry import EventDecodeError, UnknownEventType, deserialize
from cqrs_contracts.topics import dead_letter_topic
from cqrs_kit import logs, tracing
from cqrs_kit.errors import DomainError, TransientError
from cqrs_kit.mongo import TRANSIENT_MONGO_ERRORS

log = logs.get_logger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Any, Envelope], Awaitable[None]]

#: Failures that say "try again later": the offset stays where it is until the effect is stored.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError,
    *TRANSIENT_MONGO_ERRORS,
    KafkaConnectionError,
    KafkaTimeoutError,
    NodeNotReadyError,
    ConnectionError,
    TimeoutError,
)
#: Failures that say "this message can never be processed": dead-letter it and move on.
UNREADABLE: tuple[type[BaseException], ...] = (
    EnvelopeError,
    UnknownEventType,
    EventDecodeError,
    ValidationError,
)


class Consumer:
    """A service's event subscriptions under one explicit consumer group."""

    def __init__(
        self,
        broker: KafkaBroker,
        *,
        group: str,
        max_backoff: float = 10.0,
        max_unexpected_attempts: int = 5,
        offset_reset: Literal["earliest", "latest"] = "earliest",
    ) -> None:
        self.broker = broker
        self.group = group
        self.dead_letter_topic = dead_letter_topic(group)
        self._handlers: dict[str, dict[str, Handler]] = {}
        self._max_backoff = max_backoff
        self._max_unexpected = max_unexpected_attempts
        self.dead_lettered = 0
        self._offset_reset = offset_reset
        self.tracer: Any = None  # set by cqrs_kit.tracing.install when tracing is on

    def on(
        self, event_type: type[E]
    ) -> Callable[[Callable[[E, Envelope], Awaitable[None]]], Callable[[E, Envelope], Awaitable[None]]]:
        """Register the handler of one event type (its topic comes from the event class)."""

        def register(
            handler: Callable[[E, Envelope], Awaitable[None]],
        ) -> Callable[[E, Envelope], Awaitable[None]]:
            self._handlers.setdefault(event_type.topic, {})[event_type.ce_type()] = handler
            return handler

        return register

    def topics(self) -> list[str]:
        """Every topic this service consumes, plus its dead-letter topic (for start-up creation)."""
        return [*self._handlers, self.dead_letter_topic]

    def subscribe(self) -> None:
        """Attach one FastStream subscriber per topic; call once, before the app is built."""
        for topic in self._handlers:
            self._subscribe(topic)

    def _subscribe(self, topic: str) -> None:
        async def raw(message: Any) -> Any:
            # Hand the untouched Kafka record to the handler: envelope and body are parsed by us,
            # so a malformed message reaches the dead-letter path instead of failing in a decoder.
            return {"record": message.raw_message}

        @self.broker.subscriber(
            topic,
            group_id=self.group,
            ack_policy=AckPolicy.ACK,
            auto_offset_reset=self._offset_reset,
            decoder=raw,
            title=f"{self.group}:{topic}",
        )
        async def consume(record: Any) -> None:
            # FastStream's own DI passes the decoded dict; the FastAPI integration unpacks it.
            await self.handle(record["record"] if isinstance(record, dict) else record)

    @tracing.consuming
    async def handle(self, record: ConsumerRecord[bytes, bytes]) -> None:
        """Process one record to the end: applied, skipped, or dead-lettered. Raises only on shutdown."""
        logs.clear()
        try:
            envelope = from_kafka_headers(record.headers)
            logs.bind(
                correlation_id=envelope.correlation_id,
                event_id=envelope.id,
                event_type=envelope.type,
            )
            handler = self._handlers.get(record.topic, {}).get(envelope.type)
            event = deserialize(envelope.type, record.value or b"")
        except UNREADABLE as exc:
            await self._dead_letter(record, exc)
            return
        if handler is None:
            return  # another service's concern on a shared topic
        await self._apply(record, handler, event, envelope)

    async def _apply(
        self,
        record: ConsumerRecord[bytes, bytes],
        handler: Handler,
        event: Event,
        envelope: Envelope,
    ) -> None:
        delay, unexpected = 0.1, 0
        while True:
            try:
                await handler(event, envelope)
                return
            except DomainError as exc:
                await self._dead_letter(record, exc)
                return
            except TRANSIENT_ERRORS as exc:
                log.warning(
                    "transient failure, retrying without moving the offset",
                    error=repr(exc),
                    retry_in=delay,
                )
            except Exception as exc:
                unexpected += 1
                if unexpected >= self._max_unexpected:
                    log.exception("handler kept failing; dead-lettering")
                    await self._dead_letter(record, exc)
                    return
                log.warning("unexpected failure, retrying", error=repr(exc), attempt=unexpected)
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._max_backoff)

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], error: BaseException) -> None:
        """Publish the record unchanged to the group's dead-letter topic, retrying until Kafka acks."""
        headers = {k: (v or b"").decode(errors="replace") for k, v in record.headers or ()}
        headers.update(
            {
                "dlq_original_topic": record.topic,
                "dlq_original_partition": str(record.partition),
                "dlq_original_offset": str(record.offset),
                "dlq_consumer_group": self.group,
                "dlq_error": f"{error.__class__.__name__}: {error}"[:2000],
            }
        )
        delay = 0.1
        while True:
            try:
                await self.broker.publish(
                    record.value or b"",
                    topic=self.dead_letter_topic,
                    key=record.key,
                    headers=headers,
                )
                break
            except TRANSIENT_ERRORS as exc:
                log.warning("dead-letter publish failed, retrying", error=repr(exc))
                await asyncio.sleep(delay)
                delay = min(delay * 2, self._max_backoff)
        self.dead_lettered += 1
        log.warning(
            "message dead-lettered",
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error=headers["dlq_error"],
        )
