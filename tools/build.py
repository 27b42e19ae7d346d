"""make build: Jupyter Book builds the HTML and the PDFs in a work folder, then one rename publishes both.

    python tools/build.py              (make build)
    python tools/build.py --html-only  (the web pages alone, in _build/.work/_build/html; nothing published)

0. Under a lock, the digest of everything the build reads (book/, data/, tools/, the configuration, the installed
   libraries' versions, the commit date) is compared with the published edition's (`inputs.sha256` in its folder):
   when they are equal, nothing would change, and the build stops here without starting Jupyter Book.
1. Under the lock, data/ is copied to a snapshot in the work folder: the whole build reads that copy, so a CSV
   saved mid-build cannot mix two data versions (the kernels also check every file they read against the digest
   the chapter's cache key was made from). `python -m szhk.data` validates every file of the snapshot once and
   caches the typed frames the chapters read.
2. `jupyter-book build . --path-output _build/.work -n -W --keep-going`, then the same with
   `--builder pdflatex` (XeLaTeX, shell escape off). The LaTeX pass is skipped when nothing it reads changed.
3. Publish: a new folder `_build/site-<digest>/` gets `html/` (only the files the pages use, the PDFs inside
   `_downloads/pdf/`) and `pdf/`; then the symlink `_build/site` is switched to it by one rename.
   `_build/html` and `_build/pdf` are fixed links into `_build/site`. The site also holds `record/` (the data,
   references.bib, version and data date it was built from) and the change report for readers
   (`html/changes.html`, tools/changes.py), which compares it with the previous *published* edition
   (`_build/previous-edition`, the record of the last published edition of another version). A crash at any moment leaves the old
   edition or the new one, never a mix and never none. A failed build publishes nothing.

Dates in the outputs come from the commit the book is built from (SOURCE_DATE_EPOCH), so two builds of the
same commit publish the same bytes.
"""
from __future__ import annotations

import ctypes
import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from szhk_names import (ALL, BUILD_ENV, CACHE_DIR_ENV, DATA_DIR_ENV, DATE_BASIS_ENV, DATE_FROM_COMMIT,
                         DATE_FROM_FILES, EPOCH_ENV, HK, HK_FOLDER, ROOT_ENV, SC)
from szhk_sphinx.reexecution import declared, tree_digest

# What only a real build needs (Sphinx, BeautifulSoup, pybtex) is imported where it is used: a no-op `make build`
# stops after comparing digests, in well under a second.

ROOT = Path(__file__).resolve().parents[1]
WORK_NAME = Path("_build") / ".work"
JB_FLAGS = ("-n", "-W", "--keep-going")
EXECUTING = "Executing notebook"  # myst-nb's log line for each notebook it executes (cache misses)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NOISE = ("Kernel is running over TCP without encryption",)  # every kernel start prints it; nothing to act on
KERNEL_SPECS = Path(__file__).resolve().parent  # holds kernels/python3/kernel.json (JUPYTER_PATH layout)
PUBLISHED_LINKS = ("html", "pdf")  # _build/html -> site/html, _build/pdf -> site/pdf
STAGING = ".site-staging"  # in _build/: the edition being put together, renamed to .site-<digest> when complete
JUPYTER_CACHE = ".jupyter_cache"  # in jupyter-book's output folder: myst-nb's cache of executed notebooks
STOP_GRACE = 10  # seconds the children get to stop after SIGTERM before SIGKILL


class BuildError(Exception):
    """The build failed; the published edition was not touched."""


class PublishError(Exception):
    """Publishing failed; the message says which edition is published."""


def work_dir(root: Path) -> Path:
    return root / WORK_NAME


def jb_output(root: Path) -> Path:
    """Where jupyter-book writes (html/, latex/, .jupyter_cache/, .doctrees/)."""
    return work_dir(root) / "_build"


EDITIONS = (SC, HK)


