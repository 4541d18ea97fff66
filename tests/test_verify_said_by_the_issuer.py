"""What a genuine notice says must not make it phishing, and what a verdict says must fit who sent it.

Found by a new user: a SafeKey mail authenticated for welcome.americanexpress.com that said "このコードの
有効期限は10分です" was taken to ask for card data (有効期限 is also a card's expiry), and with one link
to a mailing service it was called phishing, "not from the card company", its code "bait"."""

from __future__ import annotations

import pytest

from mailkit import SAFEKEY_BODY, message

TRUSTED = ("Authentication-Results: mx.icloud.com; dkim=pass header.d=welcome.americanexpress.com; "
           "dmarc=pass header.from=welcome.americanexpress.com\r\n"
           "Received: from mta.welcome.americanexpress.com (mta.welcome.americanexpress.com [192.0.2.25]) "
           "by mx.icloud.com with ESMTPS; Fri, 21 Nov 2025 23:27:40 +0900\r\n").encode()


def check(cardguard, body: str, *args: str, to: str = "amex.7f3k@icloud.com", trusted: bool = True,
          sender: str = "Americanexpress@welcome.americanexpress.com", lang: str = "en") -> dict:
    raw = (TRUSTED if trusted else b"") + message(body=body, to=to, sender=sender)
    run = cardguard("check", "-", "--offline", "--trust-authserv", "mx.icloud.com", "--json", "--lang", lang,
                    *args, input=raw)
    assert run.code in (0, 1), run
    return run.json()


def codes(verdict: dict) -> set[str]:
    return {f["code"] for f in verdict["findings"]}


EXPIRY = SAFEKEY_BODY.replace("このコードは10分間有効です。", "このコードの有効期限は10分です。")


def test_a_codes_expiry_is_not_a_request_for_card_data(cardguard):
    verdict = check(cardguard, EXPIRY)
    assert verdict["verdict"] == "genuine", codes(verdict)
    assert not codes(verdict) & {"content.asks_card_number", "content.otp_bait"}
    with_mailer_link = check(cardguard, EXPIRY + "\nhttps://t.mailtrack-esp.net/unsub\n")
    assert with_mailer_link["verdict"] == "suspicious"
    assert "content.otp_unverified" in codes(with_mailer_link)


@pytest.mark.parametrize("body", [
    "ポイントの有効期限が近づいています。会員サイトでご確認ください。",
    "パスワードの有効期限が切れる前に、会員サイトで更新してください。",
])
def test_other_expiry_dates_are_not_card_data(cardguard, body):
    assert "content.asks_card_number" not in codes(check(cardguard, body + "\nhttps://www.americanexpress.com/ja-jp/\n"))


@pytest.mark.parametrize("body", [
    "カードの有効期限を入力してください。 https://amex-secure-check.example/",
    "以下のフォームにご入力ください。有効期限（月/年） https://amex-secure-check.example/",
    "お客様のカード番号と有効期限をご確認ください https://amex-secure-check.example/",
])
def test_a_cards_expiry_asked_for_is_still_card_data(cardguard, body):
    verdict = check(cardguard, body, trusted=False, sender="info@amex-secure-check.example")
    assert "content.asks_card_number" in codes(verdict)


def test_phishing_signs_from_the_issuers_own_domain_never_call_it_someone_elses_or_its_code_bait(cardguard):
    body = SAFEKEY_BODY + "\nカード番号を入力して本人確認を完了してください：https://amex-verify.example/\n"
    for lang, words in (("en", "own domain sent it"), ("ja", "自身のドメイン")):
        verdict = check(cardguard, body, lang=lang)
        assert verdict["verdict"] == "phishing"
        assert words in verdict["headline"]
        assert "content.otp_bait" not in codes(verdict) and "content.otp_unverified" in codes(verdict)
        call_now = {"en": "one-time code you did not ask for", "ja": "身に覚えのないワンタイムコード"}[lang]
        assert any(call_now in step for step in verdict["next_steps"]), verdict["next_steps"]
    forged = check(cardguard, body, trusted=False, sender="info@amex-verify.example")
    assert forged["verdict"] == "phishing" and "not from the card company" in forged["headline"]
    assert "content.otp_bait" in codes(forged)
    assert not any("one-time code you did not ask for" in step for step in forged["next_steps"])


