"""Hostile DNS and crafted signatures for the authentication attack tests.

HostileZone answers like mailkit's Zone, except for names given a misbehaviour: SERVFAIL,
REFUSED, an empty answer, no reply at all (a timeout), or a slow reply. Signatures are made by
dkimpy with the knobs an attacker (or a careless signer) turns: the algorithm, l=, which headers h=
covers, even leaving out From, which dkimpy itself refuses to do.
"""

from __future__ import annotations

import base64
import random
import socket
import time
from contextlib import contextmanager

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.dns import DNSError

from mailkit import Key, Zone

SIGNED = [b"from", b"to", b"subject", b"date", b"message-id"]


class HostileZone(Zone):
    def __init__(self) -> None:
        super().__init__()
        self.behaviour: dict[str, str] = {}  # name -> servfail | refused | empty | drop | slow
        self.delay = 0.4
        self.split: dict[str, list[list[str]]] = {}  # records given as their character-strings

    def add_txt_strings(self, name: str, strings: list[str]) -> None:
        """One TXT record made of several character-strings, as a record longer than 255 is sent."""
        self.split.setdefault(name.rstrip(".").lower(), []).append(strings)

    def misbehave(self, name: str, how: str) -> None:
        self.behaviour[name.rstrip(".").lower()] = how

    def resolve(self, request, handler):
        name = str(request.q.qname).rstrip(".").lower()
        how = self.behaviour.get(name) or self.behaviour.get("*")
        if how == "drop":
            self.queries.append(f"dropped {name}")
            raise DNSError("dropped on purpose: the client times out")
        if how == "slow":
            time.sleep(self.delay)
        if how in ("servfail", "refused", "empty"):
            self.queries.append(f"{how} {name}")
            reply = request.reply()
            reply.header.rcode = {"servfail": RCODE.SERVFAIL, "refused": RCODE.REFUSED, "empty": RCODE.NOERROR}[how]
            return reply
        if name in self.split and request.q.qtype == QTYPE.TXT:
            self.queries.append(f"TXT {name}")
            reply = request.reply()
            for strings in self.split[name] + [[v] for v in self.txt.get(name, [])]:
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT([s.encode() for s in strings]), ttl=60))
            return reply
        return super().resolve(request, handler)


def sign(raw: bytes, key: Key, domain: str, selector: str = "s1", *, headers: list[bytes] | None = None,
         algorithm: bytes = b"rsa-sha256", length: bool = False, without_from: bool = False) -> bytes:
    """``raw`` with a DKIM-Signature on top. ``without_from``: h= leaves From out (RFC 6376 forbids it,
    so dkimpy has to be talked into it)."""
    include = list(headers or SIGNED)
    original = dkim.DKIM.gen_header

    def leave_out_from(self, fields, include_headers, *args, **kwargs):
        kept = tuple(h for h in include_headers if h != b"from")
        fields = [(b"h", b" : ".join(kept)) if tag == b"h" else (tag, value) for tag, value in fields]
        return original(self, fields, kept, *args, **kwargs)

    if without_from:
        dkim.DKIM.gen_header = leave_out_from
    try:
        header = dkim.sign(raw, selector.encode(), domain.encode(), key.pem, include_headers=include,
                           signature_algorithm=algorithm, length=length)
    finally:
        dkim.DKIM.gen_header = original
    return header + raw


def fake_rsa_key_txt(bits: int, exponent: int = 65537, seed: int = 1) -> str:
    """A well-formed RSA key record of any size without the minutes it takes to generate one: a
    random odd modulus (no signature can verify against it, which the size check must not need)."""
    rng = random.Random(seed)
    modulus = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
    public = rsa.RSAPublicNumbers(exponent, modulus).public_key()
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def free_udp_port() -> int:
    """A loopback port nothing listens on: queries to it are refused at once (ICMP)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@contextmanager
def silent_dns():
    """A loopback UDP port that takes queries and never answers: every query times out."""
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(("127.0.0.1", 0))
    try:
        yield sink.getsockname()
    finally:
        sink.close()