def hk_work_dir(root: Path) -> Path:
    """The HK edition's jupyter-book output folder (html/, latex/, its Sphinx environment)."""
    return work_dir(root) / HK


def edition_output(root: Path, edition: str) -> Path:
    return jb_output(root) if edition == SC else hk_work_dir(root) / "_build"


def hk_config(root: Path) -> Path:
    """The HK pass's configuration: _config.yml with `szhk_edition: hk` (szhk_sphinx.hant) and the first pass's
    jupyter-cache, so that no chapter is executed twice (the cache is keyed by the code cells, which are the same).
    Written into the work folder."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    sphinx_config = config.setdefault("sphinx", {}).setdefault("config", {})
    sphinx_config["szhk_edition"] = HK
    config.setdefault("execute", {})["cache"] = str(jb_output(root) / JUPYTER_CACHE)
    path = hk_work_dir(root) / "_config.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return path


def check_phrase_table(root: Path) -> None:
    """The HK edition's phrase table (book/szhk_hant/hk_phrases.csv): an entry that would change a number, a name
    in the citations or the author's words stops the build here, naming file, row and column."""
    import yaml
    from szhk_hant import PhraseError
    from szhk_sphinx.hant import check_phrase_table as check

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}
    try:
        check([root / name for name in config.get("bibtex_bibfiles") or []])
    except PhraseError as error:
        raise BuildError(f"繁体（香港）版的词语表有误 / the HK edition's phrase table refuses an entry:\n  {error}") from None


_lock_fd: int | None = None  # the held lock, passed on to jupyter-book (see run_jupyter_book)


@contextmanager
def locked(work: Path) -> Iterator[None]:
    """One build at a time per project (two would corrupt each other's Sphinx environment). A build that has to
    wait says so, in one line. The child processes inherit the lock: it is free only when they have exited too."""
    global _lock_fd
    work.mkdir(parents=True, exist_ok=True)
    with open(work / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"另一个构建正在使用 {work}，等待它结束… / another build is running here; waiting for it to finish",
                  flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        _lock_fd = handle.fileno()
        try:
            yield
        finally:
            _lock_fd = None


COMMIT_FILE = Path("tools") / "commit.txt"  # `git archive` writes the commit's time into it (.gitattributes)


def date_source(root: Path) -> tuple[str, str]:
    """(SOURCE_DATE_EPOCH, where it came from): what the edition's dates show. The commit's time from git; in a
    downloaded archive (no .git) the time `git archive` wrote into tools/commit.txt; else (git missing, or refusing
    the folder as of "dubious ownership") the newest modification time of the sources, which the edition then
    names as such (DATE_BASIS_ENV)."""
    if os.environ.get(EPOCH_ENV, "").strip().isdigit():
        return os.environ[EPOCH_ENV].strip(), DATE_FROM_COMMIT
    problem = "git 不可用 / git not found"
    try:
        done = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"], capture_output=True, text=True,
                              timeout=60)
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return done.stdout.strip(), DATE_FROM_COMMIT
        problem = (done.stderr.strip().splitlines() or ["git log failed"])[0]
    except (OSError, subprocess.SubprocessError):
        pass
    archived = root / COMMIT_FILE
    written = archived.read_text(encoding="utf-8").strip() if archived.is_file() else ""
    if written.isdigit():
        return written, DATE_FROM_COMMIT
    newest = max(p.stat().st_mtime for folder in ("book", "data") for p in (root / folder).rglob("*") if p.is_file())
    print(f"注意：没有可用的 git 提交信息（{problem}），版本日期取 book/ 与 data/ 中最新的修改时间，版本行照此注明。 "
          "Note: no usable git commit; the edition is dated by the newest file time and says so.", flush=True)
    return str(int(newest)), DATE_FROM_FILES


def source_date_epoch(root: Path) -> str:
    """The commit's time, or what stands in for it (see date_source)."""
    return date_source(root)[0]


