"""Atomic builds of the report, and the build benchmark.

    python -m szhk.build            # HTML, then PDFs; publish both only if everything succeeded  (make build)
    python -m szhk.build --html     # HTML only                                                   (make html)
    python -m szhk.build --pdf      # PDFs only                                                   (make pdf)
    python -m szhk.build --bench    # timings on a temporary copy                                 (make bench)

Jupyter Book builds into a work directory that persists between builds (`_build/.work/`: Sphinx environment,
jupyter-cache, LaTeX files), so rebuilds are incremental. Readers' copies — `_build/html/` and `_build/pdf/` —
are replaced by a rename only when the whole build succeeded; a failed build leaves them exactly as they were.

Before the Sphinx pass, chapters whose outputs are not in the jupyter-cache are executed in parallel (one process
per core) and stored in the cache under the key myst-nb will look up (same notebook text, including the guard cell
that szhk.deps injects), so the Sphinx pass finds them all cached.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import csv
import dataclasses
import fcntl
import hashlib
import io
import json
import multiprocessing
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from szhk import deps

ROOT = deps.ROOT
# Work directory (jupyter-book --path-output; its outputs land in WORK/_build/{html,latex,.jupyter_cache,
# .doctrees}). Published: ROOT/_build/html and ROOT/_build/pdf.
WORK_NAME = Path("_build") / ".work"
WORK = ROOT / WORK_NAME
JB_FLAGS = ("-n", "-W", "--keep-going")
EXECUTING = "Executing notebook"  # myst-nb's log line for each notebook it executes (cache misses)
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Noise that every kernel start prints to stderr (nothing a maintainer can act on).
_NOISE = ("Kernel is running over TCP without encryption",)


class BuildError(Exception):
    """The build failed; the published output was not touched."""


@dataclasses.dataclass
class StepResult:
    name: str
    seconds: float
    executed: list[str]


def _jb_output(work: Path) -> Path:
    return work / "_build"


def _sphinx_config(root: Path) -> dict[str, Any]:
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(
        user_yaml=root / "_config.yml",
        cli_config={"latex_individualpages": False},
        sourcedir=root,
        use_external_toc=True,
    )
    return config


def _toc_files(root: Path) -> list[Path]:
    """The documents _toc.yml lists (only these are built: only_build_toc_files)."""
    import yaml

    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8")))
    paths = []
    for name in found:
        for suffix in ("", ".md", ".ipynb"):
            path = root / f"{name}{suffix}"
            if path.is_file():
                paths.append(path)
                break
    return paths


# --------------------------------------------------------------------------------------------------------------
# Parallel pre-execution into the jupyter-cache
# --------------------------------------------------------------------------------------------------------------
def _quiet_kernels(log_path: str) -> None:
    """Worker initialiser: kernels' stderr (e.g. ipykernel's TCP notice) goes to a log, not the console."""
    handle = open(log_path, "a")  # noqa: SIM115 - stays open for the worker's lifetime
    os.dup2(handle.fileno(), 2)


def _execute_notebook(nb_json: str, cwd: str, timeout: int, allow_errors: bool) -> tuple[str, float, str | None]:
    """In a worker process: execute the notebook the way myst-nb does; return it, its runtime and any error."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    for attempt in range(1, 4):
        notebook = nbformat.reads(nb_json, as_version=4)
        try:
            result = single_nb_execution(notebook, cwd=cwd, timeout=timeout, allow_errors=allow_errors, meta_override=True)
        except RuntimeError as error:
            # Two kernels started at the same moment can race for the same TCP ports, and one dies at start
            # ("Kernel died before replying to kernel_info"): start it again. Cell errors never come here.
            if attempt == 3:
                raise
            print(f"kernel start failed ({error}); attempt {attempt + 1}", file=sys.stderr)
            continue
        error_text = None if result.err is None else (result.exc_string or repr(result.err))
        return nbformat.writes(notebook), result.time, error_text
    raise AssertionError("unreachable")


