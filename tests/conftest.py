"""Shared fixtures, defined once. `make test` runs `make build` first, so tests of the published book read the
repository's _build/html and _build/pdf.

Builds in the suite (everything else reads files), each started in a thread when the tests are collected
(`in_background`), so that they run side by side (with the browser's visits, test_browser's `browsing`):
- `edited_build` (session): ONE warm copy of the project (the repository's work folder copied in, so only what
  changed re-executes), built with tools/build.py three times: with several CSV edits and a chapter edit at once
  (and a CSV edited again while that build runs); with that mid-build edit undone; with every edit undone (then
  compared with the repository's own edition). Every test about edited data (re-execution, numbers and figures
  following the data, the claims register, LaTeX escaping, orphan files, reproducibility, a mid-build edit) reads
  the records of those builds.
- `hostile` (test_hostile_data) and `updated` (test_yearly_update: HTML and PDF, then the published-edition checks on it): one warm copy each, its data
  poisoned or given a new year, built once.
- `one_page_project`: a tiny book (one MyST notebook, one CSV, one .bib entry) for the failure paths, built with
  plain `jupyter-book build` (SZHK_BUILD=1, SZHK_DATA_DIR pointing at its data).
"""
from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pages import Page, squeeze  # noqa: F401  (re-exported for the tests)

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
DATA = ROOT / "data"
TOOLS = ROOT / "tools"
WORK = ROOT / "_build" / ".work"
LATEX = WORK / "_build" / "latex"
HTML = ROOT / "_build" / "html"
PDF_DIR = ROOT / "_build" / "pdf"
COPY_IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "node_modules", "__pycache__", ".pytest_cache",
                                     "artifacts")
BUILD_TIMEOUT = 1800


# ----------------------------------------------------------------------------------------------------------------
# The published book (made by `make build`, which `make test` runs first)
# ----------------------------------------------------------------------------------------------------------------
def require_built_book() -> Path:
    """The published web pages; the test fails, saying what to run, when there are none."""
    if not (HTML / "index.html").exists():
        pytest.fail(f"{HTML} has no built book: run `make test` (it builds first) or `make build`")
    return HTML


@pytest.fixture(scope="session")
def html_dir() -> Path:
    return require_built_book()


@pytest.fixture(scope="session")
def appendix_words() -> Any:
    """The data appendix's words for the committed data (szhk.appendix.words), made once for the session: they hold
    the whole claims register, which takes seconds to compute, and the tests reading them change no data."""
    from szhk import appendix

    return appendix.words()


@pytest.fixture(scope="session")
def pdf_dir() -> Path:
    if not (PDF_DIR / "szhk-report.pdf").is_file():
        pytest.fail(f"{PDF_DIR} has no PDF: run `make test` (it builds first) or `make build`")
    return PDF_DIR


# ----------------------------------------------------------------------------------------------------------------
# Small helpers
# ----------------------------------------------------------------------------------------------------------------
def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def set_cells(path: Path, key: dict[str, str], **values: str) -> None:
    """Set columns of the one row of a CSV whose columns match `key` (the file stays UTF-8, same columns)."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    hits = [r for r in rows if all(r[k] == v for k, v in key.items())]
    assert len(hits) == 1, f"{path.name}: {len(hits)} rows match {key}"
    hits[0].update(values)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


FIGURE_DIRECTIVE = re.compile(r"^(?::{3,}|`{3,})\{glue:figure\}\s+(\S+)\s*$", re.M)


def figures_on_pages(book: Path = BOOK) -> dict[str, list[str]]:
    """Page (file stem in book/) -> the figures its MyST places with `{glue:figure}`, in order: what the tests
    expect on each built page, read from the sources instead of written again."""
    placed = {path.stem: FIGURE_DIRECTIVE.findall(path.read_text(encoding="utf-8")) for path in sorted(book.glob("*.md"))}
    return {page: figures for page, figures in placed.items() if figures}


def chapter_figures(book: Path = BOOK) -> dict[str, str]:
    """Figure id -> its chapter (the numbered pages 00-…, in reading order), for the figures the chapters place."""
    return {figure: page for page, figures in figures_on_pages(book).items() if page[:2].isdigit()
            for figure in figures}


def declared_figures(data: Path = DATA) -> dict[str, dict[str, Any]]:
    """datapackage.json's `figures`: figure id -> its value fields ("resource.field") or the resource it counts."""
    return json.loads((data / "datapackage.json").read_text(encoding="utf-8")).get("figures", {})