INPUTS_FILE = "inputs.sha256"  # in each published site: the digest of everything its build read
INPUT_FILES = ("_config.yml", "_toc.yml", "pyproject.toml", "requirements.txt", "LICENSES.md", "LICENSE-CC-BY-4.0")


def inputs_digest(root: Path, epoch: str, data: Path) -> str:
    """SHA-256 of everything a build reads: the book's sources and helpers, the data, the configuration, these
    tools, the installed libraries' versions and the commit date; `data` is the data folder read (the build's
    snapshot once it is taken). When it equals the published edition's, the build would publish the same edition:
    `make build` stops before Jupyter Book."""
    from importlib import metadata

    h = hashlib.sha256(f"{epoch}\0{sys.version}\0".encode())
    for folder, path in (("book", root / "book"), ("data", data), ("tools", root / "tools")):
        h.update(f"{folder}\0{tree_digest(path)}\0".encode())
    for name in INPUT_FILES:
        path = root / name
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"<none>"))
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    h.update("\n".join(versions).encode())
    return h.hexdigest()


def published_inputs(root: Path) -> str | None:
    """The inputs digest of the published edition, if one is published."""
    path = root / "_build" / "site" / INPUTS_FILE
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def snapshot_data(root: Path, work: Path) -> Path:
    """A private copy of data/ for this build (what every page and kernel reads)."""
    snapshot = work / "data"
    shutil.rmtree(snapshot, ignore_errors=True)
    # What tree_digest leaves out: the no-op check compares this snapshot's digest with data/'s.
    shutil.copytree(root / "data", snapshot, ignore=shutil.ignore_patterns(".*", "~*", "__pycache__", "*.pyc"))
    return snapshot


def _environment(root: Path, snapshot: Path, epoch: str) -> dict[str, str]:
    return dict(
        os.environ,
        **{BUILD_ENV: "1", DATA_DIR_ENV: str(snapshot), ROOT_ENV: str(root), EPOCH_ENV: epoch,
           CACHE_DIR_ENV: str(work_dir(root) / "cache"),  # szhk.cache: validated data and cut-down fonts, once per build
           "FORCE_SOURCE_DATE": "1",  # TeX: \today, PDF dates and IDs from SOURCE_DATE_EPOCH
           "LATEXOPTS": "-no-shell-escape",  # no TeX code from any input may run a program
           "MAKEFLAGS": "-j2",  # the book and the briefing are typeset side by side
           # kernels/python3/kernel.json beside this file: the chapters' kernels are forked from one warm process
           # (szhk_kernels), not started anew
           "JUPYTER_PATH": os.pathsep.join(filter(None, [str(KERNEL_SPECS), os.environ.get("JUPYTER_PATH")]))},
    )


