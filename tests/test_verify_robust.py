"""Whatever bytes arrive, `check` gives a verdict or a clear error: never a traceback, never a
network connection when offline."""

from __future__ import annotations

import socket

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardguard.directory import load_directory
from cardguard.errors import UserError
from cardguard.verify import CheckOptions, check_message
from mailkit import SAFEKEY_BODY, message

DIRECTORY = load_directory(with_user_files=False)


def verdict_or_clear_error(raw: bytes, **options):
    try:
        verdict = check_message(raw, DIRECTORY, CheckOptions(offline=True, **options))
    except UserError as error:
        assert error.message("en") and error.message("ja")
        return None
    doc = verdict.as_json("ja")
    assert doc["verdict"] in ("genuine", "suspicious", "phishing", "unrelated")
    assert doc["verdict"] != "genuine"  # offline, with no trusted receiver, nothing can be
    return verdict


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.binary(max_size=4000))
def test_arbitrary_bytes(data):
    verdict_or_clear_error(data)


@FUZZ
@given(st.integers(min_value=1, max_value=4000))
def test_truncated_anywhere(cut):
    html = "<p>SafeKey</p>" + "<a href='https://www.americanexpress.com/jp/'>link</a>" * 5
    raw = message(html=html)
    verdict_or_clear_error(raw[:cut])


HEADER_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


@FUZZ
@given(
    st.lists(st.tuples(st.sampled_from(["From", "To", "Subject", "Content-Type", "Content-Transfer-Encoding",
                                        "DKIM-Signature", "Authentication-Results", "Received", "Reply-To",
                                        "X-Junk"]), HEADER_TEXT), max_size=12),
    st.binary(max_size=1500),
)
def test_hostile_headers_and_bodies(headers, body):
    head = "".join(f"{name}: {value}\r\n" for name, value in headers).encode("utf-8", "surrogatepass")
    verdict_or_clear_error(b"From: a@b.example\r\n" + head + b"\r\n" + body)


@pytest.mark.parametrize("charset", ["iso-2022-jp", "shift_jis", "euc-jp", "utf-8"])
def test_japanese_encodings(charset):
    verdict = verdict_or_clear_error(message(body=SAFEKEY_BODY, charset=charset))
    assert verdict.otp.code == "48****" and verdict.issuer == "amex-jp"


@pytest.mark.parametrize("body", [
    b"Content-Type: text/plain; charset=iso-2022-jp\r\nContent-Transfer-Encoding: base64\r\n\r\nGyRCJEckcyEjGyhC===!!",
    b"Content-Type: text/plain; charset=shift_jis\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=82=A0=8\r\n=ZZ",
    b"Content-Type: text/plain; charset=x-unknown-charset\r\n\r\n\x82\xa0\x82\xa2\xff\xfe",
    b"Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/html\r\n\r\n<a href='x",
    b"Content-Type: text/plain; charset=\"utf-8\r\n\r\n\xe3\x81",
])
def test_broken_encodings(body):
    verdict_or_clear_error(b"From: =?iso-2022-jp?B?GyRCJUYbKEI=?= <x@y.example>\r\nSubject: =?utf-8?B?broken?=\r\n" + body)


def test_ten_thousand_headers_is_a_clear_error(cardguard, tmp_path):
    path = tmp_path / "many.eml"
    path.write_bytes(b"From: a@b.example\r\n" + b"X-Spam: 1\r\n" * 10_000 + b"\r\nbody")
    run = cardguard("check", str(path), "--offline")
    assert run.code != 0 and "header lines" in run.err and "Traceback" not in run.err


def test_deep_nesting_is_a_clear_error_or_a_verdict():
    depth = 200
    parts = b"".join(b"Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth))
    raw = b"From: a@b.example\r\nSubject: deep\r\n" + parts + b"Content-Type: text/plain\r\n\r\nhello\r\n"
    with pytest.raises(UserError) as caught:
        check_message(raw, DIRECTORY, CheckOptions(offline=True))
    assert caught.value.key == "error.message_too_deep"


def test_oversized_message_is_refused_without_reading_it_all(cardguard, tmp_path):
    path = tmp_path / "huge.eml"
    with open(path, "wb") as handle:
        handle.write(b"From: a@b.example\r\nSubject: big\r\n\r\n")
        handle.write(b"A" * (50 * 1024 * 1024 + 10))
    run = cardguard("check", str(path), "--json")
    assert run.code != 0 and run.json()["error"]["code"] == "error.message_too_large"


def test_unreadable_and_empty_input(cardguard, tmp_path):
    missing = cardguard("check", str(tmp_path / "nope.eml"))
    assert missing.code != 0 and "Cannot read" in missing.err
    empty = cardguard("check", "-", input=b"", env={"LANG": "ja_JP.UTF-8"})
    assert empty.code != 0 and "入力が空" in empty.err
    junk = cardguard("check", "-", input=b"\x00\x01 just some bytes")
    assert junk.code != 0 and "does not look like an email" in junk.err


def test_pasted_source_on_stdin(cardguard):
    run = cardguard("check", "-", "--offline", "--json", input=message())
    assert run.code == 0 and run.json()["verdict"] == "suspicious"


def test_forward_with_the_original_attached():
    import email.policy
    from email.message import EmailMessage

    forward = EmailMessage(policy=email.policy.default)
    forward["From"] = "me@example.jp"
    forward["To"] = "me@example.jp"
    forward["Subject"] = "Fwd: [American Express] SafeKey認証コードをお送りします"
    forward.set_content("see attached")
    inner = email.message_from_bytes(message(), policy=email.policy.default)
    forward.add_attachment(inner)
    verdict = verdict_or_clear_error(forward.as_bytes())
    # The mail that arrived is the forward: its sender is judged, and forwarding is not impersonating.
    assert verdict.from_address == "me@example.jp" and verdict.issuer == "amex-jp"
    assert verdict.verdict == "suspicious"
    assert {"message.forward", "from.forwarder"} <= {f.code for f in verdict.findings}
    assert "from.forwarder" in verdict.decisive


class NetworkUsed(BaseException):
    """Not an Exception, so no broad handler in the code under test can swallow it."""


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise NetworkUsed(args)

    for name in ("connect", "connect_ex", "sendto", "sendmsg", "send"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_offline_opens_no_connection(no_network):
    html = '<img src="https://tracker.example/p.gif"><a href="https://evil.example/">https://www.americanexpress.com/</a>'
    for raw in (message(), message(html=html), b"Authentication-Results: mx.example; dmarc=pass\r\n" + message()):
        check_message(raw, DIRECTORY, CheckOptions(offline=True, trust_authserv=["mx.example"]))


def test_the_guard_would_catch_a_lookup(no_network):
    # Proof that the guard is real: the same analysis online tries the network and is stopped.
    with pytest.raises(NetworkUsed):
        check_message(message(), DIRECTORY, CheckOptions(offline=False, resolver=("127.0.0.1", 9), dns_timeout=1))
