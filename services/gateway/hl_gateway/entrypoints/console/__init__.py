"""The regulators' console (监管控制台): read-only pages under /console, in Chinese, served by the gateway.

Supervisors and inspectors sign in with their API key or JWT (see `session.py`) and see, scoped to
their region exactly like the API: the month's dispatch table with its child regions, a map of the
region's counties and zones shaded by a figure, the main figures' trends across the months, the
supervision list with overdue hazards highlighted, the evaluation ranking, and every export.
Pages are rendered on the server from templates; the only script is the vendored Chart.js (and a
few lines to draw the trend chart). Nothing is loaded from another site.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from hl_gateway.entrypoints.console.pages import router
from hl_gateway.entrypoints.console.rendering import HERE, on_problem, on_sign_in_required, streaming, templates
from hl_gateway.entrypoints.console.session import PATH, ConsoleProblem, SignInRequired

__all__ = ["install", "router"]


def install(app: FastAPI) -> None:
    """Add the console's pages, its static files and its error pages to the gateway's app."""
    app.include_router(router)
    app.mount(f"{PATH}/static", StaticFiles(directory=HERE / "static"), name="console-static")
    app.add_exception_handler(ConsoleProblem, on_problem)
    app.add_exception_handler(SignInRequired, on_sign_in_required)
    for environment in (templates.env, streaming):  # compiled now, not during someone's first page
        for name in environment.list_templates(extensions=["html"]):
            environment.get_template(name)