def validate_data(root: Path, env: dict[str, str]) -> None:
    """`python -m szhk.data` on the snapshot: every file validated once, its typed frame cached for the kernels
    (which then never import Frictionless). Bad data stops the build here, with the message naming file, row,
    column and rule."""
    done = subprocess.run([sys.executable, "-m", "szhk.data"], cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        problems = "\n  ".join(line for line in done.stderr.splitlines() if line.strip())
        raise BuildError(f"数据校验失败 / data validation failed:\n  {problems}")


def cut_fonts(root: Path, env: dict[str, str]) -> None:
    """The figures' CJK faces (Simplified and Hong Kong) cut down once for this build (`python -m szhk.hant`), so
    that no chapter's cell spends its limited time (execute.timeout) on it."""
    done = subprocess.run([sys.executable, "-m", "szhk.hant"], cwd=root, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        problems = "\n  ".join(line for line in done.stderr.splitlines()[-5:] if line.strip())
        raise BuildError(f"字体裁切失败 / cutting the figures' fonts failed:\n  {problems}")


def html_pass(root: Path, env: dict[str, str], editions: tuple[str, ...] = EDITIONS) -> list[str]:
    """The data and the HK phrase table validated once (with the first edition), then `jupyter-book build` of the
    web pages of each edition (the HK pass reuses the executed notebooks); returns the chapters executed."""
    if SC in editions:
        validate_data(root, env)
        check_phrase_table(root)
        cut_fonts(root, env)
    executed: set[str] = set()
    for edition in editions:
        executed.update(run_jupyter_book(root, "html", env, edition))
    return sorted(executed)


class Interrupted(BaseException):
    """SIGTERM or SIGHUP: stop like Ctrl-C (children stopped, nothing published)."""


def _interrupt(signum: int, _frame: object) -> None:
    raise Interrupted(signal.Signals(signum).name)


def _terminate_with_parent() -> None:
    """In the child before it runs: SIGTERM when this script dies (Linux prctl PR_SET_PDEATHSIG), so that even a
    `kill -9` of the script leaves no jupyter-book writing into the work folder."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the process group and the signal handlers still apply
        pass


def stop_process_group(process: subprocess.Popen) -> None:
    """SIGTERM to the child's whole process group (jupyter-book, its kernels' warm process, make, XeLaTeX), then
    SIGKILL to what is left after STOP_GRACE seconds."""
    for sig, wait in ((signal.SIGTERM, STOP_GRACE), (signal.SIGKILL, STOP_GRACE)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
        try:  # the leader has gone; others of its group may remain
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)


def run_jupyter_book(root: Path, builder: str, env: dict[str, str], edition: str = SC) -> list[str]:
    """One `jupyter-book build` into the work folder (the HK edition: its own folder and configuration, see
    hk_config); returns the chapters myst-nb executed."""
    jb = Path(sys.executable).with_name("jupyter-book")
    output = work_dir(root) if edition == SC else hk_work_dir(root)
    command = [str(jb), "build", str(root), "--path-output", str(output), *JB_FLAGS, "--builder", builder]
    if edition != SC:
        command += ["--config", str(hk_config(root))]
    log_path = work_dir(root) / "logs" / (f"{builder}.log" if edition == SC else f"{builder}-{edition}.log")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "w", encoding="utf-8") as log_file:
        # Its own process group (a Ctrl-C at the terminal reaches this script only, which stops the whole group),
        # the lock inherited (not free while it runs) and SIGTERM when this script dies, even by SIGKILL.
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                   start_new_session=True, pass_fds=(_lock_fd,) if _lock_fd is not None else (),
                                   preexec_fn=_terminate_with_parent)
        try:
            process.wait()
        except BaseException:  # Ctrl-C, SIGTERM (see main), anything: the children stop before the lock is freed
            stop_process_group(process)
            raise
    log = log_path.read_text(encoding="utf-8", errors="replace")
    plain = [_ANSI.sub("", line) for line in log.splitlines()]
    executed = sorted({Path(line.split(":", 1)[0]).resolve().relative_to(root.resolve()).as_posix()
                       for line in plain if EXECUTING in line})
    if process.returncode != 0 and ("CellTimeoutError" in log or "Cell execution timed out" in log):
        raise BuildError(timeout_message(root, plain, log_path))
    if process.returncode != 0:
        problems = [
            line.strip() for line in plain
            if ("WARNING" in line or "ERROR" in line or line.startswith("! ")  # "! …": a TeX error
                or re.match(r"^\s*[A-Za-z_.]*(Error|Exception)\b.*:", line))
            and not any(noise in line for noise in _NOISE)
        ]
        summary = "\n  ".join(dict.fromkeys(problems[-15:])) or "(see the log)"
        raise BuildError(f"{builder} 构建失败 / {builder} build failed:\n  {summary}\n  full log: {log_path}")
    return executed


def timeout_message(root: Path, log_lines: list[str], log_path: Path) -> str:
    """A cell ran past _config.yml's execute.timeout: which chapter, and the data it reads (a value that makes a
    chart or a loop enormous is the usual cause), instead of nbclient's bare CellTimeoutError."""
    match = re.search(r"^\s*timeout:\s*(\d+)", (root / "_config.yml").read_text(encoding="utf-8"), flags=re.MULTILINE)
    seconds = f"{match.group(1)} 秒" if match else "规定的时间"
    chapters = dict.fromkeys(line.split(":", 1)[0].strip() for line in log_lines
                             if "Executing notebook failed" in line and ":" in line)
    described = []
    for chapter in chapters:
        path = Path(chapter)
        if not path.is_file():
            continue
        names = declared(path.read_text(encoding="utf-8"), chapter)
        reads = ("data/ 中的全部数据" if names == ALL else
                 "、".join(f"data/{name}.csv" for name in names or []) or "（未声明数据）")
        shown = path.resolve().relative_to(root.resolve()).as_posix() if path.resolve().is_relative_to(root.resolve()) else chapter
        described.append(f"{shown}（读取 {reads}）")
    where = "；".join(described) or "（见日志）"
    return (f"章节运行超时 / a chapter's cell ran longer than {seconds}（_config.yml 的 execute.timeout）而被中止："
            f"{where}。请检查这些数据文件最近的改动：一个异常的值（例如多打一位数字的年份）会让图表或计算变得极大。"
            f"\n  full log: {log_path}")


