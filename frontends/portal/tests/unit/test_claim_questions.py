"""Supplementary questions on the claim pane: a ``yes_no`` question is a pair of radios, a ``text``
question a text box, and each is read back and linked from the error summary by its kind."""

from __future__ import annotations

from typing import Any

from cqrs_portal.pages.claims import _field_href, typed_lines
from cqrs_portal.web import templates

QUALIFIED = {
    "question_id": "qualified",
    "text": "Given by qualified staff?",
    "kind": "yes_no",
    "required": True,
}
BATCH = {"question_id": "batch", "text": "Vaccine batch number", "kind": "text", "required": True}


def _claim(answers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    line = {
        "component_id": "depot",
        "component_name": "Depot injection",
        "kind": "unit_priced",
        "questions": [QUALIFIED, BATCH],
        "answers": answers or [],
    }
    return {"lines": [line]}


def test_a_text_answer_is_read_as_text_even_when_it_reads_yes() -> None:
    form = {"units-depot": "3", "answer-depot-qualified": "yes", "answer-depot-batch": " yes "}
    (line,) = typed_lines(form, _claim())
    assert line["answers"] == [
        {"question_id": "qualified", "yes": True},
        {"question_id": "batch", "text": "yes"},
    ]


def test_an_empty_text_box_is_no_answer() -> None:
    form = {"units-depot": "3", "answer-depot-qualified": "no", "answer-depot-batch": "  "}
    (line,) = typed_lines(form, _claim())
    assert line["answers"] == [{"question_id": "qualified", "yes": False}]


def test_a_refused_answer_links_to_its_own_box() -> None:
    claim = _claim()
    assert _field_href("body.lines.0.answers.batch", claim) == ("#answer-depot-batch", "Depot injection")
    assert _field_href("body.lines.0.answers.qualified", claim) == (
        "#answer-depot-qualified-yes",
        "Depot injection",
    )


def _question(question: dict[str, Any], answers: list[dict[str, Any]], errors: list[dict[str, str]]) -> str:
    line = _claim(answers)["lines"][0]
    return templates.env.get_template("claim_question.jinja").render(l=line, q=question, errors=errors)


def test_a_text_question_is_a_text_box_with_its_answer_and_its_error() -> None:
    html = _question(
        BATCH,
        [{"question_id": "batch", "text": "AB123"}],
        [{"href": "#answer-depot-batch", "text": "Depot injection: answer: Vaccine batch number"}],
    )
    assert '<textarea class="nhsuk-textarea nhsuk-textarea--error" id="answer-depot-batch"' in html
    assert ">AB123</textarea>" in html
    assert 'id="answer-depot-batch-error"' in html
    assert 'type="radio"' not in html


def test_a_yes_no_question_is_two_radios_with_the_answer_checked() -> None:
    html = _question(QUALIFIED, [{"question_id": "qualified", "yes": True}], [])
    yes = 'id="answer-depot-qualified-yes" name="answer-depot-qualified" type="radio" value="yes" checked'
    assert yes in html
    assert 'value="no">' in html
    assert "<textarea" not in html
