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
