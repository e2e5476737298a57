"""What every page shares: the templates, the session and signed-in user of a request, CSRF
checks, form errors in the design system's shape, and what the header shows to whom."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import (
    ChainableUndefined,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    select_autoescape,
)
from markupsafe import Markup

from cqrs_portal.gateway import ApiProblem, Gateway
from cqrs_portal.sessions import CSRF_FIELD, Session

USER_MANAGERS = {"User Administrator", "Advanced User Administrator", "Local Administrator"}
ORGANISATION_ADMINISTRATORS = {"Organisation Administrator"}
COMMISSIONERS = {"Commissioning Management"}
SERVICE_MANAGERS = {"Service Management"}
CLAIM_PREPARERS = {"Local User (single-level)", "Local User (multi-level)", "Local Approver (multi-level)"}
CLAIM_REVIEWERS = {"Local Approver Tier 1", "Local Approver Tier 2", "Local Finance"}
#: Who keeps a commissioner's review flow (claims' rule): they see Claims for it.
FLOW_KEEPERS = {"Commissioning Management", "Local Administrator"}
ACHIEVEMENT_ROLES = {
    "Declaration Management",
    "Approval Management",
    "Finance Management",
    "Finance View",
    "Achievement Entry",
    "PCN Organisation",
    "View",
    "Supervisor",
    "Commissioning Management",
}


#: The NHS.UK components pages use, called as nhsukButton(...), nhsukTable(...) and so on.
COMPONENTS = {
    "back-link": "backLink",
    "breadcrumb": "breadcrumb",
    "button": "button",
    "card": "card",
    "character-count": "characterCount",
    "checkboxes": "checkboxes",
    "date-input": "dateInput",
    "details": "details",
    "error-summary": "errorSummary",
    "footer": "footer",
    "header": "header",
    "fieldset": "fieldset",
    "input": "input",
    "inset-text": "insetText",
    "notification-banner": "notificationBanner",
    "pagination": "pagination",
    "panel": "panel",
    "password-input": "passwordInput",
    "radios": "radios",
    "select": "select",
    "summary-list": "summaryList",
    "tables": "table",
    "tag": "tag",
    "textarea": "textarea",
    "warning-callout": "warningCallout",
}


def link(href: str, text: str) -> Markup:
    """A link for a component's html slot, its text escaped."""
    return Markup('<a href="{}">{}</a>').format(href, text)


def _environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(Path(__file__).parent / "templates"),
                PackageLoader("nhsuk_frontend_jinja", "templates"),
            ]
        ),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=ChainableUndefined,  # the macros read params.a.b when params.a is absent
    )
    env.globals["CSRF_FIELD"] = CSRF_FIELD
    env.globals["link"] = link
    for folder, macro in COMPONENTS.items():
        module = env.get_template(f"nhsuk/components/{folder}/macro.jinja").module
        env.globals["nhsuk" + macro[0].upper() + macro[1:]] = getattr(module, macro)
    return env


templates = Jinja2Templates(env=_environment())


class LoginRequired(Exception):
    """The page needs a signed-in user; the visitor is sent to the login page."""


class BadCsrf(Exception):
    """A form came without this session's CSRF token."""


def session_of(request: Request) -> Session:
    """The session the middleware attached to this request."""
    session: Session = request.state.session
    return session


def gateway_of(request: Request) -> Gateway:
    """The app's API client."""
    gateway: Gateway = request.app.state.gateway
    return gateway


async def check_csrf(request: Request) -> None:
    """Refuse any unsafe request whose form does not carry the session's CSRF token."""
    if request.method in {"GET", "HEAD", "OPTIONS"}:
        return
    form = await request.form()
    token = form.get(CSRF_FIELD) or request.query_params.get(CSRF_FIELD)
    if not session_of(request).csrf_ok(token if isinstance(token, str) else None):
        raise BadCsrf


