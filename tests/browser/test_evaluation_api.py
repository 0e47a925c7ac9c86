"""The evaluation through the public API on the running stack (the console's stack): frozen by the
region's submission, `as_of`, scoping, problems for bad input, the xlsx. The frozen period is an
earlier one than the console tests' month, so that their live evaluation is left as it is."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import openpyxl
from playwright.sync_api import BrowserContext

from tests.browser.conftest import api, sign_in
from tests.browser.seed import SHANGHAI, Month
from tests.e2e.conftest import Stack

PROBLEM = "application/problem+json"


def _earlier(period: str) -> str:
    first = datetime(int(period[:4]), int(period[5:]), 1) - timedelta(days=1)
    return f"{first:%Y-%m}"


def test_a_submitted_period_is_evaluated_from_its_frozen_figures(
    stack: Stack, month: Month, desk: BrowserContext
) -> None:
    city = api(stack, month.city_key)
    period = _earlier(month.period)
    assert city.get("/evaluations/monthly", params={"period": period}).json()["status"] == "live"
    body = {"region_code": "3710", "filled_by": "张填表", "reviewed_by": "李审核", "section_four": {}}
    submitted = city.post(f"/reports/monthly/{period}/submissions", json=body)
    assert submitted.status_code == 201, submitted.text
    frozen = city.get("/evaluations/monthly", params={"period": period}).json()
    assert (frozen["status"], frozen["submission_id"]) == ("frozen", submitted.json()["id"])
    assert datetime.fromisoformat(frozen["as_of"]) == datetime.fromisoformat(submitted.json()["submitted_at"])
    later = (datetime.now(SHANGHAI)).isoformat()
    assert city.get("/evaluations/monthly", params={"period": period, "as_of": later}).json() == frozen
    before = (datetime.fromisoformat(frozen["as_of"]) - timedelta(seconds=1)).isoformat()
    live = city.get("/evaluations/monthly", params={"period": period, "as_of": before})  # from the facts then
    assert live.status_code == 200, live.text
    assert (live.json()["status"], live.json()["submission_id"]) == ("live", None)
    assert datetime.fromisoformat(live.json()["as_of"]) == datetime.fromisoformat(before)
    page = sign_in(desk, stack, month.city_key, f"/console/evaluation?period={period}")
    assert page.locator(".badge.frozen").inner_text() == "已冻结"


def test_bad_input_and_other_regions_are_problems_never_5xx(stack: Stack, month: Month) -> None:
    county, admin = api(stack, month.county_key), api(stack, stack.admin_key)
    outside = county.get("/evaluations/monthly", params={"period": month.period, "region_code": "371003"})
    assert outside.status_code == 403 and outside.headers["content-type"] == PROBLEM
    assert county.get("/evaluations/monthly", params={"region_code": "371002"}).status_code == 422  # no period
    naive = county.get("/evaluations/monthly", params={"period": month.period, "as_of": "2026-01-01T00:00:00"})
    assert naive.status_code == 422 and naive.headers["content-type"] == PROBLEM
    unschemed = admin.get("/evaluations/monthly", params={"period": month.period, "region_code": "3701"})
    assert unschemed.status_code == 404 and "no evaluation scheme" in unschemed.json()["detail"]
    towns = county.get("/evaluations/monthly", params={"period": month.period}).json()
    assert towns["region_code"] == "371002" and towns["scheme"]["region_code"] == "3710"
    assert [unit["rank"] for unit in towns["units"]] == sorted(unit["rank"] for unit in towns["units"])


def test_the_xlsx_is_the_same_evaluation_as_a_score_sheet(stack: Stack, month: Month) -> None:
    city = api(stack, month.city_key)
    evaluation = city.get("/evaluations/monthly", params={"period": month.period}).json()
    answer = city.get("/evaluations/monthly.xlsx", params={"period": month.period})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f"evaluation-3710-{month.period}.xlsx" in answer.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(answer.content))["评估赋分表"]
    rows = {row[1]: row for row in sheet.iter_rows(min_row=4, max_row=3 + len(evaluation["units"]), values_only=True)}
    for unit in evaluation["units"]:
        assert rows[unit["region_code"]][0] == unit["rank"]
        assert f"{rows[unit['region_code']][-1]:.2f}" == unit["total"]
