"""The console, signed in through its form in chromium: every page shows the figures the API returns
for the same query (compared cell by cell), scoping holds, the pages work by keyboard and on a phone,
and each paints within a second. Screenshots go to tests/browser/out/."""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from typing import Any

import openpyxl
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import OUT, api, shot, sign_in
from tests.browser.seed import Month, figure
from tests.e2e.conftest import Stack

PAGES = ("dispatch", "map", "trends", "supervision", "evaluation")


def text(value: Any) -> str:
    """How the console prints an API value: the value itself, "—" when blank."""
    return "—" if value is None else str(value)


def cells(page: Page, rows: str, cell: str, key: str) -> dict[str, dict[str, str]]:
    """{row's data-region or data-figure: {cell's `key` attribute: its visible text}}."""
    script = """([rows, cell, key]) => Object.fromEntries([...document.querySelectorAll(rows)].map(r =>
        [r.dataset.region || r.dataset.figure || r.dataset.hazard,
         Object.fromEntries([...r.querySelectorAll(cell)].map(c => [c.getAttribute(key), c.innerText.trim()]))]))"""
    found: dict[str, dict[str, str]] = page.evaluate(script, [rows, cell, key])
    return found


def first_paint_ms(page: Page) -> float:
    """The first contentful paint of the page just loaded (ms from navigation start)."""
    return float(
        page.evaluate(
            """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(
                (performance.getEntriesByType('paint').find(e => e.name === 'first-contentful-paint') || {}).startTime
                ?? performance.getEntriesByType('navigation')[0].responseEnd))))"""
        )
    )


def test_sign_in_keeps_the_key_in_a_strict_secure_cookie_and_sign_out_forgets_it(
    stack: Stack, month: Month, desk: BrowserContext
) -> None:
    page = desk.new_page()
    page.goto(f"{stack.base_url}/console/evaluation?period={month.period}")
    assert "/console/login?next=" in page.url  # not signed in: sent to the form, then back
    shot(page, "login")
    page.fill("#token", "hl_no_such_key_0000000000000000")
    page.click("form[action='/console/login'] button[type=submit]")
    assert page.locator("[role=alert]").inner_text() == "访问令牌无效、已过期或已吊销"
    page.fill("#token", month.city_key)
    page.click("form[action='/console/login'] button[type=submit]")
    page.wait_for_url(re.compile(r"/console/evaluation\?period="))
    (cookie,) = desk.cookies()
    assert (cookie["httpOnly"], cookie["secure"], cookie["sameSite"], cookie["path"]) == (
        True,
        True,
        "Strict",
        "/console",
    )
    assert cookie["expires"] == -1  # a session cookie: gone with the browser
    assert page.evaluate("document.cookie") == ""  # no script can read it
    page.click("text=退出登录")
    page.wait_for_url(re.compile(r"/console/login"))
    assert desk.cookies() == []
    page.goto(f"{stack.base_url}/console/dispatch")
    assert "/console/login" in page.url


def test_an_enterprise_user_may_not_use_the_console(stack: Stack, month: Month, desk: BrowserContext) -> None:
    page = desk.new_page()
    page.goto(f"{stack.base_url}/console/login")
    page.fill("#token", month.enterprise_key)
    page.click("form[action='/console/login'] button[type=submit]")
    assert page.locator("h1").inner_text() == "无权查看(403)"
    assert desk.cookies() == []