def figure_resources(figure: str, data: Path = DATA) -> set[str]:
    """The resources a figure's value axis reads (datapackage.json `figures`)."""
    declared = declared_figures(data)[figure]
    if "counts_rows_of" in declared:
        return {declared["counts_rows_of"]}
    return {field.partition(".")[0] for field in declared.get("value_fields", [])}


def pdf_text(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


HEAD_LINES = 3  # a running head (or foot) is at most this many lines of pdftotext's output
_PAGE_NUMBER = re.compile(r"^(第\s*)?\d+(\s*页)?$")


def pdf_body_text(path: Path) -> str:
    """The PDF's text page by page, without running heads and feet: a line among the first (or last) lines of at
    least two pages is part of a running head (or foot: a page number, a repeated note). Reading the whole PDF at
    once puts the running head of the next page inside whatever text a page break splits (an address in the
    bibliography, say); where the pages break moves whenever the data does."""
    pages = [[line.strip() for line in page.splitlines() if line.strip()]
             for page in pdf_text(path).split("\f")]
    heads = [line for page in pages for line in dict.fromkeys(page[:HEAD_LINES])]
    feet = [line for page in pages for line in dict.fromkeys(page[-HEAD_LINES:])]
    body = []
    for page in pages:  # pdftotext may put a line of the text (a label in the margin) among the head's lines
        top, middle, bottom = page[:HEAD_LINES], page[HEAD_LINES:-HEAD_LINES], page[HEAD_LINES:][-HEAD_LINES:]
        if len(page) <= 2 * HEAD_LINES:
            top, middle, bottom = page, [], []
        top = [line for line in top if heads.count(line) < 2 and not _PAGE_NUMBER.match(line)]
        bottom = [line for line in bottom if feet.count(line) < 2 and not _PAGE_NUMBER.match(line)]
        body.append("\n".join([*top, *middle, *bottom]))
    return "\n".join(body)


def tree_sha256(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file below `root` (links followed)."""
    root = root.resolve()
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def copy_project(dest: Path, *, warm: bool = True) -> Path:
    """A private copy of the project (sources and data); with `warm`, the repository's work folder too, so
    that a build of the copy re-executes only what differs (jupyter-cache keys are content digests)."""
    shutil.copytree(ROOT, dest, ignore=COPY_IGNORE)
    if warm and WORK.is_dir():
        with open(WORK / ".lock", "a") as lock:  # tools/build.py's lock: never copy a work folder mid-build
            fcntl.flock(lock, fcntl.LOCK_EX)
            shutil.copytree(WORK, dest / "_build" / ".work", ignore=shutil.ignore_patterns(".lock", "logs"))
    return dest


def build_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, **extra)
    for name in ("SZHK_DATA_DIR", "SZHK_ROOT", "SZHK_BUILD", "SOURCE_DATE_EPOCH"):
        if name not in extra:
            env.pop(name, None)
    return env


def commit_epoch() -> str:
    """The repository's commit time: a copy (no .git) is built with the same dates as the repository."""
    return subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True, text=True,
                          check=True).stdout.strip()


def jupyter_book(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Plain `jupyter-book build` of a project with the build's flags (-n -W --keep-going)."""
    jb = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run([str(jb), "build", str(project), "-n", "-W", "--keep-going", *args], cwd=project,
                          env=env if env is not None else build_env(), capture_output=True, text=True,
                          timeout=BUILD_TIMEOUT)


# ----------------------------------------------------------------------------------------------------------------
# The shared edited build
# ----------------------------------------------------------------------------------------------------------------
# Several edits applied at once; each is read by the tests named beside it.
GII_KEY = {"year": "2021", "economy_code": "CHN"}  # Table 1 and fig-gii-ranks (chapter 02), in HTML and PDF
STARTUPS_2021 = ("2021,true,4000,", "2021,true,4321,")  # the sentence "香港初创企业达近…家" and fig-hk-startups
SCIENCE_PARK_KEY = {"park_code": "science_park", "measure_code": "rd_staff"}
SCIENCE_PARK_RESOLVED = dict(value_published="17000", qualifier_published="约", verification="match",
                             note="（测试：已发表值改为与文章相同）")  # the claims register and chapter 03's note
# Characters special to LaTeX, as MyST source (a doubled backslash is one backslash), as printed, and as data.
SPECIAL_SOURCE = r"LaTeX-special: 100% R&D a_b #1 HK$5 {x} ~y ^z \\ end."
SPECIAL_PRINTED = r"LaTeX-special: 100% R&D a_b #1 HK$5 {x} ~y ^z \ end."
SPECIAL_DATA = r"100% R&D a_b #1 HK$5 {x} ~y ^z \ end"
SPECIAL_CHAPTER = "book/06-recommendations.md"
# hk_startups.csv's 2021 row differs from its source: the data appendix prints its note (HTML and book PDF).
SPECIAL_ROW = {"survey_year": "2021"}
EDITED_RESOURCES = ("gii_ranks", "hk_startups", "tech_parks")
MID_BUILD_EDIT = ("hk_startups.csv", "2021,true,4321,", "2021,true,9999,")  # made while the edited build runs


@dataclass
class Run:
    """One tools/build.py run of the copy: its exit code, output, the notebooks it executed, and the published
    files (relative path -> SHA-256)."""
    returncode: int
    output: str
    executed: list[str]
    published: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


@dataclass
class EditedBuild:
    project: Path
    published: dict[str, str]  # the repository's published edition (relative path -> SHA-256), before the edits
    edited: Run            # the edits above, at once; MID_BUILD_EDIT made while it ran
    edited_again: Run      # the mid-build edit undone: the edited data again (nothing to execute)
    reverted: Run          # every edit undone: the committed data again
    edited_html: Path      # a copy of the edited edition's web pages …
    edited_pdf: Path       # … and PDFs (publishing the next edition removes the folder they were in)
    china_row: str         # Table 1's row for China as it must read after the edit
    mid_build_edit_made_while_running: bool


def _executed(output: str) -> list[str]:
    match = re.search(r"\[html\] \d+ notebook\(s\) executed(?:: (.*))?", output)
    assert match, f"tools/build.py printed no count of executed notebooks:\n{output[-3000:]}"
    return sorted(match.group(1).split(", ")) if match.group(1) else []


def run_build(project: Path, epoch: str, *, while_running=None) -> Run:
    """tools/build.py of the copy (pages, data and work folder from the copy; the helper code installed from
    this repository), dated `epoch`. `while_running(project)` is called once the build has taken its data
    snapshot."""
    env = build_env(SOURCE_DATE_EPOCH=epoch, PYTHONUNBUFFERED="1")
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(project / "tools" / "build.py")], cwd=project, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in process.stdout:  # the first line is printed after the data snapshot was taken
        lines.append(line)
        if while_running is not None and line.startswith("[html] jupyter-book build"):
            while_running(project)
            while_running = None
    process.wait(timeout=BUILD_TIMEOUT)
    output = "".join(lines)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        return Run(process.returncode, output, [], seconds=seconds)
    return Run(0, output, _executed(output), tree_sha256(project / "_build" / "site"), seconds)


def _edit_china_gii(path: Path) -> str:
    """China's 2021 GII rank + 1 (article and published alike: the row stays valid); returns Table 1's row for
    China as it should then read, e.g. 全球创新指数（中国）2217141413."""
    rows = read_csv(path)
    (row,) = [r for r in rows if all(r[k] == v for k, v in GII_KEY.items())]
    new = str(int(row["rank_article"]) + 1)
    set_cells(path, GII_KEY, rank_article=new,
              **({"rank_published": new} if row["rank_published"] == row["rank_article"] else {}))
    china = sorted((r["year"], r["rank_article"]) for r in read_csv(path) if r["economy_code"] == "CHN")
    return "全球创新指数（中国）" + "".join(rank for _, rank in china)


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: {old!r} occurs {text.count(old)} times"
    path.write_text(text.replace(old, new), encoding="utf-8")


def make_edited_build(base: Path) -> EditedBuild:
    epoch = commit_epoch()  # the repository's dates: its caches and LaTeX stamp stay valid in the copy
    project = copy_project(base / "project")
    data = project / "data"
    originals = {p: p.read_bytes() for p in [*data.glob("*.csv"), project / SPECIAL_CHAPTER]}

    published = tree_sha256(ROOT / "_build" / "site")  # the repository's own edition of the same sources

    china_row = _edit_china_gii(data / "gii_ranks.csv")
    replace_once(data / "hk_startups.csv", *STARTUPS_2021)
    set_cells(data / "hk_startups.csv", SPECIAL_ROW, note=SPECIAL_DATA)
    set_cells(data / "tech_parks.csv", SCIENCE_PARK_KEY, **SCIENCE_PARK_RESOLVED)
    chapter = project / SPECIAL_CHAPTER
    chapter.write_text(chapter.read_text(encoding="utf-8") + f"\n{SPECIAL_SOURCE}\n", encoding="utf-8")
    edited_data = {p: p.read_bytes() for p in originals}
    made = []

    def edit_mid_build(project: Path) -> None:
        name, old, new = MID_BUILD_EDIT
        replace_once(project / "data" / name, old, new)
        made.append(name)

    edited = run_build(project, epoch, while_running=edit_mid_build)
    assert edited.returncode == 0, f"the edited copy did not build:\n{edited.output[-6000:]}"
    edited_html = shutil.copytree(project / "_build" / "html", base / "edited" / "html", symlinks=False)
    edited_pdf = shutil.copytree(project / "_build" / "pdf", base / "edited" / "pdf", symlinks=False)

    for path, content in edited_data.items():  # the mid-build edit undone
        path.write_bytes(content)
    edited_again = run_build(project, epoch)
    assert edited_again.returncode == 0, f"the edited copy did not build again:\n{edited_again.output[-6000:]}"

    for path, content in originals.items():
        path.write_bytes(content)
    reverted = run_build(project, epoch)
    assert reverted.returncode == 0, f"the reverted copy did not build:\n{reverted.output[-6000:]}"
    return EditedBuild(project, published, edited, edited_again, reverted, edited_html, edited_pdf, china_row,
                       bool(made))


# ----------------------------------------------------------------------------------------------------------------
# Builds in the background
# ----------------------------------------------------------------------------------------------------------------
# A build of a copy runs one process at a time (a kernel, then XeLaTeX), so the suite's builds start in threads as
# soon as the tests are collected: they run side by side and beside the tests that only read files.
_BACKGROUND: dict[str, Callable[[Path], Any]] = {}  # fixture name -> what builds it, given a fresh folder
_RUNNING: dict[str, dict[str, Any]] = {}


def in_background(fixture: str) -> Callable[[Callable[[Path], Any]], Callable[[Path], Any]]:
    """Register `make(folder)` to start in a thread once the tests are collected, if a collected test uses
    `fixture`; the fixture returns `background_result(fixture)`."""
    def register(make: Callable[[Path], Any]) -> Callable[[Path], Any]:
        _BACKGROUND[fixture] = make
        return make
    return register


def _start(fixture: str) -> None:
    if fixture in _RUNNING:
        return
    state: dict[str, Any] = {"base": tempfile.mkdtemp(prefix=f"szhk-{fixture}-")}

    def run() -> None:
        started = time.perf_counter()
        try:
            state["result"] = _BACKGROUND[fixture](Path(state["base"]))
        except BaseException as error:  # noqa: BLE001 - handed to the fixture, which raises it in the tests
            state["error"] = error
        state["seconds"] = time.perf_counter() - started

    state["thread"] = threading.Thread(target=run, name=fixture, daemon=True)
    _RUNNING[fixture] = state
    state["thread"].start()


# The yearly update (built like the others, then the published-edition checks run on it) yields the CPU to the rest.
LOW_PRIORITY = ("nice", "-n", "5")


def background_result(fixture: str) -> Any:
    """What the registered build returned (started now if collection did not start it); its error, raised."""
    _start(fixture)
    state = _RUNNING[fixture]
    state["thread"].join()
    if "error" in state:
        raise state["error"]
    return state["result"]


# The two tiers (pyproject.toml's markers): `make check` runs the tests that need no book (`-m "not needs_build"`),
# `make test` all of them. A test needs a build when it reads _build (the published book, the work folder) or builds
# a copy; these fixtures do one or the other, so a test using any of them is marked without being told.
BUILD_FIXTURES = frozenset({"html_dir", "pdf_dir", "one_page_project", "edited_build", "hostile", "updated",
                            "browsing"})
# Set by the yearly-update test when it runs the checks of the published book on its updated copy: the tests that
# build copies of their own (the background jobs) are left out there.
PUBLISHED_CHECKS_ONLY_ENV = "SZHK_PUBLISHED_CHECKS_ONLY"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: a test marked here is deselected like one marked by hand
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that need a build (see BUILD_FIXTURES); tests that read a background build run last (in
    their order), so the others run while the builds do."""
    if os.environ.get(PUBLISHED_CHECKS_ONLY_ENV):
        builds = [item for item in items if set(getattr(item, "fixturenames", ())) & _BACKGROUND.keys()]
        if builds:
            config.hook.pytest_deselected(items=builds)
            items[:] = [item for item in items if item not in builds]
    for item in items:
        if set(getattr(item, "fixturenames", ())) & (BUILD_FIXTURES | _BACKGROUND.keys()):
            item.add_marker(pytest.mark.needs_build)
    waits = [item for item in items if set(getattr(item, "fixturenames", ())) & _BACKGROUND.keys()]
    if waits:
        waiting = set(waits)
        items[:] = [item for item in items if item not in waiting] + waits


def pytest_collection_finish(session: pytest.Session) -> None:
    if session.config.option.collectonly:
        return
    used = {name for item in session.items for name in getattr(item, "fixturenames", ())}
    for fixture in _BACKGROUND:
        if fixture in used:
            _start(fixture)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """How long each background job took (wall seconds, side by side with the rest of the suite)."""
    done = {name: state["seconds"] for name, state in _RUNNING.items() if "seconds" in state}
    if done:
        terminalreporter.write_line("background jobs: " + ", ".join(f"{n} {s:.0f} s" for n, s in done.items()))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for state in _RUNNING.values():
        state["thread"].join()
        shutil.rmtree(state["base"], ignore_errors=True)


in_background("edited_build")(make_edited_build)


@pytest.fixture(scope="session")
def edited_build() -> EditedBuild:
    return background_result("edited_build")


# ----------------------------------------------------------------------------------------------------------------
# The one-page fixture project (failure paths)
# ----------------------------------------------------------------------------------------------------------------
ONE_PAGE_CONFIG = """\
title: 单页测试
author: 测试
only_build_toc_files: true
exclude_patterns: [_build, data]
execute:
  execute_notebooks: cache
  timeout: 120
  allow_errors: false
  raise_on_error: true
  stderr_output: error
bibtex_bibfiles:
  - refs.bib
sphinx:
  extra_extensions:
    - szhk_sphinx
  config:
    language: zh_CN
    release: "1.0"
    bibtex_default_style: gbt7714
    bibtex_reference_style: gbt7714
"""
ONE_PAGE_TOC = "format: jb-book\nroot: page\n"


def ui_words_yaml() -> str:
    """The repository's sphinx.config.szhk_ui (the web controls' words, which the extension requires), as lines
    to put under a small project's sphinx.config."""
    import yaml

    words = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"]["szhk_ui"]
    return "    szhk_ui:\n" + "".join(f"      {key}: {json.dumps(value, ensure_ascii=False)}\n" for key, value in words.items())
