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

_RULE = re.compile(r"^([.*!]*\w\S*)", re.UNICODE | re.MULTILINE)
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})


# A rule's labels joined as written ("co.uk", "*.ck", "!www.ck") map to what stands there: every
# suffix of a rule is a step the walk can take, and the rule itself ends a public suffix.
_STEP, _END = 1, 2


def _snapshot() -> bytes:
    spec = importlib.util.find_spec("tldextract")  # finds the package without running its imports
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / ".tld_set_snapshot").read_bytes()


@cache
def _rules() -> dict[str, int]:
    """The list as flat steps. Reading the 230 KB list into rules costs ~15 ms of every check's
    start-up; the derived copy (cardguard.rebuilt), made from the snapshot's exact bytes, ~2 ms."""
    from cardguard.rebuilt import derived

    snapshot = _snapshot()

    def build() -> dict[str, int]:
        steps: dict[str, int] = {}
        # Private rules count as public ones do (tldextract's include_psl_private_domains).
        for rule in _RULE.findall(snapshot.decode("utf-8")):
            labels = rule.split(".")
            for at in range(1, len(labels)):
                steps.setdefault(".".join(labels[at:]), _STEP)
            steps[rule] = _STEP | _END
        return steps

    return derived("public-suffixes", [("tld_set_snapshot", snapshot)], build,
                   lambda loaded: isinstance(loaded, dict) and bool(loaded)
                   and all(isinstance(v, int) for v in loaded.values()))


def _under(label: str, path: str) -> str:
    return f"{label}.{path}" if path else label


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
    decoded = _decoded(label.translate(_DOTS))
    return "." not in decoded and decoded in _rules()


def registrable_domain(value: str) -> str:
    """The label under the public suffix plus that suffix (private suffixes count): bbc.co.uk for
    forums.bbc.co.uk; "" when there is none (a bare suffix, an unknown TLD, an IP address)."""
    host = _host_of(value).translate(_DOTS)
    if len(host) >= 4 and host[0] == "[" and host[-1] == "]" and _looks_like_ipv6(host[1:-1]):
        return ""
    labels = host.split(".")
    steps = _rules()
    path = ""
    suffix_at = at = len(labels)
    for label in reversed(labels):
        decoded = _decoded(label)
        # No rule's label holds a dot: such a label is unknown here, never part of a deeper rule.
        found = None if "." in decoded else steps.get(_under(decoded, path))
        if found is not None:
            at -= 1
            path = _under(decoded, path)
            if found & _END:
                suffix_at = at
            continue
        if _under("*", path) in steps:
            suffix_at = at if "." not in decoded and _under("!" + decoded, path) in steps else at - 1
        break
    if suffix_at >= len(labels) or suffix_at <= 0:
        return ""
    return f"{labels[suffix_at - 1]}.{'.'.join(labels[suffix_at:])}" if labels[suffix_at - 1] else ""
