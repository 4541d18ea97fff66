"""Registrable ("organizational") domains from the bundled Public Suffix List: never a network fetch."""

from __future__ import annotations

import ipaddress
from functools import cache, lru_cache

import idna

from cardguard.verify.suffixes import known_top_label, registrable_domain


@cache
def registered_domain(host: str) -> str:
    """example.co.jp for www.example.co.jp; a public suffix itself (or an IP) stands for itself."""
    host = host.strip().lower().rstrip(".")
    if not host or is_ip(host):
        return host
    return organizational_domain(host) or host


@cache
def organizational_domain(host: str) -> str | None:
    """The Public Suffix List's registrable domain of ``host`` (DMARC's organizational domain), or
    None when there is none (a public suffix itself, an empty label). A suffix the bundled list does
    not know falls under the list's default rule "*": its last label is the suffix."""
    host = host.strip().lower()
    host = host[:-1] if host.endswith(".") else host
    labels = host.split(".")
    if not host or "" in labels or is_ip(host):
        return None
    found = registrable_domain(host)
    if found:
        return found
    if known_top_label(labels[-1]):
        return None  # the host is itself a public suffix
    return ".".join(labels[-2:]) if len(labels) >= 2 else None


@lru_cache(maxsize=4096)  # asked of every hop of every link; ipaddress answers "no" by raising
def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


@lru_cache(maxsize=4096)  # idna is pure Python and slow; the same hosts recur in a mail and a mailbox
def to_unicode(host: str) -> str:
    """xn-- labels shown as the letters a person would see."""
    try:
        return idna.decode(host)
    except (idna.IDNAError, UnicodeError, ValueError):
        return host


@lru_cache(maxsize=4096)
def to_ascii(host: str) -> str:
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return host.lower()


def within(host: str, domain: str) -> bool:
    """host is domain itself or one of its subdomains."""
    host, domain = host.lower().rstrip("."), domain.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)
