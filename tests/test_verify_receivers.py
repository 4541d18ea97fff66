"""Where each trusted receiver writes its own stamps, and where a sender can write one in its name.

Found by an attacker: a real Amex mail delivered by Gmail came out `phishing`, because Gmail writes
Received-SPF and Authentication-Results directly below its entry Received line, where the
previous rule saw only the sender's first header. And a sender that said HELO mx.icloud.com made
the receiver's real entry line look like an internal hop."""

from __future__ import annotations

from mailkit import message

GMAIL_ENTRY = ("Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com. [192.0.2.25])\r\n"
               " by mx.google.com with ESMTPS id q3si123; Fri, 21 Nov 2025 06:27:40 -0800 (PST)\r\n")
GMAIL_SPF = ("Received-SPF: pass (google.com: domain of bounce@welcome.americanexpress.com designates 192.0.2.25 "
             "as permitted sender) client-ip=192.0.2.25;\r\n")
PASS = ("dkim=pass header.i=@welcome.americanexpress.com header.s=s1; spf=pass "
        "smtp.mailfrom=welcome.americanexpress.com; dmarc=pass (p=REJECT) header.from=welcome.americanexpress.com")
GMAIL_AR = f"Authentication-Results: mx.google.com;\r\n {PASS}\r\n"
ABOVE = ("Delivered-To: holder@gmail.com\r\n"
         "Received: by 2002:a05:6e02:1a08:b0:313 with SMTP id e11csp1624961vqt; Fri, 21 Nov 2025 06:27:41 -0800\r\n"
         f"ARC-Authentication-Results: i=1; mx.google.com;\r\n {PASS}\r\n"
         "Return-Path: <bounce@welcome.americanexpress.com>\r\n")


def check(cardguard, raw: bytes, receiver: str) -> dict:
    run = cardguard("check", "-", "--offline", "--trust-authserv", receiver, "--json", input=raw)
    assert run.code in (0, 1), run
    return run.json()


def codes(verdict: dict) -> set[str]:
    return {f["code"] for f in verdict["findings"]}


def test_a_genuine_mail_delivered_by_gmail_is_genuine(cardguard):
    raw = (ABOVE + GMAIL_ENTRY + GMAIL_SPF + GMAIL_AR).encode() + message(to="holder@gmail.com")
    verdict = check(cardguard, raw, "mx.google.com")
    assert verdict["verdict"] == "genuine", codes(verdict)
    assert "authres.trusted_pass" in codes(verdict)


def test_a_sender_stamp_beside_gmails_own_is_tampering(cardguard):
    forged = f"Authentication-Results: mx.google.com; {PASS}\r\n"
    beside = (ABOVE + GMAIL_ENTRY + GMAIL_SPF + GMAIL_AR + forged).encode() + message(to="holder@gmail.com")
    verdict = check(cardguard, beside, "mx.google.com")
    assert verdict["verdict"] == "phishing" and "authres.tampered_duplicate" in codes(verdict)
    # Gmail stamped nothing (it always does): the sender's own stamp in its place is still not enough
    # when it sits below the sender's other headers.
    below = (ABOVE + GMAIL_ENTRY + GMAIL_SPF).encode() + message(
        to="holder@gmail.com", headers={"X-Mailer": "x", "Authentication-Results": f"mx.google.com; {PASS}"})
    verdict = check(cardguard, below, "mx.google.com")
    assert verdict["verdict"] != "genuine" and "authres.trusted_pass" not in codes(verdict)


def test_a_stamp_just_below_a_receiver_of_unknown_layout_is_not_believed_nor_called_forged(cardguard):
    entry = ("Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com [192.0.2.25])\r\n"
             " by mx.icloud.com with ESMTPS; Fri, 21 Nov 2025 23:27:40 +0900\r\n")
    raw = (entry + f"Authentication-Results: mx.icloud.com; {PASS}\r\n").encode() + message()
    verdict = check(cardguard, raw, "mx.icloud.com")
    assert verdict["verdict"] == "suspicious", codes(verdict)
    assert "authres.tampered_unplaced" in codes(verdict) and "authres.trusted_pass" not in codes(verdict)
    said = next(f["message"] for f in verdict["findings"] if f["code"] == "authres.tampered_unplaced")
    assert "mx.icloud.com" in said and "not believed" in said


def test_a_helo_in_the_receivers_name_does_not_make_the_entry_line_internal(cardguard):
    """The sender said HELO mx.icloud.com; the receiver looked it up as evil.example. Below it, the
    sender wrote its own "receiver" lines and a pass in the receiver's name."""
    raw = ("Received: from mx.icloud.com (evil.example [198.51.100.7]) by mx.icloud.com with ESMTPS; "
           "Fri, 21 Nov 2025 23:27:40 +0900\r\n"
           f"Authentication-Results: mx.icloud.com; {PASS}\r\n"
           "Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com [192.0.2.25]) "
           "by mx.icloud.com with ESMTPS; Fri, 21 Nov 2025 23:27:39 +0900\r\n").encode() + message()
    verdict = check(cardguard, raw, "mx.icloud.com")
    assert verdict["verdict"] != "genuine" and "authres.trusted_pass" not in codes(verdict)
    # The receiver's own internal hop (looked up inside it, or a private address) is still skipped.
    internal = ("Authentication-Results: mx.icloud.com; " + PASS + "\r\n"
                "Received: from mx.icloud.com (mx-in.mx.icloud.com [10.1.2.3]) by mx.icloud.com; "
                "Fri, 21 Nov 2025 23:27:41 +0900\r\n"
                "Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com [192.0.2.25]) "
                "by mx.icloud.com with ESMTPS; Fri, 21 Nov 2025 23:27:40 +0900\r\n").encode() + message()
    assert "authres.trusted_pass" in codes(check(cardguard, internal, "mx.icloud.com"))
