"""Input written to stall, crash or fool the checker gets what every mail gets: a verdict (never
`genuine` when apps would read it differently) or a clear error in the holder's language, never a
traceback, an exit 70 or a page that hangs. The sizes are those that stalled before (minutes each);
how long they take now is measured by `bench speed`, not asserted here."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import threading
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardguard.errors import UserError
from cardguard.verify import CheckOptions, check_message, content, links
from cardguard.verify.resolver import parse_resolver
from mailkit import message
from test_verify_fast_same_answers import corpus_texts, link_texts

# The same stamped Amex mail and directory as the hostile Content-* header tests.
from test_verify_hostile_content_headers import ALIAS, DIRECTORY, NIGHT, STAMPED  # noqa: E402
HEAD = (STAMPED + b"From: American Express <Americanexpress@welcome.americanexpress.com>\r\nTo: " + ALIAS.encode()
        + b"\r\nSubject: [American Express] SafeKey\r\nDate: Fri, 21 Nov 2025 23:28:00 +0000\r\n"
        b"Message-ID: <x@welcome.americanexpress.com>\r\nMIME-Version: 1.0\r\n")


def check(raw: bytes):
    return check_message(raw, DIRECTORY, CheckOptions(offline=True, trust_authserv=["mx.icloud.com"],
                                                      aliases=[ALIAS], now=NIGHT))


def ambiguities(verdict) -> str:
    return " ".join(f.evidence for f in verdict.findings if f.code == "message.ambiguous")


def hosts(verdict) -> set[str]:
    return {link.host for link in verdict.links}


def test_the_plain_mail_these_change_is_genuine():
    assert check(HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\nSafeKey code: 482913\r\n").verdict == "genuine"


# ------------------------------------------------------------------------------------ stalls

def test_a_top_level_content_type_of_32000_semicolons_gets_a_verdict():
    verdict = check(HEAD + b"Content-Type: text/plain" + b";" * 32_000 + b"\r\n\r\nSafeKey code: 482913\r\n")
    assert verdict.verdict == "genuine" and verdict.otp.code == "48****"


def multipart(part_headers: bytes, body: bytes = b"SafeKey code: 482913") -> bytes:
    return (HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n' + part_headers
            + b"\r\n\r\n" + body + b"\r\n--B--\r\n")


TEXT = b"Content-Type: text/plain\r\n"


def test_a_parts_content_type_of_60000_semicolons_is_read_as_no_parameters():
    verdict = check(multipart(b"Content-Type: text/plain" + b";" * 60_000))
    assert verdict.verdict == "genuine" and verdict.otp.code == "48****"  # no reader finds a parameter there


@pytest.mark.parametrize("headers", [
    b"Content-Type: text/plain; a=" + b'"' * 70_000,  # a run of quoted strings
    b"Content-Type: text/plain; a=" + b"," * 80_000,
    b"Content-Type: text/plain; a=" + b"(" * 70_000,  # comments nested 70,000 deep
    TEXT + b"Content-Transfer-Encoding: 7bit" + b";" * 70_000,
    TEXT + b"Content-Transfer-Encoding: " + b"(" * 5_000,
    TEXT + b'Content-Disposition: inline; filename="' + b"\\" * 70_000 + b'"',
    TEXT + b"Content-ID: <" + b"<" * 70_000,
])
def test_a_parts_giant_content_header_gets_a_verdict_that_says_it_was_cut(headers):
    verdict = check(multipart(headers))
    assert verdict.verdict == "suspicious"
    assert "message.ambiguous" in verdict.decisive
    assert re.search(r"content-[a-z-]+: (cut to \d+ characters|unreadable)", ambiguities(verdict))


def many_parts(count: int, header: bytes, last: bytes = b"") -> bytes:
    """A mail of ``count`` text parts, each with a Content-Type of its own made of ``header``,
    then ``last`` (one part more)."""
    parts = b"".join(b"--B\r\nContent-Type: text/plain; a=%d" % n + header + b"\r\n\r\nSafeKey code: 482913\r\n"
                     for n in range(count))
    return HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + parts + last + b"--B--\r\n"


EVIL_PART = b"--B\r\nContent-Type: text/html\r\n\r\n<a href=\"https://evil.example/login\">Log in</a>\r\n"


@pytest.mark.parametrize("header", [b'"' * 1000, b";" * 1000, b"\\" * 500])
def test_hundreds_of_parts_with_a_1_kb_hostile_header_are_read_up_to_the_mails_budget(header):
    from cardguard.verify.message import MAX_PART_HEADER_BYTES

    count = 2 * MAX_PART_HEADER_BYTES // len(header)  # twice what one mail may cost to read
    verdict = check(many_parts(count, header, EVIL_PART))
    assert verdict.verdict == "suspicious"
    assert {"link.parts_unread", "link.not_confirmed"} <= verdict.decisive
    said = next(f for f in verdict.findings if f.code == "link.parts_unread")
    assert "64 KB" in said.message("en") and "64 KB" in said.message("ja") and "パート" in said.message("ja")
    assert "evil.example" not in hosts(verdict)  # past the budget: unread, and said to be


def test_a_mail_of_many_plain_parts_within_the_budget_is_read_whole():
    verdict = check(many_parts(150, b"; charset=utf-8; format=flowed; delsp=yes"))
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]
    verdict = check(many_parts(150, b"; charset=utf-8; format=flowed; delsp=yes", EVIL_PART))
    assert "evil.example" in hosts(verdict) and "link.parts_unread" not in {f.code for f in verdict.findings}


def test_more_parts_than_are_read_says_links_are_unknown():
    from cardguard.verify.message import MAX_PARTS

    verdict = check(many_parts(MAX_PARTS + 10, b""))
    assert verdict.verdict == "suspicious" and {"link.parts_unread", "message.ambiguous"} <= verdict.decisive


def test_the_budget_is_one_for_a_mail_and_the_messages_it_carries():
    from cardguard.verify.message import MAX_PART_HEADER_BYTES

    # Each fits the budget on its own (two thirds of it), the two together do not.
    half = MAX_PART_HEADER_BYTES * 2 // 3 // 1000
    inner = many_parts(half, b'"' * 1000, EVIL_PART).replace(b"--B", b"--C").replace(b'boundary="B"', b'boundary="C"')
    assert "link.parts_unread" not in {f.code for f in check(inner).findings}
    carried = b"--B\r\nContent-Type: message/rfc822\r\n\r\n" + inner + b"\r\n"
    verdict = check(many_parts(half, b'"' * 1000, carried))
    assert verdict.verdict == "suspicious" and "link.parts_unread" in verdict.decisive


def test_a_short_part_header_nested_too_deep_for_the_parser_is_unreadable_not_a_crash():
    verdict = check(multipart(b"Content-Type: text/plain; a=" + b"(" * 900))
    assert verdict.verdict == "suspicious"
    assert "content-type: unreadable" in ambiguities(verdict)


def _nested(levels: int, part: bytes) -> bytes:
    """``part`` (headers, blank line, body) inside ``levels`` multiparts, inside the mail's own."""
    for level in range(levels):
        part = (b'Content-Type: multipart/alternative; boundary="L%d"\r\n\r\n--L%d\r\n' % (level, level)
                + part + b"\r\n--L%d--\r\n" % level)
    return HEAD + b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n--B\r\n' + part + b"\r\n--B--\r\n"