WEB_ONLY = ("_static/web/", "_templates/")  # in book/: what the web pages use and the PDFs do not


def latex_inputs_digest(root: Path, snapshot: Path, epoch: str) -> str:
    """What the LaTeX pass reads: the book's sources and helpers (not the web-only assets), the data, the
    configuration, the date."""
    h = hashlib.sha256(epoch.encode())
    h.update(tree_digest(root / "book", leave_out=WEB_ONLY).encode())
    h.update(tree_digest(snapshot).encode())
    for name in ("_config.yml", "_toc.yml"):
        h.update((root / name).read_bytes())
    return h.hexdigest()


def build_pdfs(root: Path, env: dict[str, str], digest: str) -> tuple[dict[str, list[Path]], bool]:
    """The PDFs of each edition, typeset again only when their inputs changed; returns them by edition and
    whether LaTeX ran."""
    pdfs, typeset = {}, False
    for edition in EDITIONS:
        pdfs[edition], ran = _edition_pdfs(root, env, digest, edition)
        typeset = typeset or ran
    return pdfs, typeset


def _edition_pdfs(root: Path, env: dict[str, str], digest: str, edition: str) -> tuple[list[Path], bool]:
    latex = edition_output(root, edition) / "latex"
    stamp = work_dir(root) / ("latex-inputs.sha256" if edition == SC else f"latex-inputs-{edition}.sha256")
    from szhk_sphinx.pdf import pdf_files

    pdfs = [latex / name for name in pdf_files(edition)]
    if stamp.is_file() and stamp.read_text() == digest and all(p.is_file() for p in pdfs):
        return pdfs, False
    stamp.unlink(missing_ok=True)
    for stale in [*latex.glob("*.tex"), *pdfs]:  # after the pass, exactly this build's documents are there
        stale.unlink(missing_ok=True)
    run_jupyter_book(root, "pdflatex", env, edition)
    missing = [p.name for p in pdfs if not p.is_file()]
    if missing:
        raise BuildError(f"PDF 未生成 / the LaTeX build made no {', '.join(missing)} in {latex}")
    stamp.write_text(digest)
    return pdfs, True


# --------------------------------------------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------------------------------------------
_USED = re.compile(r"(_images|_downloads)/[^\s\"'<>)#?]+")


def _referenced(html_dir: Path) -> set[str]:
    """Paths under _images/ and _downloads/ that some page, script or stylesheet names."""
    found: set[str] = set()
    for page in html_dir.rglob("*"):
        if page.suffix in {".html", ".js", ".css"} and page.is_file():
            found.update(m.group(0) for m in _USED.finditer(page.read_text(encoding="utf-8", errors="replace")))
    return {re.sub(r"%[0-9A-Fa-f]{2}", lambda m: bytes.fromhex(m.group(0)[1:]).decode("latin-1"), f) for f in found}


