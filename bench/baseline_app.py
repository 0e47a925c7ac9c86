"""The write baseline: a bare FastAPI POST endpoint taking the same body (the public `HazardCreate`
schema, so the same validation) and answering 201 with a hazard-shaped JSON, served by uvicorn with
the settings `hl_stack serve` uses, in a process of its own. No auth, no database, no upstream.

Run: python -m bench.baseline_app PORT
"""

from __future__ import annotations

import sys
import uuid
from typing import Any

from fastapi import FastAPI, Response

from hl_api.hazards import HazardCreate


def create_app() -> FastAPI:
    app = FastAPI(title="bench baseline")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/api/v1/hazards", status_code=201)
    async def report(body: HazardCreate, response: Response) -> dict[str, Any]:
        hazard_id = str(uuid.uuid4())
        response.headers["Location"] = f"/api/v1/hazards/{hazard_id}"
        response.headers["ETag"] = '"1"'
        return {"id": hazard_id, "version": 1, "status": "reported", **body.model_dump(mode="json")}

    return app


def main() -> None:
    import uvicorn

    port = int(sys.argv[1])
    # The same uvicorn settings as `hl_stack serve` (hl_stack/cli.py).
    uvicorn.run(
        "bench.baseline_app:create_app",
        factory=True,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=10,
    )


if __name__ == "__main__":
    main()
