"""Form rules shared by pages: the disable reasons (the same list identity accepts) and checks
that give a person the design system's error messages before a service is called."""

from __future__ import annotations

DISABLE_REASONS = (
    "No longer requires access",
    "Left the organisation",
    "Duplicate account",
    "Security concern",
    "Other",
)
OTHER_REASON_MAX = 250


def disable_reason_errors(reason: str, reason_text: str) -> dict[str, str]:
    """Errors of the Disable Account form: a reason from the list, and for Other a few words
    (at most 250 characters)."""
    if reason not in DISABLE_REASONS:
        return {"reason": "Select a reason for disabling the account"}
    if reason == "Other" and not reason_text.strip():
        return {"reason_text": "Enter why you are disabling the account"}
    if reason == "Other" and len(reason_text) > OTHER_REASON_MAX:
        return {"reason_text": f"Reason must be {OTHER_REASON_MAX} characters or fewer"}
    return {}


def organisation_names(organisations: list[dict[str, object]]) -> dict[str, str]:
    """ODS code -> name."""
    return {str(o["ods_code"]): str(o["name"]) for o in organisations}
