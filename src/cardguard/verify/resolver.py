"""DNS for authentication, and nothing else. Offline means no query at all, not a failing one."""

from __future__ import annotations

from dataclasses import dataclass

import dns.exception
import dns.rdatatype
import dns.resolver

from cardguard.errors import UserError


class DnsUnavailable(Exception):
    """A lookup could not be answered (timeout, no server): a temporary error, not a "no"."""


@dataclass
class Resolver:
    nameserver: tuple[str, int] | None = None
    timeout: float = 5.0

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

    def query(self, name: str, rdtype: str) -> list:
        if self._resolver is None:
            raise DnsUnavailable("no DNS server configured")
        try:
            answer = self._resolver.resolve(name, rdtype, raise_on_no_answer=False, search=False)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.exception.Timeout, dns.resolver.NoNameservers, dns.resolver.LifetimeTimeout) as exc:
            raise DnsUnavailable(str(exc)) from exc
        except (dns.exception.DNSException, ValueError) as exc:
            raise DnsUnavailable(str(exc)) from exc
        return list(answer) if answer.rrset is not None else []

    def txt(self, name: str) -> list[bytes]:
        """Every TXT record at ``name``, each with its strings joined."""
        return [b"".join(record.strings) for record in self.query(name, "TXT")]

    def dkim_txt(self, name: bytes | str, timeout: float = 5) -> bytes | None:
        """The lookup function dkimpy expects: the first TXT record, or None."""
        import dkim

        try:
            records = self.txt(name.decode("ascii", "replace") if isinstance(name, bytes) else name)
        except DnsUnavailable as exc:
            raise dkim.DnsTimeoutError(str(exc)) from exc
        return records[0] if records else None

    def spf_lookup(self, name: str, qtype: str, tcpfallback: bool = True, timeout: float = 30) -> list:
        """The lookup function pyspf expects: ((name, type), data) pairs."""
        import spf

        try:
            records = self.query(name, qtype)
        except DnsUnavailable as exc:
            raise spf.TempError(f"DNS {exc}") from exc
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


def parse_resolver(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep:
        return value, 53
    host = host.strip("[]")
    try:
        number = int(port)
    except ValueError:
        raise UserError("error.bad_resolver", given=value) from None
    if not host or not 0 < number < 65536:
        raise UserError("error.bad_resolver", given=value)
    return host, number
