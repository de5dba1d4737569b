"""report.html in a real browser: headless Debian Chromium driven by Selenium and ChromeDriver.

The page of the sample district (assign with alternates, schedule, report) is opened from a
``file://`` URL; the test checks that no script fails, that the roster filters and sorts, and
that the charts are drawn, then saves a full-page screenshot to ``tests/artifacts/report.png``.
Skipped when ``/usr/bin/chromium`` or ``/usr/bin/chromedriver`` (Debian's ``chromium`` and
``chromium-driver``) or Selenium is missing.
"""

from __future__ import annotations

import base64
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli import main

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "scenarios" / "sample-district"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

_missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
if _missing:
    pytest.skip(
        f"browser tests need {' and '.join(_missing)} (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )
pytest.importorskip("selenium", reason="browser tests need selenium (pip install -e '.[dev]')")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import Select  # noqa: E402

runner = CliRunner()
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)


def _invoke(*args) -> None:
    done = runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    assert done.exit_code == 0, done.output


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "result"
    _invoke("assign", SAMPLE, "--out", out, "--alternates", "2", "--no-xlsx", "--quiet")
    _invoke(
        "schedule", SAMPLE, "--roster", out / "roster.csv", "--out", out, "--no-xlsx", "--quiet"
    )
    _invoke("report", out)
    assert (out / "report.html").is_file()
    return out / "report.html"


@pytest.fixture(scope="module")
def driver():
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.TemporaryDirectory(prefix="coachmatch-chromium-")
    options.add_argument(f"--user-data-dir={profile.name}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=str(CHROMEDRIVER))
    drv = webdriver.Chrome(service=service, options=options)
    drv.set_page_load_timeout(20)
    try:
        yield drv
    finally:
        drv.quit()
        profile.cleanup()


def _visible_rows(drv) -> list:
    return [
        tr for tr in drv.find_elements(By.CSS_SELECTOR, "#roster tbody tr") if tr.is_displayed()
    ]


def _column(drv, label: str) -> int:
    headers = [th.text.strip() for th in drv.find_elements(By.CSS_SELECTOR, "#roster thead th")]
    return next(i for i, text in enumerate(headers) if text.split(" ")[0] == label)


def _reset(drv) -> None:
    box = drv.find_element(By.ID, "q")
    box.clear()
    drv.execute_script("arguments[0].dispatchEvent(new Event('input'));", box)
    for sel in drv.find_elements(By.CSS_SELECTOR, "select[data-col]"):
        Select(sel).select_by_index(0)


def test_report_in_chromium(page: Path, driver) -> None:
    driver.get(page.as_uri())
    assert driver.find_element(By.TAG_NAME, "h1").text.startswith("coachmatch report")
    all_rows = driver.find_elements(By.CSS_SELECTOR, "#roster tbody tr")
    assert len(all_rows) > 10
    assert len(_visible_rows(driver)) == len(all_rows)

    # text filter: a candidate id no other row's text contains → exactly that row
    texts = driver.execute_script(
        "return Array.from(document.querySelectorAll('#roster tbody tr'))"
        ".map(function (tr) { return tr.textContent.toLowerCase(); });"
    )
    ids = [tr.find_element(By.CSS_SELECTOR, "td").text for tr in all_rows]
    unique = next(c for c in ids if sum(c.lower() in t for t in texts) == 1)
    driver.find_element(By.ID, "q").send_keys(unique)
    rows = _visible_rows(driver)
    assert [r.find_element(By.CSS_SELECTOR, "td").text for r in rows] == [unique]
    assert driver.find_element(By.ID, "shown").text == "1"
    _reset(driver)
    assert len(_visible_rows(driver)) == len(all_rows)

    # region select: only that region's rows
    region_select = Select(driver.find_element(By.CSS_SELECTOR, "select[data-col=region]"))
    regions = [o.text for o in region_select.options][1:]
    assert regions
    region = regions[0]
    region_select.select_by_visible_text(region)
    rows = _visible_rows(driver)
    expected = sum(tr.get_attribute("data-region") == region for tr in all_rows)
    assert 0 < len(rows) == expected < len(all_rows)
    assert {tr.get_attribute("data-region") for tr in rows} == {region}
    assert driver.find_element(By.ID, "shown").text == str(expected)
    _reset(driver)

    # sort by score: ascending, then descending on a second click
    col = _column(driver, "Score")
    header = driver.find_elements(By.CSS_SELECTOR, "#roster thead th")[col]

    def scores() -> list[float]:
        values = driver.execute_script(
            "var col = arguments[0];"
            "return Array.from(document.querySelectorAll('#roster tbody tr'))"
            ".map(function (tr) { return tr.cells[col].textContent.trim(); });",
            col,
        )
        return [float(v) if v else float("-inf") for v in values]

    header.click()
    ascending = scores()
    assert ascending == sorted(ascending) and len(set(ascending)) > 1
    assert "asc" in header.get_attribute("class")
    header.click()
    descending = scores()
    assert descending == sorted(descending, reverse=True)
    assert "desc" in header.get_attribute("class")

    # charts: every SVG (matplotlib's, inline) drawn with a real size inside its figure, with
    # visible shapes and its labels as text (the page has a schedule, so the month-by-week heat
    # map is drawn too)
    drawn = {
        f.get_attribute("id")
        for f in driver.find_elements(By.CSS_SELECTOR, "figure")
        if f.find_elements(By.CSS_SELECTOR, "svg.chart")
    }
    assert {"chart-load", "chart-coverage", "chart-travel", "chart-map", "chart-sessions"} <= drawn
    charts = driver.find_elements(By.CSS_SELECTOR, "figure svg.chart")
    for svg in charts:
        label = svg.get_attribute("aria-label")
        assert svg.get_attribute("role") == "img" and label
        box, frame = driver.execute_script(
            "var b = arguments[0].getBoundingClientRect(),"
            " f = arguments[0].closest('figure').getBoundingClientRect();"
            "return [[b.left, b.right, b.width, b.height], [f.left, f.right]];",
            svg,
        )
        assert box[2] > 200 and box[3] > 100, label
        assert frame[0] <= box[0] and box[1] <= frame[1] + 0.5, label  # never wider than its box
        inner = driver.execute_script(
            "return Array.from(arguments[0].querySelectorAll('path, use, rect, circle'))"
            ".filter(function (e) {"
            "  if (e.closest('defs, clipPath')) { return false; }"
            "  var b = e.getBBox(); return b.width > 0 && b.height > 0; })"
            ".length;",
            svg,
        )
        assert inner > 5, label
        assert svg.find_elements(By.CSS_SELECTOR, "text"), label

    # no script error or failed load on the page
    severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
    assert severe == []

    # a full-page screenshot (Chrome DevTools: the whole document, not just the window)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    driver.execute_script("window.scrollTo(0, 0);")
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    data = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )["data"]
    shot.write_bytes(base64.b64decode(data))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")
