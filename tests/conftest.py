"""Shared fixtures. Every test runs cardguard against a fresh, empty profile of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    # CI must run every test: a skip means a tool is missing, which is an install step to add.
    if _skipped and exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if _skipped:
        terminalreporter.write_line(f"FAILED: {len(_skipped)} test(s) skipped; cardguard's suite runs everything.", red=True)


@pytest.fixture
def profile(tmp_path, monkeypatch) -> Path:
    """An empty user profile (config and data dirs) that only this test sees."""
    config, data = tmp_path / "config", tmp_path / "data"
    config.mkdir()
    data.mkdir()
    monkeypatch.setenv("CARDGUARD_CONFIG_DIR", str(config))
    monkeypatch.setenv("CARDGUARD_DATA_DIR", str(data))
    monkeypatch.delenv("CARDGUARD_LANG", raising=False)
    monkeypatch.delenv("CARDGUARD_DATABASE_URL", raising=False)
    return tmp_path


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cardguard(profile):
    """Run the real `cardguard` command as a user would, in a subprocess."""

    def run(*args: str, input: str | bytes | None = None, env: dict | None = None, timeout: float = 60) -> Run:
        full_env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "", "COLUMNS": "200", **(env or {})}
        full_env.pop("PYTHONDONTWRITEBYTECODE", None)  # let cardguard's own modules be cached between runs
        data = input.encode() if isinstance(input, str) else input
        proc = subprocess.run([sys.executable, "-m", "cardguard", *args], input=data, capture_output=True,
                              env=full_env, timeout=timeout)
        return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))

    return run
