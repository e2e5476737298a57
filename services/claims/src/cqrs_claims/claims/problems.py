"""Claim rules broken, as RFC 9457 problems with a stable type per kind and the fields named."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.responses import JSONResponse

from cqrs_claims.attachments.domain import UploadRefused
from cqrs_claims.attachments.objects import TooLarge
from cqrs_claims.claims.domain.building import NoNewClaimNow
from cqrs_claims.claims.domain.claim import ClaimRuleBroken, NotAllowedNow
from cqrs_claims.claims.domain.submission import SubmitRefused
from cqrs_claims.claims.store import WindowHeld
from cqrs_kit.errors import PROBLEM_JSON, DomainError

TYPE_BASE = "https://cqrs.nhs.uk/problems/claims/"


class ClaimProblem(DomainError):
    """A claim rule broken, with the HTTP status it answers with."""

    def __init__(self, detail: str, *, status: int, title: str, field: str | None) -> None:
        super().__init__(detail, field=field)
        self.status = status
        self.title = title


@contextmanager
def as_problems() -> Iterator[None]:
    """Turn the domain's refusals into problem details (one place, for every claims route)."""
    try:
        yield
    except NoNewClaimNow as exc:
        raise ClaimProblem(str(exc), status=409, title=f"No new claim: {exc.reason}", field=None) from exc
    except WindowHeld as exc:
        raise ClaimProblem(str(exc), status=409, title="Window already claimed", field=None) from exc
    except NotAllowedNow as exc:
        raise ClaimProblem(str(exc), status=409, title="Not allowed in this status", field=exc.field) from exc
    except ClaimRuleBroken as exc:
        raise ClaimProblem(str(exc), status=422, title="Claim rule broken", field=exc.field) from exc
    except TooLarge as exc:
        raise ClaimProblem(str(exc), status=413, title="File too large", field=exc.field) from exc
    except UploadRefused as exc:
        raise ClaimProblem(str(exc), status=422, title="File refused", field=exc.field) from exc


def submit_refused(exc: SubmitRefused, instance: str) -> JSONResponse:
    """Every problem of a refused submit, each by field with its own type."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + "claim-incomplete",
        "title": "The claim cannot be submitted yet",
        "status": 422,
        "detail": f"{len(exc.problems)} thing(s) to put right before submitting; nothing was saved",
        "instance": instance,
        "errors": [{"field": p.field, "message": p.message, "type": p.type} for p in exc.problems],
    }
    return JSONResponse(body, status_code=422, media_type=PROBLEM_JSON)