def test_the_dispatch_page_shows_the_apis_table_figure_by_figure(
    stack: Stack, month: Month, desk: BrowserContext
) -> None:
    table = api(stack, month.city_key).get("/reports/monthly", params={"period": month.period}).json()
    page = sign_in(desk, stack, month.city_key, f"/console/dispatch?period={month.period}")
    shown = cells(page, "#breakdown tbody tr", "td[data-figure]", "data-figure")
    expected = {row["region_code"]: row["figures"] for row in table["breakdown"]}
    assert set(shown) == set(expected) and len(shown) == 8  # Weihai's counties and zones
    compared = 0
    for code, figures in shown.items():
        assert len(figures) >= 10
        for key, value in figures.items():
            assert value == text(expected[code][key]), (code, key)
            compared += 1
    totals = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('td[data-total]')]
            .map(c => [c.dataset.total, c.innerText.trim()]))"""
    )
    every = {f["key"]: f["value"] for s in table["sections"] for r in s["rows"] for f in r["figures"]}
    assert totals == {key: text(value) for key, value in every.items()}
    assert compared + len(totals) >= 150  # 8 units × 13 figures, and the 46 figures of the form
    assert totals["major_found"] == "4" and totals["overdue"] == "1"
    shot(page, "dispatch")


def test_the_map_shades_the_counties_by_the_chosen_figure(stack: Stack, month: Month, desk: BrowserContext) -> None:
    table = api(stack, month.city_key).get("/reports/monthly", params={"period": month.period}).json()
    expected = {row["region_code"]: text(row["figures"]["major_found"]) for row in table["breakdown"]}
    page = sign_in(desk, stack, month.city_key, f"/console/map?period={month.period}&figure=major_found")
    shapes = page.evaluate(
        """() => [...document.querySelectorAll('svg path[data-region]')]
            .map(p => [p.dataset.region, p.dataset.value, p.getAttribute('fill')])"""
    )
    assert {code for code, _, _ in shapes} == {"371002", "371003", "371082", "371083"}  # the four counties' shapes
    assert all(value == expected[code] for code, value, _ in shapes)
    fills = {code: fill for code, _, fill in shapes}
    assert fills["371002"] != fills["371082"]  # 2 and 0 are told apart
    listed = {
        code: row["major_found"]
        for code, row in cells(page, "#map-values tbody tr", "td[data-figure]", "data-figure").items()
    }
    assert listed == expected  # zones, without shapes, are in the table
    shot(page, "map")
    page.select_option("#figure", "overdue")
    page.click(".chooser button[type=submit]")
    page.wait_for_url(re.compile(r"figure=overdue"))
    overdue = {row["region_code"]: text(row["figures"]["overdue"]) for row in table["breakdown"]}
    values = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll('svg path[data-region]')]
            .map(p => [p.dataset.region, p.dataset.value]))"""
    )
    assert values == {code: overdue[code] for code in values}
    page.locator("svg a").first.focus()
    page.keyboard.press("Enter")  # a shape is a link to its region's table
    page.wait_for_url(re.compile(r"/console/dispatch\?.*region_code=371"))


def test_the_trends_page_shows_each_months_table(stack: Stack, month: Month, desk: BrowserContext) -> None:
    client = api(stack, month.city_key)
    page = sign_in(desk, stack, month.city_key, f"/console/trends?period={month.period}")
    rows = cells(page, "#trend-table tbody tr", "td[data-period]", "data-period")
    year, last = month.period[:4], int(month.period[5:])
    periods = [f"{year}-{m:02d}" for m in range(1, last + 1)]
    for period in periods:
        table = client.get("/reports/monthly", params={"period": period}).json()
        for key, by_period in rows.items():
            assert by_period[period] == text(figure(table, key)), (period, key)
    assert set(rows) >= {"major_found", "major_rectified", "overdue", "listed_major"}
    drawn = page.evaluate("() => Chart.getChart('trend-chart').data.datasets.map(d => d.data)")
    assert drawn[0] == [float(v) for v in rows["major_found"].values()]  # the chart draws the table's numbers
    shot(page, "trends")


def test_the_supervision_list_highlights_the_overdue_hazards(stack: Stack, month: Month, desk: BrowserContext) -> None:
    items = api(stack, month.city_key).get("/reports/supervision-list").json()["items"]
    page = sign_in(desk, stack, month.city_key, "/console/supervision")
    rows = page.evaluate(
        """() => [...document.querySelectorAll('#supervision tbody tr[data-hazard]')].map(r =>
            [r.dataset.hazard, r.classList.contains('overdue'), r.querySelector('td[data-days]').innerText.trim()])"""
    )
    assert [hazard for hazard, _, _ in rows] == [item["hazard_id"] for item in items]
    for (_, highlighted, days), item in zip(rows, items, strict=True):
        assert highlighted == (item["days_overdue"] is not None)
        assert days == (f"逾期{item['days_overdue']}天" if highlighted else f"剩余{item['days_left']}天")
    assert sum(highlighted for _, highlighted, _ in rows) == 1
    shot(page, "supervision")
    page.check("input[name=overdue]")
    page.click(".chooser button[type=submit]")
    page.wait_for_url(re.compile(r"overdue=true"))
    assert page.locator("#supervision tbody tr.overdue").count() == page.locator("#supervision tbody tr").count() == 1


def test_the_evaluation_page_ranks_the_units_as_the_api_does(stack: Stack, month: Month, desk: BrowserContext) -> None:
    evaluation = api(stack, month.city_key).get("/evaluations/monthly", params={"period": month.period}).json()
    page = sign_in(desk, stack, month.city_key, f"/console/evaluation?period={month.period}")
    rows = page.evaluate(
        """() => [...document.querySelectorAll('#ranking tbody tr')].map(r => [r.dataset.region,
            r.querySelector('[data-field=rank]').innerText, r.querySelector('[data-field=total]').innerText,
            [...r.querySelectorAll('td[data-indicator]')].map(c => c.innerText)])"""
    )
    assert rows == [
        [u["region_code"], str(u["rank"]), u["total"], [line["points"] for line in u["indicators"]]]
        for u in evaluation["units"]
    ]
    assert evaluation["status"] == "live" and page.locator(".badge.live").count() == 1
    submission = next(u for u in evaluation["units"] if u["region_code"] == "371002")["indicators"][3]
    assert (submission["key"], submission["points"]) == ("submission", "7.50")  # 环翠区 reported, after the 25th
    page.locator("#unit-371002 summary").click()
    explanation = page.locator("#unit-371002 table").inner_text()
    assert "major_rectified ÷ major_found × 100" in explanation and "submitted_on_time=0" in explanation
    shot(page, "evaluation")


