"""What a mail writes never reaches the holder's terminal as codes (found by a new user: a Subject of
escape codes cleared the screen under a SUSPICIOUS banner and drew a green GENUINE of its own, and a
line break in it added a line under the verdict's header). Every text output goes through one console
that shows control characters as escapes; one-line values keep to one line."""

from __future__ import annotations

import base64

import pytest

from cardguard.output import one_line, visible

FORGED = "hi\x1b[2J\x1b[H\x1b[42m GENUINE \x1b[0m\nThis message is genuine\r\u202e"


def _mail(subject: str, href: str = "https://evil.example/\x1b[2J") -> bytes:
    encoded = base64.b64encode(subject.encode()).decode()
    return ("From: American Express <Americanexpress@welcome.americanexpress.com>\r\nTo: a@icloud.com\r\n"
            f"Subject: =?utf-8?b?{encoded}?=\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            f'<p>x</p><a href="{href}">go</a>\r\n').encode()


def _no_codes(out: str) -> None:
    assert "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert "\nThis message is genuine" not in out  # the mail's line break is not a line of the verdict


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_subject_and_a_link_of_terminal_codes_are_shown_not_run(cardguard, lang):
    run = cardguard("check", "-", "--offline", "--lang", lang, input=_mail(FORGED))
    _no_codes(run.out)
    assert "\\x1b[2J" in run.out and "⏎ This message is genuine" in run.out


def test_a_folder_of_such_mails_lists_them_without_codes(cardguard, tmp_path):
    (tmp_path / "a.eml").write_bytes(_mail(FORGED))
    (tmp_path / "b\x1b[2J.eml").write_bytes(_mail("plain"))
    run = cardguard("check", str(tmp_path), "--offline", "--lang", "en")
    _no_codes(run.out + run.err)


def test_visible_keeps_every_other_character():
    text = "ご利用確認 https://www.americanexpress.com/ja-jp/\tok\n二行目"
    assert visible(text) == text and one_line("a\r\nb\nc") == "a ⏎ b ⏎ c"

