"""The account lifecycle: its status table, registration to completion, access, disable, audit."""

from __future__ import annotations

import datetime as dt

import pytest

from cqrs_contracts.events.identity import (
    AccessGranted,
    InvitationSent,
    RegistrationCompleted,
    RolesChanged,
)
from cqrs_identity.errors import RuleBroken
from cqrs_identity.onboarding import registration
from cqrs_identity.users import account_access
from cqrs_identity.users.account_fold import apply_all
from cqrs_identity.users.accounts import (
    ALLOWED,
    Account,
    AccountCommand,
    AccountStatus,
    Completion,
    Preferences,
    RequestStatus,
)
from cqrs_identity.users.roles import Role, RoleAssignment

S, C = AccountStatus, AccountCommand
NOW = dt.datetime(2025, 5, 1, 9, 30, tzinfo=dt.UTC)
JANE = registration.Person("jane.smith@nhs.net", "Jane", "Smith")
VIEW = RoleAssignment(role=Role.VIEW)


def registered() -> Account:
    events = registration.register(
        None, user_id="u1", request_id="r1", person=JANE, organisation="A81001", role="View", now=NOW
    )
    return apply_all(None, events)


def approved() -> Account:
    account = registered()
    events = registration.approve_registration(
        account,
        roles=[VIEW],
        actor="admin",
        link_expires_at=NOW + dt.timedelta(hours=72),
        now=NOW,
    )
    return apply_all(account, events).model_copy(
        update={"completion": Completion(token_hash="h", expires_at=NOW + dt.timedelta(hours=72))}
    )


def active() -> Account:
    account = approved()
    events = registration.complete_registration(account, token_hash="h", now=NOW)
    return apply_all(account, events).model_copy(update={"password_hash": "argon2id$..."})


def test_the_table_lists_every_status() -> None:
    assert set(ALLOWED) == set(AccountStatus)
    assert C.LOG_IN in ALLOWED[S.ACTIVE]
    assert all(C.LOG_IN not in ALLOWED[s] for s in S if s is not S.ACTIVE)
    assert ALLOWED[S.DISABLED] == {C.ENABLE}


@pytest.mark.parametrize(
    ("status", "command"), [(s, c) for s in AccountStatus for c in AccountCommand if c not in ALLOWED[s]]
)
def test_commands_outside_the_table_are_refused_naming_the_status(
    status: AccountStatus, command: AccountCommand
) -> None:
    account = active().model_copy(update={"status": status})
    with pytest.raises(RuleBroken, match=f"this account is {status.value}"):
        account.require(command)


def test_registration_waits_for_approval() -> None:
    account = registered()
    assert account.status is S.PENDING_APPROVAL
    assert account.requests[0].status is RequestStatus.PENDING
    assert account.history[0].action == "User registered"


def test_a_generic_identity_is_refused_only_when_both_address_and_name_are_generic() -> None:
    with pytest.raises(RuleBroken, match="shared mailbox") as refused:
        registration.Person("reception@nhs.net", "Practice", "Manager")
    assert refused.value.field == "email"
    mailbox = registration.Person("reception@nhs.net", "Jane", "Smith")
    assert [f.split(" ")[0] for f in mailbox.flags] == ["reception@nhs.net"]
    job = registration.Person("jane.smith@nhs.net", "Practice", "Manager")
    assert len(job.flags) == 1
    assert "job or team" in job.flags[0]
    assert JANE.flags == []


def test_an_existing_person_cannot_register_twice_but_a_rejected_one_can() -> None:
    with pytest.raises(RuleBroken, match="already exists") as refused:
        registration.register(
            active(), user_id="u1", request_id="r2", person=JANE, organisation="A81002", role=None, now=NOW
        )
    assert refused.value.field == "email"
    rejected = apply_all(
        registered(),
        registration.reject_registration(registered(), reason="Not known here", actor="admin", now=NOW),
    )
    assert rejected.status is S.REJECTED
    again = registration.register(
        rejected, user_id="u1", request_id="r2", person=JANE, organisation="A81002", role=None, now=NOW
    )
    assert apply_all(rejected, again).status is S.PENDING_APPROVAL


def test_rejection_needs_a_reason() -> None:
    with pytest.raises(RuleBroken) as refused:
        registration.reject_registration(registered(), reason="  ", actor="admin", now=NOW)
    assert refused.value.field == "reason"


def test_approval_sends_a_link_and_completion_activates_with_the_approved_roles() -> None:
    account = approved()
    assert account.status is S.AWAITING_COMPLETION
    events = registration.complete_registration(account, token_hash="h", now=NOW)
    assert [type(e) for e in events] == [RegistrationCompleted, AccessGranted, RolesChanged]
    done = apply_all(account, events)
    assert done.status is S.ACTIVE
    assert done.completion is None
    assert done.membership("A81001") is not None


@pytest.mark.parametrize(
    ("token", "when", "message"),
    [("wrong", NOW, "not valid"), ("h", NOW + dt.timedelta(hours=73), "expired")],
)
def test_a_wrong_or_expired_link_is_refused(token: str, when: dt.datetime, message: str) -> None:
    with pytest.raises(RuleBroken, match=message) as refused:
        registration.complete_registration(approved(), token_hash=token, now=when)
    assert refused.value.field == "token"


