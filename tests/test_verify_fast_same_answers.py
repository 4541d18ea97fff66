"""The faster ways of reading a message find exactly what the plain ones found.

Each speed change in verify/ replaced a regular expression or a scan by one that is cheaper to
compile or to run; these tests hold every one equal to the original, as written before the change,
on every text of the real phishing corpus and on generated strings built from the characters that
matter (case variants, the characters IGNORECASE folds to ASCII, word boundaries, kana)."""

from __future__ import annotations

import binascii
import email
import email.message
import email.policy
import email.utils
import re
from functools import cache

import pytest
from corpus_pin import corpus_folder
from htmlref import read_html_by_queries
from hypothesis import given, settings
from hypothesis import strategies as st

from cardguard import values
from cardguard.errors import UserError
from cardguard.verify import content, htmltext, links, message, wordscan
from cardguard.verify.message import read_mail

# The patterns as they were before they were made fast.
OLD_DOMAIN_IN_TEXT = re.compile(r"(?:https?://)?((?:[a-z0-9\u00a1-\uffff-]+\.)+[a-z\u00a1-\uffff]{2,})(?=[/:\s]|$)",
                                re.IGNORECASE)
OLD_EVENT_ATTR = re.compile(r"""(?<=[\s"'/])on[a-zA-Z]+\s*=(?=[^<>]*>)""")


@pytest.fixture(autouse=True)
def scan_with_the_speed_ups(monkeypatch):
    """A process builds a list's speed-ups only after scanning much text; here every scan uses them,
    so what is compared with `re` is the fast path."""
    from cardguard.verify import wordscan

    monkeypatch.setattr(wordscan, "BUILD_AFTER", 0)


@cache
def corpus_mails() -> tuple:
    folder = corpus_folder()
    if folder is None or not folder.is_dir():
        pytest.fail("the phishing corpus was not found (shared/corpus/phishing above the checkout, or CARDGUARD_CORPUS)")
    mails = []
    for path in sorted(folder.iterdir()):
        try:
            mails.append(read_mail(path.read_bytes()))
        except UserError:
            continue
    return tuple(mails)


def corpus_texts() -> list[str]:
    """Every text a check reads words in: plain parts, HTML as shown, attachments, subjects."""
    out = []
    for mail in corpus_mails():
        out += [mail.subject, mail.text, *(h.text for h in mail.html), *(a.text for a in mail.attachments)]
    return [text for text in out if text]


def rule_lists() -> dict[str, tuple[str, ...]]:
    rules = content.rules()
    lists = {"otp.keywords": rules["otp"]["keywords"], "otp.merchant": rules["otp"]["merchant"],
             "otp.amount": rules["otp"]["amount"], "request.verbs": rules["request"]["verbs"],
             "urgency.phrases": rules["urgency"]["phrases"]}
    lists |= {f"request.nouns.{kind}": nouns for kind, nouns in rules["request"]["nouns"].items()}
    return {name: tuple(words) for name, words in lists.items()}


def plain(words: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?:{w})" for w in words), re.IGNORECASE)


def spans(matches) -> list:
    return [(m.span(), m.groups()) for m in matches]


def test_every_character_ignorecase_folds_onto_an_ascii_letter_is_known():
    ascii_letter = re.compile("[a-z]", re.IGNORECASE)
    folding = {chr(code) for code in range(0x80, 0x110000) if ascii_letter.fullmatch(chr(code))}
    assert folding == set(wordscan.FOLDS_TO_ASCII)


def test_every_content_rule_list_is_scanned_the_fast_way():
    # Otherwise the equality below would only compare re with itself.
    for name, words in rule_lists().items():
        scanner = wordscan.words(words)
        scanner.search("")  # the first scan past BUILD_AFTER characters builds the speed-ups
        assert scanner._guard is not None, name
        assert scanner._required, name
        assert scanner._lead is not None, name  # tried only near where its words are


def test_content_rules_find_what_re_finds_on_the_whole_corpus():
    texts = [content.normalize(text) for text in corpus_texts()]
    found = 0
    for name, words in rule_lists().items():
        fast, slow = wordscan.words(words), plain(words)
        for text in texts:
            expected = spans(slow.finditer(text))
            assert spans(fast.finditer(text)) == expected, (name, text[:200])
            assert fast.findall(text) == slow.findall(text)
            first_fast, first_slow = fast.search(text), slow.search(text)
            assert (first_fast and first_fast.span()) == (first_slow and first_slow.span())
            found += len(expected)
    assert found > 1000  # the corpus does exercise the rules


_TRICKY = ("a", "A", "i", "I", "s", "S", "k", "K", "\u0130", "\u0131", "\u017f", "\u212a", " ", "-", "\n", "_",
           "1", "2", "4", "8", "D", "d", "コ", "ー", "ド", "ワ", "ン", "タ", "イ", "ム", "パ", "ス", "認", "証", "番", "号", ".")


