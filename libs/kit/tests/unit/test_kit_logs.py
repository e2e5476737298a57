"""Log lines carry the correlation id and event id bound to the current request or message."""

import json
import logging

import pytest

from cqrs_kit import logs


def test_json_lines_carry_bound_context(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure_logging("claims", json=True)
    logs.clear()
    logs.bind(correlation_id="corr-1", event_id="evt-9")
    logs.get_logger("test").info("claim saved", claim_id="C1")
    logging.getLogger("stdlib").warning("plain stdlib line")
    logs.clear()
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines[0]["event"] == "claim saved"
    assert lines[0]["correlation_id"] == "corr-1"
    assert lines[0]["event_id"] == "evt-9"
    assert lines[0]["service"] == "claims"
    assert lines[1]["correlation_id"] == "corr-1"  # stdlib loggers get the same context


def test_development_lines_are_readable(capsys: pytest.CaptureFixture[str]) -> None:
    logs.configure_logging("claims", json=False)
    logs.clear()
    logs.bind(correlation_id="corr-2")
    logs.get_logger("test").info("hello")
    logs.clear()
    out = capsys.readouterr().out
    assert "hello" in out
    assert "correlation_id=corr-2" in out


def test_lines_logged_inside_a_span_carry_its_trace_and_span_ids(capsys: pytest.CaptureFixture[str]) -> None:
    from opentelemetry.sdk.trace import TracerProvider  # noqa: PLC0415

    logs.configure_logging("claims", json=True)
    logs.clear()
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("handle") as span:
        logs.get_logger("test").info("inside")
        logging.getLogger("stdlib").warning("stdlib inside")
    logs.get_logger("test").info("outside")
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    context = span.get_span_context()
    for inside in lines[:2]:
        assert inside["trace_id"] == format(context.trace_id, "032x")
        assert inside["span_id"] == format(context.span_id, "016x")
    assert "trace_id" not in lines[2]
