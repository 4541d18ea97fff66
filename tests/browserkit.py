"""The web app in a real browser, for the browser tests: the real `cardguard serve` on a free loopback
port with a profile of its own, and Debian's Chromium driven by Playwright (never a downloaded
browser). One place for both, so that every browser test starts them the same way."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic", "--disable-default-apps"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving(home: Path, **env: str):
    """`cardguard serve` with its config and data under ``home`` (and ``env`` on top); yields its base
    URL and port once it accepts connections, and stops it afterwards."""
    port = free_port()
    full = {**os.environ, "CARDGUARD_CONFIG_DIR": str(home / "config"), "CARDGUARD_DATA_DIR": str(home / "data"), **env}
    for name in ("CARDGUARD_DATABASE_URL", "CARDGUARD_TZ"):
        if name not in env:
            full.pop(name, None)
    process = subprocess.Popen([sys.executable, "-m", "cardguard", "serve", "--port", str(port)], env=full,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(process.stdout.read().decode())
    try:
        yield f"http://127.0.0.1:{port}", port
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def chromium(*extra_flags: str):
    """Debian's Chromium, headless, with nothing of its own that talks to the network."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS + list(extra_flags))
        try:
            yield launched
        finally:
            launched.close()


def drop_file(page: Page, name: str, data: bytes) -> None:
    """A real drop event on the drop zone, carrying the file, as a person dragging it would."""
    # A click on a link returns once the URL changes; the zone listens only after the page's scripts ran.
    page.wait_for_selector("#drop[data-ready=yes]", state="attached")
    page.evaluate(
        """([name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: 'message/rfc822'}));
            const zone = document.getElementById('drop');
            for (const type of ['dragenter', 'dragover', 'drop']) {
                zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: transfer}));
            }
        }""",
        [name, base64.b64encode(data).decode()],
    )


def shoot(page: Page, name: str) -> None:
    """The whole page, and what the screen shows first (what a person sees before scrolling)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"{name}-screen.png"))