def stage_site(root: Path, pdfs: dict[str, list[Path]], data: Path | None = None, inputs: str | None = None) -> Path:
    """A complete new edition beside the published one: html/ (only files its pages use) and pdf/; with `data`
    (the snapshot it was built from) also record/ and the change report (html/changes.html, changes.txt); with
    `inputs`, inputs.sha256 (what the no-op check compares)."""
    staged = root / "_build" / STAGING
    try:
        return _stage(root, staged, pdfs, data, inputs)
    except BaseException:  # a full disk, a kill: no half-made edition is left behind
        shutil.rmtree(staged, ignore_errors=True)
        raise


def _copy_pages(source: Path, html: Path) -> None:
    """An edition's web pages, with only the images and downloads its pages use (Sphinx leaves the files of
    earlier builds there)."""
    shutil.copytree(source, html, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    used = _referenced(html)
    for folder in ("_images", "_downloads"):
        for path in sorted((html / folder).rglob("*"), reverse=True):
            relative = path.relative_to(html).as_posix()
            if path.is_file() and relative not in used and not any(u.startswith(relative) for u in used):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def _stage(root: Path, staged: Path, pdfs: dict[str, list[Path]], data: Path | None, inputs: str | None) -> Path:
    build = staged.parent
    shutil.rmtree(staged, ignore_errors=True)
    html = staged / "html"
    _copy_pages(jb_output(root) / "html", html)
    hk_pages = html / HK_FOLDER  # the HK edition's pages, with their own images and downloads
    _copy_pages(edition_output(root, HK) / "html", hk_pages)
    if data is not None:
        import changes  # tools/changes.py, beside this file: the record of this edition and the change report

        changes.write_changes(build, staged, data, root / "book" / changes.BIBLIOGRAPHY, jb_output(root) / ".doctrees")
        convert_change_page(staged, hk_pages)
    if inputs is not None:
        (staged / INPUTS_FILE).write_text(inputs + "\n", encoding="utf-8")
    from szhk_sphinx.pdf import published_pdf_name
    from szhk_sphinx.web import PDF_DOWNLOAD_DIR

    for edition, pages in ((SC, html), (HK, hk_pages)):
        (pages / PDF_DOWNLOAD_DIR).mkdir(parents=True, exist_ok=True)
        (staged / "pdf").mkdir(parents=True, exist_ok=True)
        for pdf in pdfs[edition]:
            # the HK pages link the -hk names (szhk_sphinx.hant): a reader saving both editions keeps both
            shutil.copy2(pdf, pages / PDF_DOWNLOAD_DIR / published_pdf_name(pdf.name, edition))
            shutil.copy2(pdf, staged / "pdf" / published_pdf_name(pdf.name, edition))
    hk_names = {pdf.name for pdf in pdfs[HK]}
    for pdf in pdfs[SC]:  # what the HK edition does not make itself (the English briefing), its pages link as is
        if pdf.name not in hk_names:
            shutil.copy2(pdf, hk_pages / PDF_DOWNLOAD_DIR / pdf.name)
    digest = hashlib.sha256(tree_digest(staged).encode()).hexdigest()[:12]
    final = build / f".site-{digest}"
    if final.exists():  # the same edition again: keep the published folder, drop the copy
        shutil.rmtree(staged)
        return final
    staged.rename(final)
    return final


def convert_change_page(staged: Path, hk_pages: Path) -> None:
    """The change report for readers of the HK edition: the same page (tools/changes.py), its text converted and
    its quotation marks Hong Kong's (the page is the editor's words; its terms are left as the sources name them)."""
    import changes
    from szhk_hant import EditorText, converter

    page = staged / "html" / changes.PAGE
    if page.is_file():
        text = EditorText(words=())(converter().convert_html(page.read_text(encoding="utf-8")))
        (hk_pages / changes.PAGE).write_text(text.replace('lang="zh-CN"', 'lang="zh-HK"'), encoding="utf-8")

def _replace_link(link: Path, target: str) -> None:
    """Point the symlink `link` at `target` in one rename (atomic on POSIX)."""
    temporary = link.with_name(f".{link.name}.new")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)


