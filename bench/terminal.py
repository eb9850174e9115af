"""Real terminals for the screen measures: a pseudo-terminal child, and tmux.

:func:`run_child` launches :mod:`bench.screen_child` on a fresh pty of
160x45 (``TERM=xterm-256color``) and drains what it draws, as a terminal
would; :class:`Tmux` drives ``desk`` in a private tmux server for the one
end-to-end check through a real terminal emulator.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COLUMNS, LINES = 160, 45


def child_env() -> dict[str, str]:
    """The environment a desk is started with: a real terminal type, and no settings from this machine's user."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DESK_", "TEXTUAL_")) and k not in ("COLUMNS", "LINES")
    }
    env.update(TERM="xterm-256color", DESK_CONFIG=os.devnull, PYTHONPATH=str(ROOT))
    return env


def _drain(fd: int, tail: bytearray) -> None:
    """Read everything the child draws (a full pty would block it), keeping the last few kB for errors."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return
        if not chunk:
            return
        tail.extend(chunk)
        del tail[:-4096]


@dataclass
class ChildRun:
    """One child: when the parent launched it (wall clock) and what it reported."""

    launched: float
    report: dict[str, Any]

    def seconds_after_launch(self, key: str) -> float:
        return float(self.report[key]) - self.launched


def run_child(args: list[str], timeout_s: float = 120.0) -> ChildRun:
    """Run ``python -m bench.screen_child`` under a pty of 160x45 and return its report."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
    fd, report_path = tempfile.mkstemp(prefix="bench-frame-", suffix=".json")
    os.close(fd)
    tail = bytearray()
    try:
        launched = time.time()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.screen_child", args[0], report_path, *args[1:]],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=ROOT,
            env=child_env(),
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        reader = threading.Thread(target=_drain, args=(master, tail), daemon=True)
        reader.start()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the child's own session, started above
            proc.wait()
            raise RuntimeError(f"screen child {args[0]} took over {timeout_s:.0f} s") from None
        reader.join(2)
        text = Path(report_path).read_text(encoding="utf-8")
        report = json.loads(text) if text else {}
    finally:
        os.close(master)
        Path(report_path).unlink(missing_ok=True)
    if not report or "error" in report:
        shown = tail.decode("utf-8", "replace")[-600:]
        raise RuntimeError(f"screen child {args[0]} failed: {report.get('error') or shown}")
    return ChildRun(launched, report)


class Tmux:
    """A private tmux server (its own socket, no config) running one command in a 160x45 window."""

    _launched = itertools.count()

    def __init__(self, command: list[str], capture_ns: list[int] | None = None, name: str = "desk") -> None:
        self.socket = f"zone-desk-bench-{os.getpid()}-{next(Tmux._launched)}"  # a fresh server each time
        self.name = name
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in child_env().items() if k in ("DESK_CONFIG", "PYTHONPATH"))
        self.shell = f"env {env} {shlex.join(command)}"
        self.capture_ns = [] if capture_ns is None else capture_ns  # how long each capture-pane took
        self._socket_path = ""

    @staticmethod
    def available() -> bool:
        return shutil.which("tmux") is not None

    def _tmux(self, *args: str) -> str:
        # The server takes its environment from the first client: give it the desk's, not this process's
        # C-level one (a library may have exported COLUMNS=80 there, and the desk would draw 80 wide).
        done = subprocess.run(
            ["tmux", "-L", self.socket, "-f", os.devnull, *args], capture_output=True, text=True, env=child_env()
        )
        if done.returncode:
            raise RuntimeError(f"tmux {args[0]} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self) -> float:
        """Open the window; the wall-clock time just before."""
        t = time.time()
        self._tmux("new-session", "-d", "-s", self.name, "-x", str(COLUMNS), "-y", str(LINES), self.shell)
        self._socket_path = self._tmux("display-message", "-p", "#{socket_path}").strip()
        return t

    def screen(self) -> str:
        t0 = time.perf_counter_ns()
        out = self._tmux("capture-pane", "-p", "-t", self.name)
        self.capture_ns.append(time.perf_counter_ns() - t0)
        return out

    def wait_for(self, shows: Callable[[str], bool], timeout_s: float = 30.0, poll_s: float = 0.005) -> float:
        """Poll the pane every ``poll_s`` until ``shows`` accepts it; the wall-clock time it was seen."""
        deadline = time.time() + timeout_s
        while time.time() < deadline:
            if shows(self.screen()):
                return time.time()
            time.sleep(poll_s)
        raise TimeoutError(f"tmux pane never showed what was awaited; last:\n{self.screen()}")

    def send(self, key: str) -> float:
        """Send one key (tmux key name, e.g. ``x`` or ``]``); the wall-clock time just before."""
        t = time.time()
        self._tmux("send-keys", "-t", self.name, key)
        return t

    def stop(self) -> None:
        """End this private server and remove its socket (tmux leaves it behind)."""
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        if self._socket_path:
            Path(self._socket_path).unlink(missing_ok=True)