@pytest.mark.parametrize("levels", [0, 1, 12, 18])
@pytest.mark.parametrize("comments", [65, 300, 470, 485])
def test_a_header_nested_near_the_parsers_limit_is_read_alike_at_any_depth_and_by_either_reading(
        monkeypatch, levels, comments):
    # Found by an attacker: whether the header parser ran out of stack on ~470 nested comments (under
    # the 1 KB read of a value) depended on how deep its caller was, so the fast and the standard MIME
    # reading, and parts at different depths, read one value differently (a signed mail with it was
    # genuine one way, suspicious the other). Past MAX_COMMENT_NESTING it is unreadable everywhere.
    from cardguard.verify import message as read, parts

    html = (b"Content-Type: text/html; charset=utf-8; a=" + b"(" * comments + b")" * comments
            + b"\r\n\r\n<p>SafeKey code: 482913</p>")
    mail = _nested(levels, html)
    verdicts = []
    for fast in (True, False):
        read._PARSED.clear()  # each reading parses afresh, as in a new process
        if not fast:
            monkeypatch.setattr(parts, "read", lambda data, policy: None)
        verdict = check(mail)
        verdicts.append((verdict.verdict, sorted(verdict.decisive), ambiguities(verdict)))
    assert verdicts[0] == verdicts[1]
    assert verdicts[0][0] == "suspicious" and "content-type: unreadable" in verdicts[0][2]


