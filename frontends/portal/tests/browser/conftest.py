"""Browser tests of the portal on the real stack: identity with its demo data in a database of its
own, the other services as processes of their own fed by this run's events, the launcher's nginx
configuration routing /api/<service>/ to them, the portal calling them through it, and Debian's
chromium-headless-shell driven by pytest-playwright. Every page a journey loads is checked with
axe-core (WCAG 2.2 AA), and nothing may be fetched from outside the portal."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page
from pymongo import MongoClient

from cqrs_kit.settings import ServiceSettings
from cqrs_kit.testing import (
    ServiceProcess,
    client_address_headers,
    eventually,
    free_port,
    isolated_settings,
    settings_env,
    skip_history,
    unique,
)
from cqrs_kit.testing_mail import link_in_mail
from cqrs_local.config import repo_root
from cqrs_local.install import chromium_headless_shell

T = TypeVar("T")
#: The demo's Depot Antipsychotic Injections service (no claim windows: Add+, claimable any day).
DEPOT = "qs-qrv-depot"
#: The demo preparer of claims at each demo provider with the depot service.
PREPARERS = {"E85001": "priya.practice-user", "E85002": "molly.multi-level"}
DEMO_PASSWORD = "CQRS-demo-2025!"
DEMO_DOMAIN = "demo.cqrs.local"
NEW_PASSWORD = "a long portal test passphrase 7"
NGINX_TEMPLATE = repo_root() / "deploy" / "local" / "nginx.conf.template"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def in_own_loop(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to its end on a thread of its own: Playwright's sync API keeps an event loop
    running on the test's thread, so asyncio.run cannot be used there."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def demo(local: str) -> str:
    """A demo user's login by the part before @ (services/identity/DEMO_USERS.md)."""
    return f"{local}@{DEMO_DOMAIN}"


@pytest.fixture(scope="session")
def logs_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the identity and portal processes log."""
    return tmp_path_factory.mktemp("portal-logs")


#: The services behind the test gateway, as the launcher names them (nginx routes each /api/<name>/).
SERVICES = ("identity", "participation", "claims", "scanning", "notifications")
#: Services that consume events: their consumer groups start at the end of the shared topics, so
#: they see this run's events only (identity's demo data among them), not every earlier run's.
CONSUMERS = ("notifications", "participation", "claims", "scanning")
#: Claims as `make run` runs it (the payment simulator answers batches), but with the batch clock off:
#: after 15:00 its first tick would take the day's run before any claim is approved.
#: `Stack.send_todays_payment_batch` restarts it with the clock on.
CLAIMS_ENV = {"CQRS_CLAIMS_PAYMENT_SIMULATOR": "true", "CQRS_CLAIMS_PAYMENT_TICK_SECONDS": "0"}


@dataclass
class Stack:
    """This run's ports (services, portal, gateway) and the settings of each service."""

    ports: dict[str, int]
    settings: dict[str, ServiceSettings]
    logs: Path
    processes: dict[str, ServiceProcess] = field(default_factory=dict)

    def url(self, name: str) -> str:
        """Base URL of a part of this run."""
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, name: str, extra_env: dict[str, str] | None = None) -> ServiceProcess:
        """Start one service as its own process on its port and wait until it is ready."""
        process = ServiceProcess(
            f"cqrs_{name}.app", self.settings[name], self.ports[name], self.logs / f"{name}.log"
        )
        process.start(extra_env)
        in_own_loop(process.wait_ready)
        self.processes[name] = process
        return process

    def send_todays_payment_batch(self) -> None:
        """Restart claims with its batch clock ticking every second and the batch time at midnight,
        so today's payment batch goes at once (then the simulator answers it)."""
        self.processes["claims"].stop()
        self.start(
            "claims",
            CLAIMS_ENV
            | {"CQRS_CLAIMS_PAYMENT_TICK_SECONDS": "1", "CQRS_CLAIMS_PAYMENT_BATCH_TIME": "00:00:00"},
        )


