"""The README's test command must install every program the tests run: CI proves only what it runs."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tasks():
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _programs_the_tests_run() -> dict[str, str]:
    """Each external program named literally in a test helper, with where it is named."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "tests").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("run", "Popen", "check_output", "check_call", "call") and node.args:
                first = node.args[0]
                if isinstance(first, ast.List) and first.elts and isinstance(first.elts[0], ast.Constant) \
                        and isinstance(first.elts[0].value, str):
                    found.setdefault(first.elts[0].value, f"{path.name}:{node.lineno}")
            if name == "which" and node.args and isinstance(node.args[0], ast.Constant):
                found.setdefault(node.args[0].value, f"{path.name}:{node.lineno}")
    return found


def test_every_program_the_tests_run_is_installed_by_the_test_command():
    provided = {Path(tool).name for tool in _tasks().SYSTEM_PACKAGES}
    programs = _programs_the_tests_run()
    assert programs, "the scan found no program at all: it is broken"
    missing = {prog: where for prog, where in programs.items()
               if Path(prog).name not in provided and not prog.startswith(("python", "/usr/lib/postgresql"))}
    assert not missing, f"tasks.py SYSTEM_PACKAGES does not install: {missing}"


def test_ci_only_calls_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert not any(word in ci for word in ("apt-get", "pip install", "uv sync")), ci
    assert any("python3 tasks.py test" in line for line in commands)
    assert "python3 tasks.py test" in (ROOT / "README.md").read_text(encoding="utf-8")
