"""The built web pages in a real browser: Debian's Chromium, driven by Playwright, over a local web server.

Each page is opened once at desktop width (1280 px) and once at phone width (390 px). The visit records what a
reader would meet: console errors, files that fail to load, requests to other sites (blocked and recorded),
images that do not show, sideways scrolling, what printing shows, and axe-core's accessibility findings. The
tests below then judge those records. Screenshots go to tests/artifacts/screenshots/, axe's findings to
tests/artifacts/axe.json. The visit also measures every chart's text as drawn on the screen (CSS px) and, on a
desktop, where each 核验 margin note stands beside the page's labelled paragraphs.
"""
from __future__ import annotations

import asyncio
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import background_result, in_background, require_built_book
from pages import Page, content_pages, html_pages

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_SCRIPT = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; no test tool ever downloads a browser
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SERIOUS = {"serious", "critical"}
# What printing a page must not show: navigation, the header's buttons and menus, toggles.
HIDDEN_IN_PRINT = (".bd-header", ".bd-sidebar-primary", ".bd-sidebar-secondary", ".header-article",
                   ".dropdown-download-buttons", ".prev-next-area", "#pst-back-to-top", "button.toggle-button",
                   ".search-button-field")
# The search words of issue 9, and the chapters whose text holds them.
SEARCHES = {
    "河套": {"book/05-cooperation.html"},
    "独角兽": {"book/02-hk-innovation.html", "book/03-government-measures.html", "book/04-key-industries.html"},
    "北部都会区": {"book/06-recommendations.html"},
}


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the stdlib's name
        pass