def _fragments(words: tuple[str, ...]) -> list[str]:
    """Pieces of text near the words: each word's letters, parts of them, in any case."""
    literal = [re.sub(r"\\[bB]|[()?*+|\[\]{}:<!=^$\\]", "", w) for w in words]
    return [piece for w in literal for piece in (w, w.upper(), w.title(), w[: len(w) // 2], w[len(w) // 2:]) if piece]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.data())
def test_content_rules_find_what_re_finds_on_generated_text(data):
    name = data.draw(st.sampled_from(sorted(rule_lists())))
    words = rule_lists()[name]
    piece = st.one_of(st.sampled_from(_fragments(words)), st.sampled_from(_TRICKY), st.text(max_size=3))
    text = "".join(data.draw(st.lists(piece, max_size=12)))
    fast, slow = wordscan.words(words), plain(words)
    assert spans(fast.finditer(text)) == spans(slow.finditer(text))
    assert fast.findall(text) == slow.findall(text)


def places_by_find(text: str, strings: tuple[bytes, ...]) -> dict[int, list[tuple[int, int]]]:
    """Where each required string occurs, as the lists found them before one search served them all:
    `in` on the text with its ASCII letters lowered (and the four letters IGNORECASE takes for ASCII
    ones), every place, overlapping ones too, in characters of the text."""
    folded = text.translate(str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}))
    folded = "".join(char.lower() if char.isascii() else char for char in folded)
    out: dict[int, list[tuple[int, int]]] = {}
    for number, string in enumerate(strings):
        word = string.decode("utf-8", "surrogatepass")
        at = folded.find(word)
        while at >= 0:
            out.setdefault(number, []).append((at, at + len(word)))
            at = folded.find(word, at + 1)
    return out


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_TRICKY + ("\ud800", "\U0001f600", "I\u0307")), max_size=16).map("".join))
def test_text_is_folded_as_translate_folded_it(text):
    old = text.translate(str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}))
    assert wordscan.ascii_folded(text) == old.encode("utf-8", "surrogatepass").lower()


def catalogue_places(text: str, texts: str = "content") -> tuple[dict, tuple[bytes, ...], bool]:
    for words in rule_lists().values():
        wordscan.words(words).search("")  # built: their strings are in the catalogue
    links._TEXT_URL_SCAN.search("")
    places = wordscan._catalogue(texts).places(text)
    return {number: sorted(spans) for number, spans in places.found.items()}, places.searcher[0], places.dense


def test_required_strings_are_found_where_in_finds_them_on_the_whole_corpus():
    for text in [content.normalize(text) for text in corpus_texts()]:
        for texts in ("content", "parts"):
            found, strings, dense = catalogue_places(text, texts)
            assert not dense
            assert found == places_by_find(text, strings), text[:200]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.data())
def test_required_strings_are_found_where_in_finds_them_across_search_chunks(data):
    # Chunks of a few bytes: strings cut by a chunk's end, found once, and characters of 1 to 4 bytes.
    wordscan_chunk = data.draw(st.integers(1, 9))
    words = rule_lists()[data.draw(st.sampled_from(sorted(rule_lists())))]
    piece = st.one_of(st.sampled_from(_fragments(words)), st.sampled_from(_TRICKY),
                      st.sampled_from(("\U0001f600", "\ud800", "é", "\u3000")), st.text(max_size=3))
    text = "".join(data.draw(st.lists(piece, max_size=16)))
    original = wordscan._CHUNK
    wordscan._CHUNK = wordscan_chunk
    try:
        wordscan._catalogue("content")._recent = ()  # searched afresh, in these chunks
        found, strings, dense = catalogue_places(text)
    finally:
        wordscan._CHUNK = original
    assert not dense
    assert found == places_by_find(text, strings)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.data())
def test_content_rules_find_what_re_finds_near_words_far_apart(data):
    # Long stretches between the words: each list reads only near where its words are (and, with
    # few places allowed, a text full of them whole). The text-link pattern's matches have no end
    # in sight, only a start.
    lists = rule_lists() | {"links.text_url": (links._TEXT_URL.pattern,),
                            "made up": ("カード(?:の)?有効期限", "a(bc|de)fg", "(?:x|yy)zz", r"\bq?rst+")}
    name = data.draw(st.sampled_from(sorted(lists)))
    words = lists[name]
    filler = st.sampled_from(("x" * 300, "あ" * 500, " " * 50, "\u212a" * 40, "ー" * 200, "1" * 100, "https://a.jp/",
                              "WWW.", "http:\\"))
    piece = st.one_of(st.sampled_from(_fragments(words)), st.sampled_from(_TRICKY), filler)
    text = "".join(data.draw(st.lists(piece, max_size=14)))
    fast, slow = wordscan.words(words), plain(words)
    original = wordscan.MAX_PLACES
    wordscan.MAX_PLACES = data.draw(st.sampled_from((original, 2)))
    wordscan._catalogue("content")._recent = ()  # searched afresh, with this many places allowed
    try:
        assert spans(fast.finditer(text)) == spans(slow.finditer(text)), name
    finally:
        wordscan.MAX_PLACES = original


