"""tools/build.py under hostile conditions (issue 23, items 1 and 7): a hanging cell, Ctrl-C, a kill, a wait on the
lock, a damaged cache entry, a full disk while publishing, no usable git, `make clean`. Each runs tools/build.py
on the one-page fixture project (conftest.one_page_project, with tools/ copied in) or calls its functions."""
from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, TOOLS, OnePage, build_env, commit_epoch, replace_once

sys.path.insert(0, str(TOOLS))
import build as build_tool  # noqa: E402  (tools/build.py)

SLEEPING_CELL = "\n```{code-cell} ipython3\n:tags: [remove-cell]\nimport time\ntime.sleep(600)\n```\n"


def with_tools(project: OnePage) -> OnePage:
    """The one-page project with tools/ beside it, so that its own tools/build.py builds it."""
    shutil.copytree(TOOLS, project.root / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    return project


def start(project: OnePage, *args: str) -> subprocess.Popen[str]:
    env = build_env(SOURCE_DATE_EPOCH=commit_epoch())
    return subprocess.Popen([sys.executable, str(project.root / "tools" / "build.py"), "--html-only", *args],
                            cwd=project.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def processes_of(project: Path) -> list[str]:
    """Command lines of running processes that name the project folder (jupyter-book, its kernels, …)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if str(project) in cmdline or cwd.startswith(str(project)):
            found.append(f"{proc.name}: {cmdline[:160]}")
    return found


def wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def executing(project: OnePage) -> bool:
    log = project.root / "_build" / ".work" / "logs" / "html.log"
    return log.is_file() and "Executing notebook" in log.read_text(encoding="utf-8", errors="replace")


def lock_is_free(project: OnePage) -> bool:
    with open(project.root / "_build" / ".work" / ".lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


# ---- A chapter that hangs ---------------------------------------------------------------------------------------
def test_the_cell_timeout_is_well_under_a_minute() -> None:
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    seconds = int(config.split("\n  timeout:", 1)[1].split()[0])
    assert seconds <= 45, seconds


def test_a_hanging_cell_fails_naming_the_chapter_and_the_data_it_reads(one_page_project: OnePage) -> None:
    project = with_tools(one_page_project)
    replace_once(project.root / "_config.yml", "timeout: 120", "timeout: 5")
    project.page.write_text(project.page.read_text(encoding="utf-8") + SLEEPING_CELL, encoding="utf-8")
    started = time.monotonic()
    done = start(project)
    out, err = done.communicate(timeout=600)
    output = out + err
    assert done.returncode == 1, output[-3000:]
    assert time.monotonic() - started < 300
    assert "page.md" in err and "data/probe.csv" in err and "5 秒" in err and "execute.timeout" in err, err[-3000:]
    assert "Traceback" not in output and "CellTimeoutError" not in err, err[-3000:]


# ---- Ctrl-C, a kill, the lock -------------------------------------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_stopping_the_build_stops_its_children_before_the_lock_is_free(one_page_project: OnePage, sig) -> None:
    project = with_tools(one_page_project)
    project.page.write_text(project.page.read_text(encoding="utf-8") + SLEEPING_CELL, encoding="utf-8")
    running = start(project)
    wait_for(lambda: executing(project), 300, "the notebook to start")
    assert processes_of(project.root)
    running.send_signal(sig)
    out, err = running.communicate(timeout=120)
    if sig != signal.SIGKILL:  # a kill -9 leaves nothing to print with
        assert running.returncode == 130, out + err
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and "构建已中断" in lines[0] and "Traceback" not in err, err
    wait_for(lambda: not processes_of(project.root), 60, "the children to stop")
    assert lock_is_free(project)
    assert not (project.root / "_build" / "html").exists()


def test_a_build_waiting_on_the_lock_says_so_in_one_line(one_page_project: OnePage) -> None:
    project = with_tools(one_page_project)
    work = project.root / "_build" / ".work"
    work.mkdir(parents=True)
    with open(work / ".lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        waiting = start(project)
        assert waiting.stdout is not None
        first = waiting.stdout.readline()
        assert "等待" in first and "another build is running" in first, first
        waiting.send_signal(signal.SIGINT)
        _, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 130 and "Traceback" not in err, err


# ---- A damaged cache entry --------------------------------------------------------------------------------------
def test_a_truncated_cache_notebook_is_discarded_with_one_line(one_page_project: OnePage) -> None:
    project = with_tools(one_page_project)
    first = start(project)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, (out + err)[-3000:]
    cached = list((project.root / "_build" / ".work" / "_build" / ".jupyter_cache" / "executed").glob("*/base.ipynb"))
    assert len(cached) == 1
    content = cached[0].read_bytes()
    cached[0].write_bytes(content[: len(content) // 2])  # the disk filled up while it was written
    # text edited, code not: the page is read again and its cache entry (same code, same key) looked up
    replace_once(project.page, "# 单页", "# 单页（改）")
    second = start(project)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, (out + err)[-3000:]
    notes = [line for line in out.splitlines() if "discarded a damaged jupyter-cache entry" in line]
    assert len(notes) == 1 and "page.md" in notes[0], out
    assert "1 notebook(s) executed" in out, out


# ---- A full disk while publishing -------------------------------------------------------------------------------
def test_a_full_disk_while_publishing_leaves_no_staging_and_says_one_line(tmp_path: Path, monkeypatch) -> None:
    html = build_tool.jb_output(tmp_path) / "html"
    (html / "_images").mkdir(parents=True)
    (html / "index.html").write_text("<p>新版</p>", encoding="utf-8")
    pdf = tmp_path / "szhk-report.pdf"
    pdf.write_bytes(b"%PDF-1.5")

    def full_disk(source, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(build_tool.shutil, "copy2", full_disk)
    with pytest.raises(OSError):
        build_tool.stage_site(tmp_path, {build_tool.SC: [pdf], build_tool.HK: []})
    assert not (tmp_path / "_build" / build_tool.STAGING).exists()
    many = shutil.Error([(f"/a/{n}.html", f"/b/{n}.html", "[Errno 28] No space left on device") for n in range(200)])
    line = build_tool.one_line(many)
    assert "\n" not in line and len(line) < 200 and "No space left" in line and "199" in line, line


def test_main_reports_a_full_disk_in_one_line(monkeypatch, capsys) -> None:
    many = shutil.Error([(f"/a/{n}.html", f"/b/{n}.html", "[Errno 28] No space left on device") for n in range(200)])

    def failing_build(*args, **kwargs):
        raise many

    monkeypatch.setattr(build_tool, "build", failing_build)
    monkeypatch.setattr(build_tool.signal, "signal", lambda *args: None)  # pytest keeps its own handlers
    assert build_tool.main([]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(err) == 1 and len(err[0]) < 400 and "No space left" in err[0], err


# ---- The edition's date without git --------------------------------------------------------------------------------
def test_without_git_the_date_source_is_said(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for folder in ("book", "data", "tools"):
        (tmp_path / folder).mkdir()
    (tmp_path / "data" / "x.csv").write_text("a\n1\n", encoding="utf-8")
    shutil.copy2(TOOLS / "commit.txt", tmp_path / "tools" / "commit.txt")  # as checked out: not filled in
    epoch, basis = build_tool.date_source(tmp_path)
    assert basis == build_tool.DATE_FROM_FILES and int(epoch) == int((tmp_path / "data" / "x.csv").stat().st_mtime)
    out = capsys.readouterr().out
    assert "没有可用的 git 提交信息" in out and len(out.strip().splitlines()) == 1

    import datetime

    from szhk_sphinx import edition as edition_module
    from szhk_sphinx.edition import Edition

    assert (edition_module.DATE_BASIS_ENV, edition_module.DATE_FROM_COMMIT, edition_module.DATE_FROM_FILES) == (
        build_tool.DATE_BASIS_ENV, build_tool.DATE_FROM_COMMIT, build_tool.DATE_FROM_FILES)  # the same names

    import yaml

    edition_words = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["sphinx"]["config"][
        "szhk_edition_words"]
    edition = Edition(title="t", version="1.0", commit_date=datetime.date(2026, 12, 1), data_as_of="2025",
                      site_url="", date_basis=basis)
    built_from = edition.built_from(edition_words)
    assert "的提交" not in built_from and "修改时间" in built_from and "2026 年 12 月 1 日" in built_from


def test_a_git_archive_carries_the_commits_date(tmp_path: Path, monkeypatch) -> None:
    """`git archive` fills in tools/commit.txt (export-subst in .gitattributes): a downloaded archive is dated by
    its commit, without git."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tmp_path)], input=archive, check=True)
    assert build_tool.date_source(tmp_path) == (commit_epoch(), build_tool.DATE_FROM_COMMIT)


# ---- make clean ---------------------------------------------------------------------------------------------------
def test_make_clean_keeps_the_published_edition(tmp_path: Path) -> None:
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    shutil.copytree(TOOLS, tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    build = tmp_path / "_build"
    for folder in (".site-abc/html", ".site-old/html", ".site-staging/html", ".work/_build/.jupyter_cache",
                   "previous-edition"):
        (build / folder).mkdir(parents=True)
    (build / ".site-abc" / "html" / "index.html").write_text("published", encoding="utf-8")
    (build / "site").symlink_to(".site-abc")
    (build / "html").symlink_to("site/html")
    done = subprocess.run(["make", "-s", "clean", f"PY={sys.executable}"], cwd=tmp_path, check=True,
                          capture_output=True, text=True)
    assert done.stdout.split() == ["rm", "-rf", "_build/.site-old", "rm", "-rf", "_build/.site-staging"], done.stdout
    assert (build / "html" / "index.html").read_text(encoding="utf-8") == "published"
    assert (build / "previous-edition").is_dir()
    assert not (build / ".work").exists() and not (build / ".site-old").exists()
    assert not (build / ".site-staging").exists()
    (build / ".work" / "cache").mkdir(parents=True)
    subprocess.run(["make", "-s", "clean-cache"], cwd=tmp_path, check=True, capture_output=True)
    assert not (build / ".work").exists() and (build / "html" / "index.html").is_file()


# ---- A mistyped year stops the build before any chapter runs ------------------------------------------------------
def test_a_mistyped_year_stops_the_build_at_validation_naming_file_row_and_column(one_page_project: OnePage) -> None:
    project = with_tools(one_page_project)
    package_path = project.data / "datapackage.json"
    package = json.loads(package_path.read_text(encoding="utf-8"))
    package["resources"][0]["schema"]["fields"].append({"name": "year", "type": "integer"})
    package_path.write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    (project.data / "probe.csv").write_text("key,value,date,year\na,41,2021-12,20255\n", encoding="utf-8")
    started = time.monotonic()
    done = start(project)
    out, err = done.communicate(timeout=600)
    assert done.returncode == 1, (out + err)[-3000:]
    assert "data/probe.csv" in err and "第 2 行" in err and "列 year" in err and "20255" in err, err[-3000:]
    assert not (project.root / "_build" / ".work" / "logs" / "html.log").exists()  # no chapter ran
    assert time.monotonic() - started < 120
