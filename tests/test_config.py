"""config.toml is read on every check: a good one is used, a bad one is a clear error, never a crash."""

from __future__ import annotations

from pathlib import Path

MAIL = (b"From: someone@example.org\r\nTo: me@example.net\r\nSubject: hello\r\n"
        b"Message-ID: <1@example.org>\r\nDate: Fri, 21 Nov 2025 23:30:00 +0900\r\n\r\nhello\r\n")


def test_a_malformed_config_is_named_with_its_line_and_field(cardguard, profile: Path):
    (profile / "config" / "config.toml").write_text('[check]\ntrust_authserv = "mx.icloud.com"\n', encoding="utf-8")
    for lang in ("en", "ja"):
        run = cardguard("check", "-", "--offline", "--lang", lang, input=MAIL)
        assert run.code not in (0, 70), run
        assert "config.toml" in run.err + run.out and "trust_authserv" in run.err + run.out
        assert "Traceback" not in run.err
    run = cardguard("check", "-", "--offline", "--json", input=MAIL)
    assert run.json()["error"]["code"] != "internal"


def test_a_valid_config_is_used(cardguard, profile: Path):
    (profile / "config" / "config.toml").write_text('[check]\ntrust_authserv = ["mx.example.net"]\n',
                                                    encoding="utf-8")
    raw = b"Authentication-Results: mx.example.net; dkim=none\r\n" + MAIL
    run = cardguard("check", "-", "--offline", "--json", input=raw)
    assert run.code == 0, run
    assert run.json()["authentication"]["trusted_authentication_results"] == "dkim=none"