def test_comments_nested_as_mail_apps_write_them_are_read():
    verdict = check(multipart(b"Content-Type: text/plain; charset=utf-8 (" + b"(" * 3 + b"note" + b")" * 4))
    assert verdict.verdict == "genuine" and "unreadable" not in ambiguities(verdict)


def test_an_unreadable_content_disposition_is_said_the_first_time_it_is_read():
    # The check looked for it among the values the parser had failed on before reading it: only a
    # second mail with the same value (in the same process) was said to be ambiguous.
    from cardguard.verify import message as read

    read._PARSED.clear()
    disposition = b"Content-Disposition: attachment; filename=" + b"(" * 100 + b"x.html"
    verdict = check(multipart(TEXT + disposition))
    assert verdict.verdict == "suspicious" and "content-disposition: unreadable" in ambiguities(verdict)


def test_twenty_thousand_letters_of_link_text_get_a_verdict_with_the_link():
    html = b'<p>SafeKey code: 482913</p><a href="https://evil.example/login">' + b"a" * 20_000 + b"</a>"
    verdict = check(HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html)
    assert "evil.example" in hosts(verdict) and verdict.verdict != "genuine"


def test_thirty_thousand_digits_after_a_code_keyword_get_a_verdict():
    body = "認証コード".encode() + b"1" * 30_000 + b"\r\n"
    verdict = check(HEAD + b"Content-Type: text/plain; charset=utf-8\r\n\r\n" + body)
    assert verdict.otp.detected and verdict.verdict in ("genuine", "suspicious")


def test_300_kb_of_event_handler_lookalikes_without_a_tag_end_get_a_verdict():
    html = b"<p>SafeKey code: 482913</p><a href='https://evil.example/x'>go</a><p" + b" ona=" * 60_000
    verdict = check(HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html)
    assert "evil.example" in hosts(verdict) and verdict.verdict != "genuine"


# The patterns as they were before they were made linear: the new ones find the same.
BEFORE_AMOUNT = re.compile(r"(?:[¥￥]\s?[\d,]+|[\d,]+\s?円|JPY\s?[\d,.]+|USD\s?[\d,.]+|\$\s?[\d,.]+)")
BEFORE_DOMAIN_IN_TEXT = re.compile(rf"(?:[hH][tT][tT][pP][sS\u017f]?://)?((?:{links._DOMAIN_CHAR}+\.)+"
                                   rf"{links._DOMAIN_LETTER}{{2,}})(?=[/:\s]|$)")


def same(old: re.Pattern, new: re.Pattern, text: str) -> bool:
    before, after = old.search(text), new.search(text)
    return (before and (before.span(), before.groups())) == (after and (after.span(), after.groups()))


def test_amounts_are_found_as_before_on_the_corpus():
    texts = [content.normalize(text) for text in corpus_texts()]
    assert all(same(BEFORE_AMOUNT, content._AMOUNT, text) for text in texts)
    assert sum(1 for text in texts if BEFORE_AMOUNT.search(text)) > 50


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["1", "12", ",", "円", " ", "\u3000", "¥", "￥", "JPY", "USD", "$", ".", "\n", "a",
                                 "١", "万"]), max_size=16))
def test_amounts_are_found_as_before_on_generated_text(pieces):
    assert same(BEFORE_AMOUNT, content._AMOUNT, "".join(pieces))


def test_domains_shown_as_link_text_are_read_as_before_on_the_corpus():
    texts = link_texts() + corpus_texts()
    assert all(same(BEFORE_DOMAIN_IN_TEXT, links._DOMAIN_IN_TEXT, text) for text in texts)


@settings(max_examples=800, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(["http://", "HTTPS://", "hTtp\u017f://", "xhttp://", "www", ".", "..", "-",
                                           "co", "jp", "a", "例え", "\u00a1", "\u00a0", "\U0001f600", "/", ":", " ",
                                           "\n", "K", "é", "1", "_"]),
                          st.text(max_size=3)), max_size=12))
def test_domains_shown_as_link_text_are_read_as_before_on_generated_text(pieces):
    assert same(BEFORE_DOMAIN_IN_TEXT, links._DOMAIN_IN_TEXT, "".join(pieces))


# ---------------------------------------------------------------------------------- charsets

