"""The Public Suffix List snapshot bundled with tldextract, read without importing tldextract.

tldextract imports requests (and urllib3) at import time to be able to fetch the list, which
cardguard never does (~100 ms of every check). The same bundled file is read here, and the match
follows tldextract's own rules (its trie walk, wildcard and exception handling, private domains
included, punycode labels compared decoded), so a registrable domain is what tldextract says it is;
tests/test_speed.py compares the two over every host in the corpus and edge cases.
"""

from __future__ import annotations

import importlib.util
import re
from functools import cache
from pathlib import Path

import idna

_PRIVATE_MARK = "// ===BEGIN PRIVATE DOMAINS==="
_RULE = re.compile(r"^([.*!]*\w\S*)", re.UNICODE | re.MULTILINE)
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


class _Node(dict):
    """Labels in reverse order; ``end`` when a rule stops here, ``private`` when that rule is private."""

    __slots__ = ("end", "private")

    def __init__(self) -> None:
        super().__init__()
        self.end = False
        self.private = False


def _snapshot() -> str:
    spec = importlib.util.find_spec("tldextract")  # finds the package without running its imports
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / ".tld_set_snapshot").read_text(encoding="utf-8")


@cache
def _rules() -> _Node:
    public, _, private = _snapshot().partition(_PRIVATE_MARK)
    root = _Node()
    for text, is_private in ((public, False), (private, True)):
        for rule in _RULE.findall(text):
            node = root
            for label in reversed(rule.split(".")):
                node = node.setdefault(label, _Node())
            node.end = True
            node.private = is_private
    return root


def _decoded(label: str) -> str:
    lowered = label.lower()
    if lowered.startswith("xn--"):
        try:
            return idna.decode(lowered)
        except (UnicodeError, IndexError):
            pass
    return lowered


def _host_of(value: str) -> str:
    """The host part of a host or URL-like string, as tldextract reads it."""
    start = value.find("//")
    if start == 0:
        value = value[2:]
    elif start >= 2 and value[start - 1] == ":" and re.fullmatch(r"[A-Za-z0-9+.\-]+", value[:start - 1]):
        value = value[start + 2:]
    authority = value.partition("/")[0].partition("?")[0].partition("#")[0].rpartition("@")[-1]
    if authority.startswith("["):
        inside, bracket, _ = authority.partition("]")
        if bracket:
            return inside + "]"
    return authority.partition(":")[0].strip().rstrip(".\u3002\uff0e\uff61")


def _looks_like_ipv6(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.IPv6Address(text)
        return True
    except ValueError:
        return False


def known_top_label(label: str) -> bool:
    """Whether the list has a rule for this top-level label (else the default rule "*" applies)."""
    return _decoded(label.translate(_DOTS)) in _rules()


def registrable_domain(value: str) -> str:
    """The label under the public suffix plus that suffix (private suffixes count): bbc.co.uk for
    forums.bbc.co.uk; "" when there is none (a bare suffix, an unknown TLD, an IP address)."""
    host = _host_of(value).translate(_DOTS)
    if len(host) >= 4 and host[0] == "[" and host[-1] == "]" and _looks_like_ipv6(host[1:-1]):
        return ""
    labels = host.split(".")
    node = _rules()
    suffix_at = at = len(labels)
    for label in reversed(labels):
        decoded = _decoded(label)
        if decoded in node:
            at -= 1
            node = node[decoded]
            if node.end:
                suffix_at = at
            continue
        if "*" in node:
            suffix_at = at if "!" + decoded in node else at - 1
        break
    if suffix_at >= len(labels) or suffix_at <= 0:
        return ""
    return f"{labels[suffix_at - 1]}.{'.'.join(labels[suffix_at:])}" if labels[suffix_at - 1] else ""