@pytest.mark.parametrize("words", [
    (r"\w+day",), (r"(a)\1",), ("x?",), ("[^a]b",), ("(?-i:Card)", "pin"), (r"\bCVV2?\b", "(?<!one )time"),
    ("caf\u00e9", "STRASSE"), ("(a)(b)?", "c"), ("[a-f]{2}", "\u3042+"),
])
def test_words_beyond_the_fast_reading_still_find_what_re_finds(words):
    fast, slow = wordscan.words(words), plain(words)
    for text in ("Monday tuesday aa ab xb CVV cvv2 one time two time café CAFÉ straße STRASSE ab c de \u3042\u3042",
                 "", "x", "\u0130\u0131\u017f\u212a", "AB Cb"):
        assert spans(fast.finditer(text)) == spans(slow.finditer(text)), (words, text)
        assert fast.findall(text) == slow.findall(text)


def link_texts() -> list[str]:
    return [text.strip() for mail in corpus_mails() for html in mail.html for _, text in html.anchors if text.strip()]


def test_domain_shown_as_link_text_is_read_as_before_on_the_corpus():
    texts = link_texts() + corpus_texts()
    shown = 0
    for text in texts:
        old, new = OLD_DOMAIN_IN_TEXT.search(text), links._DOMAIN_IN_TEXT.search(text)
        assert (old and (old.span(), old.groups())) == (new and (new.span(), new.groups())), text[:200]
        shown += old is not None
    assert shown > 100


def test_domain_pattern_classes_are_exactly_what_ignorecase_matched():
    old_char = re.compile(r"[a-z0-9\u00a1-\uffff-]", re.IGNORECASE)
    old_letter = re.compile(r"[a-z\u00a1-\uffff]", re.IGNORECASE)
    new_char, new_letter = re.compile(links._DOMAIN_CHAR), re.compile(links._DOMAIN_LETTER)
    for code in range(0x110000):
        char = chr(code)
        assert bool(old_char.fullmatch(char)) == bool(new_char.fullmatch(char)), hex(code)
        assert bool(old_letter.fullmatch(char)) == bool(new_letter.fullmatch(char)), hex(code)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.one_of(st.sampled_from(["http://", "HTTPS://", "hTtp\u017f://", "www", ".", "-", "co", "jp", "例え",
                                           "ば", "\u00a1", "\u00a0", "\uffff", "\U00010400", "\U0001f600", "/", ":",
                                           " ", "\n", "K", "\u212a", "é", "É", "1"]),
                          st.text(max_size=4)), max_size=10))
def test_domain_shown_as_link_text_is_read_as_before_on_generated_text(pieces):
    text = "".join(pieces)
    old, new = OLD_DOMAIN_IN_TEXT.search(text), links._DOMAIN_IN_TEXT.search(text)
    assert (old and (old.span(), old.groups())) == (new and (new.span(), new.groups()))


def test_event_handlers_are_counted_as_before_on_the_corpus_html():
    counted = 0
    for mail in corpus_mails():
        for markup in mail.html_source:
            assert htmltext.event_handlers(markup) == OLD_EVENT_ATTR.findall(markup)
            counted += len(OLD_EVENT_ATTR.findall(markup))
    assert counted > 0


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["<a ", "<img", ">", "<", " on", "on", "onclick", "ONLOAD", "=", " =", '"', "'", "/",
                                 "\t", "x", "\u3000", "no", "button"]), max_size=16))
def test_event_handlers_are_counted_as_before_on_generated_markup(pieces):
    markup = "".join(pieces)
    assert htmltext.event_handlers(markup) == OLD_EVENT_ATTR.findall(markup)


OLD_CONDITIONAL = re.compile(r"<!--\s*\[if[^\]]*\]>(.*?)<!\[endif\]\s*-->", re.IGNORECASE | re.DOTALL)


def old_tidy(text: str) -> str:
    return re.sub(r"\n\s*\n+", "\n", re.sub(r"[ \t\u3000]+", " ", text)).strip()


def test_outlook_conditional_blocks_are_found_as_before_on_the_corpus_html():
    blocks = 0
    for mail in corpus_mails():
        for markup in mail.html_source:
            expected = [found.group(1) for found in OLD_CONDITIONAL.finditer(markup)]
            assert list(htmltext.conditional_blocks(markup)) == expected
            blocks += len(expected)
    assert blocks > 100


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["<!--", "[if mso]>", "[IF gte mso 9]>", "[if", "]", ">", "<![endif]-->", "<![ENDIF] -->",
                                 "<![endif]", "-->", " ", "\n", "<a href=x>", "x", "<!--<![endif]-->"]), max_size=14))
def test_outlook_conditional_blocks_are_found_as_before_on_generated_markup(pieces):
    markup = "".join(pieces)
    assert list(htmltext.conditional_blocks(markup)) == [f.group(1) for f in OLD_CONDITIONAL.finditer(markup)]


