"""A jupyter_client kernel provisioner that forks each kernel from a warm process instead of starting Python anew.

Registered as `szhk-forked` (pyproject.toml, entry point group `jupyter_client.kernel_provisioners`) and named by
the kernel specification tools/build.py puts first on JUPYTER_PATH (tools/kernels/python3/kernel.json), so only
`make build` uses it; a plain `jupyter-book build` starts kernels the usual way, with the same results.

Runs in the build's process, beside Sphinx: it imports no library the kernels use (the warm process does, see
szhk_kernels.zygote). Where forking is not possible (not Linux, or a kernel command other than ipykernel's), it
starts the kernel as jupyter_client's LocalProvisioner does.
"""
from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

_LAUNCHER = ["-m", "ipykernel_launcher"]


class _Zygote:
    """The warm process of this build process, started at the first kernel (with that kernel's environment)."""

    _lock = threading.Lock()
    _current: _Zygote | None = None

    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair()
        self.process = subprocess.Popen([sys.executable, "-m", "szhk_kernels.zygote", str(theirs.fileno())],
                                        pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=env)
        theirs.close()
        self.socket = ours
        self.answers = ours.makefile("r", encoding="utf-8")
        if self.answers.readline().strip() != "ready":
            raise OSError("the warm kernel process did not start")
        atexit.register(self.close)

    def close(self) -> None:
        """End the warm process and wait for it (so its kernels' CPU time counts as this process's children's)."""
        self.answers.close()
        self.socket.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    @classmethod
    def get(cls, env: dict[str, str]) -> _Zygote:
        with cls._lock:
            if cls._current is None or cls._current.process.poll() is not None:
                cls._current = cls(env)
            return cls._current

    def fork(self, argv: list[str], env: dict[str, str], cwd: str | None) -> int:
        with self._lock:
            self.socket.sendall((json.dumps({"argv": argv, "env": env, "cwd": cwd}) + "\n").encode())
            answer = self.answers.readline().strip()
        if not answer.isdigit():
            raise OSError("the warm kernel process did not fork a kernel")
        return int(answer)


class ForkedKernel:
    """The Popen methods jupyter_client uses, for a kernel that is the warm process's child, not ours."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                    state = stat.read().rsplit(")", 1)[1].split()[0]
            except (FileNotFoundError, IndexError, ProcessLookupError):
                state = "X"
            if state in {"Z", "X"}:  # exited (a zombie until the warm process collects it)
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkingProvisioner(LocalProvisioner):
    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        if not (sys.platform == "linux" and cmd[1:3] == _LAUNCHER):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = kwargs.get("cwd")
        pid = _Zygote.get(env).fork(cmd[3:], env, str(cwd) if cwd else None)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid  # the kernel leads its own process group
        self.cwd = cwd or os.getcwd()
        return self.connection_info