def test_a_link_works_once() -> None:
    done = active()
    with pytest.raises(RuleBroken, match="Active"):
        registration.complete_registration(done, token_hash="h", now=NOW)


def test_invitation_of_a_new_person_carries_no_link() -> None:
    (event,) = registration.invite(
        None,
        user_id="u9",
        request_id="r9",
        person=JANE,
        organisation="A81001",
        role=VIEW,
        actor="admin",
        link_expires_at=NOW,
        now=NOW,
    )
    assert isinstance(event, InvitationSent)
    assert "http" not in event.model_dump_json()
    assert apply_all(None, [event]).status is S.AWAITING_COMPLETION


def test_invitation_of_an_existing_user_waits_for_them_to_accept() -> None:
    account = active()
    events = registration.invite(
        account,
        user_id="u1",
        request_id="r9",
        person=JANE,
        organisation="A81002",
        role=VIEW,
        actor="admin",
        link_expires_at=NOW,
        now=NOW,
    )
    assert [type(e) for e in events] == [InvitationSent]
    invited = apply_all(account, events)
    assert invited.membership("A81002") is None
    assert [r.request_id for r in invited.pending_invitations()] == ["r9"]
    accepted = apply_all(invited, registration.accept_invitation(invited, request_id="r9", now=NOW))
    member = accepted.membership("A81002")
    assert member is not None
    assert [r.role for r in member.roles] == [VIEW.role]
    assert accepted.pending_invitations() == []
    with pytest.raises(RuleBroken, match="no invitation waiting"):
        registration.accept_invitation(accepted, request_id="r9", now=NOW)


def test_access_request_then_approval() -> None:
    account = active()
    requested = apply_all(
        account,
        account_access.request_access(account, request_id="r2", organisation="A81002", role="View", now=NOW),
    )
    with pytest.raises(RuleBroken, match="already asked"):
        account_access.request_access(requested, request_id="r3", organisation="A81002", role=None, now=NOW)
    granted = apply_all(
        requested,
        account_access.approve_access_request(
            requested, request_id="r2", roles=[VIEW], actor="admin", now=NOW
        ),
    )
    assert granted.request("r2") is not None
    assert granted.request("r2").status is RequestStatus.APPROVED  # type: ignore[union-attr]
    with pytest.raises(RuleBroken, match="already approved"):
        account_access.reject_access_request(granted, request_id="r2", reason="x", actor="a", now=NOW)
    with pytest.raises(RuleBroken, match="already have access"):
        account_access.request_access(granted, request_id="r4", organisation="A81002", role=None, now=NOW)


def test_revoke_keeps_login_and_enable_gives_access_back() -> None:
    account = active()
    revoked = apply_all(
        account, account_access.revoke_access(account, organisation="A81001", actor="admin", now=NOW)
    )
    assert revoked.status is S.ACTIVE
    assert revoked.active_memberships() == []
    with pytest.raises(RuleBroken, match="already revoked"):
        account_access.revoke_access(revoked, organisation="A81001", actor="admin", now=NOW)
    restored = apply_all(
        revoked, account_access.restore_access(revoked, organisation="A81001", actor="admin", now=NOW)
    )
    assert [m.organisation for m in restored.active_memberships()] == ["A81001"]


@pytest.mark.parametrize(
    ("reason", "text", "field"),
    [
        ("Bored", None, "reason"),
        ("Other", None, "reason_text"),
        ("Other", "  ", "reason_text"),
        ("Other", "x" * 251, "reason_text"),
    ],
)
def test_disable_needs_a_listed_reason_and_short_other_text(
    reason: str, text: str | None, field: str
) -> None:
    with pytest.raises(RuleBroken) as refused:
        account_access.disable(active(), reason=reason, reason_text=text, actor="u1", now=NOW)
    assert refused.value.field == field


def test_disable_then_enable() -> None:
    account = active()
    disabled = apply_all(
        account, account_access.disable(account, reason="Other", reason_text="x" * 250, actor="u1", now=NOW)
    )
    assert disabled.status is S.DISABLED
    assert disabled.active_memberships() == []
    enabled = apply_all(disabled, account_access.enable(disabled, actor="admin", now=NOW))
    assert enabled.status is S.ACTIVE


def test_change_roles_adds_the_organisation_when_new_and_is_quiet_when_same() -> None:
    account = active()
    events = account_access.change_roles(account, organisation="A81002", roles=[VIEW], actor="admin", now=NOW)
    assert [type(e) for e in events] == [AccessGranted, RolesChanged]
    assert (
        account_access.change_roles(account, organisation="A81001", roles=[VIEW], actor="admin", now=NOW)
        == []
    )


def test_preferences_change_once() -> None:
    account = active()
    quiet = Preferences(task_emails=True, message_emails=False)
    changed = apply_all(account, account_access.change_preferences(account, quiet, NOW))
    assert changed.preferences == quiet
    assert account_access.change_preferences(changed, quiet, NOW) == []


def test_every_action_is_in_the_audit_trail() -> None:
    account = active()
    disabled = apply_all(
        account, account_access.disable(account, reason="Other", reason_text="Moved", actor="admin", now=NOW)
    )
    last = disabled.history[-1]
    assert (last.actor, last.action, last.reason) == ("admin", "Account disabled", "Other: Moved")
    actions = [e.action for e in disabled.history]
    assert actions[:3] == ["User registered", "Registration approved", "Registration completed"]
