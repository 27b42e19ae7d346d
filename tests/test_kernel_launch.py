"""The build's kernels: forked from one warm process (szhk_kernels), behaving as kernels started anew do."""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from conftest import TOOLS
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from jupyter_client.provisioning import KernelProvisionerFactory

from szhk_kernels import zygote

_spec = importlib.util.spec_from_file_location("build", TOOLS / "build.py")
build = importlib.util.module_from_spec(_spec)  # tools/build.py (a script, not a package)
_spec.loader.exec_module(build)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="kernels are forked on Linux only")


@pytest.fixture
def forked_kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A kernel started as tools/build.py's builds start them (its kernel specification first on JUPYTER_PATH)."""
    monkeypatch.setenv("JUPYTER_PATH", str(build.KERNEL_SPECS))
    monkeypatch.setenv("SZHK_PROBE", "from the launch")
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel(cwd=str(tmp_path))
    client = manager.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    yield manager, client
    client.stop_channels()
    if manager.is_alive():
        manager.shutdown_kernel(now=True)


def run(client, code: str, timeout: float = 60) -> tuple[dict, str]:
    """Execute `code`; returns the reply's content and what the code printed."""
    printed: list[str] = []

    def output(message: dict) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    reply = client.execute_interactive(code, timeout=timeout, output_hook=output)
    return reply["content"], "".join(printed)


def test_the_build_names_the_forking_kernel_specification() -> None:
    spec = KernelSpecManager(kernel_dirs=[str(build.KERNEL_SPECS / "kernels")]).get_kernel_spec("python3")
    name = spec.metadata["kernel_provisioner"]["provisioner_name"]
    assert KernelProvisionerFactory.instance().is_provisioner_available(spec), name
    env = build._environment(TOOLS.parent, TOOLS.parent / "data", "0")
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(build.KERNEL_SPECS)


def test_a_kernel_is_forked_with_the_libraries_imported(forked_kernel, tmp_path: Path) -> None:
    manager, client = forked_kernel
    assert type(manager.provisioner).__name__ == "ForkingProvisioner"
    content, printed = run(client, "import os, sys\n"
                                   "print(sorted(m for m in ('pandas', 'matplotlib.pyplot') if m in sys.modules))\n"
                                   "print(os.getppid() != %d, os.getcwd(), os.environ['SZHK_PROBE'])" % os.getpid())
    assert content["status"] == "ok", content
    preloaded, details = printed.splitlines()
    assert preloaded == "['matplotlib.pyplot', 'pandas']"  # imported before the kernel started, by the warm process
    assert details == f"True {tmp_path} from the launch"  # its parent is the warm process; its cwd and env are ours


def test_the_warm_process_imports_no_chapter_helper() -> None:
    """It imports libraries only: a kernel reads data, fonts and settings itself, as a fresh one would."""
    assert not any(name == "szhk" or name.startswith("szhk.") for name in zygote.PRELOAD)


def test_an_interrupt_reaches_a_forked_kernel(forked_kernel) -> None:
    manager, client = forked_kernel
    client.execute("import time\ntime.sleep(60)")
    time.sleep(1)
    started = time.monotonic()
    manager.interrupt_kernel()
    while True:
        message = client.get_shell_msg(timeout=20)
        if message["msg_type"] == "execute_reply":
            break
    assert message["content"]["status"] == "error"
    assert message["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 10


def test_a_forked_kernel_ends_and_is_collected(forked_kernel) -> None:
    manager, client = forked_kernel
    pid = manager.provisioner.pid
    assert Path(f"/proc/{pid}").exists()
    manager.shutdown_kernel(now=False)
    deadline = time.monotonic() + 10
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:  # collected, not left a zombie
        time.sleep(0.05)
    assert not Path(f"/proc/{pid}").exists()
    assert not manager.is_alive()


def test_a_page_is_the_same_with_forked_kernels(one_page_project) -> None:
    """The same bytes as with kernels started anew (a plain `jupyter-book build` starts them so)."""
    fresh = one_page_project
    forked_root = shutil.copytree(fresh.root, fresh.root.with_name("forked"))
    forked = type(fresh)(forked_root)
    plain = fresh.build()
    assert plain.returncode == 0, plain.stdout[-3000:] + plain.stderr[-3000:]
    via_fork = forked.build(JUPYTER_PATH=str(build.KERNEL_SPECS))
    assert via_fork.returncode == 0, via_fork.stdout[-3000:] + via_fork.stderr[-3000:]
    page = Path("_build") / "html" / "page.html"
    assert (forked_root / page).read_bytes() == (fresh.root / page).read_bytes()