def publish(root: Path, site: Path) -> bool:
    """Switch _build/site to `site`; returns False when that edition was already published."""
    build = root / "_build"
    current = build / "site"
    if current.is_symlink() and os.readlink(current) == site.name:
        return False
    _replace_link(current, site.name)
    for name in PUBLISHED_LINKS:  # _build/html, _build/pdf: fixed links into the published site
        link = build / name
        if not link.is_symlink():
            if link.is_dir():
                shutil.rmtree(link)  # a folder left by an older version of this script
            _replace_link(link, f"site/{name}")
    prune(root, site.name)  # earlier editions, now unreferenced
    return True


def prune(root: Path, keep: str | None = None) -> list[Path]:
    """Remove what lies beside the published edition in _build/: editions no longer published and a half-made
    .site-staging, i.e. every .site-* folder but `keep` (by default the one _build/site points to). publish() calls
    it once it has switched, `make clean` (--clean) at any time. Returns what it removed."""
    build = root / "_build"
    if keep is None and (build / "site").is_symlink():
        keep = os.readlink(build / "site")
    removed = sorted(old for old in build.glob(".site-*") if old.name != keep)
    for old in removed:
        shutil.rmtree(old, ignore_errors=True)
    return removed


def build(root: Path = ROOT, *, html_only: bool = False) -> dict[str, object]:
    """Build into the work folder, then publish; BuildError (nothing published) or PublishError on failure.
    With `html_only`, the web pages alone, left in the work folder (a quick look while editing; nothing published)."""
    work = work_dir(root)
    started = time.perf_counter()
    with locked(work):
        epoch, date_basis = date_source(root)
        if not html_only and published_inputs(root) == inputs_digest(root, epoch, root / "data"):
            print("[html] 0 notebook(s) executed (nothing the build reads changed since the published edition: "
                  "Jupyter Book not run)\n[pdf] inputs unchanged: LaTeX not run")
            print(f"unchanged (same edition): _build/html, _build/pdf ({time.perf_counter() - started:.1f} s)")
            return {"executed": [], "typeset": False, "published": False, "skipped": True}
        snapshot = snapshot_data(root, work)
        inputs = inputs_digest(root, epoch, snapshot)  # what this edition is built from (data/ may change meanwhile)
        env = _environment(root, snapshot, epoch)
        env[DATE_BASIS_ENV] = date_basis
        discard_corrupt_cache_entries(jb_output(root) / JUPYTER_CACHE)
        print(f"[html] jupyter-book build → {jb_output(root) / 'html'}")
        executed = html_pass(root, env)
        print(f"[html] {len(executed)} notebook(s) executed" + (f": {', '.join(executed)}" if executed else ""))
        if html_only:
            print(f"未发布 / not published: the web pages are in {jb_output(root) / 'html'} "
                  f"({time.perf_counter() - started:.1f} s); make build also makes the PDFs and publishes both")
            return {"executed": executed, "typeset": False, "published": False}
        pdfs, typeset = build_pdfs(root, env, latex_inputs_digest(root, snapshot, epoch))
        print("[pdf] typeset with XeLaTeX" if typeset else "[pdf] inputs unchanged: LaTeX not run")
        try:
            site = stage_site(root, pdfs, snapshot, inputs)
            report = (site / "changes.txt").read_text(encoding="utf-8")
            changed = publish(root, site)
        except OSError as error:  # e.g. a full disk: the half-made copy goes, the published edition stays
            shutil.rmtree(root / "_build" / STAGING, ignore_errors=True)
            state = "仍为上一版 / the previous edition is still published"
            raise PublishError(f"发布失败 / publishing failed: {one_line(error)}; {state}") from None
    print(report, end="")
    print(("published: " if changed else "unchanged (same edition): ") + "_build/html, _build/pdf "
          f"({time.perf_counter() - started:.1f} s)")
    return {"executed": executed, "typeset": typeset, "published": changed, "skipped": False}


