"""The local gateway as this checkout configures it: a private nginx from deploy/local's template in
front of a stand-in upstream that echoes what it receives (the shared stack's nginx runs main's)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from cqrs_kit.testing import free_port
from cqrs_local.parts import gateway_config

NGINX = "/usr/sbin/nginx"
TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-01$")


class Echo(BaseHTTPRequestHandler):
    """Answers every GET with the path and headers it received (and a /metrics page of its own)."""

    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private nginx on a free port routing one service and the portal to the echo server."""
    if shutil.which(NGINX) is None:
        pytest.fail(f"{NGINX} is missing: the launcher installs it (apt-get install nginx-light)")
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    home = tmp_path_factory.mktemp("nginx")
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (home / "tmp" / sub).mkdir(parents=True)
    port, echo = free_port(), f"127.0.0.1:{upstream.server_port}"
    conf = Path(home) / "nginx.conf"
    conf.write_text(
        gateway_config(
            home=home,
            listen=f"127.0.0.1:{port}",
            services={"participation": echo},
            portal=echo,
            error_log=home / "error.log",
        )
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(home), "-e", str(home / "error.log"), "-c", str(conf), "-g", "daemon off;"]
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{url}/gateway/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail((home / "error.log").read_text())
        yield url
    finally:
        process.terminate()
        process.wait(10)
        upstream.shutdown()


@pytest.mark.parametrize("path", ["/metrics", "/metrics/", "/metrics?x=1"])
def test_the_gateway_never_serves_metrics(gateway: str, path: str) -> None:
    """/metrics is a JSON 404 at the gateway even though the portal behind it would answer."""
    response = httpx.get(f"{gateway}{path}", timeout=5)
    assert response.status_code == 404
    assert response.json() == {"title": "Not Found", "status": 404}
    assert httpx.get(f"{gateway}/some-page", timeout=5).json()["path"] == "/some-page"  # portal reached


@pytest.mark.parametrize("path", ["/api/participation/offers", "/"])
def test_the_gateway_starts_a_trace_named_by_its_request_id(gateway: str, path: str) -> None:
    """No traceparent from the client: services and portal get one whose trace id is X-Request-Id."""
    first = httpx.get(f"{gateway}{path}", timeout=5).json()["headers"]
    second = httpx.get(f"{gateway}{path}", timeout=5).json()["headers"]
    match = TRACEPARENT.match(first["traceparent"])
    assert match, first
    assert match.group(1) == first["x-request-id"]
    assert first["traceparent"] != second["traceparent"]  # one trace per request
    assert first["x-forwarded-proto"] == "http"


def test_the_gateway_passes_the_clients_traceparent_on(gateway: str) -> None:
    """A caller already in a trace stays in it."""
    sent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    received = httpx.get(f"{gateway}/api/participation/offers", headers={"traceparent": sent}, timeout=5)
    assert received.json()["headers"]["traceparent"] == sent
