"""A long address shown cut short in a verdict is cut where a reader can still read it, and says so
with "…"; --json never cuts one."""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote, unquote

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

from cardguard.shortened import shortened
from cardguard.web.app import create_app
from mailkit import message

LONG = "https://evil.example/" + "ログイン" * 40 + "?next=" + quote("カード番号をご確認ください" * 4)


def _reads_whole(prefix: str) -> bool:
    """No escape cut short, and no character's escapes cut short: the prefix decodes cleanly."""
    if re.search(r"%[0-9A-Fa-f]?$", prefix):
        return False
    try:
        unquote(prefix, errors="strict")
    except UnicodeDecodeError:
        return False
    return True


def test_the_arrow_line_cuts_a_long_address_whole_and_says_so(cardguard):
    # Found by a user: the → line ended "…%E3%8" and nothing, a cut nobody could see.
    mail = message(html=f'<p><a href="{LONG}">こちら</a></p>')
    for lang in ("ja", "en"):
        out = cardguard("check", "-", "--offline", "--lang", lang, input=mail).out
        arrow = [line.strip()[2:] for line in out.splitlines() if line.strip().startswith("→ ")]
        assert len(arrow) == 1 and arrow[0].endswith("…"), out
        shown = arrow[0][:-1]
        assert len(arrow[0]) <= 160 and _reads_whole(shown)
        link = [line.strip() for line in out.splitlines() if line.strip().startswith("https://evil.example/")]
        assert link and all(line.endswith("…") and len(line) <= 160 for line in link), out
    found = cardguard("check", "-", "--offline", "--json", input=mail).json()
    (link,) = [link for link in found["links"] if link["registered_domain"] == "evil.example"]
    assert link["url"] == LONG and unquote(link["goes_to"]) == unquote(LONG)  # never cut in JSON
    assert link["goes_to"] in {finding["evidence"] for finding in found["findings"]}  # evidence whole too
    assert not any(re.search(r"%[0-9A-F]?(?![0-9A-F])", finding["message"]) for finding in found["findings"])


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["a", "/", "%E3%83%AD", "%C3%A9", "%F0%9F%91%8D", "%25", "が", "e\u0301", "ｶﾞ", "👍🏽",
                                 "👩\u200d💻", "🇯🇵", "\ud83d\ude00", "x\ufe0f", "…"]), max_size=40),
       st.integers(min_value=1, max_value=60))
def test_a_cut_never_splits_an_escape_or_a_character(pieces, limit):
    # Each piece is one character as a reader sees it: a cut may fall only between two of them.
    text = "".join(pieces)
    shown = shortened(text, limit)
    if len(text) <= limit:
        assert shown == text
        return
    assert shown.endswith("…") and len(shown) <= limit
    kept = shown[:-1]
    assert text.startswith(kept) and _reads_whole(kept)
    assert len(kept) in {sum(len(piece) for piece in pieces[:n]) for n in range(len(pieces) + 1)}


def test_a_folders_list_cuts_a_long_subject_whole_and_says_so(cardguard, tmp_path):
    subject = "【重要】" + "ご利用確認のお願い" * 8 + "👩\u200d💻"
    for name in ("a.eml", "b.eml"):
        (tmp_path / name).write_bytes(message(subject="ｶﾞ" + subject))
    out = cardguard("check", "--offline", "--lang", "ja", str(tmp_path / "a.eml"), str(tmp_path / "b.eml")).out
    shown = [line.rsplit(".eml  ", 1)[1] for line in out.splitlines() if ".eml  " in line]
    assert len(shown) == 2 and all(line.endswith("…") and ("ｶﾞ" + subject).startswith(line[:-1]) for line in shown), out


def test_a_long_list_of_ambiguities_is_cut_whole_and_says_so(cardguard):
    # The sentence "mail apps can read this message in different ways (…)" cut its list mid-word.
    parts = "".join(f"--B\r\nContent-Type: text/plain; charset=x-unknown-charset-{n:02d}\r\n\r\nhello\r\n"
                    for n in range(8))
    mail = ("From: a@example.org\r\nTo: b@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="B"\r\n\r\n' + parts + "--B--\r\n")
    found = cardguard("check", "-", "--offline", "--json", "--lang", "en", input=mail).json()
    (ambiguous,) = [f for f in found["findings"] if f["code"] == "message.ambiguous"]
    assert ambiguous["evidence"].endswith("…") and len(ambiguous["evidence"]) <= 200
    assert f"({ambiguous['evidence']})" in ambiguous["message"]
    assert "charset 'x-unknown-charset-00' unknown to mail apps, " in ambiguous["evidence"]


@pytest.mark.parametrize("path", ["/" + "e\u0301" * 60 + "x", "/mail/" + "ｶﾞ" * 60, "/incidents/1/report." + "が" * 90])
def test_a_page_that_does_not_exist_names_its_address_cut_whole_and_says_so(profile, path):
    client = TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)
    page = client.get(quote(path), headers={"accept-language": "en"})
    assert page.status_code == 404
    shown = html.unescape(re.search(r"There is no page at (.*?)\. Use", page.text).group(1))
    assert shown.endswith("…") and len(shown) <= 80 and shown[:-1] in path
    assert not unicodedata.combining(path[len(shown) - 1 + path.index(shown[:-1])])  # no accent left behind
    assert path[path.index(shown[:-1]) + len(shown) - 1] not in "ﾞ"


def test_a_value_the_holder_typed_is_echoed_cut_whole_and_says_so(cardguard):
    # "cannot read …" quoted the first 60 characters as if they were all that was typed.
    typed = "が" * 100
    for lang in ("ja", "en"):
        run = cardguard("services", "add", "X", "--amount", typed, "--lang", lang)
        assert run.code == 2 and "が" * 59 + "…" in run.err and "が" * 60 not in run.err, run.err


def test_an_unknown_zone_is_named_cut_whole_and_says_so(profile, monkeypatch):
    monkeypatch.setenv("CARDGUARD_TZ", "Asia/" + "e\u0301" * 40)
    client = TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)
    page = html.unescape(client.get("/incidents", headers={"accept-language": "en"}).text)
    assert "Asia/" + "e\u0301" * 27 + "…" in page and "Asia/" + "e\u0301" * 27 + "e…" not in page