@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib", "bz2", "uu", "quopri", "cp037", "utf-7",
                                     "no-such-charset", "punycode"])
def test_a_charset_no_mail_app_has_is_read_as_apps_read_it_and_never_genuine(charset):
    html = b'<p>SafeKey code: 482913</p><a href="https://evil.example/login">Verify</a>'
    verdict = check(HEAD + b'Content-Type: text/html; charset="' + charset.encode() + b'"\r\n\r\n' + html)
    assert "evil.example" in hosts(verdict)  # the link every app shows is read
    assert verdict.verdict != "genuine"
    assert f"charset '{charset}' unknown to mail apps" in ambiguities(verdict)


def with_subject_in(charset: str, codec: str) -> tuple[bytes, str]:
    """The plain stamped mail, its Subject an RFC 2047 word in ``charset`` (bytes made by ``codec``)."""
    word = f"=?{charset}?B?{base64.b64encode('[American Express] SafeKey'.encode(codec)).decode()}?="
    raw = HEAD.replace(b"Subject: [American Express] SafeKey", b"Subject: " + word.encode())
    return raw + b"Content-Type: text/plain; charset=utf-8\r\n\r\nSafeKey code: 482913\r\n", word


@pytest.mark.parametrize("charset, codec", [("ibm037", "cp037"), ("cp500", "cp500"), ("utf-7", "utf-7")])
def test_a_subject_in_a_charset_no_mail_app_has_is_shown_as_written_and_never_genuine(charset, codec):
    raw, word = with_subject_in(charset, codec)
    verdict = check(raw)
    assert verdict.verdict == "suspicious" and "message.ambiguous" in verdict.decisive
    assert verdict.subject == word  # as an app without that charset shows it
    assert f"subject: charset '{charset}' unknown to mail apps" in ambiguities(verdict)


@pytest.mark.parametrize("charset, codec", [("utf-8", "utf-8"), ("iso-2022-jp", "iso2022-jp"), ("shift_jis", "cp932")])
def test_a_subject_in_a_charset_mail_apps_have_is_decoded(charset, codec):
    verdict = check(with_subject_in(charset, codec)[0])
    assert verdict.verdict == "genuine" and verdict.subject == "[American Express] SafeKey"


def test_an_attachment_in_a_charset_no_app_has_is_read_too():
    verdict = check(multipart(b'Content-Type: text/plain; charset="rot13"\r\nContent-Disposition: attachment; '
                              b'filename="a.txt"', b"see https://evil.example/a"))
    assert "evil.example" in hosts(verdict) and "unknown to mail apps" in ambiguities(verdict)


@pytest.mark.parametrize(("charset", "body"), [
    ("x-sjis", "認証コード：482913".encode("cp932")), ("windows-31j", "認証コード：482913".encode("cp932")),
    ("csiso2022jp", "認証コード：482913".encode("iso2022_jp")), ("x-euc-jp", "認証コード：482913".encode("euc_jp")),
    (" UTF8 ", "認証コード：482913".encode()),
])
def test_the_labels_mail_apps_know_read_the_text(charset, body):
    verdict = check(HEAD + b'Content-Type: text/plain; charset="' + charset.encode() + b'"\r\n\r\n' + body)
    assert verdict.otp.code == "48****" and verdict.verdict == "genuine"


def test_us_ascii_is_read_as_windows_1252_as_browsers_do():
    from cardguard.verify.charsets import codec_for

    assert codec_for("us-ascii") == codec_for("latin1") == "cp1252"
    assert codec_for("shift_jis") == "cp932" and codec_for("rot13") is None and codec_for("cp037") is None


def test_a_rot13_upload_is_a_verdict_on_the_cli_and_the_web(cardguard, tmp_path, profile):
    mail = tmp_path / "rot13.eml"
    mail.write_bytes(HEAD + b'Content-Type: text/plain; charset="rot13"\r\n\r\nhello\r\n')
    run = cardguard("check", str(mail), "--offline", "--json")
    assert run.code != 70 and "Traceback" not in run.err
    assert run.json()["verdict"] == "suspicious"
    from fastapi.testclient import TestClient

    from cardguard.web.app import create_app

    client = TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/check").text).group(1)
    page = client.post("/check", data={"csrf": token, "offline": "1"},
                       files={"file": ("m.eml", mail.read_bytes(), "message/rfc822")})
    assert page.status_code == 200 and "rot13" in page.text