def test_phishing_at_the_holders_alias_says_the_alias_is_known(cardguard):
    alias = "amex.7f3k@icloud.com"
    assert cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005",
                     "--alias", alias).code == 0
    body = "カード番号を入力してください https://amex-verify.example/"
    phishing = check(cardguard, body, "--alias", alias, trusted=False, sender="info@amex-verify.example")
    assert phishing["verdict"] == "phishing"
    leaked = [f for f in phishing["findings"] if f["code"] == "recipient.alias_leaked"]
    assert leaked and leaked[0]["severity"] == "warn" and alias in leaked[0]["message"]
    assert "recipient.alias_match" not in codes(phishing)
    genuine = check(cardguard, SAFEKEY_BODY, "--alias", alias)
    assert genuine["verdict"] == "genuine" and "recipient.alias_match" in codes(genuine)


def test_a_code_spoken_of_but_not_written_is_said_in_words(cardguard):
    for lang, words in (("en", "no code could be picked out"), ("ja", "コード自体は読み取れませんでした")):
        verdict = check(cardguard, "SafeKey認証のご案内です。会員サイトをご確認ください。", lang=lang)
        said = [f["message"] for f in verdict["findings"] if f["code"].startswith("content.otp")]
        assert any(words in message for message in said), said
        assert not any("(-)" in message or "（-）" in message for message in said), said


def test_a_check_says_what_it_is_doing_on_a_terminal_and_nothing_extra_in_a_pipe(cardguard, tmp_path):
    """A live check can wait seconds on DNS; a holder at a terminal sees what it waits for."""
    mail = tmp_path / "mail.eml"
    mail.write_bytes(message())
    from ttykit import on_terminal

    code, shown = on_terminal("check", "--offline", str(mail), timeout=120)
    assert code == 0 and "Checking the message" in shown, shown[-2000:]
    piped = cardguard("check", "--offline", str(mail))
    assert "Checking" not in piped.out + piped.err


@pytest.mark.parametrize("merchant", ["AMAZON.CO.JP", "amazon.co.jp", "Rakuten.co.jp"])
def test_a_merchant_written_as_a_domain_is_the_shop_not_a_link(cardguard, merchant):
    # Found by a new user: "ご利用先：AMAZON.CO.JP" in a real-looking SafeKey mail was read as a link off
    # the issuer's domains (a mail app links it), so such a mail could never be genuine.
    body = SAFEKEY_BODY.replace("EXAMPLE ONLINE STORE", merchant)
    verdict = check(cardguard, body)
    assert verdict["verdict"] == "genuine", codes(verdict)
    assert "link.merchant_named" in codes(verdict) and "link.foreign" not in codes(verdict)
    ja = check(cardguard, body, lang="ja")
    assert any("利用先の名前" in f["message"] for f in ja["findings"])


@pytest.mark.parametrize("body", [
    # the same name written anywhere but the merchant's line is a link like any other
    SAFEKEY_BODY + "\n詳しくは evil-example.co.jp をご覧ください。\n",
    # with a path it is a page, whatever line it is on
    SAFEKEY_BODY.replace("EXAMPLE ONLINE STORE", "evil-example.co.jp/login"),
    # a shop's name followed by another name: only a merchant that is the name alone is the shop
    SAFEKEY_BODY.replace("EXAMPLE ONLINE STORE", "AMAZON.CO.JP 詳しくは evil-example.co.jp"),
])
def test_only_a_bare_merchant_name_is_the_shop(cardguard, body):
    verdict = check(cardguard, body)
    assert verdict["verdict"] == "suspicious" and "link.foreign" in codes(verdict)


@pytest.mark.parametrize("body", [
    # the shop's name also written in a sentence: a link like any other
    SAFEKEY_BODY.replace("EXAMPLE ONLINE STORE", "EVIL-LOGIN.COM") + "\n今すぐ evil-login.com でカードを停止してください。\n",
    # "store" inside another word is no merchant label
    SAFEKEY_BODY.replace("ご利用先：EXAMPLE ONLINE STORE", "Account restore: evil-login.com"),
])
def test_the_shop_exemption_never_hides_a_link_written_elsewhere(cardguard, body):
    # Found by an attacker: the shop's bare name was dropped wherever it was written, and a label matched
    # inside another word.
    verdict = check(cardguard, body)
    assert verdict["verdict"] == "suspicious" and "link.foreign" in codes(verdict)
    assert "link.merchant_named" not in codes(verdict)


