"""A genuine signed issuer mail, changed at random the ways a reader could see: never genuine.

Starting from the seed's SafeKey mail signed by the issuer's key (test DNS server), hypothesis
applies one to three changes: a header added or duplicated, a part added, text appended, a link
changed, the whole wrapped in a forward, headers reordered. If any change is one a reader could
see, the verdict must not be `genuine`; if every change is invisible (an extra trace header,
reordered headers), it must stay genuine. CI runs a few dozen examples; `python3 tasks.py bench
property N` runs N.
"""

from __future__ import annotations

import email
import email.policy
import os
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardguard.directory import load_directory
from cardguard.verify import CheckOptions, check_message
from mailkit import Key, Zone, dns_server, message, sign

ALIAS = "amex.7f3k@icloud.com"
OFFICIAL = "https://www.americanexpress.com/ja-jp/account/login"
HTML = f'<p>SafeKey認証コード：482913</p><p><a href="{OFFICIAL}">ログイン</a></p>'
EXAMPLES = int(os.environ.get("CARDGUARD_PROPERTY_EXAMPLES", "25"))
KEY = Key(2048)
DIRECTORY = load_directory(with_user_files=False)


@pytest.fixture(scope="module")
def resolver():
    zone = Zone()
    zone.add_txt("s1._domainkey.welcome.americanexpress.com", KEY.txt)
    zone.add_txt("_dmarc.americanexpress.com", "v=DMARC1; p=reject")
    with dns_server(zone) as address:
        yield address


def genuine() -> bytes:
    return sign(message(html=HTML), KEY, "welcome.americanexpress.com")


def crlf(raw: bytes) -> bytes:
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def split(raw: bytes) -> tuple[list[bytes], bytes]:
    head, body = crlf(raw).split(b"\r\n\r\n", 1)
    fields: list[bytes] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    return fields, body


def join(fields: list[bytes], body: bytes) -> bytes:
    return b"\r\n".join(fields) + b"\r\n\r\n" + body


# Each change: (what it does to the bytes, whether a reader could see it).
VISIBLE_HEADERS = {"From": "American Express <security@americanexpress.com>", "To": "victim@example.com",
                   "Subject": "【重要】カードを停止しました", "Date": "Sat, 22 Nov 2025 01:00:00 +0900",
                   "Content-Type": "text/plain; charset=utf-8", "Reply-To": "help@evil.example",
                   "Cc": "other@example.com"}


def add_trace_header(raw: bytes, data) -> bytes:
    name = data.draw(st.sampled_from(["X-Mailer", "X-Spam-Score", "Received", "X-Original-Arrival"]))
    value = data.draw(st.from_regex(r"[A-Za-z0-9 .;=-]{1,30}", fullmatch=True)).strip() or "x"
    return f"{name}: {value}\r\n".encode() + raw


def reorder_headers(raw: bytes, data) -> bytes:
    fields, body = split(raw)
    order = data.draw(st.permutations(range(len(fields))))
    return join([fields[i] for i in order], body)


def duplicate_visible_header(raw: bytes, data) -> bytes:
    name = data.draw(st.sampled_from(sorted(VISIBLE_HEADERS)))
    fields, body = split(raw)
    has = any(f.lower().startswith(name.lower().encode() + b":") for f in fields)
    value = VISIBLE_HEADERS[name]
    if not has and name in ("Reply-To", "Cc"):
        name, value = "Subject", VISIBLE_HEADERS["Subject"]
    line = f"{name}: {value}".encode()
    fields.insert(data.draw(st.integers(0, len(fields))), line)
    return join(fields, body)


def add_part(raw: bytes, data) -> bytes:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    kind = data.draw(st.sampled_from(["text", "pdf", "html"]))
    if kind == "text":
        part = EmailMessage(policy=email.policy.default)
        part.set_content("ご確認ください https://www.americanexpress.com/jp/")
        if msg.is_multipart():
            msg.attach(part)
        else:
            msg.add_attachment(part.get_content())
    elif kind == "pdf":
        msg.add_attachment(b"%PDF-1.4\n<< /URI (https://evil.example/pay) >>\n%%EOF", maintype="application",
                           subtype="pdf", filename="statement.pdf")
    else:
        msg.add_attachment("<p>詳細</p>", subtype="html", filename="detail.html")
    return crlf(msg.as_bytes())


def append_text(raw: bytes, data) -> bytes:
    extra = data.draw(st.sampled_from(["\r\nお問い合わせ：0120-000-000\r\n", "\r\nP.S. ", "\r\n.\r\n", " "]))
    return raw + extra.encode()


def change_link(raw: bytes, data) -> bytes:
    target = data.draw(st.sampled_from(["https://evil.example/login", "https://americanexpress.com.evil.example/",
                                        "https://www.americanexpress.com/r?u=https://evil.example/",
                                        "https://www.americanexpress.co.jp/login"]))
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = [p for p in msg.walk() if p.get_content_maintype() == "text" and OFFICIAL in p.get_content()]
    if not parts:
        return raw  # an earlier change already took the link away: that change was the visible one
    part = data.draw(st.sampled_from(parts))
    changed = part.get_content().replace(OFFICIAL, target)
    part.set_content(changed, subtype=part.get_content_subtype())
    return crlf(msg.as_bytes())


def wrap_in_forward(raw: bytes, data) -> bytes:
    sender = data.draw(st.sampled_from(["me@example.jp", "support@americanexpress-help.example",
                                        "Americanexpress@welcome.americanexpress.com"]))
    outer = EmailMessage(policy=email.policy.default)
    outer["From"] = sender
    outer["To"] = ALIAS
    outer["Subject"] = "Fwd: SafeKey"
    outer.set_content("転送します")
    outer.add_attachment(email.message_from_bytes(raw, policy=email.policy.compat32))
    return crlf(outer.as_bytes())


INVISIBLE = [add_trace_header, reorder_headers]
VISIBLE = [duplicate_visible_header, add_part, append_text, change_link, wrap_in_forward]


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                       HealthCheck.function_scoped_fixture])
@given(st.data())
def test_a_change_a_reader_could_see_is_never_genuine(resolver, data):
    changes = data.draw(st.lists(st.sampled_from(INVISIBLE + VISIBLE), min_size=1, max_size=3))
    raw = genuine()
    for change in changes:
        raw = change(raw, data)
    verdict = check_message(raw, DIRECTORY, CheckOptions(resolver=resolver, dns_timeout=5, aliases=[ALIAS]))
    names = [c.__name__ for c in changes]
    if any(c in VISIBLE for c in changes):
        assert verdict.verdict != "genuine", names
    else:
        assert verdict.verdict == "genuine", (names, verdict.as_json("en")["findings"])


def test_the_unchanged_mail_is_genuine(resolver):
    verdict = check_message(genuine(), DIRECTORY, CheckOptions(resolver=resolver, dns_timeout=5, aliases=[ALIAS]))
    assert verdict.verdict == "genuine"
