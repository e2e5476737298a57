"""Service Provider Clusters: list, create (search, select all, summary, Yes/No), change name and
description, add and remove organisations, Submit. Unsubmitted changes live in the session."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from cqrs_portal.forms import organisation_names
from cqrs_portal.gateway import ApiProblem, Credentials, Gateway
from cqrs_portal.web import (
    ORGANISATION_ADMINISTRATORS,
    GatewayDep,
    User,
    UserDep,
    error_list,
    problem_errors,
    redirect,
    render,
)

router = APIRouter(prefix="/clusters")
NEW = "new-cluster"
CRUMBS = [
    {"text": "Home", "href": "/"},
    {"text": "Manage Org's & Users", "href": "/administrative-tasks"},
    {"text": "Service Provider Clusters", "href": "/clusters"},
]


def _organisation(user: User, chosen: str = "") -> str:
    mine = user.organisations_with(ORGANISATION_ADMINISTRATORS)
    if not mine:
        raise ApiProblem(403, "Forbidden", "Service Provider Clusters are for Organisation Administrators.")
    return chosen if chosen in mine else mine[0]


async def _providers(gateway: Gateway, creds: Credentials, organisation: str, q: str) -> list[dict[str, Any]]:
    """The organisations below the commissioner, filtered by the Search by words."""
    needle = q.strip().lower()
    return [
        o
        for o in await gateway.descendants(creds, organisation)
        if not needle or needle in o["ods_code"].lower() or needle in o["name"].lower()
    ]


def _selected(form: Any, shown: list[dict[str, Any]]) -> list[str]:
    """The ticked organisations, or every one shown when Select all is ticked."""
    if form.get("select_all"):
        return [o["ods_code"] for o in shown]
    return [str(v) for v in form.getlist("organisations")]


@router.get("")
async def clusters(request: Request, user: UserDep, gateway: GatewayDep, organisation: str = "") -> Response:
    """The primary Service Provider Cluster screen."""
    org = _organisation(user, organisation)
    listed = await gateway.clusters(user.session, org)
    return render(
        request,
        "clusters.jinja",
        {
            "title": "Service Provider Clusters",
            "org": org,
            "listed": listed,
            "mine": user.organisations_with(ORGANISATION_ADMINISTRATORS),
            "breadcrumbs": CRUMBS[:2],
            "column": "nhsuk-grid-column-full",
        },
    )


@router.get("/new")
async def new_page(request: Request, user: UserDep, gateway: GatewayDep, q: str = "") -> Response:
    """Create Service Provider Cluster: name, description and the organisations to include."""
    draft = user.session.draft(NEW)
    draft.setdefault("organisation", _organisation(user))
    return await _new_form(request, user, gateway, draft, q, {})


async def _new_form(
    request: Request, user: User, gateway: Gateway, draft: dict[str, Any], q: str, errors: dict[str, str]
) -> Response:
    return render(
        request,
        "cluster_new.jinja",
        {
            "title": "Create Service Provider Cluster",
            "draft": draft,
            "q": q,
            "providers": await _providers(gateway, user.session, draft["organisation"], q),
            "field_errors": errors,
            "errors": error_list(errors),
            "back": {"href": "/clusters"},
        },
        status_code=400 if errors else 200,
    )


@router.post("/new")
async def new(request: Request, user: UserDep, gateway: GatewayDep, q: str = "") -> Response:
    """Continue: keep the answers and show the summary."""
    form = await request.form()
    draft = user.session.draft(NEW)
    draft.setdefault("organisation", _organisation(user))
    shown = await _providers(gateway, user.session, draft["organisation"], q)
    draft.update(name=str(form.get("name", "")).strip(), description=str(form.get("description", "")).strip())
    draft["organisations"] = _selected(form, shown)
    errors = {}
    if not draft["name"]:
        errors["name"] = "Enter a name for the cluster"
    if not draft["organisations"]:
        errors["organisations"] = "Select at least one Service Provider"
    if errors:
        return await _new_form(request, user, gateway, draft, q, errors)
    return redirect("/clusters/new/check")


@router.get("/new/check")
async def check_page(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """The summary: cluster details and its Service Providers, with the Yes/No confirmation."""
    return await _check(request, user, gateway, {})


async def _check(request: Request, user: User, gateway: Gateway, errors: dict[str, str]) -> Response:
    draft = user.session.draft(NEW)
    if not draft.get("organisations"):
        return redirect("/clusters/new")
    names = organisation_names(await gateway.organisations(user.session))
    return render(
        request,
        "cluster_check.jinja",
        {
            "title": "Create this Service Provider Cluster?",
            "draft": draft,
            "names": names,
            "field_errors": errors,
            "errors": error_list(errors),
            "back": {"href": "/clusters/new"},
        },
        status_code=400 if errors else 200,
    )


@router.post("/new/check")
async def create(request: Request, user: UserDep, gateway: GatewayDep) -> Response:
    """Yes creates the cluster; No returns to the Create page with the answers kept."""
    answer = (await request.form()).get("confirm")
    if answer == "no":
        return redirect("/clusters/new")
    if answer != "yes":
        return await _check(
            request, user, gateway, {"confirm": "Select Yes to create the cluster or No to change it"}
        )
    draft = user.session.draft(NEW)
    try:
        made = await gateway.create_cluster(
            user.session,
            {k: draft.get(k, "") for k in ("organisation", "name", "description", "organisations")},
        )
    except ApiProblem as problem:
        return await _check(request, user, gateway, problem_errors(problem, {}, "confirm"))
    user.session.drop_draft(NEW)
    return render(
        request, "cluster_created.jinja", {"title": "Service Provider Cluster created", "cluster": made}
    )


def _edits(user: User, cluster: dict[str, Any]) -> dict[str, Any]:
    """The unsubmitted changes of one cluster."""
    draft = user.session.draft(f"cluster-{cluster['cluster_id']}")
    draft.setdefault("name", cluster["name"])
    draft.setdefault("description", cluster["description"])
    draft.setdefault("add", [])
    draft.setdefault("remove", [])
    return draft


@router.get("/{cluster_id}")
async def cluster_page(request: Request, cluster_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """The Service Provider Cluster screen: details and Service Providers, with changes not yet submitted."""
    cluster = await gateway.cluster(user.session, cluster_id)
    edits = _edits(user, cluster)
    names = organisation_names(await gateway.organisations(user.session))
    members = [o for o in cluster["organisations"] if o not in edits["remove"]] + [
        o for o in edits["add"] if o not in cluster["organisations"]
    ]
    return render(
        request,
        "cluster.jinja",
        {
            "title": f"Service Provider Cluster {cluster['short_name']}",
            "cluster": cluster,
            "edits": edits,
            "members": members,
            "names": names,
            "breadcrumbs": CRUMBS,
            "column": "nhsuk-grid-column-full",
        },
    )


@router.post("/{cluster_id}")
async def change(request: Request, cluster_id: str, user: UserDep, gateway: GatewayDep) -> Response:
    """One form, three buttons: Remove Organisation (per row), Add Organisation, and Submit."""
    form = await request.form()
    cluster = await gateway.cluster(user.session, cluster_id)
    edits = _edits(user, cluster)
    edits.update(name=str(form.get("name", "")).strip(), description=str(form.get("description", "")).strip())
    action = str(form.get("action", ""))
    if action.startswith("remove:"):
        ods = action.removeprefix("remove:")
        if ods in edits["add"]:
            edits["add"].remove(ods)
        elif ods not in edits["remove"]:
            edits["remove"].append(ods)
        return redirect(f"/clusters/{cluster_id}")
    if action == "add":
        return redirect(f"/clusters/{cluster_id}/add")
    try:
        await gateway.update_cluster(
            user.session,
            cluster_id,
            {"name": edits["name"], "description": edits["description"]},
            [o for o in edits["add"] if o not in cluster["organisations"]],
            [o for o in edits["remove"] if o in cluster["organisations"]],
        )
    except ApiProblem as problem:
        user.session.say(f"The cluster was not updated: {problem.detail}")
        return redirect(f"/clusters/{cluster_id}")
    user.session.drop_draft(f"cluster-{cluster_id}")
    user.session.say("The cluster was updated successfully")
    return redirect(f"/clusters/{cluster_id}")


@router.get("/{cluster_id}/add")
async def add_page(
    request: Request, cluster_id: str, user: UserDep, gateway: GatewayDep, q: str = ""
) -> Response:
    """Add Organisation: search, tick (or Select all) and Continue."""
    cluster = await gateway.cluster(user.session, cluster_id)
    edits = _edits(user, cluster)
    current = set(cluster["organisations"]) - set(edits["remove"]) | set(edits["add"])
    providers = [
        o
        for o in await _providers(gateway, user.session, cluster["organisation"], q)
        if o["ods_code"] not in current
    ]
    return render(
        request,
        "cluster_add.jinja",
        {
            "title": "Add organisations to the cluster",
            "cluster": cluster,
            "providers": providers,
            "q": q,
            "back": {"href": f"/clusters/{cluster_id}"},
        },
    )


@router.post("/{cluster_id}/add")
async def add(request: Request, cluster_id: str, user: UserDep, gateway: GatewayDep, q: str = "") -> Response:
    """Continue: the ticked organisations join the cluster's Service Providers (not yet submitted)."""
    form = await request.form()
    cluster = await gateway.cluster(user.session, cluster_id)
    edits = _edits(user, cluster)
    shown = await _providers(gateway, user.session, cluster["organisation"], q)
    for ods in _selected(form, shown):
        if ods in edits["remove"]:
            edits["remove"].remove(ods)
        elif ods not in edits["add"] and ods not in cluster["organisations"]:
            edits["add"].append(ods)
    return redirect(f"/clusters/{cluster_id}")