def _last_error_line(text: str) -> str:
    """The line of a traceback that says what went wrong (e.g. `DependencyError: book/x.md loads …`)."""
    lines = [_ANSI.sub("", line).strip() for line in text.splitlines()]
    errors = [line for line in lines if re.match(r"^[A-Za-z_.]*(Error|Exception)\b.*:", line)]
    return errors[-1] if errors else (lines[-1] if lines else "")


def pre_execute(root: Path, work: Path, jobs: int) -> list[str]:
    """Execute, `jobs` at a time, the chapters the jupyter-cache has no outputs for; returns their paths."""
    notebooks: dict[str, tuple[Path, str]] = {}
    for path in _toc_files(root):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".md" and deps.is_notebook(text):
            chapter = path.relative_to(root).as_posix()
            # The same text myst-nb parses after szhk.deps' source-read hook, hence the same cache key.
            notebooks[chapter] = (path, deps.inject(text, chapter))
    # What the last complete pre-execution saw: if nothing differs, every notebook is in the cache already and
    # the (slow to import) cache need not be opened — this keeps a no-op rebuild fast.
    state = {chapter: hashlib.sha256(text.encode()).hexdigest() for chapter, (_, text) in notebooks.items()}
    state["_config.yml"] = hashlib.sha256((root / "_config.yml").read_bytes()).hexdigest()
    manifest = work / "pre-executed.json"
    if (_jb_output(work) / ".jupyter_cache").is_dir() and manifest.is_file():
        if json.loads(manifest.read_text(encoding="utf-8")) == state:
            return []

    import nbformat
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    config = _sphinx_config(root)
    if config.get("nb_execution_mode", "cache") != "cache":
        return []
    md_fields = {f.name for f in dataclasses.fields(MdParserConfig)}
    md_config = MdParserConfig(
        **{k[len("myst_") :]: v for k, v in config.items() if k.startswith("myst_") and k[len("myst_") :] in md_fields}
    )
    cache_path = config.get("nb_execution_cache_path") or _jb_output(work) / ".jupyter_cache"
    cache = get_cache(str(cache_path))

    todo: list[tuple[str, Path, Any]] = []
    for chapter, (path, text) in notebooks.items():
        notebook = read_myst_markdown_notebook(text, config=md_config, add_source_map=True, path=str(path))
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            todo.append((chapter, path, notebook))
    if not todo:
        manifest.write_text(json.dumps(state, indent=1), encoding="utf-8")
        return []

    # Longest first (as last measured; never-run chapters first, longest text first), so that the two workers
    # finish together instead of one waiting for a long chapter started last.
    timings_path = work / "execution-seconds.json"
    timings: dict[str, float] = json.loads(timings_path.read_text(encoding="utf-8")) if timings_path.is_file() else {}
    todo.sort(key=lambda item: (item[0] in timings, -timings.get(item[0], len(notebooks[item[0]][1]))))
    started = time.perf_counter()
    timeout = int(config.get("nb_execution_timeout", 300))
    allow_errors = bool(config.get("nb_execution_allow_errors", False))
    failures: dict[str, list[str]] = {}  # the error (often the same bad CSV for several chapters) -> chapters
    complete = True
    executed: list[str] = []
    # Kernels inherit the environment: chapters import szhk from this project's book/.
    os.environ["PYTHONPATH"] = os.pathsep.join([str(root / "book"), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    context = multiprocessing.get_context("spawn")
    kernel_log = work / "logs" / "kernels.log"
    kernel_log.parent.mkdir(parents=True, exist_ok=True)
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=max(1, jobs), mp_context=context, initializer=_quiet_kernels, initargs=(str(kernel_log),)
    ) as pool:
        futures = {
            pool.submit(_execute_notebook, nbformat.writes(nb), str(path.parent), timeout, allow_errors): (ch, path)
            for ch, path, nb in todo
        }
        for future in concurrent.futures.as_completed(futures):
            chapter, path = futures[future]
            try:
                nb_json, seconds, error = future.result()
            except Exception as exc:  # the kernel would not start: myst-nb executes it in the Sphinx pass instead
                print(f"  {chapter}: not pre-executed ({exc.__class__.__name__}: {exc}); the Sphinx pass will execute it")
                complete = False
                continue
            if error is not None:
                report = work / "logs" / (chapter.replace("/", "__") + ".err.log")
                report.write_text(_ANSI.sub("", error), encoding="utf-8")
                failures.setdefault(_last_error_line(error), []).append(f"{chapter} (traceback: {report})")
                continue
            cache.cache_notebook_bundle(
                CacheBundleIn(nbformat.reads(nb_json, as_version=4), str(path), data={"execution_seconds": seconds}),
                check_validity=False,
                overwrite=True,
            )
            executed.append(chapter)
            timings[chapter] = round(seconds, 2)
            print(f"  executed {chapter} ({seconds:.1f} s)")
    timings_path.write_text(json.dumps(timings, indent=1, sort_keys=True), encoding="utf-8")
    print(f"  pre-executed {len(executed)} notebook(s) in {time.perf_counter() - started:.1f} s with {jobs} processes")
    if failures:
        lines = [f"{message}\n    in: " + "\n        ".join(sorted(chapters)) for message, chapters in failures.items()]
        raise BuildError("执行失败 / a chapter failed to execute:\n  " + "\n  ".join(lines))
    if complete:
        manifest.write_text(json.dumps(state, indent=1), encoding="utf-8")
    return sorted(executed)


# --------------------------------------------------------------------------------------------------------------
# Sphinx passes
# --------------------------------------------------------------------------------------------------------------
def _run_jupyter_book(root: Path, work: Path, builder: str, log_path: Path, jobs: int = 1) -> list[str]:
    """One `jupyter-book build` into the work directory; returns the chapters myst-nb executed."""
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb), "build", str(root), "--path-output", str(work), *JB_FLAGS]
    if builder != "html":
        command += ["--builder", builder]
    env = dict(os.environ, PYTHONPATH=str(root / "book"))
    # jupyter-book runs `make all-pdf` in the LaTeX directory: with -j the book and the briefing are typeset
    # side by side (measured: 10.4 s -> 8.5 s for a cold PDF pass).
    env["MAKEFLAGS"] = f"-j{max(1, jobs)}"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    process = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    log = process.stdout + process.stderr
    log_path.write_text(log, encoding="utf-8")
    plain = [_ANSI.sub("", line) for line in log.splitlines()]
    executed = sorted(
        {Path(line.split(":", 1)[0]).resolve().relative_to(root.resolve()).as_posix() for line in plain if EXECUTING in line}
    )
    for chapter in executed:
        print(f"  executed {chapter}")
    if process.returncode != 0:
        problems = [
            line.strip()
            for line in plain
            if ("WARNING" in line or "ERROR" in line or line.startswith("! ")  # "! …": a TeX error
                or re.match(r"^\s*[A-Za-z_.]*(Error|Exception)\b.*:", line))
            and not any(noise in line for noise in _NOISE)
        ]
        summary = "\n  ".join(dict.fromkeys(problems[-15:])) or "(see the log)"
        raise BuildError(f"{builder} 构建失败 / {builder} build failed:\n  {summary}\n  full log: {log_path}")
    return executed