def test_every_export_link_gives_the_apis_file(stack: Stack, month: Month, desk: BrowserContext) -> None:
    client = api(stack, month.city_key)
    page = sign_in(desk, stack, month.city_key, f"/console/dispatch?period={month.period}")
    links = {a: page.get_attribute(f"a[href*='/exports/{a}']", "href") for a in ("monthly.xlsx", "monthly.csv")}
    with page.expect_download() as download:
        page.click("text=调度表 CSV")
    console_csv = download.value.path().read_bytes()
    assert console_csv == client.get("/reports/monthly.csv", params={"period": month.period}).content
    assert all(href and f"period={month.period}" in href for href in links.values())
    page.goto(f"{stack.base_url}/console/supervision")
    with page.expect_download() as download:
        page.click("text=清单 CSV")
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "隐患名称" and len(rows) == 3
    page.goto(f"{stack.base_url}/console/evaluation?period={month.period}")
    with page.expect_download() as download:
        page.click("text=评估赋分表 Excel")
    assert download.value.suggested_filename == f"evaluation-3710-{month.period}.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))["评估赋分表"]
    assert str(sheet["A1"].value).startswith("威海市") and sheet["A3"].value == "排名"


def test_a_county_user_sees_its_county_and_nothing_of_another(
    stack: Stack, month: Month, desk: BrowserContext, browser: Browser
) -> None:
    page = sign_in(desk, stack, month.county_key, f"/console/dispatch?period={month.period}")
    assert page.locator("h1").inner_text().startswith("环翠区")
    assert page.locator(".crumbs").inner_text().strip() == "环翠区"  # the city above is not offered
    towns = api(stack, month.county_key).get("/reports/monthly", params={"period": month.period}).json()
    shown = cells(page, "#breakdown tbody tr", "td[data-figure]", "data-figure")
    assert set(shown) == {row["region_code"] for row in towns["breakdown"]}  # 环翠区's towns
    for row in towns["breakdown"]:
        assert shown[row["region_code"]] == {key: text(row["figures"][key]) for key in shown[row["region_code"]]}
    shot(page, "county-dispatch")
    for path in PAGES:
        answer = page.goto(f"{stack.base_url}/console/{path}?period={month.period}&region_code=371003")
        assert answer is not None and answer.status == 403, path
        assert page.locator("h1").inner_text() == "无权查看(403)"
        assert page.locator("#breakdown, #ranking, #supervision, #trend-table, svg path").count() == 0
    shot(page, "county-forbidden")
    answer = page.goto(f"{stack.base_url}/console/exports/monthly.csv?period={month.period}&region_code=371003")
    assert answer is not None and answer.status == 403
    other = sign_in(browser.new_context(), stack, month.inspector_key, "/console/supervision")
    assert "储罐区防火堤破损" not in other.content()  # 环翠区's hazard is not on 文登区's list
    assert "反应釜未设置紧急切断装置" in other.content()
    other.context.close()


def test_every_page_works_by_keyboard_and_paints_within_a_second(
    stack: Stack, month: Month, desk: BrowserContext
) -> None:
    page = sign_in(desk, stack, month.city_key, f"/console/dispatch?period={month.period}")
    paints: dict[str, list[float]] = {}
    for name in PAGES:  # each page once to warm the stack, then five measured loads (the median counts)
        page.goto(f"{stack.base_url}/console/{name}?period={month.period}")
    for name in PAGES:
        for _ in range(5):
            page.goto(f"{stack.base_url}/console/{name}?period={month.period}")
            paints.setdefault(name, []).append(first_paint_ms(page))
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert page.locator("h1").count() == 1
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll('input:not([type=hidden]), select')]
                .filter(e => e.labels.length === 0).length"""
        )
        assert unlabelled == 0, name
    (OUT / "first-paint-ms.json").write_text(json.dumps(paints, indent=1))
    assert all(statistics.median(times) <= 1000 for times in paints.values()), paints
    page.goto(f"{stack.base_url}/console/dispatch?period={month.period}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳至正文"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    for _ in range(12):  # on to the tab of the evaluation page, and open it with Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "月度评估":
            break
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/console/evaluation"))
    page.focus("details summary")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('details').open") is True


def test_every_page_reads_on_a_phone_without_sideways_scrolling(
    stack: Stack, month: Month, phone: BrowserContext
) -> None:
    page = sign_in(phone, stack, month.city_key, f"/console/dispatch?period={month.period}")
    for name in PAGES:
        page.goto(f"{stack.base_url}/console/{name}?period={month.period}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (name, width)  # wide tables scroll inside their own box
        shot(page, f"phone-{name}")
