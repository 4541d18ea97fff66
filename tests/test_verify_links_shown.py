"""What a verdict shows of a mail's links is where a tap goes. An address written as a link's text is
that link (compared with where it goes), never an official link of its own with a tick; the same
address written anywhere else the holder can read it (outside that link, in a link that goes
nowhere, in the plain part) stays a link of its own. Each mail is signed by the issuer's own key,
so only the links stand between it and genuine.
"""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from cardguard.directory import load_directory
from cardguard.i18n import t
from cardguard.verify import CheckOptions, check_message
from cardguard.web.app import create_app
from mailkit import SAFEKEY_BODY, address, dns, key, message, sign  # noqa: F401 - fixtures

ALIAS = "amex.7f3k@icloud.com"
SHOWN = "https://www.americanexpress.com/ja-jp/"
EVIL = "https://evil.example/x"
# The seed's SafeKey mail without the address its plain part writes: only the HTML part links.
PLAIN = SAFEKEY_BODY.replace("https://www.americanexpress.com/ja-jp/account/login\n", "")
ATTACK = f'<p>SafeKey認証コード：482913</p><p><a href="{EVIL}">{SHOWN}</a>からカード番号をご確認ください</p>'


@pytest.fixture(scope="module")
def directory():
    return load_directory(with_user_files=False)


def signed(key, **kw) -> bytes:
    return sign(message(**kw), key, "welcome.americanexpress.com")


def check(raw: bytes, address, directory):
    return check_message(raw, directory, CheckOptions(resolver=address, dns_timeout=5, aliases=[ALIAS]))


def listed(verdict) -> list[tuple[str, bool]]:
    return [(link.url, link.official) for link in verdict.links]


def mismatches(verdict) -> set[str]:
    return {dict(f.values)["shown"] for f in verdict.findings if f.code == "link.text_mismatch"}


def test_an_address_shown_as_a_links_text_is_listed_as_that_link_only(cardguard):
    # Found by a new user: the verdict listed the address shown as a link's text as a link of its
    # own, official, with a tick, though a tap on it goes to evil.example.
    mail = message(html=ATTACK, body=PLAIN)
    found = cardguard("check", "-", "--offline", "--json", input=mail).json()
    assert found["verdict"] == "phishing"
    assert [(link["url"], link["official"]) for link in found["links"]] == [(EVIL, False)]
    for lang in ("ja", "en"):
        shown = cardguard("check", "-", "--offline", "--lang", lang, input=mail).out
        links = shown.split(t("verdict.links", lang), 1)[1]
        assert f"({t('verdict.official', lang)})" not in links, links
        assert "evil.example" in links and f"    {SHOWN}\n" not in links, links


def test_the_web_result_page_lists_only_the_link_a_tap_follows(profile):
    client = TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)
    headers = {"accept-language": "ja-JP,ja;q=0.9"}
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/check", headers=headers).text).group(1)
    long = EVIL + "/" + "%E3%83%AD" * 300
    mail = message(html=ATTACK.replace(f'href="{EVIL}"', f'href="{long}"'), body=PLAIN)
    page = client.post("/check", data={"csrf": token, "offline": "1"}, headers=headers,
                       files={"file": ("m.eml", mail, "message/rfc822")}).text
    listed_links = re.findall(r"<li><strong>(.*?)</strong>\s*<span class=\"(ok|bad)\">.*?<code class=\"url\">(.*?)</code>",
                              page, re.DOTALL)
    assert listed_links == [("evil.example", "bad", html.escape(long))]  # the address whole, never cut


@pytest.mark.parametrize("around", [
    "<noscript>{}</noscript>", "<div><noscript><p>{}</p></noscript></div>", "<table><tr><td>{}</td></tr></table>",
    "<ul><li>{}</li></ul>", "<p><b><i>{}</i></b></p>", "{}<style>p{{}}</style>",
])
def test_an_address_shown_as_a_links_text_anywhere_in_the_body_is_that_link_only(key, address, directory, around):
    link = f'<a href="{EVIL}">{SHOWN}</a>からカード番号をご確認ください'
    verdict = check(signed(key, html="<p>SafeKey認証コード：482913</p>" + around.format(link), body=PLAIN),
                    address, directory)
    assert verdict.verdict == "phishing"
    assert listed(verdict) == [(EVIL, False)]


@pytest.mark.parametrize("plain", [PLAIN + SHOWN + "\n", PLAIN + f"{SHOWN}からカード番号をご確認ください\n"])
def test_the_same_address_written_in_the_plain_part_is_a_link_of_its_own(cardguard, plain):
    # A reader of the plain part taps it there and goes where it says: that is a link of the mail.
    found = cardguard("check", "-", "--offline", "--json", input=message(html=ATTACK, body=plain)).json()
    assert found["verdict"] == "phishing"
    links = {(link["registered_domain"], link["kind"], link["official"]) for link in found["links"]}
    assert links == {("evil.example", "anchor", False), ("americanexpress.com", "text", True)}


