"""SPF for the connecting IP, which only a trusted receiver's Received header can tell us: every
Received line below it was written by whoever sent the message."""

from __future__ import annotations

import ipaddress
import re
import threading

import spf

from cardguard.verify.model import Finding, finding
from cardguard.verify.resolver import Resolver

_LOCK = threading.Lock()  # pyspf looks up DNS through a module-level function
_FROM_CLAUSE = re.compile(r"^\s*from\s+(\S+)(.*?)\s+by\s+(\S+)", re.IGNORECASE | re.DOTALL)
_IP = re.compile(r"\[(?:IPv6:)?([0-9a-fA-F:.]+)\]")


def connecting_ip(headers: list[tuple[str, str]], trusted_ids: list[str]) -> tuple[str, str] | None:
    """(ip, helo) from the topmost Received header written by a trusted receiver."""
    wanted = [i.strip().lower() for i in trusted_ids if i.strip()]
    if not wanted:
        return None
    for name, value in headers:
        if name.lower() != "received":
            continue
        found = _FROM_CLAUSE.match(value)
        if not found:
            continue
        by = found.group(3).lower().rstrip(".;")
        if not any(by == w or by.endswith("." + w) for w in wanted):
            continue
        for candidate in _IP.findall(found.group(2)):
            try:
                ip = ipaddress.ip_address(candidate)
            except ValueError:
                continue
            return str(ip), found.group(1)
    return None


def check_spf(headers: list[tuple[str, str]], mail_from: str, from_domain: str, trusted_ids: list[str],
              resolver: Resolver) -> tuple[str, str | None, list[Finding]]:
    found = connecting_ip(headers, trusted_ids)
    if not found:
        return "not_checked", None, [finding("spf.not_checked", "info")]
    ip, helo = found
    sender = mail_from or f"postmaster@{from_domain}"
    domain = sender.rsplit("@", 1)[-1].lower()
    with _LOCK:
        saved = spf.DNSLookup
        spf.DNSLookup = resolver.spf_lookup
        try:
            result, _ = spf.check2(i=ip, s=sender, h=helo, querytime=resolver.timeout * 4)
        except Exception:  # noqa: BLE001 - pyspf on a hostile record
            result = "permerror"
        finally:
            spf.DNSLookup = saved
    severity = {"pass": "good", "fail": "bad", "softfail": "warn"}.get(result, "info")
    return result, domain, [finding(f"spf.{result}", severity, f"{ip} {domain}", ip=ip, domain=domain)]