# ------------------------------------------------------------------------ base64 padding

def test_base64_padded_in_the_middle_is_read_as_lenient_apps_show_it_and_never_genuine():
    import base64

    first = base64.b64encode(b"<p>SafeKey code: 482913</p>\n")  # ends in "=="
    second = base64.b64encode(b'<a href="https://evil.example/login">Verify here</a>')
    assert first.endswith(b"=")
    raw = HEAD + b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" \
        + first + b"\r\n" + second + b"\r\n"
    verdict = check(raw)
    assert "evil.example" in hosts(verdict)
    assert verdict.verdict == "suspicious" and "base64-padding-inside" in ambiguities(verdict)
    # Padding at the end only, split over lines as mailers write it, is read as before.
    whole = base64.encodebytes(b"<p>SafeKey code: 482913</p>")
    assert check(HEAD + b"Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                 + whole).verdict == "genuine"


# ---------------------------------------------------------------------------------- resolver

@pytest.mark.parametrize(("given", "expected"), [
    ("127.0.0.1", ("127.0.0.1", 53)), ("127.0.0.1:5353", ("127.0.0.1", 5353)), ("::1", ("::1", 53)),
    ("[::1]", ("::1", 53)), ("[::1]:5353", ("::1", 5353)), (" 10.0.0.1 ", ("10.0.0.1", 53)),
])
def test_dns_server_addresses_are_read(given, expected):
    assert parse_resolver(given) == expected


@pytest.mark.parametrize("given", ["a b", "256.1.1.1", "dns.example", "[::1]x", "[::1", "127.0.0.1:0",
                                   "127.0.0.1:65536", "127.0.0.1:", ":53", "::1:99999:", "１２７.0.0.1", ""])
def test_anything_else_is_a_clear_error(given):
    with pytest.raises(UserError) as refused:
        parse_resolver(given)
    assert refused.value.key == "error.bad_resolver"


@pytest.mark.parametrize("given", ["a b", "256.1.1.1", "dns.example"])
def test_a_bad_resolver_on_the_command_line_is_said_in_both_languages(cardguard, tmp_path, given):
    mail = tmp_path / "m.eml"
    mail.write_bytes(message())
    run = cardguard("check", str(mail), "--resolver", given, "--json")
    assert run.code not in (0, 70) and run.json()["error"]["code"] == "error.bad_resolver"
    japanese = cardguard("check", str(mail), "--resolver", given, "--lang", "ja")
    assert "DNS サーバーの指定が正しくありません" in japanese.out + japanese.err and "Traceback" not in japanese.err


def test_an_ipv6_resolver_is_asked(cardguard, tmp_path):
    mail = tmp_path / "m.eml"
    mail.write_bytes(message())
    run = cardguard("check", str(mail), "--resolver", "[::1]:1", "--json")  # nothing listens: cannot verify
    assert run.code != 70 and run.json()["verdict"] == "suspicious"


# ----------------------------------------------------------------------- files that are not

def test_a_fifo_in_a_folder_is_skipped_unopened_by_check_and_mail_scan(cardguard, tmp_path):
    folder = tmp_path / "unpacked"
    folder.mkdir()
    (folder / "a.eml").write_bytes(message())
    os.mkfifo(folder / "x.eml")
    run = cardguard("check", str(folder), "--offline", "--json", timeout=60)
    lines = [json.loads(line) for line in run.out.splitlines()]
    assert [line.get("verdict") for line in lines if "verdict" in line] == ["suspicious"]
    assert [line["error"]["code"] for line in lines if "error" in line] == ["error.not_a_regular_file"]
    japanese = cardguard("check", str(folder), "--offline", "--lang", "ja", timeout=60)
    assert "通常のファイルではない" in japanese.out + japanese.err
    scanned = cardguard("mail", "scan", str(folder), "--offline", "--no-store", "--json", timeout=60)
    assert "Traceback" not in scanned.err
    assert "error.not_a_regular_file" in scanned.out and "suspicious" in scanned.out


# ------------------------------------------------- the same shape elsewhere in verify/

OLD_EMBEDDED_ADDRESS = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")


@settings(max_examples=800, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["a", "1", ".", "+", "-", "_", "@", " ", "<", ">", "é", "co", "jp", "\u3000"]),
                max_size=16))
