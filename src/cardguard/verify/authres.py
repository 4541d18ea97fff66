"""Authentication-Results headers (RFC 8601). Anyone can write one, so only a receiver the user
named as trusted is believed, and only its topmost header."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Results:
    authserv_id: str
    methods: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (method, result, properties)

    def first(self, method: str) -> tuple[str, dict[str, str]] | None:
        for name, result, props in self.methods:
            if name == method:
                return result, props
        return None

    def passing(self, method: str) -> list[dict[str, str]]:
        return [props for name, result, props in self.methods if name == method and result == "pass"]


def _strip_comments(value: str) -> str:
    out, depth = [], 0
    for char in value:
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(char)
    return "".join(out)


def parse(value: str) -> Results | None:
    parts = [p.strip() for p in _strip_comments(value).split(";")]
    if not parts or not parts[0]:
        return None
    authserv = parts[0].split()[0].lower()
    results = Results(authserv)
    for part in parts[1:]:
        found = re.match(r"([a-z0-9_-]+)\s*=\s*([a-z]+)\s*(.*)$", part, re.IGNORECASE | re.DOTALL)
        if not found:
            continue
        props = {key.lower(): val.strip('"').lower() for key, val in
                 re.findall(r"([a-z]+\.[a-z0-9_-]+)\s*=\s*(\"[^\"]*\"|\S+)", found.group(3), re.IGNORECASE)}
        results.methods.append((found.group(1).lower(), found.group(2).lower(), props))
    return results


def trusted(headers: list[tuple[str, str]], trusted_ids: list[str]) -> Results | None:
    """The topmost Authentication-Results a trusted receiver stamped, if any."""
    wanted = {i.strip().lower() for i in trusted_ids if i.strip()}
    if not wanted:
        return None
    for name, value in headers:
        if name.lower() == "authentication-results":
            parsed = parse(value)
            if parsed and parsed.authserv_id in wanted:
                return parsed
    return None


def untrusted_count(headers: list[tuple[str, str]], trusted_ids: list[str]) -> int:
    wanted = {i.strip().lower() for i in trusted_ids}
    count = 0
    for name, value in headers:
        if name.lower() == "authentication-results":
            parsed = parse(value)
            if not parsed or parsed.authserv_id not in wanted:
                count += 1
    return count
