"""make build: Jupyter Book builds the HTML and the PDFs in a work folder, then one rename publishes both.

    python tools/build.py              (make build)
    python tools/build.py --html-only  (the web pages alone, in _build/.work/_build/html; nothing published)

1. Under a lock, data/ is copied to a snapshot in the work folder: the whole build reads that copy, so a CSV
   saved mid-build cannot mix two data versions (the kernels also check every file they read against the digest
   the chapter's cache key was made from). `python -m szhk.data` validates every file of the snapshot once and
   caches the typed frames the chapters read.
2. `jupyter-book build . --path-output _build/.work -n -W --keep-going`, then the same with
   `--builder pdflatex` (XeLaTeX, shell escape off). The LaTeX pass is skipped when nothing it reads changed.
3. Publish: a new folder `_build/site-<digest>/` gets `html/` (only the files the pages use, the PDFs inside
   `_downloads/pdf/`) and `pdf/`; then the symlink `_build/site` is switched to it by one rename.
   `_build/html` and `_build/pdf` are fixed links into `_build/site`. A crash at any moment leaves the old
   edition or the new one, never a mix and never none. A failed build publishes nothing.

Dates in the outputs come from the commit the book is built from (SOURCE_DATE_EPOCH), so two builds of the
same commit publish the same bytes.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from szhk_names import BUILD_ENV, CACHE_DIR_ENV, DATA_DIR_ENV, EPOCH_ENV, ROOT_ENV
from szhk_sphinx import changes
from szhk_sphinx.pdf import PDF_FILES
from szhk_sphinx.reexecution import tree_digest
from szhk_sphinx.web import PDF_DOWNLOAD_DIR

ROOT = Path(__file__).resolve().parents[1]
WORK_NAME = Path("_build") / ".work"
JB_FLAGS = ("-n", "-W", "--keep-going")
EXECUTING = "Executing notebook"  # myst-nb's log line for each notebook it executes (cache misses)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NOISE = ("Kernel is running over TCP without encryption",)  # every kernel start prints it; nothing to act on
KERNEL_SPECS = Path(__file__).resolve().parent  # holds kernels/python3/kernel.json (JUPYTER_PATH layout)
PUBLISHED_LINKS = ("html", "pdf")  # _build/html -> site/html, _build/pdf -> site/pdf


class BuildError(Exception):
    """The build failed; the published edition was not touched."""


class PublishError(Exception):
    """Publishing failed; the message says which edition is published."""


def work_dir(root: Path) -> Path:
    return root / WORK_NAME


def jb_output(root: Path) -> Path:
    """Where jupyter-book writes (html/, latex/, .jupyter_cache/, .doctrees/)."""
    return work_dir(root) / "_build"


@contextmanager
def locked(work: Path) -> Iterator[None]:
    """One build at a time per project (two would corrupt each other's Sphinx environment)."""
    work.mkdir(parents=True, exist_ok=True)
    with open(work / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def source_date_epoch(root: Path) -> str:
    """The commit's time (git), else the newest modification time of the sources: what the edition's dates show."""
    if EPOCH_ENV in os.environ:
        return os.environ[EPOCH_ENV]
    done = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"], capture_output=True, text=True)
    if done.returncode == 0 and done.stdout.strip().isdigit():
        return done.stdout.strip()
    newest = max(p.stat().st_mtime for folder in ("book", "data") for p in (root / folder).rglob("*") if p.is_file())
    return str(int(newest))


def snapshot_data(root: Path, work: Path) -> Path:
    """A private copy of data/ for this build (what every page and kernel reads)."""
    snapshot = work / "data"
    shutil.rmtree(snapshot, ignore_errors=True)
    shutil.copytree(root / "data", snapshot, ignore=shutil.ignore_patterns(".*", "~*"))
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


def html_pass(root: Path, env: dict[str, str]) -> list[str]:
    """The data validated once, then `jupyter-book build` of the web pages; returns the chapters executed."""
    validate_data(root, env)
    return run_jupyter_book(root, "html", env)


def run_jupyter_book(root: Path, builder: str, env: dict[str, str]) -> list[str]:
    """One `jupyter-book build` into the work folder; returns the chapters myst-nb executed."""
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb), "build", str(root), "--path-output", str(work_dir(root)), *JB_FLAGS, "--builder", builder]
    log_path = work_dir(root) / "logs" / f"{builder}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    log = process.stdout + process.stderr
    log_path.write_text(log, encoding="utf-8")
    plain = [_ANSI.sub("", line) for line in log.splitlines()]
    executed = sorted({Path(line.split(":", 1)[0]).resolve().relative_to(root.resolve()).as_posix()
                       for line in plain if EXECUTING in line})
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