def _clear_latex_documents(work: Path) -> None:
    """Remove the previous .tex files: after the LaTeX pass, the .tex files present are exactly latex_documents'."""
    for tex in (_jb_output(work) / "latex").glob("*.tex"):
        tex.unlink()


def _latex_pdfs(work: Path) -> list[Path]:
    """The PDFs of this LaTeX pass, one per latex_documents target (e.g. szhk-report.pdf, szhk-briefing.pdf)."""
    latex = _jb_output(work) / "latex"
    texs = sorted(latex.glob("*.tex"))
    if not texs:
        raise BuildError(f"PDF 未生成 / the LaTeX build wrote no .tex file in {latex}")
    missing = [tex.with_suffix(".pdf").name for tex in texs if not tex.with_suffix(".pdf").is_file()]
    if missing:
        raise BuildError(f"PDF 未生成 / the LaTeX build made no {', '.join(missing)} in {latex}")
    return [tex.with_suffix(".pdf") for tex in texs]


# --------------------------------------------------------------------------------------------------------------
# Publishing: rename swap
# --------------------------------------------------------------------------------------------------------------
def _swap_in(staged: Path, published: Path) -> None:
    old = published.with_name(f".{published.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if published.exists():
        os.rename(published, old)
    os.rename(staged, published)
    shutil.rmtree(old, ignore_errors=True)


def publish(root: Path, work: Path, html: bool, pdf: bool) -> None:
    """Stage every output next to its published place first, then swap them in by renames."""
    build = root / "_build"
    swaps: list[tuple[Path, Path]] = []
    if html:
        staged = build / ".html.new"
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(_jb_output(work) / "html", staged)
        _copy_pdfs_into_html(staged, _latex_pdfs(work) if pdf else sorted((build / "pdf").glob("*.pdf")))
        swaps.append((staged, build / "html"))
    if pdf:
        staged = build / ".pdf.new"
        shutil.rmtree(staged, ignore_errors=True)
        staged.mkdir(parents=True)
        for source in _latex_pdfs(work):
            shutil.copy2(source, staged / source.name)
        swaps.append((staged, build / "pdf"))
    for staged, published in swaps:
        _swap_in(staged, published)
    if pdf and not html and (build / "html").is_dir():
        _copy_pdfs_into_html(build / "html", _latex_pdfs(work))


def _copy_pdfs_into_html(html_dir: Path, pdfs: list[Path]) -> None:
    """The web pages' download menus and front page link the PDFs inside the HTML (szhk.web)."""
    from szhk.web import PDF_DOWNLOAD_DIR  # imports Sphinx: only when publishing

    target = html_dir / PDF_DOWNLOAD_DIR
    target.mkdir(parents=True, exist_ok=True)
    for source in pdfs:
        shutil.copy2(source, target / source.name)


@contextmanager
def _locked(work: Path) -> Iterator[None]:
    """One build at a time per work directory (two would corrupt each other's Sphinx environment)."""
    work.mkdir(parents=True, exist_ok=True)
    with open(work / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def build(root: Path = ROOT, *, html: bool = True, pdf: bool = True, jobs: int = 2) -> list[StepResult]:
    """Build into the work directory, then publish; raises BuildError (published output untouched) on failure."""
    work = root / WORK_NAME
    steps: list[StepResult] = []
    with _locked(work):
        for builder, wanted in (("html", html), ("pdflatex", pdf)):
            if not wanted:
                continue
            start = time.perf_counter()
            print(f"[{builder}] building in {work} …")
            executed = pre_execute(root, work, jobs) if jobs > 1 else []
            if builder == "pdflatex":
                _clear_latex_documents(work)
            executed += _run_jupyter_book(root, work, builder, work / "logs" / f"{builder}.log", jobs)
            steps.append(StepResult(builder, time.perf_counter() - start, executed))
            print(f"[{builder}] done in {steps[-1].seconds:.1f} s, {len(executed)} notebook(s) executed")
        publish(root, work, html=html, pdf=pdf)
    print("published:", ", ".join(p for p, w in (("_build/html", html), ("_build/pdf", pdf)) if w))
    return steps


# --------------------------------------------------------------------------------------------------------------
# Benchmark
# --------------------------------------------------------------------------------------------------------------
_COPY_IGNORE = shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", ".pytest_cache", "artifacts", "node_modules")


def copy_project(root: Path, dest: Path) -> Path:
    """A copy of the project without outputs, caches or environments (for the benchmark and the tests)."""
    shutil.copytree(root, dest, ignore=_COPY_IGNORE)
    return dest


@dataclasses.dataclass
class BenchRow:
    step: str
    seconds: float  # wall clock: what a maintainer waits
    cpu_seconds: float  # all processes' CPU time: independent of other work on the machine
    executed: int
    load: float  # 1-minute load average when the step started


def _run_build(project: Path, step: str, *args: str) -> BenchRow:
    """`python -m szhk.build ARGS` in a project copy, timed."""
    env = dict(os.environ, PYTHONPATH=str(project / "book"))
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "szhk.build", *args], cwd=project, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # includes the kernels: every process waits for its own
    if process.returncode != 0:
        raise BuildError(f"benchmark build {' '.join(args)} failed:\n{process.stdout[-3000:]}\n{process.stderr[-3000:]}")
    executed = sum(int(m) for m in re.findall(r"done in [0-9.]+ s, (\d+) notebook", process.stdout))
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return BenchRow(step, seconds, cpu, executed, load)


def edit_one_csv(project: Path) -> tuple[str, list[str]]:
    """Change the bytes (not the values) of the CSV with the fewest readers: quote its last row. Returns the
    resource and its readers."""
    readers = deps.readers(project / "book")
    descriptor = json.loads((project / "data" / "datapackage.json").read_text(encoding="utf-8"))
    paths = {r["name"]: r["path"] for r in descriptor.get("resources", []) if isinstance(r.get("path"), str)}
    candidates = sorted((len(chapters), name) for name, chapters in readers.items() if name in paths)
    if not candidates:
        raise BuildError("no chapter declares a data resource (front matter `data:`): nothing to benchmark")
    name = candidates[0][1]
    path = project / "data" / paths[name]
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows[:-1])
    csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(rows[-1])  # same values, other bytes
    path.write_text(out.getvalue(), encoding="utf-8")
    return name, readers[name]


