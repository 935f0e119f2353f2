"""The web UI in a real browser: Debian's Chromium driven by Playwright, against the
app under waitress on 127.0.0.1 (see `live_server` in tests/conftest.py).

Skipped with a reason where /usr/bin/chromium is missing.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import HOSTILE_RECORDS, XSS_MARKER_WORD, XSS_PAYLOADS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium "
                                                     "(apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page plus what it did that it should not: dialogs, foreign requests, page errors."""

    def __init__(self, page, base: str) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: None if r.url.startswith((base, "data:")) else self.foreign.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        # Chromium logs every Content-Security-Policy violation as a console error.
        page.on("console", lambda m: self.errors.append(m.text)
                if m.type == "error" and "Content Security Policy" in m.text else None)

    def xss_marker(self):
        return self.page.evaluate("() => window.__xss")


@pytest.fixture()
def page(browser, live_server) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    watched = Watched(context.new_page(), live_server)
    yield watched
    assert not watched.foreign, f"requests outside the app: {watched.foreign}"
    assert not watched.dialogs, f"dialogs opened: {watched.dialogs}"
    assert not watched.errors, f"script errors: {watched.errors}"
    context.close()


def total_on(page) -> int:
    text = page.locator("h1.result-count").inner_text()
    return int(re.match(r"([\d,]+) result", text).group(1).replace(",", ""))


def params_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_type_a_query_and_press_enter(page, live_server):
    p = page.page
    p.goto(live_server + "/")
    box = p.get_by_label("Search the archive")
    assert p.evaluate("() => document.activeElement.id") == "q"   # autofocus
    p.keyboard.type("cocoa prices")
    p.keyboard.press("Enter")
    p.wait_for_url(re.compile(r"/search\?q=cocoa\+prices"))
    assert box.input_value() == "cocoa prices"
    hits = p.locator("li.hit")
    assert hits.count() == min(10, total_on(p)) > 0
    assert p.locator("li.hit mark").count() >= hits.count()
    assert p.locator("li.hit mark").first.is_visible()


def test_tick_a_publication(page, live_server):
    p = page.page
    p.goto(live_server + "/search?q=chinese")
    both = total_on(p)
    p.get_by_label(re.compile(r"^Daily NK")).check()      # the checkbox submits by itself
    p.wait_for_url(re.compile(r"publication=Daily\+NK"))
    assert total_on(p) == 1 < both
    assert "from=" not in p.url and "sort=" not in p.url    # empty fields stay out of permalinks
    assert p.locator("li.hit .pub").all_inner_texts() == ["Daily NK"]
    assert p.get_by_label(re.compile(r"^Daily NK")).is_checked()
    p.get_by_label(re.compile(r"^Reuters")).check()        # several at once
    p.wait_for_url(re.compile(r"publication=.*publication="))
    assert total_on(p) == both


def test_click_a_histogram_bar(page, live_server):
    p = page.page
    p.goto(live_server + "/search?q=coffee")
    bars = p.locator("svg.histogram-svg a.bar")
    assert bars.count() >= 3
    label = bars.nth(1).get_attribute("aria-label")
    month, count = re.match(r"(\w+ \d{4}): ([\d,]+) hits?", label).groups()
    bars.nth(1).click()
    p.wait_for_url(re.compile(r"from="))
    params = params_of(p.url)
    assert params["from"] == params["to"] and re.fullmatch(r"1987-\d\d", params["from"][0])
    assert total_on(p) == int(count.replace(",", ""))
    assert p.get_by_label("From").input_value() == params["from"][0]
    assert p.locator("svg.histogram-svg a.bar.selected").count() == 1


def test_trend_chart_renders_and_toggles_to_shares(page, live_server):
    p = page.page
    p.goto(live_server + "/search?q=coffee")
    chart = p.locator("figure.histogram")
    count_labels = [b.get_attribute("aria-label") for b in chart.locator("svg.histogram-svg a.bar").all()]
    assert len(count_labels) >= 3 and chart.locator("rect.fill").first.bounding_box()["height"] > 0
    p.get_by_role("link", name="share of all articles").click()
    p.wait_for_url(re.compile(r"trend=share"))
    assert params_of(p.url) == {"q": ["coffee"], "trend": ["share"]}
    chart = p.locator("figure.trend-share")
    assert chart.locator("figcaption").inner_text().startswith("Hits as a share of all articles")
    assert chart.locator('a.trend-measure[aria-current="true"]').inner_text() == "share of all articles"
    share_labels = [b.get_attribute("aria-label") for b in chart.locator("svg.histogram-svg a.bar").all()]
    assert len(share_labels) == len(count_labels)
    for counted, shared in zip(count_labels, share_labels):
        month, hits = re.match(r"(\w+ \d{4}): ([\d,]+) hits?", counted).groups()
        pct, total, again = re.match(r"(\w+ \d{4}): ([\d.]+)% of ([\d,]+) articles? \(([\d,]+) hits?\)",
                                     shared).groups()[1:]
        assert shared.startswith(month) and again == hits
        assert float(pct) == pytest.approx(100 * int(hits.replace(",", "")) / int(total.replace(",", "")), rel=5e-3)
    heights = [b.bounding_box()["height"] for b in chart.locator("rect.fill").all()]
    assert max(heights) > 0
    with p.expect_download() as info:
        p.get_by_role("link", name="Download the trend by month as CSV").click()
    assert re.fullmatch(r"newsindex-trend-month-coffee-\d{8}-\d{4}\.csv", info.value.suggested_filename)
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["period", "count", "total", "share"] and len(rows) - 1 >= len(share_labels)
    # a new search from the box keeps the share view
    p.get_by_label("Search the archive").fill("cocoa")
    p.keyboard.press("Enter")
    p.wait_for_url(re.compile(r"q=cocoa"))
    assert params_of(p.url)["trend"] == ["share"] and p.locator("figure.trend-share").count() == 1
    p.get_by_role("link", name="count", exact=True).click()
    p.wait_for_url(lambda url: "trend" not in url)
    assert p.locator("figure.trend-count svg.histogram-svg a.bar").count() >= 1