@contextmanager
def _served(html: Path) -> Iterator[str]:
    """`html` served at http://127.0.0.1:<free port>/ (search loads its index over http, as online)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Visit:
    """What one page showed at one width."""
    page: str
    viewport: str
    console_errors: list[str] = field(default_factory=list)
    failed_loads: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    sideways_overflow_px: int = 0
    shown_in_print: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # links within the book, relative to its root
    axe_violations: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)  # each SVG chart shown: its drawing and smallest text (px)
    margin_notes: list[dict] = field(default_factory=list)  # each 核验 note cell in page order: shown, its top
    labelled: dict[str, list[float]] = field(default_factory=dict)  # para-… label → [top, bottom] of its block


def _is_redirect(page: Path) -> bool:
    return bool(re.search(r'<meta http-equiv="refresh"', page.read_text(encoding="utf-8"), re.IGNORECASE))


SLOW_MACHINE_MS = 120_000  # a step of a visit (load, screenshot) may take this long before it counts as failed
AT_ONCE = 3  # pages open at the same time: a page mostly waits (loading, painting), so a few overlap well
# The text of each SVG chart as the screen shows it. Matplotlib writes a text as glyph outlines in a group
# <g id="text_N"><g transform="… scale(s -s)"> whose scale is the font size / 100 (its text-to-path unit): so a
# glyph group's size on screen is 100 × its screen matrix's scale. The page shows an SVG through an <img> (its
# DOM is closed), so each chart the browser chose (currentSrc) is laid over the page at the <img>'s size, measured
# with getScreenCTM, and removed.
MEASURE_CHARTS = """async () => {
    const charts = [];
    for (const img of document.querySelectorAll("article figure img")) {
        const src = img.currentSrc || img.src;
        const box = img.getBoundingClientRect();
        if (!src.split("?")[0].endsWith(".svg") || box.width === 0) continue;  // hidden (the timeline on a phone)
        const svgText = await (await fetch(src)).text();
        const svg = document.importNode(new DOMParser().parseFromString(svgText, "image/svg+xml").documentElement, true);
        svg.setAttribute("width", box.width);
        svg.setAttribute("height", box.height);
        Object.assign(svg.style, {position: "fixed", left: "0", top: "0"});
        document.body.appendChild(svg);
        let smallest = Infinity, text = "", texts = 0;
        for (const glyphs of svg.querySelectorAll('g[id^="text_"] > g[transform*="scale"]')) {
            const m = glyphs.getScreenCTM();
            const px = Math.hypot(m.a, m.b) * 100;
            texts += 1;
            if (px < smallest) {
                smallest = px;
                const comment = [...glyphs.parentNode.childNodes].find((n) => n.nodeType === Node.COMMENT_NODE);
                text = comment ? comment.data.trim() : "";
            }
        }
        svg.remove();
        const source = img.parentElement.tagName === "PICTURE" ? img.parentElement.querySelector("source") : null;
        charts.push({figure: img.closest("figure").id || "", src: src.split("/").pop(), img: img.getAttribute("src"),
                     phone_srcset: source ? source.getAttribute("srcset") : null, width: box.width, texts,
                     smallest_px: smallest, smallest_text: text});
    }
    return charts;
}"""
# Each 核验 note cell (shown or not: the k-th is the chapter's k-th claims.margin_note call), and each labelled
# paragraph's vertical extent (a label on a table is an empty <span>: its block is the nearest box around it).
MEASURE_NOTES = """() => {
    const notes = [...document.querySelectorAll(".cell.tag_claims-note")].map((note) => {
        const r = note.getBoundingClientRect();
        return {shown: r.height > 0, top: r.top + window.scrollY, text: note.innerText.trim().slice(0, 40)};
    });
    const labelled = {};
    for (const element of document.querySelectorAll('[id^="para-"]')) {
        let block = element;
        while (block && block.getBoundingClientRect().height === 0) block = block.parentElement;
        const r = block.getBoundingClientRect();
        labelled[element.id] = [r.top + window.scrollY, r.bottom + window.scrollY];
    }
    return {notes, labelled};
}"""


def _context_options(viewport: str) -> dict:
    phone = viewport == "phone"
    return dict(viewport=VIEWPORTS[viewport], locale="zh-CN", is_mobile=phone, has_touch=phone,
                device_scale_factor=2 if phone else 1)


async def _visit(context, site: str, name: str, visit: Visit) -> None:
    """Open `name` in a new page of `context` and record what it showed in `visit`."""
    page = await context.new_page()
    origin = site.rstrip("/")

    async def only_this_site(route) -> None:
        url = route.request.url
        if url.startswith(origin) or url.startswith("data:") or url.startswith("blob:"):
            await route.continue_()
        else:
            visit.foreign_requests.append(url)
            await route.abort()

    await page.route("**/*", only_this_site)
    page.on("console", lambda m: m.type == "error" and visit.console_errors.append(f"{m.text} @ {m.location}"))
    page.on("pageerror", lambda e: visit.console_errors.append(f"uncaught: {e}"))
    # Loads are judged up to the full-page screenshot: to take it, Chromium resizes the view for a moment, which
    # can make a <picture> start its phone drawing and cancel it (net::ERR_ABORTED) — not something a reader meets.
    loading = {"judged": True}
    page.on("requestfailed", lambda r: loading["judged"] and visit.failed_loads.append(f"{r.url} ({r.failure})"))
    page.on("response", lambda r: loading["judged"] and r.status >= 400
            and visit.failed_loads.append(f"{r.url} (HTTP {r.status})"))
    try:
        await page.goto(site + name, wait_until="load")  # every file the HTML names has loaded (or failed) by then
        # Lazy images load only when scrolled to: load them all, then ask each whether it shows.
        await page.evaluate("""async () => {
            for (const img of document.images) img.loading = "eager";
            await Promise.all([...document.images].map((img) => img.decode().catch(() => null)));
        }""")
        visit.broken_images = await page.evaluate(
            "() => [...document.images].filter((i) => !i.complete || i.naturalWidth === 0).map((i) => i.src)")
        visit.sideways_overflow_px = await page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        hrefs = await page.evaluate("() => [...document.querySelectorAll('a[href]')].map((a) => a.href)")
        visit.links = [href[len(site):] for href in hrefs if href.startswith(site)]  # within the book, from its root
        visit.charts = await page.evaluate(MEASURE_CHARTS)
        if visit.viewport == "desktop":
            found = await page.evaluate(MEASURE_NOTES)
            visit.margin_notes, visit.labelled = found["notes"], found["labelled"]
        slug = name.removesuffix(".html").replace("/", "__")
        loading["judged"] = False
        await page.screenshot(path=str(SCREENSHOTS / f"{slug}-{visit.viewport}.png"), full_page=True)
        await page.add_script_tag(path=str(AXE_SCRIPT))
        visit.axe_violations = await page.evaluate("""async () => {
            const result = await axe.run(document, {resultTypes: ["violations"]});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 10),
            }));
        }""")
        if visit.viewport == "desktop":
            await page.emulate_media(media="print")
            visit.shown_in_print = await page.evaluate("""(selectors) => selectors.filter((s) =>
                [...document.querySelectorAll(s)].some((e) => {
                    const style = getComputedStyle(e);
                    return e.getClientRects().length > 0 && style.visibility !== "hidden" && style.display !== "none";
                }))""", list(HIDDEN_IN_PRINT))
    finally:
        await page.close()


@dataclass
class Browsing:
    """What the browser met: every page at both widths, the searches, the site's root, the links within the book."""
    visits: list[Visit]
    searches: dict[str, list[str]]  # words -> the result pages (paths from the site root)
    search_errors: list[str]
    root_opened: str  # the page the site's root led to (path from the site root)
    root_title: str
    links: int  # links within the book, requested once each
    broken_links: list[str]


