"""DNS for authentication, and nothing else. Offline means no query at all, not a failing one.

A mail's sender controls the DNS of its own domain, so every look-up a mail causes is bounded: a
number of queries per mail and a wall-clock budget for all of them together. Past either, the
answer is "could not be checked", never a guess.
"""

from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass, field

import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from cardguard.errors import UserError

from cardguard.verify.auth_codes import MAX_LOOKUPS_PER_MAIL  # noqa: E402,F401  (one limit for every caller)
# Largest TXT answer read: a 4096-bit DKIM key is about 800 characters; a policy never needs more.
MAX_TXT_BYTES = 8192
# A 4096-bit RSA key in SubjectPublicKeyInfo DER is 550 bytes; a longer one is a larger key.
MAX_KEY_DER_BYTES = 600


class DnsUnavailable(Exception):
    """A lookup could not be answered (timeout, no server): a temporary error, not a "no"."""


class DnsOutOfTime(DnsUnavailable):
    """The mail's DNS time budget is spent."""


class DnsTooManyLookups(DnsUnavailable):
    """The mail asked for more look-ups than one mail may cause."""


class DnsBadName(Exception):
    """The name cannot exist in DNS (empty label, label over 63 octets, name over 255)."""


def dns_name(name: str) -> str:
    """``name`` as DNS would send it (IDNA for Unicode labels), or DnsBadName."""
    try:
        parsed = dns.name.from_text(name if name.isascii() else _ascii(name), origin=dns.name.root)
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
        raise DnsBadName(f"{name!r}: {exc}") from None
    return parsed.to_text(omit_final_dot=True)


def _ascii(name: str) -> str:
    import idna

    try:
        return ".".join(label if label.isascii() else idna.encode(label, uts46=True).decode("ascii")
                        for label in name.split("."))
    except (idna.IDNAError, UnicodeError, ValueError) as exc:
        raise DnsBadName(f"{name!r}: {exc}") from None


@dataclass
class Resolver:
    nameserver: tuple[str, int] | None = None
    timeout: float = 5.0
    budget: float = 20.0  # seconds of DNS wall time for the whole mail
    max_lookups: int = MAX_LOOKUPS_PER_MAIL
    lookups: int = field(default=0, init=False)
    spent: float = field(default=0.0, init=False)
    out_of_time: bool = field(default=False, init=False)
    too_many: bool = field(default=False, init=False)
    down: bool = field(default=False, init=False)
    unanswered: int = field(default=0, init=False)  # look-ups that got no answer (timeout, SERVFAIL, refused)

    def __post_init__(self) -> None:
        if self.nameserver:
            self._resolver = dns.resolver.Resolver(configure=False)
            self._resolver.nameservers = [self.nameserver[0]]
            self._resolver.port = self.nameserver[1]
        else:
            try:
                self._resolver = dns.resolver.Resolver()
            except dns.resolver.NoResolverConfiguration:
                self._resolver = None
        if self._resolver is not None:
            self._resolver.lifetime = self.timeout
            self._resolver.timeout = self.timeout
            self._resolver.cache = dns.resolver.Cache()

    def remaining(self) -> float:
        return max(0.0, self.budget - self.spent)

    def query(self, name: str, rdtype: str) -> list:
        if self._resolver is None:
            raise DnsUnavailable("no DNS server configured")
        name = dns_name(name)
        if self.down:
            raise DnsUnavailable("DNS did not answer earlier queries for this mail")
        if self.lookups >= self.max_lookups:
            self.too_many = True
            raise DnsTooManyLookups(f"more than {self.max_lookups} DNS look-ups")
        remaining = self.remaining()
        if remaining <= 0:
            self.out_of_time = True
            raise DnsOutOfTime(f"DNS budget of {self.budget:g} s spent")
        self.lookups += 1
        lifetime = min(self.timeout, remaining)
        started = time.monotonic()
        try:
            answer = self._resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False,
                                            lifetime=lifetime)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, OSError) as exc:
            # No server answered at all (no network, nothing listening): the next query would only
            # wait as long again, so the rest of this mail's look-ups fail at once.
            self.unanswered += 1
            self.down = True
            raise DnsUnavailable(str(exc)) from exc
        except (dns.exception.DNSException, ValueError) as exc:
            # SERVFAIL/REFUSED (NoNameservers), a reply that does not parse.
            self.unanswered += 1
            raise DnsUnavailable(str(exc)) from exc
        finally:
            self.spent += time.monotonic() - started
            if self.spent >= self.budget:
                self.out_of_time = True
        return list(answer) if answer.rrset is not None else []

    def txt(self, name: str) -> list[bytes]:
        """Every TXT record at ``name``, each with its strings joined (an oversized one cut short,
        which no key or policy parser then accepts)."""
        return [b"".join(record.strings)[:MAX_TXT_BYTES] for record in self.query(name, "TXT")]

    def dkim_txt(self, name: bytes | str, timeout: float = 5) -> bytes | None:
        """The lookup function dkimpy expects: the first TXT record, or None."""
        import dkim

        try:
            records = self.txt(name.decode("ascii", "replace") if isinstance(name, bytes) else name)
        except DnsUnavailable as exc:
            raise dkim.DnsTimeoutError(str(exc)) from exc
        except DnsBadName:
            return None
        if not records:
            return None
        # dkimpy verifies in pure Python: a key past 4096 bits (RFC 8301's ceiling) is refused here,
        # before it costs seconds, for the ARC seals that go through this function.
        if _key_bytes(records[0]) > MAX_KEY_DER_BYTES:
            return None
        return records[0]

    def spf_lookup(self, name: str, qtype: str, tcpfallback: bool = True, timeout: float = 30) -> list:
        """The lookup function pyspf expects: ((name, type), data) pairs."""
        import spf

        try:
            records = self.query(name, qtype)
        except DnsUnavailable as exc:
            raise spf.TempError(f"DNS {exc}") from exc
        except DnsBadName:
            return []
        out = []
        for rdata in records:
            if qtype in ("A", "AAAA"):
                out.append(((name, qtype), rdata.address))
            elif qtype == "MX":
                out.append(((name, qtype), (rdata.preference, rdata.exchange)))
            elif qtype == "PTR":
                out.append(((name, qtype), rdata.target.to_text(True)))
            elif qtype in ("TXT", "SPF"):
                out.append(((name, qtype), rdata.strings))
        return out


def _key_bytes(record: bytes) -> int:
    """Length of the DER key in a DKIM key record's p= tag (0 when there is none)."""
    found = re.search(rb"(?:^|;)\s*p\s*=([^;]*)", record)
    if not found:
        return 0
    return len(re.sub(rb"\s+", b"", found.group(1))) * 3 // 4


def parse_resolver(value: str) -> tuple[str, int]:
    """(IP address, port) of the DNS server the holder named: an IPv4 or IPv6 address, with a port
    after ":" (IPv6 in brackets then). dnspython takes only an address: a host name or anything else
    is refused here, in the holder's words, rather than deep inside it."""
    text = value.strip()
    if text.startswith("["):
        host, closed, rest = text[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")):
            raise UserError("error.bad_resolver", given=value)
        port = rest[1:] if rest else "53"
    elif text.count(":") == 1:
        host, port = text.split(":")
    else:
        host, port = text, "53"  # an IPv4 address, or IPv6 without a port
    if not (port.isascii() and port.isdigit() and len(port) <= 5 and 0 < int(port) < 65536):
        raise UserError("error.bad_resolver", given=value)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise UserError("error.bad_resolver", given=value) from None
    return str(address), int(port)
