"""The researcher's workbench in a real browser (Debian's Chromium via Playwright):
compare two queries, sort a concordance, collect an article, note it, export RIS."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rispy

from tests.system.test_browser import CHROMIUM, browser, page, params_of  # noqa: F401 - fixtures

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]


def test_compare_two_queries_and_read_the_legend(page, live_server):  # noqa: F811
    p = page.page
    p.goto(live_server + "/search?q=cocoa")
    p.get_by_label("Compare on the timeline with").fill("coffee")
    p.get_by_role("button", name="Add to the chart").click()
    p.wait_for_url(re.compile(r"compare=coffee"))
    assert params_of(p.url)["q"] == ["cocoa"]
    legend = p.locator("ul.legend li.legend-item")
    assert [q.inner_text() for q in legend.locator("q.legend-query").all()] == ["cocoa", "coffee"]
    counts = [int(c.inner_text().replace(",", "")) for c in legend.locator(".count").all()]
    assert counts[1] == p.request.get(live_server + "/api/search?q=coffee").json()["total"]
    assert p.locator("figure.compare polyline").count() == 2
    colours = [s.evaluate("e => getComputedStyle(e).backgroundColor") for s in legend.locator(".swatch").all()]
    lines = [s.evaluate("e => getComputedStyle(e).stroke") for s in p.locator("figure.compare polyline").all()]
    assert colours == lines and colours[0] != colours[1]     # the legend's colours are the lines'
    p.get_by_role("link", name="bars", exact=True).click()
    p.wait_for_url(re.compile(r"chart=bars"))
    assert p.locator("figure.compare rect.fill").count() > 2 and p.locator("figure.compare polyline").count() == 0


def test_open_a_concordance_and_sort_it(page, live_server):  # noqa: F811
    p = page.page
    p.goto(live_server + "/search?q=cocoa")
    p.get_by_role("link", name="Concordance of every match").click()
    p.wait_for_url(re.compile(r"/kwic\?q=cocoa"))
    assert p.locator("tr.kwic-line").count() == 50
    assert {m.lower() for m in p.locator("td.kwic-match").all_inner_texts()} == {"cocoa"}
    p.get_by_role("link", name="word before").click()
    p.wait_for_url(re.compile(r"sort=left"))
    lefts = p.locator("td.kwic-left").all_inner_texts()
    before = [(re.findall(r"\w+", text) or [""])[-1].casefold() for text in lefts]
    assert before == sorted(before) and len(set(before)) > 3
    # the left context ends where the match starts: right-aligned against it
    left_box = p.locator("td.kwic-left").first.bounding_box()
    match_box = p.locator("td.kwic-match").first.bounding_box()
    assert abs(left_box["x"] + left_box["width"] - match_box["x"]) < 2


def test_collect_an_article_note_it_and_export_ris(page, live_server, tmp_path):  # noqa: F811
    p = page.page
    p.goto(live_server + "/search?q=cocoa")
    first = p.locator("li.hit").first
    headline = first.locator("h2.hit-title").inner_text()
    p.get_by_label("Collection", exact=True).fill("Browser picks")
    first.get_by_role("button", name=re.compile("Add .* to the collection")).click()
    p.wait_for_url(re.compile(r"/search\?q=cocoa"))
    assert "1 added to “Browser picks”" in p.locator(".flash").inner_text()
    p.goto(live_server + "/collections")
    p.get_by_role("link", name="Browser picks").click()
    item = p.locator("li.collection-item")
    assert item.count() == 1 and item.locator("h2").inner_text() == headline
    item.get_by_label("Note").fill("Compare with the ICCO figures")
    item.get_by_label(re.compile("^Tags")).fill("icco, 1987")
    item.get_by_role("button", name="Save note and tags").click()
    p.wait_for_load_state()
    assert p.locator(".flash").inner_text() == "Saved the note and tags."
    assert p.get_by_label("Note").input_value() == "Compare with the ICCO figures"
    with p.expect_download() as info:
        p.get_by_role("link", name="RIS (Zotero, EndNote)").click()
    ris = Path(info.value.path()).read_text(encoding="utf-8")
    entries = rispy.loads(ris)
    assert len(entries) == 1 and entries[0]["type_of_reference"] == "NEWS"
    assert entries[0]["title"] == headline and entries[0]["notes"] == ["Compare with the ICCO figures"]
    assert entries[0]["keywords"] == ["icco", "1987"]