async def _search(page, site: str, words: str) -> list[str]:
    """Type words into the search page's box, press Enter, and return the result pages (paths)."""
    await page.goto(site + "search.html", wait_until="load")
    box = page.locator(".bd-search-container form.bd-search input[name='q']")
    await box.fill(words)
    await box.press("Enter")
    await page.wait_for_function("""() => {
        const summary = document.querySelector("#search-results .search-summary");
        return summary && summary.textContent.trim().length > 0;
    }""", timeout=30_000)
    hrefs = await page.eval_on_selector_all("#search-results ul.search li a", "(links) => links.map((a) => a.href)")
    return sorted({urlsplit(h).path.removeprefix(urlsplit(site).path) for h in hrefs})


async def _search_all(browser, site: str) -> tuple[dict[str, list[str]], list[str]]:
    context = await browser.new_context(viewport=VIEWPORTS["desktop"], locale="zh-CN")
    errors: list[str] = []
    found = {}
    try:
        page = await context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        for words in SEARCHES:
            found[words] = await _search(page, site, words)
            await page.screenshot(path=str(SCREENSHOTS / f"search-{words}-desktop.png"), full_page=True)
    finally:
        await context.close()
    return found, errors


async def _open_root(browser, site: str) -> tuple[str, str]:
    """Where the site's root leads (after its redirect), and that page's title."""
    from playwright.async_api import TimeoutError as BrowserTimeout

    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(site, wait_until="load")
        try:
            await page.wait_for_url("**/book/index.html", timeout=10_000)
        except BrowserTimeout:
            pass  # the test names where it stayed
        heading = page.locator("article h1")
        title = await heading.first.inner_text() if await heading.count() else ""
        return page.url.removeprefix(site), title.strip()
    finally:
        await context.close()


async def _broken_links(browser, site: str, paths: set[str]) -> list[str]:
    """Each link within the book requested once (fragments are checked against the files by
    test_offline.test_every_internal_link_resolves)."""
    context = await browser.new_context()
    broken = []
    try:
        for path in sorted(paths):
            response = await context.request.get(site + path)
            if response.status != 200:
                broken.append(f"{unquote(path)} (HTTP {response.status})")
    finally:
        await context.close()
    return broken


async def _browse(site: str, names: list[str]) -> Browsing:
    """Every page at both widths (AT_ONCE pages at a time), then the searches, the root and the links, in one
    Chromium of its own."""
    from playwright.async_api import async_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    records = [Visit(page=name, viewport=viewport) for viewport in VIEWPORTS for name in names]
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        contexts = {viewport: await browser.new_context(**_context_options(viewport)) for viewport in VIEWPORTS}
        for context in contexts.values():  # the copies' builds run beside the visits: a loaded machine is slow, not
            context.set_default_timeout(SLOW_MACHINE_MS)  # broken
        limit = asyncio.Semaphore(AT_ONCE)

        async def one(visit: Visit) -> None:
            async with limit:
                await _visit(contexts[visit.viewport], site, visit.page, visit)

        try:
            searched, (root, title), *_ = await asyncio.gather(
                _search_all(browser, site), _open_root(browser, site), *(one(visit) for visit in records))
            links = {link.split("#")[0] for visit in records for link in visit.links}
            broken = await _broken_links(browser, site, links)
        finally:
            await browser.close()
    return Browsing(records, searched[0], searched[1], root, title, len(links), broken)


