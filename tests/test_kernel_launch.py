"""The build's kernels: forked from one warm process (szhk_kernels), behaving as kernels started anew do."""
from __future__ import annotations

import importlib.util
import os
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


NOTEBOOK_CELLS = [
    # The book's CJK font, as its charts use: a font lacking the glyphs would warn, and Python's warning registry
    # (what was already shown) is not part of what the comparison is about.
    "import matplotlib.pyplot as plt\nimport pandas as pd\nfrom myst_nb import glue\n"
    "plt.rcParams['font.sans-serif'] = ['Noto Sans CJK SC', 'DejaVu Sans']",
    "fig, ax = plt.subplots(figsize=(3, 2))\nax.bar(['深圳', '香港'], [3, 2])\nax.set_title('研发投入')",
    "frame = pd.DataFrame({'城市': ['深圳', '香港'], '值': [3.0, 2.0]})\nglue('frame', frame)\nframe",
]


def execute(cwd: Path) -> list[list[dict]]:
    """A notebook with a figure, a table and a glued value, executed by nbclient; each cell's outputs."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in NOTEBOOK_CELLS])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    NotebookClient(notebook, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
    return [cell.outputs for cell in notebook.cells]


def test_a_forked_kernel_gives_the_same_outputs_as_a_new_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Figure, table and glued value: the same bytes as from a kernel started anew (as a plain `jupyter-book
    build` starts them). The whole book's pages were compared so too when the warm process was introduced."""
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    anew = execute(tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(build.KERNEL_SPECS))
    forked = execute(tmp_path)
    assert any(o.get("data", {}).get("image/png") for o in anew[1]), anew[1]
    assert forked == anew