def one_line(error: OSError) -> str:
    """An OSError in one line: what and where. shutil.copytree gathers one error per file into a list (a full disk
    gave an 8.6 KB message): the first of them and their count."""
    if isinstance(error, shutil.Error) and error.args and isinstance(error.args[0], list) and error.args[0]:
        source, _, reason = error.args[0][0]
        more = len(error.args[0]) - 1
        return f"{reason} ({source})" + (f"，另有 {more} 个文件同样失败 / and {more} more files" if more else "")
    return f"{error.strerror or error}" + (f" ({error.filename})" if error.filename else "")


def discard_corrupt_cache_entries(cache: Path) -> None:
    """Jupyter-cache writes an executed notebook in place: a full disk or a kill leaves a truncated one, and every
    later build would fail reading it (NotJSONError). Each entry that is not a whole notebook is removed from the
    cache, with one line; its chapter is executed again. A cache whose database cannot be read is removed whole."""
    executed = cache / "executed"
    if not executed.is_dir():
        return
    damaged = []
    for notebook in sorted(executed.glob("*/base.ipynb")):
        try:
            json.loads(notebook.read_bytes())
        except (OSError, ValueError):
            damaged.append(notebook.parent)
    if not damaged:
        return
    from jupyter_cache import get_cache  # only when there is something to repair

    try:
        jupyter_cache = get_cache(cache)
        records = {record.hashkey: record for record in jupyter_cache.list_cache_records()}
        for folder in damaged:
            record = records.get(folder.name)  # an entry's folder is named by its hash key
            if record is not None:
                jupyter_cache.remove_cache(record.pk)
            shutil.rmtree(folder, ignore_errors=True)
            print(f"已丢弃损坏的缓存条目 / discarded a damaged jupyter-cache entry: {folder} "
                  f"({record.uri if record else 'no record'}); it is executed again", flush=True)
    except Exception as error:  # noqa: BLE001 - the cache's own database is damaged: start it afresh
        shutil.rmtree(cache, ignore_errors=True)
        print(f"已丢弃损坏的 jupyter-cache / discarded the damaged jupyter-cache ({type(error).__name__}): "
              "every chapter is executed again", flush=True)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="make build: the web pages and the PDFs, published together")
    parser.add_argument("--html-only", action="store_true",
                        help="build the web pages only, into _build/.work/_build/html, and publish nothing")
    parser.add_argument("--clean", action="store_true",
                        help="build nothing; remove what stopped builds left beside the published edition (make clean)")
    options = parser.parse_args(argv)
    if options.clean:
        for folder in prune(ROOT):
            print(f"rm -rf {folder.relative_to(ROOT)}")
        return 0
    for sig in (signal.SIGTERM, signal.SIGHUP):  # stop like Ctrl-C: the children first, then the lock
        signal.signal(sig, _interrupt)
    try:
        build(ROOT, html_only=options.html_only)
    except (KeyboardInterrupt, Interrupted) as stop:
        why = "Ctrl-C" if isinstance(stop, KeyboardInterrupt) else str(stop)
        print(f"\n构建已中断（{why}），未发布；上一次成功构建的版本保持不变。 Build interrupted ({why}); nothing was "
              "published, the last good edition is unchanged.", file=sys.stderr)
        return 130
    except BuildError as error:
        print(f"\n{error}\n上一次成功构建的 _build/html 与 _build/pdf 保持不变。 "
              "The last good _build/html and _build/pdf are unchanged.", file=sys.stderr)
        return 1
    except PublishError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    except OSError as error:  # e.g. a full disk: one line, not a traceback
        print(f"\n构建失败 / build failed: {one_line(error)}; "
              "上一次成功构建的版本保持不变 / the last good edition is unchanged.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