@in_background("browsing")
def _browse_the_book(base: Path) -> Browsing:
    """The published book in Chromium, over its own local server; started when the tests are collected, beside
    the suite's builds (the browser mostly waits, so the other tests run meanwhile)."""
    html = require_built_book()
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (`make system-deps` does)")
    if not AXE_SCRIPT.is_file():
        pytest.fail(f"{AXE_SCRIPT} is missing: `npm ci --prefix tests` installs axe-core (`make test` does)")
    names = [p.relative_to(html).as_posix() for p in html_pages(html) if not _is_redirect(p)]
    with _served(html) as site:
        browsing = asyncio.run(_browse(site, names))  # this thread's own event loop
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    axe = {f"{v.page} ({v.viewport})": v.axe_violations for v in browsing.visits}
    (ARTIFACTS / "axe.json").write_text(json.dumps(axe, ensure_ascii=False, indent=2), encoding="utf-8")
    (ARTIFACTS / "visits.json").write_text(
        json.dumps([asdict(v) for v in browsing.visits], ensure_ascii=False, indent=2), encoding="utf-8")
    return browsing


@pytest.fixture(scope="session")
def browsing() -> Browsing:
    return background_result("browsing")


@pytest.fixture(scope="session")
def visits(browsing: Browsing) -> list[Visit]:
    return browsing.visits


def _report(visits: list[Visit], attribute: str) -> list[str]:
    return [f"{v.page} ({v.viewport}): {item}" for v in visits for item in (getattr(v, attribute) or [])]


def test_every_page_was_visited_at_both_widths(visits: list[Visit], html_dir: Path) -> None:
    pages = {v.page for v in visits}
    assert {p.relative_to(html_dir).as_posix() for p in content_pages(html_dir)} <= pages
    assert "search.html" in pages
    for viewport in VIEWPORTS:
        assert len([v for v in visits if v.viewport == viewport]) == len(pages)
        for page in pages:
            slug = page.removesuffix(".html").replace("/", "__")
            shot = SCREENSHOTS / f"{slug}-{viewport}.png"
            assert shot.is_file() and shot.stat().st_size > 5000, f"no screenshot {shot}"


def test_no_console_errors(visits: list[Visit]) -> None:
    errors = _report(visits, "console_errors")
    assert not errors, "the browser console reported errors:\n" + "\n".join(errors)


def test_every_file_a_page_asks_for_loads(visits: list[Visit]) -> None:
    failed = _report(visits, "failed_loads")
    assert not failed, "files that did not load:\n" + "\n".join(failed)


def test_no_request_leaves_the_book(visits: list[Visit]) -> None:
    foreign = _report(visits, "foreign_requests")
    assert not foreign, "pages asked other sites for (blocked):\n" + "\n".join(foreign)


def test_every_image_shows(visits: list[Visit]) -> None:
    broken = _report(visits, "broken_images")
    assert not broken, "images that did not load:\n" + "\n".join(broken)


def test_phone_width_needs_no_sideways_scrolling(visits: list[Visit]) -> None:
    wide = [f"{v.page}: {v.sideways_overflow_px} px too wide" for v in visits
            if v.viewport == "phone" and v.sideways_overflow_px > 0]
    assert not wide, "pages wider than a 390 px phone:\n" + "\n".join(wide)


def test_printing_shows_no_navigation_menus_or_toggles(visits: list[Visit]) -> None:
    shown = _report([v for v in visits if v.viewport == "desktop"], "shown_in_print")
    assert not shown, "printed pages still show:\n" + "\n".join(shown)


def test_axe_finds_no_serious_or_critical_violation(visits: list[Visit]) -> None:
    serious = [f"{v.page} ({v.viewport}): [{x['impact']}] {x['id']}: {x['help']} — {x['nodes']}"
               for v in visits for x in v.axe_violations if x["impact"] in SERIOUS]
    assert not serious, "axe-core found (details in tests/artifacts/axe.json):\n" + "\n".join(serious)


def test_every_link_in_the_book_opens(browsing: Browsing) -> None:
    """Every link the pages show within the book (as the browser resolved it, scripts' links included) is served."""
    assert browsing.links, "the pages show no link within the book"
    assert not browsing.broken_links, "links within the book that do not open:\n" + "\n".join(browsing.broken_links)


