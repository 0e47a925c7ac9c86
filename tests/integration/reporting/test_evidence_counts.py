"""Evidence counts (佐证材料) in the ledger, the supervision list and its exports: the projection
follows `hazard.attachment_added` / `hazard.attachment_withdrawn` like any other hazard event."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from hl_contracts.evidence import HazardAttachmentAdded, HazardAttachmentWithdrawn
from hl_contracts.vocabulary import AttachmentKind, AttachmentStep
from hl_platform.db import Database
from hl_reporting.adapters.exports import SUPERVISION_HEADERS, supervision_list_xlsx
from hl_reporting.adapters.unit_of_work import SqlUnitOfWork
from hl_reporting.application.ports import LedgerQuery, SupervisionQuery
from hl_reporting.application.queries import hazard_ledger, supervision_list
from tests.integration.reporting.scenario import INSPECTOR, TODAY, HazardStream, at
from tests.integration.reporting.test_dispatch_table import CATALOGUE, db, project

__all__ = ["db"]  # the fixture, shared with the dispatch-table tests


def _added(attachment_id: str) -> HazardAttachmentAdded:
    return HazardAttachmentAdded(
        attachment_id=attachment_id,
        step=AttachmentStep.LISTING,
        kind=AttachmentKind.NOTICE,
        filename="督办通知书.pdf",
        content_type="application/pdf",
        size_bytes=2048,
        sha256="1" * 64,
        uploaded_by=INSPECTOR,
        added_at=at(5, 20),
    )


async def test_the_lists_and_the_export_count_the_evidence_not_withdrawn(db: Database) -> None:
    version = await _version(db, "t-H12")  # H12's stream goes on where the scenario left it
    stream = HazardStream("hazard", "t-H12", "371003", "hazardous_chemicals")
    withdrawn = HazardAttachmentWithdrawn(attachment_id="a1", sha256="1" * 64, reason="错", withdrawn_at=at(5, 21))
    for data in (_added("a1"), _added("a2"), withdrawn):
        stream.emit(data, at(5, 21))
    await project(db, [e.model_copy(update={"sequence": version + e.sequence}) for e in stream.events])
    async with SqlUnitOfWork(db, write=False) as uow:
        listed = (
            await supervision_list(uow, SupervisionQuery(region_prefix="3710", today=TODAY), catalogue=CATALOGUE)
        ).items
        ledger = (await hazard_ledger(uow, LedgerQuery(region_prefix="3710", listed=True))).items
    assert {item.hazard_id: item.evidence_count for item in listed} == {"t-H12": 1, "t-H6": 0}
    assert {item.hazard_id: item.evidence_count for item in ledger}["t-H12"] == 1
    sheet = load_workbook(io.BytesIO(supervision_list_xlsx(listed, today=TODAY)))["挂牌督办清单"]
    column = SUPERVISION_HEADERS.index("佐证材料(份)")
    assert {row[0].value: row[column].value for row in sheet.iter_rows(min_row=3)}["隐患t-H12"] == "1"


async def _version(db: Database, hazard_id: str) -> int:
    async with SqlUnitOfWork(db, write=False) as uow:
        items = (await hazard_ledger(uow, LedgerQuery(region_prefix="", listed=True))).items
    return next(item.version for item in items if item.hazard_id == hazard_id)
