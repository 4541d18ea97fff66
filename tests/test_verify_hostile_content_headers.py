"""A Content-Type or Content-Disposition written to stall the reader (thousands of parameters, tens
of kilobytes of punctuation: the standard library parses parameters in quadratic time, 8 s for
12,000 empty ones) still gets a verdict, with the message read, and a header cut short to be read
keeps the mail from genuine. How long each takes is measured by `bench speed`, not here."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardguard.directory import load_directory
from cardguard.verify import CheckOptions, check_message
from cardguard.verify import message as mime
from corpus_pin import corpus_folder
from mailkit import message

DIRECTORY = load_directory(with_user_files=False)
ALIAS = "amex.7f3k@icloud.com"
NIGHT = datetime(2025, 11, 21, 14, 30, tzinfo=timezone.utc)
# The holder's own receiver stamped the mail as authenticated American Express: offline, it is genuine
# unless something else keeps it from that.
STAMPED = (b"Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
           b"spf=pass smtp.mailfrom=welcome.americanexpress.com; dmarc=pass (p=REJECT) "
           b"header.from=welcome.americanexpress.com\r\n")


def check(raw: bytes):
    return check_message(raw, DIRECTORY, CheckOptions(offline=True, trust_authserv=["mx.icloud.com"],
                                                      aliases=[ALIAS], now=NIGHT))


def with_content_type(params: bytes, raw: bytes | None = None) -> bytes:
    raw = raw or STAMPED + message()
    head, body = raw.split(b"\r\n\r\n", 1)
    head = re.sub(rb"(?m)^Content-Type: ([^\r\n]*)", lambda m: b"Content-Type: " + m.group(1) + params, head)
    return head + b"\r\n\r\n" + body


def ambiguities(verdict) -> str:
    return " ".join(f.evidence for f in verdict.findings if f.code == "message.ambiguous")


def test_the_plain_mail_is_genuine():
    # The baseline the cases below change one header of.
    assert check(with_content_type(b"")).verdict == "genuine"


def test_twelve_thousand_empty_parameters_are_read_as_none():
    verdict = check(with_content_type(b";" * 12_000))
    assert verdict.verdict == "genuine"  # no reader finds a parameter in them: nothing was dropped
    assert verdict.otp.detected and verdict.otp.code == "48****"


@pytest.mark.parametrize("params", [
    b"".join(b"; p%d=v" % i for i in range(1_500)),  # 12 KB of distinct parameters
    b"; x" * 4_000,  # parameters without a value
    b"".join(b"; title*%d*=utf-8''%%E3%%81%%82" % i for i in range(700)),  # an RFC 2231 continuation flood
])
def test_thousands_of_parameters_are_read_as_the_first_hundred_and_said_to_be(params):
    verdict = check(with_content_type(params))
    assert verdict.verdict == "suspicious"
    assert "message.ambiguous" in verdict.decisive
    assert "parameters, not all read" in ambiguities(verdict)
    assert verdict.otp.detected and verdict.otp.code == "48****"  # the text was read as before


@pytest.mark.parametrize("value", [b"," * 30_000, b"<" * 30_000, b"@" * 30_000, b'"' + b"\\" * 30_000 + b'"'])
def test_thirty_kilobytes_of_punctuation_in_one_parameter_is_read(value):
    verdict = check(with_content_type(b"; junk=" + value))
    assert verdict.verdict in ("genuine", "suspicious")
    assert verdict.otp.detected and verdict.otp.code == "48****"


@pytest.mark.parametrize("boundary_first", [True, False])
def test_a_parameter_flood_around_the_multipart_boundary_still_finds_every_part(boundary_first):
    html = '<p>ログインは<a href="https://evil.example/amex">こちら</a></p>'
    raw = STAMPED + message(html=html)
    head, body = raw.split(b"\r\n\r\n", 1)
    found = re.search(rb'Content-Type: multipart/alternative;\s*(boundary="[^"]+")', head)
    flood = b"".join(b" p%d=v;" % i for i in range(1_500))
    params = found.group(1) + b";" + flood if boundary_first else flood + found.group(1)
    flooded = head[:found.start()] + b"Content-Type: multipart/alternative; " + params + head[found.end():]
    verdict = check(flooded + b"\r\n\r\n" + body)
    assert "evil.example" in {link.host for link in verdict.links}  # the HTML part was read
    assert "link.foreign" in verdict.decisive
    assert verdict.verdict == "suspicious"


def test_a_flooded_content_disposition_still_names_the_attachment():
    raw = STAMPED + message()
    head, body = raw.split(b"\r\n\r\n", 1)
    boundary = b"==flood=="
    flood = b"".join(b"; p%d=v" % i for i in range(2_000))
    mail = (head.replace(b"Content-Type: text/plain", b"Content-Type: multipart/mixed; boundary=\"==flood==\"\r\n"
                                                        b"X-Old-Type: text/plain")
            + b"\r\n\r\n--" + boundary + b"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body
            + b"\r\n--" + boundary + b"\r\nContent-Type: application/octet-stream\r\n"
            + b"Content-Disposition: attachment; filename=\"invoice.pdf.exe\"" + flood + b"\r\n\r\nMZ\r\n--"
            + boundary + b"--\r\n")
    verdict = check(mail)
    assert "attachment.dangerous" in {f.code for f in verdict.findings}
    assert verdict.verdict == "phishing"
    assert "content-disposition: 2001 parameters" in ambiguities(verdict)


OLD_SPLIT = re.compile(r';(?=(?:[^"]*"[^"]*")*[^"]*$)')


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet='ab=;" \\\n*', max_size=40))
def test_parameters_are_cut_where_they_were(value):
    assert mime._split_params(value) == OLD_SPLIT.split(value)


def test_parameters_are_cut_where_they_were_on_the_corpus():
    import email
    import email.policy

    values = 0
    for path in sorted(corpus_folder().iterdir()):
        for part in email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32).walk():
            for name, value in part.items():
                if name.lower() in ("content-type", "content-disposition"):
                    value = str(value)
                    assert mime._split_params(value) == OLD_SPLIT.split(value)
                    values += 1
    assert values > 1000


def test_a_content_header_over_the_limit_and_too_many_headers_are_still_clear_errors():
    from cardguard.errors import UserError

    over = with_content_type(b"; a=" + b"x" * (mime.MAX_HEADER_BYTES + 1))
    with pytest.raises(UserError) as refused:
        check(over)
    assert refused.value.key == "error.header_too_long"
    folded = with_content_type(b"".join(b";\r\n p%d=%s" % (i, b"v" * 60) for i in range(600)))  # 38 KB in 600 lines
    with pytest.raises(UserError) as refused:
        check(folded)
    assert refused.value.key == "error.header_too_long"
    many = b"".join(b"X-Filler-%d: x\r\n" % i for i in range(mime.MAX_HEADERS)) + STAMPED + message()
    with pytest.raises(UserError) as refused:
        check(many)
    assert refused.value.key == "error.too_many_headers"
    # One header fewer is read.
    assert check(b"".join(b"X-Filler-%d: x\r\n" % i for i in range(mime.MAX_HEADERS - 20)) + STAMPED + message())