ONE_PAGE_BIB = "@misc{good-entry,\n  title = {一个文件},\n  language = {chinese},\n}\n"
ONE_PAGE_NOTEBOOK = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
data: [probe]
---

# 单页

```{code-cell} ipython3
:tags: [remove-cell]
from myst_nb import glue
from szhk.data import load

glue("probe_value", int(load("probe")["value"].iloc[0]), display=False)
```

探针数值为 {glue:text}`probe_value` 个{cite}`good-entry`。

```{bibliography}
```
"""
ONE_PAGE_CSV = "key,value,date\na,41,2021-12\n"  # a dated value: the edition line names the data's date
ONE_PAGE_PACKAGE = {
    "name": "one-page",
    "resources": [{
        "name": "probe", "path": "probe.csv", "title": "探针", "profile": "tabular-data-resource",
        "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
        "schema": {
            "fields": [
                {"name": "key", "type": "string", "constraints": {"required": True}},
                {"name": "value", "type": "integer", "constraints": {"required": True, "minimum": 0}},
                {"name": "date", "type": "string"},
            ],
            "primaryKey": ["key"],
        },
    }],
}


@dataclass
class OnePage:
    root: Path

    @property
    def page(self) -> Path:
        return self.root / "page.md"

    @property
    def data(self) -> Path:
        return self.root / "data"

    def build(self, **env: str) -> subprocess.CompletedProcess[str]:
        """`jupyter-book build` as tools/build.py runs it (SZHK_BUILD=1, SZHK_DATA_DIR, SZHK_ROOT), unless
        `env` overrides those (an empty value removes the variable)."""
        values = {"SZHK_BUILD": "1", "SZHK_DATA_DIR": str(self.data), "SZHK_ROOT": str(self.root),
                  "SOURCE_DATE_EPOCH": commit_epoch(), **env}
        return jupyter_book(self.root, env=build_env(**{k: v for k, v in values.items() if v}))


@pytest.fixture
def one_page_project(tmp_path: Path) -> OnePage:
    root = tmp_path / "one-page"
    (root / "data").mkdir(parents=True)
    (root / "_config.yml").write_text(ONE_PAGE_CONFIG.replace("  config:\n", "  config:\n" + ui_words_yaml(), 1),
                                      encoding="utf-8")
    (root / "_toc.yml").write_text(ONE_PAGE_TOC, encoding="utf-8")
    (root / "refs.bib").write_text(ONE_PAGE_BIB, encoding="utf-8")
    (root / "page.md").write_text(ONE_PAGE_NOTEBOOK, encoding="utf-8")
    (root / "data" / "probe.csv").write_text(ONE_PAGE_CSV, encoding="utf-8")
    (root / "data" / "datapackage.json").write_text(json.dumps(ONE_PAGE_PACKAGE, ensure_ascii=False, indent=2),
                                                     encoding="utf-8")
    return OnePage(root)


# ----------------------------------------------------------------------------------------------------------------
# Other shared fixtures
# ----------------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def validation_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tests' cache of validated frames, as a build has one (szhk.cache): a frame is keyed by the digest of
    everything its validation read, so the unchanged files of every data copy are validated once per session and
    an edited file anew."""
    return tmp_path_factory.mktemp("validated")


@pytest.fixture
def data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validation_cache: Path) -> Path:
    """A private copy of data/ that the kernel helpers read (SZHK_DATA_DIR) instead of the real files, with the
    session's cache of validated frames and a loader that has loaded nothing yet."""
    from szhk import cache, data, deps

    copy = shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.setenv(deps.DATA_DIR_ENV, str(copy))
    monkeypatch.setenv(cache.CACHE_DIR_ENV, str(validation_cache))
    monkeypatch.setattr(data, "_frames", {})
    monkeypatch.setattr(data, "_loaded", {})
    deps.reset()
    return copy


@pytest.fixture
def house_style():
    """matplotlib with the book's style sheet, figures closed afterwards."""
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    from szhk import figures

    with plt.style.context(figures.STYLE_SHEET):
        yield
    plt.close("all")
