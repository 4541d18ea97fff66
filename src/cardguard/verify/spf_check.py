"""SPF for the connecting IP, which only the trusted receiver's own entry Received line can tell
us (receiver.py): every Received line below it was written by whoever sent the message.

RFC 7208 §4.6.4's limits hold (pyspf enforces them): at most 10 DNS-querying terms and 2 void
look-ups, past which the result is permerror; and every query counts against the mail's DNS budget."""

from __future__ import annotations

import email.utils
import threading

import spf

from cardguard.verify import receiver
from cardguard.verify.model import Finding, finding
from cardguard.verify.resolver import Resolver

RESULTS = ("pass", "fail", "softfail", "neutral", "none", "temperror", "permerror")
_LOCK = threading.Lock()  # pyspf looks up DNS through a module-level function


def connecting_ip(headers: list[tuple[str, str]], trusted_ids: list[str]) -> tuple[str, str] | None:
    """(ip, helo) from the trusted receiver's entry Received line, if it sits at the top."""
    found = receiver.entry(headers, trusted_ids)
    if found is None or found.ip is None:
        return None
    return found.ip, found.helo


def envelope_sender(headers: list[tuple[str, str]], trusted_ids: list[str]) -> str | None:
    """The MAIL FROM as the receiver's delivery recorded it (Return-Path in its own block); "" for
    the null sender <>; None when only the sender's word says it."""
    end = receiver.block_end(headers, trusted_ids)
    for name, value in headers[:end]:
        if name.lower() == "return-path":
            found = email.utils.parseaddr(value)[1]
            return found if "@" in found else ""
    return None


def check_spf(headers: list[tuple[str, str]], trusted_ids: list[str],
              resolver: Resolver) -> tuple[str, str | None, list[Finding]]:
    found = connecting_ip(headers, trusted_ids)
    if not found:
        return "not_checked", None, [finding("spf.not_checked", "info")]
    ip, helo = found
    mail_from = envelope_sender(headers, trusted_ids)
    if mail_from is None:
        return "not_checked", None, [finding("spf.no_envelope", "info", ip, ip=ip)]
    # RFC 7208 §2.4: for the null sender, the HELO identity is checked.
    sender = mail_from or f"postmaster@{helo}"
    domain = sender.rsplit("@", 1)[-1].lower()
    with _LOCK:
        saved = spf.DNSLookup
        spf.DNSLookup = resolver.spf_lookup
        try:
            result, _ = spf.check2(i=ip, s=sender, h=helo, querytime=max(0.1, min(resolver.timeout * 4,
                                                                                 resolver.remaining())))
        except Exception:  # noqa: BLE001 - pyspf on a hostile record
            result = "permerror"
        finally:
            spf.DNSLookup = saved
    result = result if result in RESULTS else "permerror"
    severity = {"pass": "good", "fail": "bad", "softfail": "warn"}.get(result, "info")
    return result, domain, [finding(f"spf.{result}", severity, f"{ip} {domain}", ip=ip, domain=domain)]
