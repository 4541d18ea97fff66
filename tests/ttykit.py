"""Running cardguard as a holder runs it: on a terminal (a pseudo-terminal), for what only a terminal
shows (progress bars, spinners, prompts that must not echo), and as a long-running process they stop
with Ctrl-C (`mail watch`, a long scan)."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
import sys
import threading
import time


def ctrl_c_as_typed() -> None:
    """For a child the test interrupts (``preexec_fn``): Ctrl-C at its default, as a terminal gives it.
    A test run started in the background with job control off inherits SIGINT ignored, and so did every
    child: the interrupt the test sent was never seen (a watch that never stopped)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def on_terminal(*args: str, timeout: float = 300, answers: list[bytes] = (), env: dict | None = None
                ) -> tuple[int, str]:
    """(exit code, everything the terminal showed) of ``cardguard ARGS`` run on a terminal; each of
    ``answers`` is typed after a yes/no question ([y/N]:) once it is asked."""
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "", "COLUMNS": "120", "TERM": "xterm", **(env or {})}
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "cardguard", *args], stdin=child, stdout=child, stderr=child,
                            env=env)
    os.close(child)
    seen, sent = b"", 0
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        while sent < min(seen.count(b"[y/N]:"), len(answers)):
            os.write(main, answers[sent] + b"\n")
            sent += 1
    proc.wait(timeout=timeout)
    os.close(main)
    return proc.returncode, seen.decode("utf-8", "replace")


class Watcher:
    """``cardguard ARGS`` running, its output gathered line by line; ``stop()`` is Ctrl-C."""

    def __init__(self, args: list[str], env: dict) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "cardguard", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env,
                                     preexec_fn=ctrl_c_as_typed)
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err)):
            threading.Thread(target=self._read, args=(stream, into), daemon=True).start()

    @staticmethod
    def _read(stream, into):
        for line in iter(stream.readline, b""):
            into.append(line.decode("utf-8", "replace"))

    def until(self, condition, timeout: float = 60) -> None:
        """Waits (while it runs) until ``condition()`` holds; fails with what it said otherwise."""
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline and self.proc.poll() is None:
            time.sleep(0.05)
        assert condition(), "".join(self.err)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        self.until(lambda: any(text in line for line in self.err), timeout)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        try:
            return self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
