"""The web app's guard rails, checked at the HTTP level."""

from __future__ import annotations

import hashlib
import re
from importlib import resources

import pytest
from fastapi.testclient import TestClient

from cardguard.web import security
from cardguard.web.app import create_app
from mailkit import message


@pytest.fixture
def client(profile):
    return TestClient(create_app(), base_url="http://127.0.0.1")


def csrf_of(client: TestClient, path: str = "/check") -> str:
    page = client.get(path)
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


def test_every_page_has_a_strict_policy(client):
    for path in ("/", "/check", "/call", "/cards", "/incidents"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy and "unsafe" not in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert "<script>" not in response.text and "https://" not in response.text.split("<main>")[0]


def test_forms_without_the_csrf_token_are_refused(client):
    refused = client.post("/cards", data={"nickname": "x", "last4": "1234"})
    assert refused.status_code == 403
    wrong = client.post("/cards", data={"nickname": "x", "last4": "1234", "csrf": "forged"})
    assert wrong.status_code == 403
    token = csrf_of(client, "/cards")
    ok = client.post("/cards", data={"nickname": "x", "last4": "1234", "csrf": token}, follow_redirects=False)
    assert ok.status_code == 303
    assert "x" in client.get("/cards").text


def test_card_numbers_are_refused_in_the_browser_too(client):
    token = csrf_of(client, "/cards")
    response = client.post("/cards", data={"nickname": "4242 4242 4242 4242", "last4": "4242", "csrf": token},
                           headers={"accept-language": "ja"})
    assert response.status_code == 400 and "カード番号" in response.text and "4242 4242" not in response.text


def test_the_email_preview_is_sanitized_and_sandboxed(client):
    hostile = ('<p>hello</p><script>alert(1)</script><img src="https://evil.example/p.gif" onerror="x()">'
               '<a href="https://evil.example/">link</a><form action="https://evil.example/"><input></form>'
               '<div style="background:url(https://evil.example/bg.png)">styled</div>')
    token = csrf_of(client)
    response = client.post("/check", data={"csrf": token, "offline": "1"},
                           files={"file": ("m.eml", message(html=hostile), "message/rfc822")})
    assert response.status_code == 200
    preview_token = re.search(r'/check/preview/([\w-]+)', response.text).group(1)
    preview = client.get(f"/check/preview/{preview_token}")
    body = preview.text
    assert "hello" in body and "link" in body and "styled" in body
    for bad in ("<script", "<img", "<form", "evil.example", "onerror", "url("):
        assert bad not in body
    assert "sandbox" in preview.headers["content-security-policy"]
    # The verdict page shows links as text, never as links.
    assert 'href="https://evil.example' not in response.text and "evil.example" in response.text


def test_oversized_upload_is_refused(client):
    token = csrf_of(client)
    big = b"From: a@b.example\r\nSubject: x\r\n\r\n" + b"A" * (51 * 1024 * 1024)
    response = client.post("/check", data={"csrf": token}, files={"file": ("big.eml", big, "message/rfc822")})
    assert response.status_code == 413


def test_remote_mode_needs_a_login(profile):
    security.save_passphrase("correct horse battery")
    client = TestClient(create_app(require_login=True), base_url="http://127.0.0.1")
    assert client.get("/cards", follow_redirects=False).headers["location"] == "/login"
    token = csrf_of(client, "/login")
    assert client.post("/login", data={"passphrase": "wrong wrong wrong", "csrf": token}).status_code == 401
    ok = client.post("/login", data={"passphrase": "correct horse battery", "csrf": token}, follow_redirects=False)
    assert ok.status_code == 303
    assert client.get("/cards").status_code == 200
    stored = (profile / "config" / "web.toml").read_text()
    assert "correct horse" not in stored and stored.startswith('passphrase_hash = "scrypt$')


def test_serve_refuses_a_network_address_without_a_passphrase(cardguard):
    run = cardguard("serve", "--host", "0.0.0.0", "--port", "1")
    assert run.code != 0 and "--set-passphrase" in run.err
    saved = cardguard("serve", "--set-passphrase", input="short\nshort\n")
    assert saved.code != 0 and "10" in saved.err


def test_language_from_the_browser_and_the_switch(client):
    assert "何がありましたか" in client.get("/", headers={"accept-language": "ja-JP,ja;q=0.9"}).text
    assert "What happened" in client.get("/", headers={"accept-language": "en-US"}).text
    assert "What happened" in client.get("/?lang=en", headers={"accept-language": "ja"}).text
    assert "What happened" in client.get("/", headers={"accept-language": "ja"}).text  # the cookie remembers


def test_vendored_htmx_is_the_pinned_file():
    data = resources.files("cardguard.web").joinpath("static/htmx-2.0.7.min.js").read_bytes()
    assert hashlib.sha256(data).hexdigest() == "60231ae6ba9db3825eb15a261122d5f55921c4d53b66bf637dc18b4ee27c79f9"


def test_a_phishing_verdict_says_what_to_do_before_offering_a_call(client):
    token = csrf_of(client)
    phishing = message(sender="safekey@americanexpress-safekey.com", to="shop.9qz@icloud.com")
    page = client.post("/check", data={"csrf": token, "offline": "1"}, headers={"accept-language": "ja"},
                       files={"file": ("phish.eml", phishing, "message/rfc822")}).text
    assert 'data-verdict="phishing"' in page
    assert page.index("今すべきこと") < page.index("リンクを開いた・何か入力した場合は今すぐ電話") < page.index('href="tel:')
    assert "cardguard incident" not in page  # a browser gets buttons, not commands
    # The holder who already entered details starts the plan for that, from the same verdict.
    token_of_verdict = re.search(r'name="verdict" value="([^"]+)"', page).group(1)
    started = client.post("/incidents", data={"csrf": token, "verdict": token_of_verdict, "kind": "phishing-opened"},
                          headers={"accept-language": "ja"})
    assert started.status_code == 200 and "フィッシングのリンクを開いた・情報を入力した" in started.text
    assert "メールを確認：フィッシング" in started.text
