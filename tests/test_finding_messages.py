"""Every finding the code can produce renders in both languages with the values it really carries.

`check` once crashed without DNS because `dmarc.dns_unavailable` was created without the {domain}
its message needs (issue 10). This reads every `finding(...)` call in the source, works out which
message keys it can name (a literal, either branch of a conditional, or every key an f-string can
expand to) and which values it passes, and checks them against the placeholders of both languages.
A call it cannot read is itself a failure: write the code so that it can be checked.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from cardguard.i18n import catalog

SOURCE = Path(__file__).resolve().parent.parent / "src" / "cardguard"


def _placeholders(text: str) -> set[str]:
    names = set()
    for _, field, _, _ in string.Formatter().parse(text):
        if field is not None:
            names.add(re.split(r"[.\[]", field, maxsplit=1)[0])
    return names


def _codes(node: ast.expr, keys: set[str]) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        left, right = _codes(node.body, keys), _codes(node.orelse, keys)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        pattern = "".join(re.escape(part.value) if isinstance(part, ast.Constant) else r"[^.]+"
                          for part in node.values)
        return sorted(k for k in keys if re.fullmatch(pattern, k)) or [f"<no key matches {pattern}>"]
    return None


def _helpers(tree: ast.Module) -> dict[str, set[str]]:
    """Functions that pass their first parameter on as a finding's key (links.py's ``note``), with
    the values they add themselves."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.args.args and node.name != "finding":
            first = node.args.args[0].arg
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "finding" \
                        and inner.args and isinstance(inner.args[0], ast.Name) and inner.args[0].id == first:
                    out[node.name] = {k.arg for k in inner.keywords if k.arg}
    return out


def _calls():
    """(where, call, values the callee adds) for every call that makes a finding."""
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = _helpers(tree)
        inside = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name in helpers
                  for inner in ast.walk(node)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            if node.func.id == "finding" and id(node) not in inside:
                yield f"{path.relative_to(SOURCE)}:{node.lineno}", node, set()
            elif node.func.id in helpers:
                yield f"{path.relative_to(SOURCE)}:{node.lineno}", node, helpers[node.func.id]


def test_every_finding_call_matches_its_messages():
    messages = {key[len("finding."):]: value for key, value in catalog().items() if key.startswith("finding.")}
    problems, checked = [], 0
    for where, call, added in _calls():
        codes = _codes(call.args[0], set(messages))
        if codes is None:
            problems.append(f"{where}: the message key is computed; name it literally so it can be checked")
            continue
        if any(k.arg is None for k in call.keywords):
            problems.append(f"{where}: values passed with ** cannot be checked; name each one")
            continue
        given = {k.arg for k in call.keywords} | added
        for code in codes:
            checked += 1
            if code not in messages:
                problems.append(f"{where}: finding.{code} has no message")
                continue
            ja, en = _placeholders(messages[code]["ja"]), _placeholders(messages[code]["en"])
            if ja != en:
                problems.append(f"{where}: finding.{code} has different placeholders in ja {ja} and en {en}")
            if missing := (ja | en) - given:
                problems.append(f"{where}: finding.{code} needs {sorted(missing)} but the call passes {sorted(given)}")
    assert not problems, "\n".join(problems)
    assert checked > 80  # the scan really found the calls


def test_the_scan_catches_the_bug_it_exists_for():
    # The call that crashed check without DNS, as it was written.
    call = ast.parse('finding("dmarc.dns_unavailable", "warn")').body[0].value
    messages = catalog()
    needed = _placeholders(messages["finding.dmarc.dns_unavailable"]["en"])
    assert needed - {k.arg for k in call.keywords} == {"domain"}
    expanded = _codes(ast.parse('f"spf.{result}"').body[0].value, {k[8:] for k in messages})
    assert {"spf.fail", "spf.pass", "spf.temperror"} <= set(expanded)