def test_shown_text_is_spaced_as_before_on_the_corpus_html():
    for mail in corpus_mails():
        for markup in mail.html_source:
            raw = htmltext._read(markup, htmltext.HtmlContent(), [htmltext.MAX_NESTED_READS], with_text=True)
            assert htmltext.tidy(raw) == old_tidy(raw)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet=" \t\u3000\n\r\x0b\x0c\x1c\u2028\u00a0ab", max_size=30))
def test_shown_text_is_spaced_as_before_on_generated_text(text):
    assert htmltext.tidy(text) == old_tidy(text)


def old_anchors(markup: str) -> list:
    """The links of ``markup`` as read before the node's attribute dictionary was used as it is."""
    from selectolax.lexbor import LexborHTMLParser

    out = []
    tree = LexborHTMLParser(markup)
    for node in tree.css("a, area"):
        attrs = htmltext._attrs(node)
        # Read since (links branch): an empty or in-page href is kept (it goes to <base href>), and
        # an href present, even empty, outranks xlink:href as in SVG 2.
        href = attrs["href"] if "href" in attrs else attrs.get("xlink:href")
        if href is not None:
            shown = attrs.get("alt", "") if node.tag.lower() == "area" else node.text(deep=True)
            out.append((href.strip(), " ".join(shown.split())))
    for node in tree.css("[href]"):  # read since: Outlook's VML buttons and any other element's href
        attrs = htmltext._attrs(node)
        # In lower case since the walk: an SVG <feImage> loads its href, as <image> and <use> do.
        if node.tag.lower() not in ("a", "area", "link", "base", *htmltext._SVG_FETCHED) and attrs["href"].strip():
            out.append((attrs["href"].strip(), " ".join(node.text(deep=True).split())))
    return out


def new_anchors(markup: str) -> list:
    from selectolax.lexbor import LexborHTMLParser

    out = htmltext.HtmlContent()
    htmltext._links(LexborHTMLParser(markup), out)
    return out.anchors


def test_links_are_read_as_before_on_the_corpus():
    for mail in corpus_mails():
        for markup in mail.html_source:
            assert new_anchors(markup) == old_anchors(markup)


_MARKUP = ["<a href=x>", "<A HREF='y'>", "</a>", "<area alt href=u>", "<map>", "<AREA ALT=z HREF=v>", "<img src=i>",
           "<IMAGE src=j>", "<svg>", "<use xlink:href=k>", "<feImage href=l>", "</svg>", "<isindex action=w>",
           "<form action=f>", "<input formaction=g>", "<button formaction=h>", "<base href=b/>", "<meta http-equiv=refresh "
           "content='0;url=r'>", "<div background=bg>", "<td BACKGROUND=bg2>", "<link href=s>", "<script src=t>",
           "</script>", "<style>a{background:url(c)}</style>", "<p style='x:url(d)'>", "<noscript><a href=n>",
           "</noscript>", "<video poster=p>", "<object data=o>", "<iframe src=fr>", "text", "&lt;img src=e&gt;",
           "<!--[if mso]><a href=m><![endif]-->", "<template><a href=tp></template>", "<title>t</title>"]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_MARKUP), max_size=12))
def test_links_are_read_as_before_on_generated_markup(pieces):
    markup = "".join(pieces)
    assert new_anchors(markup) == old_anchors(markup)


def read_as_by_queries(markup: str) -> htmltext.HtmlContent:
    """What read_html reads that the queries read too: the text taken apart by link came after them."""
    return values.replace(htmltext.read_html(markup), text_outside_anchors="", anchor_texts={},
                               link_text_chars=0)  # a count of what was read, which the reference keeps none of


def test_html_is_read_as_by_a_query_per_kind_of_element_on_the_corpus():
    parts = 0
    for mail in corpus_mails():
        for markup in mail.html_source:
            assert read_as_by_queries(markup) == read_html_by_queries(markup)
            parts += 1
    assert parts > 500