@pytest.mark.parametrize("elsewhere", [
    "<p>{}</p>",  # outside the link
    '<a href="#" style="display:none">{}</a>',  # in a hidden link that goes nowhere
    '<a href="#">{}</a>', '<a href="">{}</a>', '<a href="mailto:x@americanexpress.com">{}</a>',
    '<a href="tel:0120020120">{}</a>', '<a>{}</a>',
    "<p>ご確認は {} から</p>",
])
def test_the_same_address_written_outside_the_link_is_still_a_link_of_its_own(key, address, directory, elsewhere):
    # The attack on the reverted fix: a copy of the visible address, in a link that is no link,
    # hid the visible one. Here the copy inside the real link hides nothing written elsewhere.
    evil_shown = "https://evil.example/login"
    html = (f'<p>SafeKey認証コード：482913</p><p><a href="{SHOWN}">{evil_shown}</a></p>'
            + elsewhere.format(evil_shown))
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.authentication.authenticated_domain  # only the links stand between it and genuine
    assert verdict.verdict == "phishing"
    assert ("https://evil.example/login", False) in listed(verdict)
    assert "evil.example" in mismatches(verdict)


@pytest.mark.parametrize("text", [
    f"{SHOWN} または https://evil.example/login",  # a second address in the text
    "https://evil.example?login",  # an address a domain-name reading misses
    "http://192.0.2.7/login",
    "<div>https://evil.example</div><div>.americanexpress.com/</div>",  # one line apart, one name joined
    "evil.example/login",
    "ログインwww.evil.example",
])
def test_every_address_in_a_links_text_is_compared_with_where_it_goes(key, address, directory, text):
    # Each address in a link's text, not only the first domain name, must be where the link goes; and
    # each is still read as a text link of its own (an attacker's addresses across a link's edge, or an
    # official address carrying another site's, were read by neither side when they were not).
    html = f'<p>SafeKey認証コード：482913</p><p><a href="{SHOWN}">{text}</a></p>'
    verdict = check(signed(key, html=html, body=PLAIN), address, directory)
    assert verdict.authentication.authenticated_domain  # only the links stand between it and genuine
    assert verdict.verdict != "genuine", verdict.as_json("en")["findings"]
    assert mismatches(verdict) - {"www.americanexpress.com"}
    assert (SHOWN, True) in listed(verdict)  # the link itself does go there


@pytest.mark.parametrize("hidden", ['style="display:none"', 'hidden', 'style="font-size:0"'])
def test_a_hidden_link_showing_another_address_is_compared_too(key, address, directory, hidden):
    html = f'<p>SafeKey認証コード：482913</p><a href="{SHOWN}" {hidden}>https://evil.example/login</a>'
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict != "genuine" and "evil.example" in mismatches(verdict)


@pytest.mark.parametrize("text", [SHOWN, "americanexpress.com", f"{SHOWN}からログイン", "ログイン"])
def test_an_official_link_showing_its_own_address_stays_genuine_and_listed_once(key, address, directory, text):
    html = f'<p>SafeKey認証コード：482913</p><p><a href="{SHOWN}">{text}</a>をご確認ください</p>'
    verdict = check(signed(key, html=html, body=PLAIN), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]
    assert listed(verdict) == [(SHOWN, True)]


# Where an address ends when Japanese follows it with no space is read differently by mail apps:
# Outlook and Outlook Express end it at the first Japanese character, other mail software takes the
# Japanese in (https://www.toyfish.blog/entry/20061201/p1, 2006); Android's LinkifyCompat ends it
# only at a space (maltaisn/another-notes-app#147), Colloquy at a kanji but not at kana
# (colloquy/colloquy#257), linkifyjs took it in (nfrasser/linkifyjs#82), remarkable's linkify ends a
# host there (its fixture "properly cut domain end"). So the reading stays the longest one (to a space
# or a Japanese punctuation mark), and such an address never helps a mail toward genuine: whichever
# end an app picks, the mail is judged by a reading no better than it.
@pytest.mark.parametrize("written, official", [
    ("https://www.americanexpress.com/ja-jp/からカード番号をご確認ください", True),  # the same host either way
    ("https://www.americanexpress.comからカード番号をご確認ください", False),  # a host ending in Japanese
    ("www.americanexpress.comからご確認ください", False),
    ("https://evil.example/loginからカード番号をご確認ください", False),
    ("https://evil.exampleからカード番号をご確認ください", False),
    ("ログインはhttps://evil.example/loginから", False),
])
def test_an_address_with_japanese_right_after_it_never_helps_toward_genuine(key, address, directory, written, official):
    verdict = check(signed(key, body=PLAIN + written + "\n"), address, directory)
    assert verdict.authentication.authenticated_domain  # only the address stands between it and genuine
    assert (verdict.verdict == "genuine") is official, verdict.as_json("en")["findings"]
    assert [link.official for link in verdict.links] == [official]


