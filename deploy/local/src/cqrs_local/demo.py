"""`make run`'s demo data: loads each service's development demo set, idempotently."""

from __future__ import annotations

import os
import subprocess
import sys

from cqrs_local import procs
from cqrs_local.config import Layout

#: Each service that ships demo data, and the module that loads it into that service's own store.
DEMO_LOADERS = {"identity": "cqrs_identity.demo", "participation": "cqrs_participation.demo"}


def main() -> int:
    """Run every demo loader against the local stack's endpoints (development settings only)."""
    layout = Layout.from_env()
    for service, module in DEMO_LOADERS.items():
        # The loader writes the service's store from its own process; FerretDB updates are not
        # atomic across processes, so the service is stopped meanwhile (`up --services` restarts it).
        if procs.stop(layout, service):
            print(f"{service} stopped while its demo data loads", flush=True)
        env = {
            **os.environ,
            **layout.endpoints(),
            "CQRS_ENVIRONMENT": "development",
            "CQRS_SERVICE_NAME": service,
        }
        done = subprocess.run([sys.executable, "-m", module], env=env, check=False)
        if done.returncode != 0:
            print(f"error: loading {service} demo data failed ({done.returncode})", file=sys.stderr)
            return done.returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