async def _skip_all_history(group: str) -> None:
    bootstrap = os.environ["CQRS_KAFKA_BOOTSTRAP"]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        topics = [t for t in await admin.list_topics() if t.startswith("cqrs.") and "deadletter" not in t]
    finally:
        await admin.close()
    await skip_history(group, *topics)


@pytest.fixture(scope="session")
def stack(infra: dict[str, str], logs_dir: Path) -> Iterator[Stack]:
    """Ports and settings of this run; every service trusts identity's published keys."""
    ports = {name: free_port() for name in (*SERVICES, "portal", "gateway")}
    jwks = f"http://127.0.0.1:{ports['identity']}/api/identity/.well-known/jwks.json"
    settings = {"identity": isolated_settings("identity")}
    for name in CONSUMERS:
        settings[name] = isolated_settings(name, jwks_json=None, jwks_url=jwks)
        in_own_loop(partial(_skip_all_history, settings[name].group))
    yield Stack(ports, settings, logs_dir)
    client: MongoClient[dict[str, Any]] = MongoClient(infra["CQRS_MONGO_URL"])
    for service_settings in settings.values():
        client.drop_database(service_settings.database_name)
    client.close()


@pytest.fixture(scope="session")
def identity_url(stack: Stack) -> Iterator[str]:
    """Identity as its own process with the demo data loaded into a database only this run uses;
    its emailed links point at this run's portal."""
    env = {**os.environ, **settings_env(stack.settings["identity"])}
    subprocess.run([sys.executable, "-m", "cqrs_identity.demo"], env=env, check=True, timeout=300)
    process = stack.start("identity", {"CQRS_IDENTITY_PUBLIC_URL": stack.url("portal")})
    try:
        yield stack.url("identity")
    finally:
        process.stop()


@pytest.fixture(scope="session")
def notifications_url(stack: Stack, identity_url: str) -> Iterator[str]:
    """Notifications (the Message Centre) as its own process, fed by this run's events."""
    process = stack.start("notifications")
    try:
        yield stack.url("notifications")
    finally:
        process.stop()


@pytest.fixture(scope="session")
def participation_url(stack: Stack, identity_url: str, notifications_url: str) -> Iterator[str]:
    """Participation with its demo catalogue and offers, as its own process (started by the tests
    that need it)."""
    env = {**os.environ, **settings_env(stack.settings["participation"])}
    subprocess.run([sys.executable, "-m", "cqrs_participation.demo"], env=env, check=True, timeout=300)
    process = stack.start("participation")
    try:
        yield stack.url("participation")
    finally:
        process.stop()


@pytest.fixture(scope="session")
def scanning_url(stack: Stack, identity_url: str) -> Iterator[str]:
    """Scanning (clamd and the content checks) as its own process, scanning this run's uploads."""
    process = stack.start("scanning")
    try:
        yield stack.url("scanning")
    finally:
        process.stop()


@pytest.fixture(scope="session")
def claims_url(stack: Stack, participation_url: str, scanning_url: str) -> Iterator[str]:
    """Claims as its own process, its catalogue fed by participation's events of this run; its
    attachments are scanned by this run's scanning."""
    stack.start("claims", CLAIMS_ENV)
    try:
        yield stack.url("claims")
    finally:
        stack.processes["claims"].stop()


@pytest.fixture(scope="session")
def achievement_demo(stack: Stack, claims_url: str) -> str:
    """`make run`'s demo achievement loaded into this run's claims (payment settings of the demo
    QOF and Network Contract DES, extractions sent on Kafka as a GP system would): claims opens
    the declarations. Its address."""
    env = {**os.environ, **settings_env(stack.settings["claims"])}
    subprocess.run([sys.executable, "-m", "cqrs_claims.achievement.demo"], env=env, check=True, timeout=300)
    return claims_url


