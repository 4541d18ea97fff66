#!/usr/bin/env python3
"""Everything a fresh machine with only Python 3.11+ and pip needs, in one file.

    python3 tasks.py run [CARDGUARD ARGS]   run cardguard (installs it into .venv on first use)
    python3 tasks.py test [PYTEST ARGS]     run the whole test suite
    python3 tasks.py bench [ARGS]           run the benchmarks
    python3 tasks.py mutate                 mutation-test the verdict rules (slow; not part of CI)

uv is installed with pip into .venv-bootstrap (pinned), then `uv sync --frozen` builds .venv from
the committed uv.lock, so every machine runs the same versions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
BOOTSTRAP = ROOT / ".venv-bootstrap"
UV_VERSION = "0.13.9"
BIN = "Scripts" if os.name == "nt" else "bin"


def say(message: str) -> None:
    print(f"[tasks] {message}", file=sys.stderr, flush=True)


def uv() -> str:
    exe = BOOTSTRAP / BIN / ("uv.exe" if os.name == "nt" else "uv")
    if not exe.exists():
        say(f"installing uv {UV_VERSION} into {BOOTSTRAP.name}/")
        venv.create(BOOTSTRAP, with_pip=True, clear=True)
        subprocess.run([str(BOOTSTRAP / BIN / "python"), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", f"uv=={UV_VERSION}"], check=True)
    return str(exe)


def sync(*groups: str) -> None:
    # Bytecode compiled at install: with PYTHONDONTWRITEBYTECODE set, every run would otherwise
    # recompile the libraries from source (seconds per command).
    args = [uv(), "sync", "--frozen", "--quiet", "--compile-bytecode"]
    if not groups:
        # A user who only runs cardguard gets no test tools; a developer's stay installed.
        args += ["--no-dev", "--inexact"]
    subprocess.run(args, cwd=ROOT, check=True)


def run_in_venv(*argv: str) -> int:
    return subprocess.call([uv(), "run", "--frozen", "--no-sync", *argv], cwd=os.getcwd(),
                           env={**os.environ, "UV_PROJECT": str(ROOT)})


# Debian packages the tests drive for real (added as capabilities need them).
SYSTEM_PACKAGES: dict[str, str] = {
    "openssl": "openssl",  # makes the deliberately short DKIM key that cryptography refuses to generate
    "pg_ctlcluster": "postgresql",  # the PostgreSQL tests run a real server
    "chromium": "chromium",  # prints the incident report to PDF; drives the web app's browser tests
    "pdftotext": "poppler-utils",  # reads that PDF back
    "pdfinfo": "poppler-utils",  # counts its pages
    "/usr/share/fonts/opentype/ipafont-gothic": "fonts-ipafont-gothic",  # Japanese glyphs in the PDF
    "gsf": "libgsf-bin",  # `gsf createole` writes the Outlook .msg files the tests read
    "/usr/sbin/dovecot": "dovecot-imapd",  # the mailbox tests run a real IMAP server on loopback
}


def check_system_packages() -> None:
    missing = sorted({pkg for tool, pkg in SYSTEM_PACKAGES.items() if not shutil.which(tool) and not Path(tool).exists()})
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say(f"installing Debian packages the tests need: {' '.join(missing)}")
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    else:
        sys.exit(f"The tests need these system packages: {' '.join(missing)}. Install them (as root: "
                 f"apt-get install {' '.join(missing)}) and run again.")


# The functions that turn findings into a verdict: every mutant of these must change a test's outcome.
VERDICT_FUNCTIONS = ("verdict_for", "facts_of")


def mutate() -> int:
    """mutmut over verify/check.py with the verify tests; prints the verdict code's surviving mutants."""
    sync("dev")
    patterns = [f"cardguard.verify.check.x_{name}__mutmut_*" for name in VERDICT_FUNCTIONS]
    run_in_venv("mutmut", "run", *patterns)
    listing = subprocess.run([uv(), "run", "--frozen", "--no-sync", "mutmut", "results"], cwd=ROOT,
                             capture_output=True, text=True, env={**os.environ, "UV_PROJECT": str(ROOT)})
    survivors = [line.strip() for line in listing.stdout.splitlines()
                 if any(f"x_{name}__mutmut_" in line for name in VERDICT_FUNCTIONS)
                 and not line.strip().endswith(("killed", "caught by type check"))]
    for line in survivors:
        print(line)
    print(f"surviving mutants of {', '.join(VERDICT_FUNCTIONS)}: {len(survivors)}"
          "  (see one: .venv/bin/mutmut show NAME)")
    return 1 if survivors else 0


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0
    task, rest = argv[0], argv[1:]
    if task == "run":
        sync()
        return run_in_venv("cardguard", *rest)
    if task == "test":
        check_system_packages()
        sync("dev")
        return run_in_venv("pytest", *rest)
    if task == "mutate":
        return mutate()
    if task == "bench":
        sync("dev")
        return run_in_venv("python", str(ROOT / "benchmarks" / "run.py"), *rest)
    print(f"unknown task {task!r}\n{__doc__}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