_READ_MARKUP = _MARKUP + [
    "<svg><feImage href=fe xlink:href=fx>", "<svg><set attributeName=href to=st>", "<animate attributename=xlink:href "
    "values='v1;v2'>", "<a ping='p1 p2' href=pg>", "<button formaction=bf action-xhr=bx>", "<form action-xhr=fx2>",
    "<form>", "<div [href]=\"'ah'\" [src]=\"'as'\">", "<amp-img src=ai srcset='s1 1x, s2 2x'>", "<amp-state src=st>",
    "<link imagesrcset='l1 1x'>", "<base href=b2>", "<base>", "<base href=''>", "<meta http-equiv=REFRESH content='5; https://r2'>",
    "<span style='background:URL(u2)'>", "<span style='b:\\75 rl(u3)'>", "<span style=\"background:image-set('i1' 1x)\">",
    "<span style='color:red'>", "<span style='x:(url)'>", "<style>@import 'im';</style>", "<STYLE>@IMPORT 'im2'</STYLE>",
    "<iframe srcdoc='<a href=sd>'>", "<frame srcdoc='<img src=sd2>'>", "<noscript><p>ns</p><img src=ns2></noscript>",
    "<script>x</script>", "<head><title>h</title><style>p{}</style></head>", "<table><tr><td>c1<td>c2</table>", "<br>",
    "<h1>t</h1>", "<li>l", "<v:roundrect href=vr>", "<math><mi href=mh>m</mi></math>", "<img>", "<a>", "<area>",
    "<input src=is formaction=if>", "<p background=pb>", "<object data=od>", "</div>", "<div>", "\u3000", " ",
    "<svg><link xlink:href=sl>", "<math><link xlink:href=ml>", "<svg><base xlink:href=sb></svg>", "<svg><base href=sh>",
]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_READ_MARKUP), max_size=14))
def test_html_is_read_as_by_a_query_per_kind_of_element_on_generated_markup(pieces):
    markup = "".join(pieces)
    assert read_as_by_queries(markup) == read_html_by_queries(markup)


def old_deepest(markup: str) -> int:
    depth, deepest = 0, 0
    for found in htmltext._TAG_START.finditer(markup):
        name = found.group(2).lower()
        if found.group(1):
            depth = max(0, depth - 1)
        elif name not in htmltext._VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


@pytest.mark.parametrize("markup", [
    "<div>" * 1001, "<div>" * 1000, "<div>" * 1000 + "</p>" + "<div>", "<div>" * 999 + "<a>" * 5,
    "</div>" * 50 + "<span>" * 1001, ("<b>" * 600 + "</b>" * 300) * 2, "<p>" * 5000, "<DIV>" * 1001 + "x",
    # longer than one 64 KB stretch of the walk: nesting that crosses from one to the next
    "x" * 70_000 + "<div>" * 1001, ("<div>" + "x" * 100 + "</div>") * 2000 + "<div>" * 900,
    "<div>" * 600 + "y" * 70_000 + "<section>" * 401, "<div>" * 600 + "y" * 70_000 + "</div><section>" * 401,
])
def test_deep_nesting_is_found_as_before(markup):
    assert htmltext._deeper_than_browsers(markup) == (old_deepest(markup) > htmltext.MAX_DEPTH)


def test_deep_nesting_is_found_as_before_on_the_corpus():
    for mail in corpus_mails():
        for markup in mail.html_source:
            assert htmltext._deeper_than_browsers(markup) == (old_deepest(markup) > htmltext.MAX_DEPTH)


def old_base64(data: bytes) -> bytes:
    return re.sub(rb"[^A-Za-z0-9+/]", b"", data)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.binary(max_size=200))
def test_base64_is_cleaned_as_before(data):
    assert data.translate(None, message._NOT_BASE64) == old_base64(data)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet="AZaz09+/= \t\n\r\f\v\x1c\x1d\x1e\x1f\x85", max_size=200))
def test_base64_size_is_estimated_as_before(text):
    part = email.message.Message()
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(text)
    old = len(re.sub(r"\s", "", text)) * 3 // 4
    assert message._estimated_size(part) == old


def test_every_corpus_part_is_read_as_written():
    parts = 0
    for path in sorted(corpus_folder().iterdir()):
        for part in email.message_from_bytes(path.read_bytes(), policy=email.policy.default).walk():
            if not part.is_multipart():
                assert message._as_written(part) == part.get_payload(decode=False)
                parts += 1
    assert parts > 1000


def test_addresses_written_in_text_are_found_as_before_on_the_corpus():
    found = 0
    for text in corpus_texts():
        assert links._TEXT_URL_SCAN.findall(text) == links._TEXT_URL.findall(text)
        assert links._TEXT_URL_SCAN.sub(" ", text) == links._TEXT_URL.sub(" ", text)
        assert spans(links._bare_host_matches(text)) == spans(links._BARE_HOST.finditer(text))
        found += len(links._TEXT_URL.findall(text))
    assert found > 500


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["http", "HTTPS", "hTTp\u017f", ":", "//", "\\\\", "www", "WWW", ".", "example", "co", "jp",
                                 "/path", " ", "、", "「", "\u3000", "@", "-", "1", "\u0130", "\u212a", "K", "x"]), max_size=14))
def test_addresses_written_in_text_are_found_as_before_on_generated_text(pieces):
    text = "".join(pieces)
    assert links._TEXT_URL_SCAN.findall(text) == links._TEXT_URL.findall(text)
    assert links._TEXT_URL_SCAN.sub(" ", text) == links._TEXT_URL.sub(" ", text)
    assert spans(links._bare_host_matches(text)) == spans(links._BARE_HOST.finditer(text))


