"""The briefing's key numbers on a phone (390 px wide, Debian's Chromium): each row a block (its name on a line of its
own, the three values under it), no text under 11 px, no cell whose text runs past its box, nothing sideways.
Reads this worktree's published edition (run `make build`)."""
from __future__ import annotations

from pathlib import Path

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, _served

from szhk import briefing

PHONE = {"width": 390, "height": 844}
SMALLEST_TEXT_PX = 11
PAGES = ["book/briefing.html", "hk/book/briefing.html", "book/briefing-en.html", "book/en.html"]
MEASURE = """(name) => {
  const table = document.querySelector('table.' + name);
  if (!table) return null;
  const cells = [...table.querySelectorAll('th, td')].filter(c => c.offsetParent !== null);
  const box = table.getBoundingClientRect();
  const rows = [...table.querySelectorAll('tbody > tr')].map(r => {
    const [first, ...values] = [...r.children].map(c => c.getBoundingClientRect());
    return {nameAbove: values.every(v => v.top >= first.bottom - 1), valuesInLine: values.every(v => v.top === values[0].top)};
  });
  return {
    smallest: Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize))),
    overflowing: cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.trim()),
    tableRight: box.right, viewport: document.documentElement.clientWidth,
    pageWidth: document.documentElement.scrollWidth, rows,
  };
}"""


@pytest.mark.parametrize("page", PAGES)
def test_the_key_numbers_read_on_a_phone(html_dir: Path, page: str) -> None:
    from playwright.sync_api import sync_playwright

    assert (html_dir / page).is_file(), f"{page} missing: build the book first (make build)"
    with _served(html_dir) as site, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            view = browser.new_page(viewport=PHONE)
            view.goto(site + page)
            view.wait_for_load_state("networkidle")
            found = view.evaluate(MEASURE, briefing.KEY_NUMBERS_TABLE)
        finally:
            browser.close()
    assert found is not None, f"{page}: no table.{briefing.KEY_NUMBERS_TABLE}"
    assert found["smallest"] >= SMALLEST_TEXT_PX, f"{page}: text of {found['smallest']} px in the key numbers"
    assert not found["overflowing"], f"{page}: cells whose text overflows: {found['overflowing']}"
    assert found["tableRight"] <= found["viewport"] and found["pageWidth"] <= found["viewport"], found
    assert found["rows"] and all(r["nameAbove"] and r["valuesInLine"] for r in found["rows"]), \
        f"{page}: a row is not its name above its three values: {found['rows']}"
