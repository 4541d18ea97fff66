"""Inputs an attacker found against the merged product: each a class, each kept fixed."""

from __future__ import annotations

FORGED_BELOW_ENTRY = (
    "Received: from mail.evil.example (mail.evil.example [198.51.100.7]) by mx.icloud.com with ESMTPS; "
    "Mon, 30 Nov 2026 00:00:00 +0000\r\n"
    "Authentication-Results: mx.icloud.com; dkim=pass header.d=americanexpress.com; "
    "dmarc=pass header.from=welcome.americanexpress.com\r\n"
    "From: American Express <Americanexpress@welcome.americanexpress.com>\r\nTo: me@icloud.com\r\n"
    "Subject: Your statement\r\nDate: Mon, 30 Nov 2026 00:00:00 +0000\r\nMessage-ID: <a@b>\r\n"
    "Content-Type: text/plain\r\n\r\nHello. https://www.americanexpress.com/jp/\r\n")


def test_a_stamp_just_below_the_receivers_received_line_is_the_senders(cardguard):
    """The receiver writes its stamps above its own Received line; the first header of the mail it
    received sits just below it, and any sender can make that an Authentication-Results."""
    run = cardguard("check", "-", "--offline", "--trust-authserv", "mx.icloud.com", "--json",
                    input=FORGED_BELOW_ENTRY)
    assert run.code == 0, run
    verdict = run.json()
    assert verdict["verdict"] != "genuine"
    assert "authres.trusted_pass" not in {f["code"] for f in verdict["findings"]}


def test_the_receivers_own_stamp_above_its_received_line_still_counts(cardguard):
    own = ("Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
           "dmarc=pass header.from=welcome.americanexpress.com\r\n")
    lines = FORGED_BELOW_ENTRY.split("\r\n")
    mail = own + lines[0] + "\r\n" + "\r\n".join(lines[2:])
    verdict = cardguard("check", "-", "--offline", "--trust-authserv", "mx.icloud.com", "--json", input=mail).json()
    assert "authres.trusted_pass" in {f["code"] for f in verdict["findings"]}


def test_a_giant_header_is_refused_clearly_not_parsed_for_minutes(cardguard):
    for header in ("Content-Type: text/plain;" + 'a="\\' * 20000, "Content-Disposition: inline;" + 'b="\\' * 20000):
        mail = "From: a@example.org\r\nSubject: s\r\n" + header + "\r\n\r\nhi\r\n"
        for lang, word in (("en", "KB"), ("ja", "ヘッダー")):
            run = cardguard("check", "-", "--offline", "--lang", lang, input=mail, timeout=60)
            assert run.code == 2 and word in run.err, run
            assert "Traceback" not in run.err


def test_a_from_of_nested_comments_is_read_without_stalling(cardguard):
    mail = "From: " + "(" * 60000 + ")" * 60000 + "\r\nSubject: s\r\n\r\nhi\r\n"
    run = cardguard("check", "-", "--offline", "--json", input=mail, timeout=60)
    assert run.code in (0, 2) and "internal" not in run.out, run


def test_a_moment_past_any_calendar_is_a_clear_error(cardguard):
    for at in ("9999-12-31T23:00", "9999-12-31T23:59+14:00", "0001-01-01T00:00-12:00"):
        run = cardguard("contacts", "--at", at, "--json")
        assert run.code == 2 and run.json()["error"]["code"] == "error.bad_time", run
