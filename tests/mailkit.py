"""Real mail authentication for tests: a DNS server on loopback serving the keys and policies that
messages are signed with by dkimpy, and a builder for the seed's messages."""

from __future__ import annotations

import base64
import socket
import subprocess
import time
from contextlib import contextmanager
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import datetime, timezone

import dkim
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from dnslib import QTYPE, RCODE, RR, TXT
from dnslib.server import BaseResolver, DNSServer


# The address the seed's holder gave only to American Express.
ALIAS = "amex.7f3k@icloud.com"


class Zone(BaseResolver):
    """TXT records by name; everything else does not exist."""

    def __init__(self) -> None:
        self.txt: dict[str, list[str]] = {}
        self.queries: list[str] = []

    def add_txt(self, name: str, value: str) -> None:
        self.txt.setdefault(name.rstrip(".").lower(), []).append(value)

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        self.queries.append(f"{QTYPE[request.q.qtype]} {name}")
        if name not in self.txt:
            reply.header.rcode = RCODE.NXDOMAIN
        elif request.q.qtype == QTYPE.TXT:
            for value in self.txt[name]:
                chunks = [value[i:i + 255].encode() for i in range(0, len(value), 255)]
                reply.add_answer(RR(name, QTYPE.TXT, rdata=TXT(chunks), ttl=60))
        return reply


class _Quiet:
    def log_recv(self, *a): pass
    def log_send(self, *a): pass
    def log_request(self, *a): pass
    def log_reply(self, *a): pass
    def log_truncated(self, *a): pass
    def log_error(self, *a): pass
    def log_data(self, *a): pass


@contextmanager
def dns_server(zone: Zone):
    """UDP and TCP on one free loopback port (large DKIM keys fall back to TCP)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    udp = DNSServer(zone, address="127.0.0.1", port=port, logger=_Quiet())
    tcp = DNSServer(zone, address="127.0.0.1", port=port, tcp=True, logger=_Quiet())
    udp.start_thread()
    tcp.start_thread()
    try:
        yield ("127.0.0.1", port)
    finally:
        udp.stop()
        tcp.stop()


class Key:
    def __init__(self, bits: int = 2048) -> None:
        if bits >= 1024:
            private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
            self.pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                             serialization.NoEncryption())
        else:
            # cryptography refuses to generate short keys, which is exactly what this test needs.
            self.pem = subprocess.run(["openssl", "genrsa", "-traditional", str(bits)], capture_output=True,
                                      check=True).stdout
            private = serialization.load_pem_private_key(self.pem, password=None, unsafe_skip_rsa_key_validation=True)
        public = private.public_key().public_bytes(serialization.Encoding.DER,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
        self.txt = "v=DKIM1; k=rsa; p=" + base64.b64encode(public).decode()


def sign(raw: bytes, key: Key, domain: str, selector: str = "s1", *, expires: int | None = None,
         signed_at: int | None = None) -> bytes:
    original = dkim.DKIM.gen_header
    clock = time.time

    def with_expiry(self, fields, *args, **kwargs):
        if expires is not None:
            fields = fields[:-1] + [(b"x", str(expires).encode())] + fields[-1:]
        return original(self, fields, *args, **kwargs)

    dkim.DKIM.gen_header = with_expiry
    if signed_at is not None:
        dkim.time.time = lambda: signed_at
    try:
        header = dkim.sign(raw, selector.encode(), domain.encode(), key.pem,
                           include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    finally:
        dkim.DKIM.gen_header = original
        dkim.time.time = clock
    return header + raw


SAFEKEY_SUBJECT = "[American Express] SafeKey認証コードをお送りします"
SAFEKEY_BODY = """\
アメリカン・エキスプレス・カード会員様

オンラインショッピングでのご本人確認のため、SafeKey認証コードをお送りします。

認証コード：482913

ご利用先：EXAMPLE ONLINE STORE
ご利用金額：39,800円

このコードは10分間有効です。お心当たりのない場合は、カード裏面の電話番号までご連絡ください。
https://www.americanexpress.com/ja-jp/account/login
"""


def message(*, sender: str = "Americanexpress@welcome.americanexpress.com", display: str = "American Express",
            to: str = ALIAS, subject: str = SAFEKEY_SUBJECT, body: str = SAFEKEY_BODY,
            html: str | None = None, headers: dict[str, str] | None = None, charset: str = "utf-8") -> bytes:
    msg = EmailMessage()
    local, domain = sender.rsplit("@", 1)
    msg["From"] = Address(display, local, domain) if display else sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(datetime(2025, 11, 21, 23, 28, tzinfo=timezone.utc))
    msg["Message-ID"] = "<seed-20251121@welcome.americanexpress.com>"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body, charset=charset)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@contextmanager
def amex_dns():
    """The test DNS server publishing American Express's key and DMARC policy; yields (key, address)."""
    key = Key(2048)
    zone = Zone()
    zone.add_txt("s1._domainkey.welcome.americanexpress.com", key.txt)
    zone.add_txt("_dmarc.americanexpress.com", "v=DMARC1; p=reject")
    with dns_server(zone) as address:
        yield key, address


@pytest.fixture(scope="module")
def dns():
    """amex_dns for a whole test module, (key, address). The mailbox tests import it (`from mailkit
    import dns`) rather than each writing it again."""
    with amex_dns() as found:
        yield found


@pytest.fixture(scope="module")
def key(dns):
    """The key American Express's test zone publishes (`from mailkit import dns, key, address`)."""
    return dns[0]


@pytest.fixture(scope="module")
def address(dns):
    """The address of the DNS server publishing it."""
    return dns[1]


def received_safekey(key: Key, to: str = ALIAS) -> bytes:
    """The seed's genuine SafeKey mail as the holder's mailbox received it, 23:27 on the Friday."""
    received = (b"Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com [192.0.2.25])\r\n"
                b" by mx.icloud.com with ESMTPS; Fri, 21 Nov 2025 23:27:40 +0900\r\n")
    return received + sign(message(to=to), key, "welcome.americanexpress.com")
