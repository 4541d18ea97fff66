"""Running cardguard on a terminal (a pseudo-terminal), for what only a terminal shows: progress bars,
spinners, prompts that must not echo."""

from __future__ import annotations

import os
import pty
import subprocess
import sys


def on_terminal(*args: str, timeout: float = 300) -> tuple[int, str]:
    """(exit code, everything the terminal showed) of ``cardguard ARGS`` run on a terminal."""
    env = {**os.environ, "LANG": "C.UTF-8", "COLUMNS": "120", "TERM": "xterm"}
    main, child = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "cardguard", *args], stdin=child, stdout=child, stderr=child,
                            env=env)
    os.close(child)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    proc.wait(timeout=timeout)
    os.close(main)
    return proc.returncode, seen.decode("utf-8", "replace")
