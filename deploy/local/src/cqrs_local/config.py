"""Where the local stack lives on disk and which loopback ports it uses, in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

KAFKA_VERSION = "4.1.1"
FERRETDB_VERSION = "v1.24.2"
HOST = "127.0.0.1"

#: Development-only S3 credentials for the local SeaweedFS; production takes them from its secret store.
S3_ACCESS_KEY = "cqrs-local-access"
S3_SECRET_KEY = "cqrs-local-secret-not-for-production"  # noqa: S105 - local stack only

SERVICES = ("identity", "participation", "claims", "scanning", "notifications")
PORTAL = "portal"


def repo_root() -> Path:
    """The checkout this launcher belongs to (deploy/local/src/cqrs_local -> repo)."""
    return Path(__file__).resolve().parents[4]


@dataclass(frozen=True)
class Ports:
    """Loopback ports of every part; chosen away from common defaults to avoid clashes."""

    kafka: int = 19092
    kafka_controller: int = 19093
    mongo: int = 27027
    postgres: int = 15432
    ferretdb_debug: int = 18088
    s3: int = 18333
    weed_master: int = 19333
    weed_volume: int = 19340
    weed_filer: int = 18888
    weed_admin: int = 23646
    clamd: int = 13310
    smtp: int = 12525
    gateway: int = 8080
    service_base: int = 18100
    #: The web portal (cqrs_portal): the gateway sends everything outside /api/ to it.
    portal: int = 18106

    def service(self, name: str) -> int:
        """Port of one service's HTTP server (behind the gateway)."""
        return self.service_base + 1 + SERVICES.index(name)


@dataclass(frozen=True)
class Layout:
    """Folders: one state folder for configs, data, pids and logs; one cache for installs."""

    state: Path
    cache: Path
    ports: Ports
    #: FerretDB's backend: "postgresql" (default: indexed lookups) or "sqlite" (no PostgreSQL part).
    ferretdb_backend: str = "postgresql"

    @classmethod
    def from_env(cls) -> Layout:
        """Read CQRS_STATE_DIR / CQRS_CACHE_DIR, defaulting to .state in the checkout and ~/.cache/cqrs."""
        state = Path(os.environ.get("CQRS_STATE_DIR", repo_root() / ".state"))
        cache = Path(os.environ.get("CQRS_CACHE_DIR", Path.home() / ".cache" / "cqrs"))
        backend = os.environ.get("CQRS_FERRETDB_BACKEND", "postgresql")
        if backend not in ("postgresql", "sqlite"):
            msg = f"CQRS_FERRETDB_BACKEND must be postgresql or sqlite, not {backend!r}"
            raise ValueError(msg)
        return cls(state=state.resolve(), cache=cache.resolve(), ports=Ports(), ferretdb_backend=backend)

    def run_dir(self) -> Path:
        """Pid files."""
        return self.state / "run"

    def log_dir(self) -> Path:
        """One log file per part."""
        return self.state / "logs"

    def data_dir(self, part: str) -> Path:
        """Data and config of one part."""
        return self.state / part

    def log_file(self, part: str) -> Path:
        """Log file of one part."""
        return self.log_dir() / f"{part}.log"

    def pid_file(self, part: str) -> Path:
        """Pid file of one part."""
        return self.run_dir() / f"{part}.pid"

    def smtp_store(self) -> Path:
        """Folder where the SMTP sink keeps every message it receives."""
        return self.state / "smtp" / "mail"

    def endpoints(self) -> dict[str, str]:
        """The environment variables by which tests, services and people reach the parts."""
        p = self.ports
        return {
            "CQRS_KAFKA_BOOTSTRAP": f"{HOST}:{p.kafka}",
            "CQRS_MONGO_URL": f"mongodb://{HOST}:{p.mongo}/",
            "CQRS_S3_ENDPOINT": f"http://{HOST}:{p.s3}",
            "CQRS_S3_ACCESS_KEY": S3_ACCESS_KEY,
            "CQRS_S3_SECRET_KEY": S3_SECRET_KEY,
            "CQRS_CLAMD_ADDRESS": f"{HOST}:{p.clamd}",
            "CQRS_SMTP_ADDRESS": f"{HOST}:{p.smtp}",
            "CQRS_SMTP_STORE": str(self.smtp_store()),
            "CQRS_GATEWAY_URL": f"http://{HOST}:{p.gateway}",
        }
