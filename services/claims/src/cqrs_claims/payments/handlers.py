"""The payment system's answers, consumed (thin: each goes to the payments use case)."""

from __future__ import annotations

from cqrs_claims.payments.service import Payments
from cqrs_contracts.envelope import Envelope
from cqrs_contracts.events import PaymentConfirmed, PaymentFailed
from cqrs_kit.runtime import Runtime


def subscribe(runtime: Runtime, payments: Payments) -> None:
    """Every subscription of payments, listed in one place."""

    @runtime.consumer.on(PaymentConfirmed)
    async def payment_confirmed(event: PaymentConfirmed, envelope: Envelope) -> None:
        """The payment system paid a claim: it is Paid (a repeat changes nothing)."""
        await payments.answered(event)

    @runtime.consumer.on(PaymentFailed)
    async def payment_failed(event: PaymentFailed, envelope: Envelope) -> None:
        """The payment system could not pay a claim: back to the commissioner with the reason."""
        await payments.answered(event)
