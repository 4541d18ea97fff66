"""The web app on a 390x844 phone in Japanese, in Debian's Chromium: every request shows an outcome,
the holder's number is one tap away, taps are big enough, and a hostile page in the same browser gets
nothing (DNS rebinding, cross-site forms). Screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import http.server
import re
import threading

import pytest
from playwright.sync_api import Page, expect

from browserkit import PHONE, chromium, drop_file, serving, shoot

expect.set_options(timeout=20_000)
REBIND = "rebind.test"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("phone")
    (home / "config").mkdir()
    with serving(home, TZ="UTC") as served:
        yield served


@pytest.fixture(scope="module")
def browser():
    # rebind.test resolves to this machine, as an attacker's name would after DNS rebinding.
    with chromium(f"--host-resolver-rules=MAP {REBIND} 127.0.0.1") as launched:
        yield launched


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="ja-JP", device_scale_factor=2, is_mobile=True,
                                  has_touch=True, timezone_id="Asia/Tokyo")
    page = context.new_page()
    yield page
    context.close()


def add_card(page: Page, base: str, nickname: str, last4: str, product: str, back: str = "") -> None:
    page.goto(base + "/cards")
    page.get_by_text("カードを追加").click()
    form = page.locator("form[action='/cards']")
    form.locator("input[name=nickname]").fill(nickname)
    form.locator("input[name=last4]").fill(last4)
    form.locator("select[name=product]").select_option(product)
    if back:
        form.locator("input[name=back_number]").fill(back)
    form.get_by_role("button", name="保存").click()
    expect(page.locator("ul.cards")).to_contain_text(f"{nickname} ****{last4}")


def test_every_htmx_request_shows_an_outcome_in_japanese(phone: Page, server):
    base, _ = server
    page = phone
    page.goto(base + "/check")
    # Hold the check until the busy state has been seen, as a slow machine would.
    held = []
    page.route("**/check", lambda route: held.append(route) if route.request.method == "POST"
               else route.continue_())
    page.get_by_text("またはメールを貼り付け").click()
    page.locator("textarea[name=source]").fill("   ")
    page.get_by_role("button", name="確認する").click()
    expect(page.locator("#check-form .busy")).to_be_visible()
    expect(page.locator("#check-form button[type=submit]")).to_be_disabled()
    expect(page.locator("#result .error")).to_have_count(0)
    assert len(held) == 1
    held[0].continue_()
    error = page.locator("#result .error")
    expect(error).to_contain_text("入力が空です")
    expect(page.locator("#check-form .busy")).to_be_hidden()
    shoot(page, "phone-check-error")
    page.unroute("**/check")
    # A binary file: the error replaces nothing else and says what to do.
    drop_file(page, "photo.bin", bytes(range(256)) * 20)
    expect(page.locator("#result .error")).to_be_visible()
    expect(page.locator("#result .error")).not_to_contain_text("入力が空です")


def test_a_stopped_server_is_said_too(phone: Page, server):
    base, _ = server
    page = phone
    page.goto(base + "/check")
    page.route("**/check", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
    page.get_by_text("またはメールを貼り付け").click()
    page.locator("textarea[name=source]").fill("From: a@b.example\n\nhello")
    page.get_by_role("button", name="確認する").click()
    expect(page.locator("#result .error")).to_contain_text("応答がありません")


def test_a_pasted_body_is_analysed_and_points_to_the_full_message(phone: Page, server):
    base, _ = server
    page = phone
    page.goto(base + "/check")
    page.get_by_text("またはメールを貼り付け").click()
    page.locator("textarea[name=source]").fill(
        "アメリカン・エキスプレス・カード会員様\nSafeKey認証コード：482913\nご利用金額：39,800円\n"
        "https://www.americanexpress.com/jp/")
    page.get_by_role("button", name="確認する").click()
    verdict = page.locator("#verdict")
    expect(verdict).to_have_attribute("data-verdict", "unverifiable")
    expect(verdict.locator(".big")).to_have_text("本文だけでは判定できません")
    from cardguard.verify.pasted import full_message_help

    expect(page.locator("#get-full-message summary")).to_have_count(len(full_message_help()))
    expect(page.locator("#result")).not_to_contain_text("482913")
    shoot(page, "phone-check-paste")


def test_home_has_one_big_button_per_card_and_call_defaults_to_them(phone: Page, server):
    base, _ = server
    page = phone
    add_card(page, base, "ゴールド", "1005", "amex-gold")
    add_card(page, base, "ANA", "2006", "ana", back="0120-965877")
    page.goto(base + "/")
    buttons = page.locator("section.emergency a.call")
    expect(buttons).to_have_count(2)
    expect(buttons.nth(0)).to_have_attribute("href", "tel:0120010120")
    expect(buttons.nth(0)).to_contain_text("ゴールド ****1005")
    expect(buttons.nth(1)).to_have_attribute("href", "tel:0120965877")
    box = buttons.nth(0).bounding_box()
    assert box["height"] >= 56 and box["width"] >= 300  # one big target, the first thing on the screen
    assert box["y"] < 300
    shoot(page, "phone-home-cards")
    page.goto(base + "/call")
    expect(page.locator("ul.lines a.call")).to_have_count(2)
    expect(page.locator("section.prepare")).to_contain_text("電話の前に準備するもの")
    expect(page.locator("main")).not_to_contain_text("cardguard contacts")
    shoot(page, "phone-call-mine")


def test_tap_targets_are_at_least_44_px(phone: Page, server):
    base, _ = server
    page = phone
    for path in ("/", "/check", "/call", "/cards", "/incidents"):
        page.goto(base + path)
        small = page.evaluate("""() => {
            const out = [];
            for (const el of document.querySelectorAll(
                    'nav a, .lang a, a.brand, button, summary, a.button, a.call, select, input:not([type=hidden]):not([type=checkbox]), label.inline')) {
                const r = el.getBoundingClientRect();
                if (r.width === 0 && r.height === 0) continue;  // inside a closed <details>
                if (r.height < 44) out.push(el.outerHTML.slice(0, 80) + ' ' + r.height);
            }
            return out;
        }""")
        assert small == [], (path, small)


def test_the_reissue_checklist_updates_in_place(phone: Page, server):
    base, _ = server
    page = phone
    add_card(page, base, "リスト用", "3007", "amex")
    for name, url in (("Netflix", "https://www.netflix.com/YourAccount"), ("Spotify", ""), ("Amazon", ""),
                      ("Apple", ""), ("Google", ""), ("Uber", "")):
        page.get_by_text("登録先を追加").click()
        form = page.locator("form[action='/services']")
        form.locator("input[name=name]").fill(name)
        form.locator("input[name=card]").fill("3007")
        if url:
            form.locator("input[name=payment_url]").fill(url)
        form.get_by_role("button", name="保存").click()
        expect(page.locator("ul.services")).to_contain_text(name)
    form = page.locator("form[action='/reissue']")
    if not form.is_visible():
        page.get_by_text("新しいカードが届いたら登録").click()
    form.locator("select[name=card]").select_option(label="リスト用 ****3007")
    form.locator("input[name=last4]").fill("4008")
    form.get_by_role("button", name="新しいカードを登録").click()
    rows = page.locator("ul.checklist li")
    expect(rows).to_have_count(6)
    expect(rows.filter(has_text="Netflix").locator("a.pay")).to_have_attribute(
        "href", "https://www.netflix.com/YourAccount")
    last = rows.nth(5)
    last.scroll_into_view_if_needed()
    page.evaluate("window.__stay = 'same page'")
    before = page.evaluate("window.scrollY")
    assert before > 0
    last.get_by_role("button", name="更新済み").click()
    expect(last).to_have_class("item-updated")
    expect(page.locator("#checklist-progress")).to_contain_text("6 件中 1 件完了")
    assert page.evaluate("window.__stay") == "same page"  # no reload
    assert abs(page.evaluate("window.scrollY") - before) < 50  # and no jump to the top
    shoot(page, "phone-cards-checklist")


def test_a_form_error_stays_beside_its_field(phone: Page, server):
    base, _ = server
    page = phone
    page.goto(base + "/cards")
    page.get_by_text("カードを追加").click()
    form = page.locator("form[action='/cards']")
    form.locator("input[name=nickname]").fill("期限まちがい")
    form.locator("input[name=last4]").fill("5009")
    form.locator("input[name=expiry]").fill("13/29")
    form.get_by_role("button", name="保存").click()
    error = page.locator("#card-expiry-error")
    expect(error).to_contain_text("有効期限")
    expect(page.locator("#card-nickname")).to_have_value("期限まちがい")
    expect(page.locator("#card-expiry")).to_have_attribute("aria-invalid", "true")


def test_an_incident_shows_times_in_the_holders_zone_and_its_report_fits_a_phone(browser, server):
    base, _ = server
    context = browser.new_context(viewport=PHONE, locale="ja-JP", device_scale_factor=2, is_mobile=True,
                                  has_touch=True, timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(base + "/incidents?kind=unknown-code")
    page.get_by_role("button", name="インシデントを開始").click()
    expect(page.locator("h1")).to_contain_text("身に覚えのない認証コードが届いた")
    expect(page.locator("main")).to_contain_text("JST")  # the server runs in UTC; the holder is in Tokyo
    expect(page.locator("main")).not_to_contain_text("cardguard contacts")
    page.locator("#step-dont-click button.tick").click()
    expect(page.locator(".progress")).to_have_text("9 手順中 1 完了")
    shoot(page, "phone-incident-tokyo")
    number = re.search(r"/incidents/(\d+)", page.url).group(1)
    page.goto(f"{base}/incidents/{number}/report.html")  # opens in the browser, no download
    expect(page.locator("h1")).to_contain_text("インシデント報告書")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
    abroad = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London")
    page = abroad.new_page()
    page.goto(base + "/")  # the page learns the browser's zone
    page.goto(f"{base}/incidents/{number}?lang=en")
    expect(page.locator("main")).to_contain_text(re.compile(r"GMT|BST"))
    abroad.close()


def test_a_rebound_name_gets_nothing_in_a_real_browser(phone: Page, server):
    base, port = server
    page = phone
    add_card(page, base, "秘密のカード", "6010", "amex")
    response = page.goto(f"http://{REBIND}:{port}/cards")
    assert response.status == 421
    expect(page.locator("body")).not_to_contain_text("秘密のカード")
    # Script on that page cannot read the app either.
    got = page.evaluate("fetch('/cards').then(r => r.status + ' ' + r.headers.get('set-cookie')).catch(e => 'blocked')")
    assert got.startswith("421")


class _Hostile(http.server.BaseHTTPRequestHandler):
    target = ""

    def do_GET(self):  # noqa: N802 - http.server's name
        padding = "x" * (52 * 1024 * 1024 // 10)
        body = f"""<!doctype html><html><body>
<form id="f" method="post" action="{self.target}/cards">
<input name="nickname" value="injected by another site"><input name="last4" value="6666">
<textarea name="pad">{padding}</textarea></form>
<script>document.getElementById('f').submit();</script></body></html>""".encode()
        self.send_response(200)
        self.send_header("content-type", "text/html; charset=utf-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_hostile_page_in_the_same_browser_cannot_post_to_the_app(phone: Page, server):
    base, _ = server
    page = phone
    page.goto(base + "/cards")  # the holder's session exists in this browser
    _Hostile.target = base
    hostile = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    threading.Thread(target=hostile.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://{REBIND}:{hostile.server_address[1]}/")
        # The form reached the app and was refused there (not merely lost on the way).
        page.wait_for_url(base + "/cards", timeout=60_000)
        expect(page.locator("body")).to_contain_text("有効期限が切れました")
    finally:
        hostile.shutdown()
    page.goto(base + "/cards")
    expect(page.locator("ul.cards")).not_to_contain_text("injected by another site")
