"""A service with a route that answers without a token and is not on the public list never starts."""

import pytest
from fastapi import APIRouter

from cqrs_kit.app import ServiceSpec, create_service_app
from cqrs_kit.auth import CurrentUser
from cqrs_kit.route_guard import UnguardedRoute
from cqrs_kit.settings import ServiceSettings


def _spec(router: APIRouter) -> ServiceSpec:
    return ServiceSpec(name="guarded", description="test", routers=[router])


def test_a_route_without_a_token_is_refused_at_start_up() -> None:
    router = APIRouter()

    @router.get("/secrets")
    async def secrets() -> dict[str, str]:
        return {}

    with pytest.raises(UnguardedRoute, match="GET /api/guarded/secrets"):
        create_service_app(_spec(router), ServiceSettings(service_name="guarded"))


def test_a_route_depending_on_the_current_user_is_accepted() -> None:
    router = APIRouter()

    @router.get("/secrets")
    async def secrets(user: CurrentUser) -> dict[str, str]:
        return {"user": user.user_id}

    assert create_service_app(_spec(router), ServiceSettings(service_name="guarded")) is not None