_NAME_PIECES = ["a", "Z", "1", "-", ".", "..", "@", "/", ":", "\\", " ", "\u0131", "\u017f", "\u0130", "\u212a", "\u00e9",
                "\u3000", "\u3002", "co", "jp", "x.", ".com", "/p"]


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_NAME_PIECES), max_size=24))
def test_bare_host_names_are_tried_only_before_a_dot_and_found_as_re_finds_them(pieces):
    text = "".join(pieces)
    assert spans(links._bare_host_matches(text)) == spans(links._BARE_HOST.finditer(text))


_ADDRESS_PIECES = ["a", "B", "1", ".", "@", "<", ">", '"', ",", " ", "  ", "\t", "\\", "(", ")", ":", ";", "=?utf-8?b?QQ==?=",
                   "\u00e9", "x@y.z", "<x@y.jp>", '"q, r"', "Name", "-", "'", "[", "]", "\r\n ", "\u3000", "\U0001f4f1",
                   "\x85", "\u2028", "\x00", "\x1f", "東京"]


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_ADDRESS_PIECES), max_size=12).map("".join), min_size=1, max_size=3))
def test_plain_address_headers_are_read_as_email_utils_reads_them(values):
    # The running Python's own getaddresses is the reference: what it says of these, the fast reading says too.
    assert message._parsed_addresses.__wrapped__(tuple(values)) == tuple(email.utils.getaddresses(values))


@pytest.mark.parametrize("value", ['Costco Customer Support <noreply@costco.com>', '"Zonnepanelen installateur" <z@a.fr>',
                                   "a.b+c@mail.example.co.jp", "<phishing@pot>", "A <a@b.jp>, B <c@d.jp>",
                                   "Amelia, Amelia <admin@mx.example.it>, Amelia <admin@mx.example.it>"])
def test_everyday_address_headers_take_the_plain_reading(value):
    assert message._plain_addresses((value,)) == email.utils.getaddresses([value])


_atoms = st.text(alphabet="aZ9!#$%&'*+/=?^_`{|}~-", min_size=1, max_size=4)
_spaces = st.sampled_from(["", " ", "  ", "\t", " \t"])
_plain_address = st.builds(lambda local, domain: f"{'.'.join(local)}@{'.'.join(domain)}",
                           st.lists(_atoms, min_size=1, max_size=3), st.lists(_atoms, min_size=1, max_size=3))
_mailbox = st.one_of(
    _plain_address,
    st.builds(lambda address: f"<{address}>", _plain_address),
    st.builds(lambda words, gap, address: f"{gap.join(words)}{gap}<{address}>",
              st.lists(_atoms | st.sampled_from(["東京", "\U0001f4f1\u274c", "a\u3000b", "\x85", "\u00e9t\u00e9"]),
                       min_size=1, max_size=3), st.sampled_from([" ", "  ", "\t", ""]), _plain_address),
    st.builds(lambda quoted, address: f'"{quoted}" <{address}>',
              st.text(alphabet="a ,<>@.()\u00e9:;\t", max_size=6), _plain_address),
    _atoms,  # a name alone
    st.builds(" ".join, st.lists(_atoms, min_size=2, max_size=3)),  # names alone: getaddresses keeps the first
)


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.tuples(_spaces, _mailbox, _spaces), min_size=1, max_size=3), st.sampled_from([",", ", ", " ,"]),
       st.sampled_from(["", "(c)", ",", ";", ".", '"', "\\", "<", "@", ":", " "]), st.integers(0, 60))
def test_plain_mailbox_lists_and_near_misses_are_read_as_email_utils_reads_them(mailboxes, comma, stray, where):
    value = comma.join(before + mailbox + after for before, mailbox, after in mailboxes)
    for text in (value, value[:where] + stray + value[where:]):
        assert message._parsed_addresses.__wrapped__((text,)) == tuple(email.utils.getaddresses([text]))


def old_fold(text: str) -> str:
    import unicodedata

    return re.sub(r"[\s・･.\-_'’]", "", unicodedata.normalize("NFKC", text).casefold())


def test_brand_words_are_folded_as_before_on_every_white_space_character():
    from cardguard.verify.identity import _fold

    everything = "".join(map(chr, range(0x110000))).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    assert _fold(everything) == old_fold(everything)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.text(alphabet=st.sampled_from(list("aA ・･.-_'’\u3000\u2028\x1c\x85\u00a0ＡＢｶﾞ\t\nß") + ["\u0130"]), max_size=30))
def test_brand_words_are_folded_as_before_on_generated_text(text):
    from cardguard.verify.identity import _fold

    assert _fold(text) == old_fold(text)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["a", "=?", "?=", " ", "\t", "\r\n", "é", "漢", "\udcff", "\x00", ",", '"', "<", ":"]),
                max_size=20).map("".join))
def test_a_header_without_encoded_words_is_kept_as_written(value):
    import email.header

    if "=?" not in value:
        assert message._decode_words(value) == str(email.header.make_header(email.header.decode_header(value)))