def build_pdfs(root: Path, env: dict[str, str], digest: str) -> tuple[list[Path], bool]:
    """The PDFs, typeset again only when their inputs changed; returns them and whether LaTeX ran."""
    latex = jb_output(root) / "latex"
    stamp = work_dir(root) / "latex-inputs.sha256"
    pdfs = [latex / name for name in PDF_FILES]
    if stamp.is_file() and stamp.read_text() == digest and all(p.is_file() for p in pdfs):
        return pdfs, False
    stamp.unlink(missing_ok=True)
    for stale in [*latex.glob("*.tex"), *pdfs]:  # after the pass, exactly this build's documents are there
        stale.unlink(missing_ok=True)
    run_jupyter_book(root, "pdflatex", env)
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


def stage_site(root: Path, pdfs: list[Path], data: Path | None = None) -> Path:
    """A complete new edition beside the published one: html/ (only files its pages use) and pdf/; with `data`
    (the snapshot it was built from) also data/ and the change report (html/changes.html, changes.txt)."""
    build = root / "_build"
    staged = build / ".site-staging"
    shutil.rmtree(staged, ignore_errors=True)
    html = staged / "html"
    shutil.copytree(jb_output(root) / "html", html, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))
    used = _referenced(html)
    for folder in ("_images", "_downloads"):  # Sphinx leaves the files of earlier builds there
        for path in sorted((html / folder).rglob("*"), reverse=True):
            relative = path.relative_to(html).as_posix()
            if path.is_file() and relative not in used and not any(u.startswith(relative) for u in used):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    if data is not None:
        write_changes(root, staged, data)
    for target in (staged / "pdf", html / PDF_DOWNLOAD_DIR):
        target.mkdir(parents=True, exist_ok=True)
        for pdf in pdfs:
            shutil.copy2(pdf, target / pdf.name)
    digest = hashlib.sha256(tree_digest(staged).encode()).hexdigest()[:12]
    final = build / f".site-{digest}"
    if final.exists():  # the same edition again: keep the published folder, drop the copy
        shutil.rmtree(staged)
        return final
    staged.rename(final)
    return final


def write_changes(root: Path, staged: Path, data: Path) -> None:
    """Compare the staged edition with the published one: changes.html in the site, changes.txt for the terminal.
    When nothing changed, the page of the published edition stays (it says what that edition changed), so two
    builds of the same commit still publish the same bytes."""
    shutil.copytree(data, staged / changes.DATA_COPY)
    published = (root / "_build" / "site").resolve() if (root / "_build" / "site").exists() else None
    sections = changes.report(published, staged, staged / changes.DATA_COPY)
    compared = bool(sections)
    (staged / "changes.txt").write_text(changes.as_text(sections, compared) + "\n", encoding="utf-8")
    kept = published / "html" / changes.PAGE if published else None
    if compared and not any(sections.values()) and kept is not None and kept.is_file():
        shutil.copy2(kept, staged / "html" / changes.PAGE)
    else:
        changes.write_page(staged / "html" / changes.PAGE, sections, compared, changes.history(root))


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
    for old in build.glob(".site-*"):  # earlier editions, now unreferenced
        if old.name != site.name:
            shutil.rmtree(old, ignore_errors=True)
    return True


def build(root: Path = ROOT, *, html_only: bool = False) -> dict[str, object]:
    """Build into the work folder, then publish; BuildError (nothing published) or PublishError on failure.
    With `html_only`, the web pages alone, left in the work folder (a quick look while editing; nothing published)."""
    work = work_dir(root)
    started = time.perf_counter()
    with locked(work):
        snapshot = snapshot_data(root, work)
        epoch = source_date_epoch(root)
        env = _environment(root, snapshot, epoch)
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
            site = stage_site(root, pdfs, snapshot)
            report = (site / "changes.txt").read_text(encoding="utf-8")
            changed = publish(root, site)
        except OSError as error:
            state = "仍为上一版 / the previous edition is still published"
            raise PublishError(f"发布失败 / publishing failed: {error.strerror or error} ({error.filename}); {state}")
    print(report, end="")
    print(("published: " if changed else "unchanged (same edition): ") + "_build/html, _build/pdf "
          f"({time.perf_counter() - started:.1f} s)")
    return {"executed": executed, "typeset": typeset, "published": changed}


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description="make build: the web pages and the PDFs, published together")
    parser.add_argument("--html-only", action="store_true",
                        help="build the web pages only, into _build/.work/_build/html, and publish nothing")
    options = parser.parse_args(argv)
    try:
        build(ROOT, html_only=options.html_only)
    except BuildError as error:
        print(f"\n{error}\n上一次成功构建的 _build/html 与 _build/pdf 保持不变。 "
              "The last good _build/html and _build/pdf are unchanged.", file=sys.stderr)
        return 1
    except PublishError as error:
        print(f"\n{error}", file=sys.stderr)
        return 1
    except OSError as error:  # e.g. a full disk: one line, not a traceback
        print(f"\n构建失败 / build failed: {error.strerror or error} ({error.filename}); "
              "上一次成功构建的版本保持不变 / the last good edition is unchanged.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