def test_chinese_search_finds_the_chapters(browsing: Browsing, html_dir: Path) -> None:
    assert not browsing.search_errors, f"search raised errors: {browsing.search_errors}"
    problems = []
    for words, chapters in SEARCHES.items():
        found = browsing.searches[words]
        missing = chapters - set(found)
        if missing:
            problems.append(f"{words}: results {found} lack {sorted(missing)}")
        for result in found:  # no false hits: each result's text holds the words
            if words not in Page.read(html_dir / result).article_text():
                problems.append(f"{words}: result {result} does not contain the words")
    assert not problems, "\n".join(problems)


def test_site_root_opens_the_front_page(browsing: Browsing) -> None:
    assert browsing.root_opened == "book/index.html", f"the site's root led to {browsing.root_opened}"
    assert browsing.root_title, "the front page has no title"


# ---- Charts and margin notes as the screen shows them ------------------------------------------------------------
MIN_CHART_TEXT_PX = 11.0  # issue 21: every chart's text at least 11 CSS px, on a 390 px phone and on a desktop
CHART_PAGES = {"book/01-background.html", "book/02-hk-innovation.html",  # 06's chart of areas is now a sentence
               "book/claims.html", "book/briefing.html", "book/briefing-en.html"}


def test_every_charts_text_is_at_least_11_px_on_a_phone_and_a_desktop(visits: list[Visit]) -> None:
    measured = {(v.page, v.viewport) for v in visits for chart in v.charts}
    missing = sorted({(page, viewport) for page in CHART_PAGES for viewport in VIEWPORTS} - measured)
    assert not missing, f"pages whose charts were not measured: {missing}"
    small = [f"{v.page} ({v.viewport}) {c['figure'] or c['src']}: {c['smallest_px']:.1f} px ({c['smallest_text']!r})"
             for v in visits for c in v.charts if c["texts"] == 0 or c["smallest_px"] < MIN_CHART_TEXT_PX]
    assert not small, "chart text under 11 CSS px (or no text found):\n" + "\n".join(small)


def test_phones_are_shown_the_phone_drawing_and_desktops_the_desktop_one(visits: list[Visit]) -> None:
    """Each <picture> chart: the phone drawing (its <source>) at 390 px, the <img>'s own at 1280 px."""
    pictures = [(v, c) for v in visits for c in v.charts if c["phone_srcset"]]
    assert {v.viewport for v, _ in pictures} == set(VIEWPORTS), "no chart is served as a <picture>"
    wrong = [f"{v.page} ({v.viewport}) {c['figure']}: showed {c['src']}" for v, c in pictures
             if c["src"] != (c["phone_srcset"] if v.viewport == "phone" else c["img"]).split("/")[-1]]
    assert not wrong, "\n".join(wrong)


def _note_targets(page: str) -> list[str]:
    """The labels a chapter's margin notes annotate, in page order (its margin_note("para-…") calls); the Hong Kong
    edition's page (hk/book/…) has its Simplified twin's."""
    page = page.removeprefix("hk/")
    source = ROOT / "book" / Path(page).with_suffix(".md").name
    if not page.startswith("book/") or not source.is_file():
        return []
    return re.findall(r'margin_note\("([^"]+)"\)', source.read_text(encoding="utf-8"))


def test_margin_notes_stand_beside_the_paragraph_they_annotate_on_a_desktop(visits: list[Visit]) -> None:
    """At 1280 px a note's top lies within the vertical extent of the paragraph (or table) it annotates."""
    shown, misplaced = 0, []
    for v in (v for v in visits if v.viewport == "desktop"):
        targets = _note_targets(v.page)
        assert len(targets) == len(v.margin_notes), f"{v.page}: {len(targets)} notes in its source, " \
                                                   f"{len(v.margin_notes)} note cells on the page"
        for target, note in zip(targets, v.margin_notes):
            if not note["shown"]:
                continue  # no discrepancy: the cell has no output
            shown += 1
            top, bottom = v.labelled[target]
            if not top - 1 <= note["top"] <= bottom:
                misplaced.append(f"{v.page}: the note {note['text']!r} (top {note['top']:.0f}) is not beside "
                                 f"#{target} ({top:.0f}–{bottom:.0f})")
    assert shown, "no margin note is shown on any page"
    assert not misplaced, "\n".join(misplaced)