def old_embedded_target(parts: dict):
    from urllib.parse import parse_qsl, unquote

    search, path, fragment = parts.get("search", ""), parts.get("pathname", ""), parts.get("hash", "")
    values = [(value, True) for _, value in parse_qsl(search.lstrip("?"), keep_blank_values=True)]
    for value, whole in values + [(search, False), (path, False), (fragment, False)]:
        for _ in range(3):
            found = links._EMBEDDED.search(value)
            if found:
                target = found.group(0)
                return target if re.match(r"https?:", target, re.IGNORECASE) else "https:" + target
            if whole and re.match(r"www\.[^/\\\s?#]+\.[a-z]{2,}", value, re.IGNORECASE):
                return "https://" + value
            decoded = unquote(value)
            if decoded == value:
                break
            value = decoded
    return None


def test_a_link_is_parsed_once_however_its_reading_is_asked_for(monkeypatch):
    import ada_url

    parsed = []
    real = ada_url.parse_url
    monkeypatch.setattr(ada_url, "parse_url", lambda url, parts: parsed.append(url) or real(url, parts))
    links._parse_once.cache_clear()
    url = "https://www.americanexpress.com/ja-jp/account/login?x=1"
    readings = links.routes(links.RawLink(url, "ログイン", "anchor"))
    assert [route.hops[-1].host for route in readings] == ["www.americanexpress.com"]
    assert parsed == [url]  # the reading routes asked for is the one _follow reads, not a second parse


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["/", "//", "\\", "%2F", "%252f", "%5C", "www.", "WWW.", "a", ".", "jp", "?", "=", "&",
                                 "#", "http:", "https:", "%", "+", "x.co"]), max_size=16).map("".join))
def test_a_target_carried_inside_an_address_is_found_as_before(tail):
    parts = links._parse("https://example.jp/" + tail)
    if parts is not None:
        assert links._embedded_target(parts) == old_embedded_target(parts)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["a", "\r", "\n", " ", "\t", "\r\n", "\r\n ", "\n\t", "\u3000", "\x0b"]), max_size=16)
       .map("".join))
def test_folded_header_lines_are_joined_as_before(text):
    assert message._unfolded(text) == re.sub(r"\r?\n[ \t]+", " ", text)



def old_base64_payload(raw: str) -> bytes:
    data = raw.encode("ascii", "ignore")
    first_pad = data.find(b"=")
    if first_pad >= 0 and data[first_pad:].translate(None, message._NOT_BASE64).strip():
        pieces = re.split(rb"=+", data.translate(None, message._NOT_BASE64_OR_PAD))
        return b"".join(message._lenient_base64(piece) for piece in pieces)
    return message._lenient_base64(data.translate(None, message._NOT_BASE64))


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["QUJD", "QQ", "Q", "=", "==", "\r\n", " ", "\t", "*", "!", "-", "QUI", "\x85", "A", "/+9z"]),
                max_size=14).map("".join))
def test_base64_parts_decode_as_before(raw):
    part = email.message.Message()
    part["Content-Transfer-Encoding"] = "base64"
    part.set_payload(raw)
    try:
        old = old_base64_payload(raw)
    except binascii.Error:
        old = None
    defects: list[str] = []
    new = message._payload_bytes(part, defects)
    assert new == old if old is not None else "bad-transfer-encoding" in defects


def test_a_header_ends_where_it_ended_before_for_every_short_run_of_line_ends():
    import itertools

    from cardguard.mailbox import HEADER_END

    old = re.compile(rb"\r?\n\r?\n")
    for size in range(1, 9):
        for pieces in itertools.product([b"\r", b"\n", b"a", b" "], repeat=size):
            data = b"".join(pieces)
            before, now = old.search(data), HEADER_END.search(data)
            assert (before and before.span()) == (now and now.span()), data


def old_text_links(text: str, kind: str) -> list:
    written = [url.rstrip(".,;:!?") for url in links._TEXT_URL.findall(text)]
    covered = " ".join(written).lower()
    bare = [url for url in links._bare_hosts(links._TEXT_URL.sub(" ", text)) if url[7:].lower() not in covered]
    return [links.RawLink(url, None, kind) for url in dict.fromkeys(written + bare)]


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["https://", "www.", "example", "ample", ".com", ".co.jp", "/x", " ", "\n", "amex",
                                 "a", "1"]), max_size=16).map("".join))
def test_names_shown_as_text_are_kept_or_dropped_as_before(text):
    # Dropped when a written address holds them, as before; only the order of repeats may differ.
    assert list(dict.fromkeys(links._text_links(text, "text"))) == old_text_links(text, "text")


def test_past_the_comparison_budget_the_first_links_read_are_the_same(monkeypatch):
    # Each bare name is also written as an address: dropped while comparing, kept past the budget.
    text = "".join(f"https://h{i}.example/x h{i}.example/x\n" for i in range(2 * links.MAX_LINKS))
    monkeypatch.setattr(links, "_COVERED_BUDGET", 10 * len(text))
    found, before = links._text_links(text, "text"), old_text_links(text, "text")
    assert len(before) == 2 * links.MAX_LINKS < len(found)
    assert found[:links.MAX_LINKS] == before[:links.MAX_LINKS]


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["<div>", "</div>", "<br>", "</br>", "<BR>", "<p>", "<x:y>", "</", "<", "t", "<img>",
                                 "</p>", "<DIV>", "</span>", "</1", "< a", "<!--"]), max_size=60).map("".join))