def test_a_link_text_of_many_addresses_is_a_few_reasons_and_a_count(key, address, directory):
    # What a link's text shows is compared address by address: thousands of them must not become
    # thousands of reasons (they were 500 text links and "too many links" before).
    shown = " ".join(f"https://h{n}.evil.example/login" if n % 2 else f"https://h{n}.example/" for n in range(30))
    html = f'<p>SafeKey認証コード：482913</p><p><a href="{SHOWN}">{shown}</a></p>'
    verdict = check(signed(key, html=html, body=PLAIN), address, directory)
    assert verdict.verdict == "phishing"
    assert len(mismatches(verdict)) == 10
    (more,) = [f for f in verdict.findings if f.code == "link.text_shows_more"]
    assert "20" in more.message("en") and "americanexpress.com" in more.message("en")
    assert "20 個" in more.message("ja")


# Found by an attacker when a link's text was no longer read as text links of its own: each of these
# signed mails earned `genuine` (they were phishing or suspicious before, and are again).
EDGES = {
    # an address on the issuer's domain carrying another site's (an open redirect), inside the link
    "a redirect in a link's text": f'<a href="{SHOWN}">{SHOWN}r?url=https%3A%2F%2Fevil.example%2Flogin</a>',
    "a redirect to a bare name": f'<a href="{SHOWN}">{SHOWN}r?u=www.evil.example&amp;x=1</a>',
    "a redirect in a span with href": f'<span href="{SHOWN}">{SHOWN}r?url=https%3A%2F%2Fevil.example%2Flogin</span>',
    # a host with no dot
    "an IPv6 address in a link's text": f'<a href="{SHOWN}">http://[2001:db8::1]/login</a>',
    "an IPv6 address in a span with href": f'<span href="{SHOWN}">http://[2001:db8::1]/login</span>',
    # one address across a link's edge: each side alone holds no foreign name
    "a name after the link": f'<a href="{SHOWN}">https://www.americanexpress.com</a>.evil.example/login',
    "an @ after the link": f'<a href="{SHOWN}">https://www.americanexpress.com</a>@evil.example/login',
    "a hyphen after the link": f'<a href="{SHOWN}">https://www.americanexpress.com</a>-evil.example/login',
    "the scheme in the link": f'<a href="{SHOWN}">https</a>://evil.example/login',
    "a name after a span with href": f'<span href="{SHOWN}">https://www.americanexpress.com</span>.evil.example/login',
    "a name in a link going nowhere": 'https://www.americanexpress.com<a href="#">.evil.example/login</a>',
}


@pytest.mark.parametrize("piece", EDGES.values(), ids=list(EDGES))
def test_an_address_read_across_or_inside_a_links_text_is_judged_where_it_leads(key, address, directory, piece):
    html = f"<p>SafeKey認証コード：482913</p><p>ログインはこちら {piece}</p>"
    verdict = check(signed(key, html=html, body=PLAIN), address, directory)
    assert verdict.authentication.authenticated_domain
    assert verdict.verdict != "genuine", verdict.as_json("en")["findings"]
    # and no address off the issuer's domains is listed with a tick
    assert all(not official or "americanexpress.com" in (link_url.split("/")[2] if "//" in link_url else link_url)
               for link_url, official in listed(verdict))


@pytest.mark.parametrize("written", ["至急 050-3000-1234 までお電話ください", "お問い合わせ：０３（６７００）１２３４",
                                     "Call +81 (0)3 6700 1234 now"])
def test_a_phone_number_written_in_a_signed_mail_that_the_issuer_does_not_publish_keeps_it_from_genuine(
        key, address, directory, written):
    # Found by an attacker: a tel: link was judged by whose number it dials, a number written as text
    # (which a phone's mail app offers to call) was not. A signed mail can carry text someone else wrote.
    html = f"<p>SafeKey認証コード：482913</p><p>{written}</p>"
    verdict = check(signed(key, html=html, body=PLAIN), address, directory)
    assert verdict.verdict == "suspicious"
    (said,) = [f for f in verdict.findings if f.code == "link.phone_written_unconfirmed"]
    assert "カード裏面の番号" in said.message("ja") and "back of your card" in said.message("en")


def test_the_issuers_own_number_written_in_a_signed_mail_leaves_it_genuine(key, address, directory):
    html = "<p>SafeKey認証コード：482913</p><p>お心当たりのない場合は 0120-020120 までご連絡ください。</p>"
    verdict = check(signed(key, html=html, body=PLAIN), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]


@pytest.mark.parametrize("link", [
    "https://evil-redir.example/redirect?url=https%3A%2F%2Fwww.americanexpress.com%2Fja-jp%2F",
    "https://track.evil-redir2.example/c/https://www.americanexpress.com/ja-jp/",
])
def test_a_link_through_another_site_to_the_issuer_is_not_official(key, address, directory, link):
    # Found by a new user: the site on the way decides where the tap goes, whatever address it carries;
    # the link was listed as americanexpress.com with a tick and a signed mail with it was genuine.
    html = f'<p>SafeKey認証コード：482913</p><p><a href="{link}">ログイン</a></p>'
    verdict = check(signed(key, html=html, body=PLAIN), address, directory)
    assert verdict.verdict != "genuine"
    assert [official for url, official in listed(verdict) if url == link] == [False]
    said = next(f for f in verdict.findings if f.code == "link.redirector")
    assert "evil-redir" in said.message("en") and "may forward" in said.message("en") and "とは限りません" in said.message("ja")