@pytest.fixture(scope="session")
def gateway_url(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The launcher's nginx configuration, pointed at this run's services and portal."""
    home = tmp_path_factory.mktemp("nginx")
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (home / "tmp" / sub).mkdir(parents=True, exist_ok=True)
    routes = "\n".join(
        f"        location /api/{name}/ {{ proxy_pass {stack.url(name)}; }}" for name in SERVICES
    )
    log = stack.logs / "nginx.log"
    conf = home / "nginx.conf"
    conf.write_text(
        NGINX_TEMPLATE.read_text()
        .replace("@USER@", "user root;" if os.geteuid() == 0 else "")
        .replace("@HOME@", str(home))
        .replace("@LISTEN@", f"127.0.0.1:{stack.ports['gateway']}")
        .replace("@ROUTES@", routes)
        .replace("@PORTAL@", f"127.0.0.1:{stack.ports['portal']}")
        .replace("@ERROR_LOG@", str(log))
    )
    nginx = subprocess.Popen(
        ["/usr/sbin/nginx", "-p", str(home), "-e", str(log), "-c", str(conf), "-g", "daemon off;"],
        start_new_session=True,
    )
    url = stack.url("gateway")
    try:
        _wait_ready(nginx, f"{url}/gateway/healthz", log)
        yield url
    finally:
        nginx.terminate()
        nginx.wait(20)


@pytest.fixture(scope="session")
def portal_url(
    infra: dict[str, str], stack: Stack, gateway_url: str, identity_url: str, notifications_url: str
) -> Iterator[str]:
    """The portal as its own uvicorn process calling the services through the test gateway."""
    port = stack.ports["portal"]
    database = unique("test_portal").replace("-", "_")
    env = {
        **os.environ,
        "CQRS_GATEWAY_URL": gateway_url,
        "CQRS_MONGO_URL": infra["CQRS_MONGO_URL"],
        "CQRS_PORTAL_DATABASE": database,
    }
    log = (stack.logs / "portal.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "cqrs_portal.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, f"{url}/readyz", stack.logs / "portal.log")
        yield url
    finally:
        process.terminate()
        process.wait(20)
        log.close()
        MongoClient(infra["CQRS_MONGO_URL"]).drop_database(database)


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    for _ in range(300):
        if process.poll() is not None:
            pytest.fail(f"{url} exited with {process.returncode}; see {log}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        subprocess.run(["sleep", "0.2"], check=True)
    pytest.fail(f"{url} was not ready; see {log}")


@pytest.fixture(scope="session")
def base_url(portal_url: str) -> str:
    """pytest-playwright opens relative URLs on the portal."""
    return portal_url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's chromium-headless-shell (never a browser downloaded by `playwright install`)."""
    return {
        **browser_type_launch_args,
        "executable_path": str(chromium_headless_shell()),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    """A desktop-sized window (test_portal_without_javascript turns JavaScript off)."""
    return {**browser_context_args, "viewport": {"width": 1100, "height": 900}}


class Journey:
    """A person's journey in the browser: runs axe-core (WCAG 2.2 AA) on every page loaded, records
    anything fetched from outside the portal, logs in and saves the journey's screenshot."""

    def __init__(self, page: Page, base: str, output_path: str) -> None:
        self.page = page
        self.base = base
        self.output_path = Path(output_path)
        self.axe = Axe()
        self.loaded: list[str] = []
        self.checked: list[str] = []
        self.outside: list[str] = []
        page.on("load", lambda p: self.loaded.append(p.url))
        page.on("request", self._request)

    def _request(self, request: Any) -> None:
        if not request.url.startswith(self.base) and not request.url.startswith("data:"):
            self.outside.append(request.url)

    def check(self) -> None:
        """Fail on any WCAG 2.2 AA violation of the page now shown."""
        results = self.axe.run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
        assert results.violations_count == 0, f"{self.page.url}\n{results.generate_report()}"
        self.checked.append(self.page.url)

    def finish(self) -> None:
        """Every loaded page was checked, and nothing came from elsewhere."""
        unchecked = [url for url in self.loaded if url not in self.checked]
        assert not unchecked, f"pages loaded but not checked for accessibility: {unchecked}"
        assert not self.outside, f"fetched from outside the portal: {self.outside}"

    def log_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        """Log in through the login page as a person would."""
        self.page.goto("/login")
        self.check()
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.click("Log in")

    def click(self, name: str) -> None:
        """Click a button, a link styled as one, or a link in the page's content (a menu tile, a
        table's link) by its accessible name, then check the page it leads to."""
        main = self.page.locator("#maincontent")
        target = main.get_by_role("button", name=name, exact=True).or_(
            main.get_by_role("link", name=name, exact=True)
        )
        with self.page.expect_navigation():
            target.click()
        self.check()

    def screenshot(self, name: str) -> Path:
        """Save the page as the journey's screenshot under the test output folder."""
        path = self.output_path / f"{name}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def journey(page: Page, portal_url: str, output_path: str) -> Iterator[Journey]:
    """The browser page of one journey, with accessibility and no-outside-requests checks."""
    watcher = Journey(page, portal_url, output_path)
    yield watcher
    watcher.finish()


class Api:
    """Test set-up through identity's public API, as another person or system would do it."""

    def __init__(self, base: str, gateway: str) -> None:
        self.http = httpx.Client(base_url=f"{base}/api/identity", timeout=30)
        self.gateway = gateway

    def headers(self, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
        """Authorization headers of a fresh login."""
        response = self.http.post("/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    def register(self, first: str, last: str, organisation: str, role: str | None = None) -> dict[str, Any]:
        """A person registers (public); their request waits in Pending Actions."""
        email = f"{first.lower()}.{last.lower()}-{uuid.uuid4().hex[:6]}@test.cqrs.local"
        body = {
            "email": email,
            "first_name": first,
            "last_name": last,
            "organisation": organisation,
            "role": role,
        }
        response = self.http.post("/registrations", json=body, headers=client_address_headers())
        assert response.status_code == 202, response.text  # the same answer for any address
        return {"email": email, **self.request_of(email)}

    def request_of(self, email: str) -> dict[str, Any]:
        """The Pending Actions line of a person's registration, as the demo User Administrator sees it."""
        page = self.http.get(
            "/pending-actions", params={"q": email}, headers=self.headers(demo("uma.user-admin"))
        ).json()
        (line,) = page["items"]
        found: dict[str, Any] = line
        return found

    def active_user(self, first: str, last: str, organisation: str, role: str) -> dict[str, Any]:
        """A user invited by the demo User Administrator who completed registration from the link."""
        email = f"{first.lower()}.{last.lower()}-{uuid.uuid4().hex[:6]}@test.cqrs.local"
        invited = self.http.post(
            "/invitations",
            headers=self.headers(demo("uma.user-admin")),
            json={
                "email": email,
                "first_name": first,
                "last_name": last,
                "organisation": organisation,
                "role": role,
            },
        )
        assert invited.status_code == 201, invited.text
        done = self.http.post(
            "/registrations/complete",
            json={"token": completion_token(email), "password": NEW_PASSWORD},
        )
        assert done.status_code == 200, done.text
        return {**done.json(), "password": NEW_PASSWORD}

    def through_gateway(
        self, method: str, path: str, headers: dict[str, str], body: Any = None, params: Any = None
    ) -> Any:
        """One call to any service through the test gateway (set-up as another person would)."""
        response = httpx.request(
            method, f"{self.gateway}{path}", json=body, params=params, headers=headers, timeout=30
        )
        assert response.status_code < 300, response.text
        return response.json()

    def claims(self, method: str, path: str, headers: dict[str, str], body: Any = None, **params: Any) -> Any:
        """One call to claims through the test gateway."""
        return self.through_gateway(method, f"/api/claims{path}", headers, body, params or None)

    def accept_depot(self, provider: str = "E85001") -> None:
        """The demo's depot offer to E85001 accepted by its Service Manager (once per run), and the
        service claimable there (claims has caught up with participation)."""
        sam = self.headers(demo("sam.service-manager"))
        if provider == "E85001":
            offers = self.through_gateway("GET", "/api/participation/my-services", sam, params={"limit": 100})
            depot = next(
                o
                for o in offers["items"]
                if o["quality_service_id"] == DEPOT and o["provider_organisation_id"] == provider
            )
            if depot["status"] == "Offered":
                self.through_gateway("POST", f"/api/participation/offers/{depot['offer_id']}/accept", sam)
        preparer = self.headers(demo(PREPARERS[provider]))

        def claimable() -> bool:
            found = self.claims("GET", "/claims/availability", preparer, provider_organisation_id=provider)
            return any(s["quality_service_id"] == DEPOT and s["claimable"] for s in found["services"])

        self.eventually(claimable)

    def depot_claim(self, provider: str, units: int, *, submit: bool = True) -> str:
        """A depot claim of some units made through the public API by the provider's demo preparer
        (submitted unless told not to); its Claim ID."""
        self.accept_depot(provider)
        headers = self.headers(demo(PREPARERS[provider]))
        made = self.claims(
            "POST", "/claims", headers, {"provider_organisation_id": provider, "quality_service_id": DEPOT}
        )
        claim_id = str(made["claim_id"])
        self.claims("POST", f"/claims/{claim_id}/services", headers, {"quality_service_id": None})
        self.claims(
            "POST",
            f"/claims/{claim_id}/components",
            headers,
            {"quality_service_id": DEPOT, "component_id": "depot-injection"},  # Add+ (no windows)
        )
        line = {
            "component_id": "depot-injection",
            "units": units,
            "answers": [{"question_id": "qualified-staff", "yes": True}],
        }
        if submit:
            self.claims("POST", f"/claims/{claim_id}/submit", headers, {"lines": [line]})
        return claim_id

    def eventually(self, check: Callable[[], bool], timeout: float = 60) -> None:
        """Wait (up to a minute unless told) until another service has caught up with an event."""

        async def polled() -> bool:
            return await asyncio.to_thread(check)

        in_own_loop(lambda: eventually(polled, timeout=timeout))

    def message_centre_item(self, headers: dict[str, str], kind: str, title: str) -> dict[str, Any]:
        """Wait until a task or message whose title contains some words reaches a person's Message
        Centre (events travel through Kafka to notifications), and return it."""

        async def arrived() -> list[dict[str, Any]]:
            async with httpx.AsyncClient(base_url=self.gateway, timeout=10) as client:
                page = await client.get(
                    "/api/notifications/items", params={"kind": kind, "limit": 100}, headers=headers
                )
            assert page.status_code == 200, page.text
            return [item for item in page.json()["items"] if title in item["title"]]

        (found,) = in_own_loop(lambda: eventually(arrived, timeout=60))
        item: dict[str, Any] = found
        return item


def emailed_link(email: str, subject: str) -> str:
    """The link in the newest email to a person whose subject contains some words (read from the
    SMTP server's store)."""
    url = in_own_loop(lambda: link_in_mail(Path(os.environ["CQRS_SMTP_STORE"]), email, subject))
    return str(url)


def completion_token(email: str) -> str:
    """The single-use token of the link identity emailed the invited person (read from the SMTP
    server's store: links never travel on Kafka)."""
    url = in_own_loop(lambda: link_in_mail(Path(os.environ["CQRS_SMTP_STORE"]), email, "invited to CQRS"))
    return str(parse_qs(urlparse(url).query)["token"][0])


@pytest.fixture(scope="session")
def api(identity_url: str, gateway_url: str, notifications_url: str) -> Api:
    """Identity's public API for test set-up, and the gateway to read what other services did."""
    return Api(identity_url, gateway_url)


@pytest.fixture
def emailed() -> Callable[[str, str], str]:
    """emailed_link for tests: the link in the email to an address with some words in its subject."""
    return emailed_link