def test_addresses_in_a_display_name_are_found_as_before(pieces):
    from cardguard.verify.identity import embedded_addresses

    display = "".join(pieces)
    assert embedded_addresses(display) == OLD_EMBEDDED_ADDRESS.findall(display)


def test_addresses_in_display_names_are_found_as_before_on_the_corpus():
    from test_verify_fast_same_answers import corpus_mails

    from cardguard.verify.identity import embedded_addresses

    displays = [mail.from_display for mail in corpus_mails() if mail.from_display]
    assert all(embedded_addresses(d) == OLD_EMBEDDED_ADDRESS.findall(d) for d in displays)
    assert len(displays) > 100


def test_a_display_name_of_20000_letters_gets_a_verdict():
    raw = HEAD.replace(b"From: American Express <", b"From: " + b"a" * 20_000 + b" <")
    verdict = check(raw + b"Content-Type: text/plain\r\n\r\nSafeKey code: 482913\r\n")
    assert verdict.verdict in ("genuine", "suspicious", "phishing")


def test_a_pdf_of_unclosed_link_actions_gets_a_verdict_with_its_real_link():
    pdf = b"%PDF-1.4\n<< /URI (https://evil.example/pay) >>\n" + b"/URI(" * 20_000 + b"\n%%EOF"
    verdict = check(multipart(b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf",
                              pdf))
    assert "evil.example" in hosts(verdict) and verdict.verdict != "genuine"


def test_300_kb_of_unclosed_outlook_conditions_get_a_verdict():
    html = b"<p>SafeKey code: 482913</p><a href='https://evil.example/x'>go</a>" + b"<!--[if" * 40_000
    verdict = check(HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html)
    assert "evil.example" in hosts(verdict) and verdict.verdict != "genuine"


OLD_RECEIVED = re.compile(r"^\s*(?:from\s+(?P<from>\S+)(?P<detail>.*?)\s+)?by\s+(?P<by>\S+)", re.IGNORECASE | re.DOTALL)


def old_received(value: str):
    found = OLD_RECEIVED.match(value)
    return found and (found.group("from"), found.group("detail"), found.group("by"))


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["from", "FROM", "by", "By", " ", "\t", "\r\n ", "x", "mx.example", "[192.0.2.1]",
                                 "(helo)", ";", "with", "fromby", "\u3000", "\u00a0"]), max_size=14))
def test_received_lines_are_read_as_before(pieces):
    from cardguard.verify.receiver import read_received

    value = "".join(pieces)
    assert read_received(value) == old_received(value)


def test_received_lines_are_read_as_before_on_the_corpus():
    from test_verify_fast_same_answers import corpus_mails

    from cardguard.verify.receiver import read_received

    values = [value for mail in corpus_mails() for name, value in mail.headers if name.lower() == "received"]
    assert all(read_received(value) == old_received(value) for value in values)
    assert len(values) > 1000


def test_a_received_line_with_a_20000_letter_name_gets_a_verdict():
    raw = (b"Received: from " + b"b" * 20_000 + b" by mx.icloud.com; Fri, 21 Nov 2025 23:27:40 +0900\r\n"
           + HEAD + b"Content-Type: text/plain\r\n\r\nSafeKey code: 482913\r\n")
    assert check(raw).verdict in ("suspicious", "phishing")  # its stamp sits below the receiver's line


def test_links_nested_without_end_in_svg_are_read_within_a_budget_and_said(monkeypatch):
    # Found by an attacker: inside <svg> an <a> nests in another, and each link's text holds all the
    # links inside it: 2,000 links around 300 KB of text took 20 s and 785 MB (twice that: 58 s, 2.4 GB).
    from cardguard.verify import htmltext, links as linking

    for module in (htmltext, linking):  # the same reading, at a test's size
        monkeypatch.setattr(module, "MAX_LINK_TEXT_CHARS", 200_000)
    depth, text = 400, "ご利用確認 " * 300
    html = ("<p>SafeKey code: 482913</p><svg>" + '<a href="https://www.americanexpress.com/ja-jp/">' * depth
            + text + "</a>" * depth + "</svg>").encode()
    verdict = check(HEAD + b"Content-Type: text/html; charset=utf-8\r\n\r\n" + html)
    assert verdict.verdict == "suspicious" and "link.texts_unread" in verdict.decisive
    said = next(f for f in verdict.findings if f.code == "link.texts_unread")
    assert "200,000" in said.message("en") and "文字" in said.message("ja")