def test_page_through_results(page, live_server):
    p = page.page
    p.goto(live_server + "/search?q=coffee")
    first_page = p.locator("li.hit h2 a").all_inner_texts()
    p.get_by_role("link", name="Next →").click()
    p.wait_for_url(re.compile(r"page=2"))
    assert p.locator('nav.pagination [aria-current="page"]').inner_text() == "2"
    second_page = p.locator("li.hit h2 a").all_inner_texts()
    assert second_page and not set(first_page) & set(second_page)
    p.get_by_role("link", name="← Previous").click()
    p.wait_for_url(re.compile(r"page=1"))
    assert p.locator("li.hit h2 a").all_inner_texts() == first_page


def test_open_an_article_and_go_back(page, live_server):
    p = page.page
    p.goto(live_server + "/search?q=sojourn")
    p.locator("li.hit h2 a").first.click()
    p.wait_for_url(re.compile(r"/article/.+\?q=sojourn"))
    assert "sojourn" in p.locator("h1").inner_text().lower()
    assert p.locator(".article-body mark").count() >= 3
    assert p.locator("figure.caption figcaption").count() == 2
    assert p.locator("aside.similar li").count() >= 1
    p.get_by_role("link", name=re.compile("Results for")).click()
    p.wait_for_url(re.compile(r"/search\?q=sojourn$"))
    assert total_on(p) == 1


def test_export_downloads_the_whole_result_set(page, live_server):
    p = page.page
    p.goto(live_server + "/search?q=coffee&page=2")
    total = total_on(p)
    with p.expect_download() as info:
        p.locator("p.downloads").get_by_role("link", name="CSV").click()
    download = info.value
    assert re.fullmatch(r"newsindex-coffee-\d{8}-\d{4}\.csv", download.suggested_filename)
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0][:3] == ["id", "headline", "body"]
    assert len(rows) - 1 == total > 10


def test_slash_jumps_to_the_search_box(page, live_server):
    p = page.page
    p.goto(live_server + "/help")
    assert p.evaluate("() => document.activeElement.id") != "q"
    p.keyboard.press("/")
    assert p.evaluate("() => document.activeElement.id") == "q"


def test_injected_markup_never_runs(page, live_server):
    p = page.page
    urls = [
        f"/search?q={XSS_MARKER_WORD}",
        f"/search?q=caption:{XSS_MARKER_WORD}",
        "/article/hostile-1?q=" + XSS_MARKER_WORD,
        "/article/hostile-2?q=cocoa",
    ]
    for url in urls:
        p.goto(live_server + url)
        p.mouse.move(200, 300)
        for el in p.locator(".hit mark, .hit .meta, figcaption, .article-title, .hit-title, .similar .meta").all()[:40]:
            el.hover()                     # would fire onmouseover handlers, if any existed
        assert page.xss_marker() is None, url
    # payloads typed into the box and into every filter field
    p.goto(live_server + "/search?q=cocoa")
    for payload in XSS_PAYLOADS:
        p.get_by_label("Search the archive").fill(payload)
        p.get_by_label("From").fill(payload)
        with p.expect_navigation():
            p.keyboard.press("Enter")
        assert page.xss_marker() is None, payload
        assert p.locator("#q").input_value() == payload
    assert p.locator("img, iframe").count() == 0
    hostile_pub = HOSTILE_RECORDS[0]["publication"]
    p.goto(live_server + "/search?q=cocoa")
    p.get_by_label(re.compile("^Evil")).check()
    p.wait_for_url(re.compile(r"publication="))
    assert p.locator("li.hit .pub").first.inner_text() == hostile_pub
    assert page.xss_marker() is None


@pytest.mark.parametrize("path", ["/search?q=cocoa+brazil", "/article/hostile-2?q=cocoa", "/", "/help"])
def test_usable_at_375_pixels(browser, live_server, path):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    p = context.new_page()
    p.goto(live_server + path)
    overflow = p.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"
    box = p.locator("#q").bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375 and box["height"] >= 32
    context.close()


def test_filters_fold_on_a_phone_and_open_with_a_tap(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    p = context.new_page()
    p.goto(live_server + "/search?q=chinese")
    assert not p.get_by_label("Sort by").is_visible()       # results come first
    assert p.locator("li.hit").first.is_visible()
    p.locator("summary.filters-summary").tap()
    assert p.get_by_label("Sort by").is_visible()
    p.get_by_label(re.compile(r"^Daily NK")).tap()
    p.wait_for_url(re.compile(r"publication=Daily\+NK"))
    assert total_on(p) == 1
    context.close()