def test_markup_counted_shallow_is_never_deep_by_the_walk(markup):
    deepest = htmltext.MAX_DEPTH
    htmltext.MAX_DEPTH = 4  # shallow, so that short markup crosses it either way
    try:
        assert not (htmltext._surely_shallow(markup) and htmltext._deeper_than_browsers(markup))
    finally:
        htmltext.MAX_DEPTH = deepest


def test_markup_counted_in_stretches_is_shallow_only_when_it_is():
    # Balanced and long (many 4 KB stretches): counted shallow; deep, or deep across stretches: walked.
    assert htmltext._surely_shallow("<div><p>x</p></div>" * 20_000)
    assert not htmltext._surely_shallow("<div>" * 1001) and htmltext._deeper_than_browsers("<div>" * 1001)
    spread = ("<div>" + "x" * 10_000) * 1001
    assert not htmltext._surely_shallow(spread) and htmltext._deeper_than_browsers(spread)


OLD_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.DOTALL)


@settings(max_examples=1000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from([b"stream", b"endstream", b"\r", b"\n", b"\r\n", b"x", b"end", b"str", b"eam", b"s",
                                 b"stream\n", b"stream\r\n", b"\nendstream", b"\x00", b"\xff"]), max_size=16).map(b"".join))
def test_pdf_streams_are_found_as_the_pattern_found_them(data):
    assert list(message._pdf_streams(data)) == [(found.start(), found.group(1)) for found in OLD_PDF_STREAM.finditer(data)]


def test_pdf_streams_of_the_corpus_are_found_as_the_pattern_found_them():
    pdfs = [message._payload_bytes(part, []) for path in sorted(corpus_folder().iterdir()) if path.is_file()
            for part in email.message_from_bytes(path.read_bytes(), policy=email.policy.compat32).walk()
            if part.get_content_type() == "application/pdf"]
    assert len(pdfs) >= 10  # the corpus does hold PDFs
    for data in pdfs:
        assert list(message._pdf_streams(data)) == [(found.start(), found.group(1))
                                                     for found in OLD_PDF_STREAM.finditer(data)]


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from([b"obj", b"1", b"23", b" ", b"\n", b"\r\n", b"\t", b"\x0b", b"x", b"_", b"o", b"bj",
                                 b"endobj", b"\xff", b"/", b"0 0 obj", b"obj1"]), max_size=14).map(b"".join))
def test_the_last_pdf_object_head_is_found_as_the_pattern_found_it(head):
    heads = list(re.finditer(rb"\d+\s+\d+\s+obj\b", head))
    assert message._last_object_head_end(head) == (heads[-1].end() if heads else None)


@settings(max_examples=2000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["href", "HREF", "hr", "ef", "src", "sRc", "action", "url(", "URL", "(", "@import",
                                 "background", "data=", "DATA", "=", "poster", "http-equiv", "image-set", "\\", "ping",
                                 "p", "\u0130", "\u0131", "\u017f", "\u212a", "<td>", " ", "東", "\ud800"]),
                max_size=8).map("".join))
def test_a_block_may_link_where_the_pattern_said_so(markup):
    from htmlref import OLD_MAY_LINK

    assert htmltext._may_link(markup) == bool(OLD_MAY_LINK.search(markup))


def test_corpus_outlook_blocks_may_link_where_the_pattern_said_so():
    from htmlref import OLD_MAY_LINK

    blocks = [block for mail in corpus_mails() for markup in mail.html_source
              for block in htmltext.conditional_blocks(markup)]
    assert len(blocks) > 100
    for block in blocks:
        assert htmltext._may_link(block) == bool(OLD_MAY_LINK.search(block))


# A phone number written in text, as first written: a look-behind first, which had `re` try every position.
OLD_NUMBER_WRITTEN = re.compile(r"(?<![0-9A-Za-z+\-.])(?:(?:\+81[ -]?(?:\(0\))?[ -]?|0)\d{1,4}(?:[ -]|\)|[ -]?\()"
                                r"\d{1,4}(?:[ -]|\) ?)\d{3,4}|0(?:120|800)[ -]\d{6})(?![0-9A-Za-z]|-\d)")


@settings(max_examples=3000, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["0", "00", "1", "23", "8", "+", " ", "-", "(", ")", "a", ".", "81", "+81", "(0)",
                                 "0120", "0800", "\u3042", "1234", "56789"]), max_size=16).map("".join))
def test_phone_numbers_written_are_found_where_the_first_pattern_found_them(text):
    assert [m.span() for m in links._NUMBER_WRITTEN.finditer(text)] == [m.span() for m in OLD_NUMBER_WRITTEN.finditer(text)]