def test_the_shop_named_in_both_the_plain_part_and_its_html_alternative_is_still_the_shop(cardguard):
    body = SAFEKEY_BODY.replace("EXAMPLE ONLINE STORE", "AMAZON.CO.JP")
    html = "<p>" + body.replace("\n", "<br>\n") + "</p>"
    raw = TRUSTED + message(body=body, html=html)
    run = cardguard("check", "-", "--offline", "--trust-authserv", "mx.icloud.com", "--json", input=raw)
    verdict = run.json()
    assert verdict["verdict"] == "genuine", codes(verdict)
    assert "link.merchant_named" in codes(verdict)


def test_the_shop_is_the_shop_in_a_mail_whose_text_has_windows_line_ends(cardguard):
    # Found by a new user: with CRLF inside the decoded text (a base64 body written on Windows), the
    # merchant's line ended in a CR, was not the merchant's line, and the genuine mail was suspicious.
    import base64
    import re

    body = SAFEKEY_BODY.replace("EXAMPLE ONLINE STORE", "AMAZON.CO.JP")
    head = message(body=body, to="amex.7f3k@icloud.com").split(b"\r\n\r\n", 1)[0]
    head = re.sub(rb"\r\nContent-Transfer-Encoding: [^\r\n]*", b"", head) + b"\r\nContent-Transfer-Encoding: base64"
    raw = TRUSTED + head + b"\r\n\r\n" + base64.encodebytes(body.replace("\n", "\r\n").encode()).replace(b"\n", b"\r\n")
    run = cardguard("check", "-", "--offline", "--trust-authserv", "mx.icloud.com", "--json", input=raw)
    verdict = run.json()
    assert verdict["verdict"] == "genuine", codes(verdict)
    assert "link.merchant_named" in codes(verdict)


def test_phishing_signs_in_a_mail_the_issuer_sent_claim_nothing_its_reasons_do_not_show(cardguard):
    # Found by a new user: an address followed by Japanese made an authenticated mail phishing (a
    # lookalike host), and the headline said it asked for card data, which no reason said, and the
    # alias it reached was called leaked, though the issuer itself sent it.
    alias = "amex.7f3k@icloud.com"
    assert cardguard("cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005",
                     "--alias", alias).code == 0
    body = SAFEKEY_BODY + "\nhttps://www.americanexpress.comへアクセスしてください。\n"
    for lang in ("en", "ja"):
        verdict = check(cardguard, body, "--alias", alias, lang=lang)
        assert verdict["verdict"] == "phishing" and not {c for c in codes(verdict) if c.startswith("content.asks_")}
        assert "card data" not in verdict["headline"] and "カード情報" not in verdict["headline"]
        assert "recipient.alias_leaked" not in codes(verdict)


def test_a_genuine_codes_first_step_does_not_tell_a_holder_who_is_shopping_that_their_card_is_stolen(cardguard):
    # Found by a new user: the step said "you did not ask for it: somebody has your card number" to
    # everyone, while the reasons said so only for a holder not making a purchase.
    for lang, condition in (("en", "If you are not making a purchase right now"), ("ja", "今お買い物をしていないなら")):
        verdict = check(cardguard, SAFEKEY_BODY, lang=lang)
        assert verdict["verdict"] == "genuine" and condition in verdict["next_steps"][0]


@pytest.mark.parametrize(("lang", "heading"), [("en", "or one of these lines (24 hours, every day)"),
                                               ("ja", "または次の窓口（24時間・年中無休）")])
def test_a_suspicious_verdicts_call_heading_says_what_the_lines_below_are(cardguard, lang, heading):
    # It read "the number on the back of your card, or (24 hours, every day)": nothing after "or".
    raw = message(body=SAFEKEY_BODY)  # no trusted receiver, offline: suspicious
    run = cardguard("check", "-", "--offline", "--lang", lang, input=raw)
    assert heading in run.out