@dataclass
class User:
    """The signed-in user of a request: their session (with tokens) and profile."""

    session: Session

    @property
    def profile(self) -> dict[str, Any]:
        """My Profile as read at login (or on the last visit to My Profile)."""
        return self.session.profile

    def roles_at(self) -> dict[str, set[str]]:
        """Roles per organisation where access is not revoked."""
        return {
            m["organisation"]: {r["role"] for r in m["roles"]}
            for m in self.profile.get("memberships", [])
            if not m.get("revoked")
        }

    def organisations_with(self, roles: set[str]) -> list[str]:
        """Organisations where the user holds one of these roles."""
        return sorted(org for org, held in self.roles_at().items() if held & roles)

    @property
    def manages_users(self) -> bool:
        """Whether the Pending Actions, Users and Invite tiles are for this user."""
        return bool(self.organisations_with(USER_MANAGERS))

    @property
    def commissions(self) -> bool:
        """Whether Create Offers and Offered Services are for this user."""
        return bool(self.organisations_with(COMMISSIONERS))

    @property
    def manages_services(self) -> bool:
        """Whether My Services is for this user."""
        return bool(self.organisations_with(SERVICE_MANAGERS))

    @property
    def claims(self) -> bool:
        """Whether the Claims page (and its review queues) is for this user."""
        return bool(self.organisations_with(CLAIM_PREPARERS | CLAIM_REVIEWERS | FLOW_KEEPERS))

    @property
    def achievement(self) -> bool:
        """Whether the Achievement and Data submission tabs are for this user."""
        return bool(self.organisations_with(ACHIEVEMENT_ROLES))

    @property
    def administers_organisations(self) -> bool:
        """Whether the Service Provider Clusters and Allocated Reports tiles are for this user."""
        return bool(self.organisations_with(ORGANISATION_ADMINISTRATORS))


async def organisations_in_scope(user: User, gateway: Gateway) -> set[str]:
    """The organisations of the user's memberships and every organisation below them (identity
    still decides, per grant and cluster, what the user may do at each)."""
    found: set[str] = set()
    for organisation in user.roles_at():
        found.add(organisation)
        found.update(o["ods_code"] for o in await gateway.descendants(user.session, organisation))
    return found


def current_user(request: Request) -> User:
    """The signed-in user, or LoginRequired."""
    session = session_of(request)
    if not session.signed_in:
        raise LoginRequired
    return User(session)


UserDep = Annotated[User, Depends(current_user)]
GatewayDep = Annotated[Gateway, Depends(gateway_of)]


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """A page: the template with the session's CSRF token, header state and one-shot messages."""
    session = session_of(request)
    user = User(session) if session.signed_in else None
    values = {
        "request": request,
        "csrf_token": session.csrf_token,
        "user": user,
        "flash": session.take_flash(),
        "cspNonce": getattr(request.state, "nonce", None),
        "path": request.url.path,
        "errors": [],
        **(context or {}),
    }
    return templates.TemplateResponse(request, template, values, status_code=status_code)


def safe_path(target: str | None) -> str:
    """Only a path on this site (never //elsewhere or a full URL) is followed after a form."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def redirect(url: str) -> RedirectResponse:
    """Post/redirect/get: after a form, the browser asks for the next page."""
    return RedirectResponse(url, status_code=303)


def error_list(errors: dict[str, str]) -> list[dict[str, str]]:
    """The error summary's items, each linking to its field (ids are the field names)."""
    return [{"text": message, "href": f"#{name}"} for name, message in errors.items()]


def problem_errors(problem: ApiProblem, known: dict[str, str], default: str) -> dict[str, str]:
    """A service refusal as form errors: each named field the page knows gets its message; the rest
    attach to the page's main field."""
    found = {
        known[e.field.split(".")[-1]]: e.message for e in problem.errors if e.field.split(".")[-1] in known
    }
    return found or {default: problem.detail}
