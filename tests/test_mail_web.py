"""The web app's Mail page (受信メール): checked issuer mail, newest first, each opening its verdict."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from fastapi.testclient import TestClient

from cardguard.directory import load_directory
from cardguard.mailbox import accounts
from cardguard.mailbox.judge import judge, look_at_headers
from cardguard.store.db import Store
from cardguard.verify.check import CheckOptions
from cardguard.web.app import create_app
from mailkit import ALIAS, amex_dns, message, received_safekey

NIGHT = datetime(2025, 11, 21, 14, 30, tzinfo=timezone.utc)


@pytest.fixture
def client(profile):
    return TestClient(create_app(), base_url="http://127.0.0.1")


def record(store, raw: bytes, uid: int, options: CheckOptions) -> None:
    directory = load_directory("en")
    source = {"account": "icloud", "folder": "INBOX" if uid != 2 else "Junk", "uidvalidity": 7, "uid": uid}
    judged = look_at_headers(raw, directory, source)
    judge(raw, directory, options, judged)
    judged.date = datetime(2025, 11, 21, 14, 27 + uid, tzinfo=timezone.utc)
    accounts.record(store, judged)


def test_mail_page_lists_issuer_mail_newest_first_and_opens_each_verdict(client, profile):
    with amex_dns() as (key, address):
        store = Store()
        options = CheckOptions(resolver=address, aliases=[ALIAS], now=NIGHT)
        record(store, received_safekey(key), 1, options)
        record(store, message(sender="safekey@americanexpress-safekey.com", subject="SafeKey認証のお願い",
                              body="カード番号を入力 https://americanexpress-safekey.com/x\n"), 2, options)
        record(store, message(sender="news@shop.example", display="Shop", subject="週末セール", body="hi\n"), 3,
               options)
        store.close()
    page = client.get("/mail?lang=ja")
    assert page.status_code == 200
    assert "受信メール" in page.text and "default-src 'none'" in page.headers["content-security-policy"]
    subjects = re.findall(r'<span class="subject">([^<]*)</span>', page.text)
    assert subjects == ["SafeKey認証のお願い", "[American Express] SafeKey認証コードをお送りします"]  # newest first
    assert "週末セール" not in page.text  # claims no issuer
    links = re.findall(r'href="(/mail/\d+)"', page.text)
    genuine = client.get(links[1])
    assert genuine.status_code == 200
    assert 'data-verdict="genuine"' in genuine.text and "0120-020120" in genuine.text
    assert "482913" not in genuine.text  # the code is shown masked, never in full
    phishing = client.get(links[0] + "?lang=en")
    assert 'data-verdict="phishing"' in phishing.text and "americanexpress-safekey.com" in phishing.text
    assert client.get("/mail/99999").status_code == 404


def test_mail_page_without_any_mailbox_says_how_to_connect_one(client):
    page = client.get("/mail?lang=en")
    assert page.status_code == 200 and "cardguard mail add" in page.text
    assert 'href="/mail"' in client.get("/").text


# ------------------------------------------------------------------------- the empty Mail page

def _shown_commands(html: str) -> list[str]:
    import html as entities

    return [entities.unescape(code) for code in re.findall(r"<code>([^<]*)</code>", html)]


def _parses(command: str, filled: dict[str, str]) -> None:
    """The command as the page writes it, its placeholders filled as the holder would, read by the
    real CLI's parser exactly as a run would (a missing argument or unknown option raises)."""
    import typer.main

    from cardguard.cli import app

    words = [filled.get(word, word) for word in command.split()]
    assert words[0] == "cardguard"
    node, path = typer.main.get_command(app), ["cardguard"]
    args = words[1:]
    while getattr(node, "commands", None) and args and args[0] in node.commands:
        node, path = node.commands[args[0]], [*path, args[0]]
        args = args[1:]
    node.make_context(" ".join(path), args, help_option_names=["-h", "--help"])


def test_the_empty_mail_page_names_commands_that_run_as_written_and_are_the_readmes(client, tmp_path):
    from pathlib import Path

    readme = Path(__file__).resolve().parent.parent.joinpath("README.md").read_text(encoding="utf-8")
    mail_section = readme.split("## Your mailbox", 1)[1].split("\n## ", 1)[0]
    mbox = tmp_path / "All.mbox"
    mbox.write_bytes(b"")
    for lang in ("ja", "en"):
        page = client.get(f"/mail?lang={lang}")
        commands = _shown_commands(page.text)
        assert commands == ["cardguard mail add", "cardguard mail check", "cardguard mail watch --account NAME",
                            "cardguard mail scan FILE"], commands
        for command in commands:
            _parses(command, {"NAME": "icloud", "FILE": str(mbox)})
            # The README writes the same command (with its own example values).
            stem = command.replace(" NAME", "").replace(" FILE", "")
            assert stem in mail_section, stem
        assert "`" not in page.text.split("<main", 1)[1]  # commands are shown as code, not Markdown ticks


def test_the_empty_mail_page_says_what_a_phone_can_do_and_where_the_mailbox_is_set_up(client):
    page = client.get("/mail?lang=ja", headers={"user-agent": "Mozilla/5.0 (iPhone)"})
    assert "cardguard を動かしているパソコンのターミナルで行います" in page.text
    assert "スマートフォンでは、メールを1通ずつ今すぐ確認できます" in page.text
    assert re.search(r'<a class="button" href="/check">メールを確認</a>', page.text)
    english = client.get("/mail?lang=en").text
    assert "On a phone you can check one mail right now" in english and 'href="/check">Check an email</a>' in english


def test_what_the_empty_page_says_to_run_puts_mail_on_the_page(cardguard, client, tmp_path):
    from test_mail_scan import write_mbox

    path = tmp_path / "All.mbox"
    write_mbox(path, [message(sender="safekey@americanexpress-safekey.com", subject="SafeKey認証のお願い",
                              body="カード番号を入力 https://americanexpress-safekey.com/x\n")])
    # `cardguard mail scan FILE` as the page writes it; --offline only because tests have no network.
    scanned = cardguard("mail", "scan", str(path), "--offline")
    assert scanned.code == 0, scanned.err
    page = client.get("/mail?lang=ja").text
    assert "SafeKey認証のお願い" in page and "<code>" not in page
