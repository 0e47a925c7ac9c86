"""Wiring: the reporting service's parts built from its settings, each port given its adapter.

`build` wires the whole service (the handlers on SQL units of work of the active projection
generation's database, the evaluation schemes, the generation watch); `reporting_service` the
handlers alone, on a database. Unit tests pass fakes to `ReportingService` directly
(tests/unit/reporting/fakes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hl_catalogue import RegionCatalogue
from hl_platform.db import Database
from hl_platform.runtime import Runtime
from hl_reporting.adapters.evaluation_schemes import FileSchemeStore
from hl_reporting.adapters.unit_of_work import SqlUnitsOfWork
from hl_reporting.application.evaluation import SchemeSource
from hl_reporting.application.generations import GenerationWatch
from hl_reporting.application.service import ReportingService
from hl_reporting.settings import ReportingSettings


@dataclass
class Reporting:
    """The reporting service, wired: its handlers and the watch that follows the active generation."""

    service: ReportingService
    watch: GenerationWatch


def reporting_service(database: Callable[[], Database], schemes: SchemeSource | None = None) -> ReportingService:
    """The handlers on SQL units of work of `database()`, with the default region catalogue."""
    return ReportingService(
        SqlUnitsOfWork(database), RegionCatalogue.load_default, schemes or FileSchemeStore.from_folder(None)
    )


def build(settings: ReportingSettings, runtime: Runtime) -> Reporting:
    schemes = FileSchemeStore.from_folder(settings.evaluation_schemes_dir or None)
    service = reporting_service(lambda: runtime.db, schemes)  # runtime.db: the active generation's
    return Reporting(service, GenerationWatch(runtime, interval=settings.generation_check_interval_s))
