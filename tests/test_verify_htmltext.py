"""HTML read as a mail app shows it (HTML5 tree construction, scripts off): the words the holder
sees, and every URL a tap, a scan or a render would reach."""

from __future__ import annotations

from cardguard.verify.htmltext import read_html


def test_the_text_is_what_a_reader_sees():
    html = ("<html><head><title>Not shown</title><style>p{color:red}</style></head><body>"
            "<p>ご利用<b>確認</b>のお願い</p><div>一行目<br>二行目</div><script>var hidden = 1</script>"
            "<template><p>never rendered</p></template><noscript><p>スクリプトなしで表示</p></noscript>"
            "<table><tr><td>左</td><td>右</td></tr></table></body></html>")
    text = read_html(html).text
    assert text.splitlines() == ["ご利用確認のお願い", "一行目", "二行目", "スクリプトなしで表示", "左", "右"]


def test_broken_markup_is_repaired_as_a_browser_repairs_it():
    # An unclosed anchor swallows what follows, as it does in a browser; a stray </p> is no paragraph end.
    content = read_html('<p>こちら<a href="https://evil.example/x">ログイン<p>続き</p>')
    assert ("https://evil.example/x", "ログイン") in content.anchors or \
        any(href == "https://evil.example/x" for href, _ in content.anchors)
    assert "続き" in content.text


def test_every_url_a_render_or_a_tap_reaches():
    html = ('<base href="https://base.example/"><a href="https://a.example/">a</a><area href="/map" alt="地図">'
            '<form action="https://form.example/"></form><button formaction="https://button.example/">b</button>'
            '<svg><a xlink:href="https://svg.example/">s</a><use href="https://use.example/#i"/></svg>'
            '<img src="https://img.example/q.png" srcset="https://x1.example/a.png 1x, https://x2.example/b.png 2x">'
            '<iframe src="https://frame.example/"></iframe><link rel="stylesheet" href="https://css.example/s.css">'
            '<p style="background:url(\'https://style.example/bg.png\')">x</p>'
            '<style>@import "https://import.example/i.css"; .q{background:url(https://rule.example/q.png)}</style>'
            '<meta http-equiv="refresh" content="0; url=https://refresh.example/">'
            '<!--[if mso]><a href="https://mso.example/">mso</a><![endif]--><p onclick="x()" onmouseover="y()">z</p>')
    content = read_html(html)
    assert content.base == "https://base.example/"
    assert {href for href, _ in content.anchors} == {"https://a.example/", "/map", "https://svg.example/",
                                                     "https://mso.example/"}
    assert content.forms == ["https://form.example/", "https://button.example/"]
    assert set(content.remote) >= {"https://img.example/q.png", "https://x1.example/a.png", "https://x2.example/b.png",
                                   "https://frame.example/", "https://css.example/s.css", "https://style.example/bg.png",
                                   "https://import.example/i.css", "https://rule.example/q.png",
                                   "https://use.example/#i"}
    assert content.refresh == ["https://refresh.example/"]
    assert content.event_handlers == 2


def test_markup_nested_deeper_than_browsers_build_is_flattened_and_said():
    # Lexbor's time grows with the square of the depth: 100,000 levels would take minutes unflattened.
    deep = "<div>" * 100_000 + '深い<a href="https://evil.example/">ここ</a><img src="https://img.example/q.png">'
    content = read_html(deep + "</div>" * 100_000)
    assert "深い" in content.text and content.too_deep
    assert ("https://evil.example/", "ここ") in content.anchors and "https://img.example/q.png" in content.remote
    assert not read_html("<div>" * 300 + "浅い" + "</div>" * 300).too_deep


def _letters(text: str) -> list[str]:
    return sorted(char for char in text if not char.isspace())


def test_the_text_taken_apart_by_link_holds_every_character_once():
    # What links.py reads as addresses a mail app auto-links is the text outside the links plus the
    # text of links that go nowhere: every character of the text is in exactly one of the pieces.
    html = ('<p>前<a href="https://a.example/">一<b>二</b><div>三</div></a>後</p><a href="#">四</a>'
            '<noscript><a href="https://n.example/">五</a>六</noscript><a>七</a><style><a href=x>見えない</a></style>'
            '<v:roundrect href="https://v.example/">八</v:roundrect><area href="/m" alt="地図">\x00九&#0;')
    content = read_html(html)
    pieces = [content.text_outside_anchors, *content.anchor_texts.values()]
    assert _letters(content.text) == _letters("".join(pieces))
    # The <div> closes the <p>, and the parser opens the link again after it: two links, one address.
    assert sorted((content.anchors[place][0], shown) for place, shown in content.anchor_texts.items()) == [
        ("#", "四"), ("https://a.example/", "一二"), ("https://a.example/", "三"), ("https://n.example/", "五"),
        ("https://v.example/", "八")]
    assert "見えない" not in "".join(pieces) and "前" in content.text_outside_anchors
    assert content.text.splitlines() == ["前一二", "三", "後", "四五六七八九\ufffd"]  # as read before


def test_the_text_taken_apart_by_link_holds_every_character_once_on_generated_markup():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(st.sampled_from(["<a href=x>", "</a>", "<a>", "<a href=#>", "<p>", "<div>", "</div>", "<b>", "</b>",
                                     "<noscript>", "</noscript>", "<svg>", "<a href=s>", "</svg>", "<style>", "</style>",
                                     "<table>", "<td>", "x", "y\u3000z", " ", "\n", "\x00", "&#0;", "<!--[if mso]>",
                                     "<![endif]-->", "<v:rect href=v>", "</v:rect>", "<title>", "</title>"]),
                    max_size=16))
    def holds_each_once(pieces):
        content = read_html("".join(pieces))
        assert _letters(content.text) == _letters(content.text_outside_anchors + "".join(content.anchor_texts.values()))
        assert all(0 <= place < len(content.anchors) for place in content.anchor_texts)

    holds_each_once()


def test_an_outlook_block_loading_through_data_with_blanks_around_the_equals_sign_is_read():
    # Found by an attacker: the check skipped a block unless it held "data=", and HTML allows blanks there.
    content = read_html('<p>x</p><!--[if mso]><object data ="https://evil.example/qr.png"></object><![endif]-->')
    assert any("evil.example" in url for url in content.remote)


def test_links_texts_are_read_within_one_budget_for_a_body_and_the_blocks_read_in_it(monkeypatch):
    # Each Outlook block is read as markup of its own; the budget was set afresh for each, so a body
    # of 50 blocks could read 51 times the link texts it was meant to.
    from cardguard.verify import htmltext

    monkeypatch.setattr(htmltext, "MAX_LINK_TEXT_CHARS", 10_000)
    block = '<!--[if mso]><a href="https://www.americanexpress.com/">' + "a" * 3_000 + "</a><![endif]-->"
    content = read_html("<p>x</p>" + block * 10)
    assert content.link_texts_unread > 0 and content.link_text_chars <= 10_000 + 3_000
