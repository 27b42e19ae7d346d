"""The warm process: imports what every chapter's kernel imports, once, then forks one kernel per request.

    python -m szhk_kernels.zygote FD

Started by `szhk_kernels.provisioner` (one per build process), which sends requests over the socket FD: one JSON
line {"argv", "env", "cwd"} per kernel; the answer is one line with the kernel's process id. A forked kernel starts
with numpy, pandas, matplotlib and IPython already imported instead of importing them again: about a second of
CPU per chapter (measured: see README, 构建有多快). Only libraries are imported here, never the chapter helpers
(szhk), so a kernel reads its data, fonts and settings itself, after the fork, as a fresh one would.

The process exits when the socket closes (its build has ended); each kernel then sees its parent gone and exits
(ipykernel's parent poller).
"""
from __future__ import annotations

import json
import os
import random
import signal
import socket
import sys

# What a kernel imports before its first cell or in it (ipykernel sets this backend itself when it is not set;
# matplotlib reads it when imported, so it is set before the import, as in a kernel). The backend module itself is
# not imported here: it hooks itself into the IPython shell it finds when imported, and there is none in this
# process (tests/test_kernel_launch.py compares a forked kernel's outputs, shown figures included, with a new one's).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot",
           "IPython", "IPython.display", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell",
           "myst_nb", "myst_nb.ext.glue")


def preload() -> None:
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    # ipykernel reads its parent's process id when imported: the kernels' parent is this process
    os.environ["JPY_PARENT_PID"] = str(os.getpid())
    for name in PRELOAD:
        __import__(name)


def _collect(options: int = 0) -> None:
    """Collect exited kernels: those exited so far (os.WNOHANG), or all, waiting for each (0)."""
    try:
        while os.waitpid(-1, options)[0]:
            pass
    except ChildProcessError:  # no kernel left
        pass


def _reap(signum: int, frame: object) -> None:
    """Collect exited kernels at once (a zombie would look alive to the provisioner's poll)."""
    _collect(os.WNOHANG)


def _run_kernel(request: dict, control: socket.socket) -> None:
    """In the forked child: become the kernel `python -m ipykernel_launcher ARGS` would have started."""
    try:
        control.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setpgrp()  # its own process group, as jupyter_client gives a kernel (interrupts reach only it)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(os.getppid())  # the kernel exits when this process does (see preload)
        if request.get("cwd"):
            os.chdir(request["cwd"])
        random.seed()  # not the state every sibling inherited
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed()
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance(argv=request["argv"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def serve(control: socket.socket) -> None:
    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C in the terminal is for the build, not for this process
    kernels = []
    for line in control.makefile("r", encoding="utf-8"):
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _run_kernel(request, control)
        kernels.append(pid)
        control.sendall(f"{pid}\n".encode())
    # The build has ended: stop any kernel it left running, and wait for all (their CPU time is then counted as
    # this process's, and this process's as the build's)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for pid in kernels:
        try:
            os.killpg(pid, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
    _collect()


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    preload()
    control.sendall(b"ready\n")
    serve(control)


if __name__ == "__main__":
    main()
