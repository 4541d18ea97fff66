"""Registrable ("organizational") domains from the bundled Public Suffix List: never a network fetch."""

from __future__ import annotations

import ipaddress
from functools import cache

import idna

from cardguard.verify.suffixes import registrable_domain


@cache
def registered_domain(host: str) -> str:
    """example.co.jp for www.example.co.jp; a host with no known suffix is its own domain."""
    host = host.strip().lower().rstrip(".")
    if not host or is_ip(host):
        return host
    # The snapshot shipped inside tldextract, read-only and without importing it (suffixes.py).
    return registrable_domain(host) or host


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        return False


def to_unicode(host: str) -> str:
    """xn-- labels shown as the letters a person would see."""
    try:
        return idna.decode(host)
    except (idna.IDNAError, UnicodeError, ValueError):
        return host


def to_ascii(host: str) -> str:
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return host.lower()


def within(host: str, domain: str) -> bool:
    """host is domain itself or one of its subdomains."""
    host, domain = host.lower().rstrip("."), domain.lower().rstrip(".")
    return host == domain or host.endswith("." + domain)
