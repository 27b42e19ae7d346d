"""`make build` on the repository itself: it rewrites no tracked file and leaves nothing outside _build/ (cheap:
`make test` has just built, so this build executes nothing)."""
from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest
from conftest import BUILD_TIMEOUT, ROOT, build_env


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def tracked_files() -> dict[str, str]:
    return {name: hashlib.sha256((ROOT / name).read_bytes()).hexdigest()
            for name in git("ls-files", "-z").split("\0") if name and (ROOT / name).is_file()}


@pytest.mark.needs_build  # runs tools/build.py on the repository (after make test's build: nothing to execute)
def test_make_build_modifies_no_tracked_file_and_leaves_nothing_outside_build() -> None:
    before_status, before_files = git("status", "--porcelain", "--untracked-files=all"), tracked_files()
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "build.py")], cwd=ROOT, env=build_env(),
                          capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert done.returncode == 0, (done.stdout + done.stderr)[-4000:]
    assert "0 notebook(s) executed" in done.stdout, done.stdout[-2000:]
    after_status, after_files = git("status", "--porcelain", "--untracked-files=all"), tracked_files()
    changed = sorted(name for name in before_files if before_files[name] != after_files.get(name))
    assert not changed, f"make build rewrote tracked files: {changed}"
    assert after_status == before_status, f"git status changed:\n{before_status}\n---\n{after_status}"
    assert (ROOT / "_build" / "html").is_symlink() and (ROOT / "_build" / "pdf").is_symlink()
