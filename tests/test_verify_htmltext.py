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