def bench(jobs: int) -> list[BenchRow]:
    rows: list[BenchRow] = []
    with tempfile.TemporaryDirectory(prefix="szhk-bench-") as tmp:
        serial = copy_project(ROOT, Path(tmp) / "serial")
        rows.append(_run_build(serial, "cold HTML build, serial (1 process)", "--html", "--jobs", "1"))
        project = copy_project(ROOT, Path(tmp) / "book")
        rows.append(_run_build(project, f"cold HTML build ({jobs} processes)", "--html", "--jobs", str(jobs)))
        rows.append(_run_build(project, "no-op rebuild", "--html", "--jobs", str(jobs)))
        name, readers = edit_one_csv(project)
        whole = [p.stem for p in sorted((project / "book").glob("*.md")) if deps.declared(p.read_text(encoding="utf-8")) == deps.ALL]
        rows.append(_run_build(project, f"one CSV edited ({name}.csv)", "--html", "--jobs", str(jobs)))
        rows.append(_run_build(project, "PDF build (after the HTML build)", "--pdf", "--jobs", str(jobs)))
        import pypdf  # the published PDFs' sizes and page counts (book < 5 MB, briefing <= 4 pages)

        pdfs = [(p.name, p.stat().st_size, len(pypdf.PdfReader(p).pages))
                for p in sorted((project / "_build" / "pdf").glob("*.pdf"))]
    print(f"\n{'step':<46} {'seconds':>8} {'CPU s':>8} {'executed':>9} {'load':>6}")
    for row in rows:
        print(f"{row.step:<46} {row.seconds:>8.1f} {row.cpu_seconds:>8.1f} {row.executed:>9} {row.load:>6.1f}")
    print(f"{name}.csv is read by: {', '.join(readers + whole)} (the last ones declare `data: all`)")
    print(f"{os.cpu_count()} cores. seconds = wall clock; CPU s = all processes' CPU time; load = 1-minute load "
          "average when the step started (other work on the machine slows the wall clock, not the CPU time)")
    print(f"\n{'PDF':<46} {'KB':>8} {'pages':>9}")
    for pdf_name, size, pages in pdfs:
        print(f"{pdf_name:<46} {size / 1024:>8.0f} {pages:>9}")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m szhk.build", description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--html", action="store_true", help="build and publish the HTML only")
    group.add_argument("--pdf", action="store_true", help="build and publish the PDFs only")
    group.add_argument("--bench", action="store_true", help="time cold, no-op, one-CSV and PDF builds on a copy")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="parallel executions")
    args = parser.parse_args(argv)
    try:
        if args.bench:
            bench(args.jobs)
        else:
            build(ROOT, html=not args.pdf, pdf=not args.html, jobs=args.jobs)
    except BuildError as error:
        print(f"\n{error}\n上一次成功构建的 _build/html 与 _build/pdf 保持不变。 "
              "The last good _build/html and _build/pdf are unchanged.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
