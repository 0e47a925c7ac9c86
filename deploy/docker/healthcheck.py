"""Container health check: GET /healthz of the service this container serves.

The image runs any of the four services (`python -m hl_stack serve <service>`), so the check finds
the served service from the process table, and its port from HL_<SERVICE>_PORT (else the service's
default port). A container that serves nothing (a one-shot `migrate`) is reported healthy.
Standard library only: the runtime image has no curl or wget.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

DEFAULT_PORTS = {"gateway": 8000, "hazard": 8001, "enterprise": 8002, "reporting": 8003, "tips": 8004, "webhooks": 8006}


def served_service() -> str | None:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = [a.decode(errors="replace") for a in cmdline.read_bytes().split(b"\0") if a]
        except OSError:
            continue
        if "hl_stack" in args and "serve" in args:
            position = args.index("serve") + 1
            if position < len(args):
                return args[position]
    return None


def main() -> int:
    service = served_service()
    if service is None:
        return 0
    port = os.environ.get(f"HL_{service.upper()}_PORT") or str(DEFAULT_PORTS.get(service, 8000))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as answer:
            return 0 if answer.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"{service} on port {port}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
