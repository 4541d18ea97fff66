"""What an HTML body says and where its links really go, without rendering or fetching anything.

Parsed as a browser parses it (lexbor, the HTML5 tree-construction algorithm, through selectolax):
a mail app builds the same tree, so the text and the links read here are the ones the holder sees
and taps, however broken the markup. Read as a mail app with scripts off shows it: `<noscript>`
content counts, `<template>` does not; Outlook's conditional comments (`<!--[if mso]>`) are markup
to Outlook, so their links count too. Elements are found by lexbor's own selector engine, so the
Python side touches only the few elements that link or load something.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import field

from selectolax.lexbor import LexborHTMLParser

from cardguard.values import record
from cardguard.verify.wordscan import ascii_folded

_HIDDEN = "script, style, template, title, head"
_BLOCK = ("p, div, br, tr, li, table, h1, h2, h3, h4, h5, h6, td, th, section, article, ul, ol, blockquote, pre, hr, "
          "center, header, footer, dt, dd")
_HIDDEN_TAGS = frozenset(_HIDDEN.split(", "))
_BLOCK_TAGS = frozenset(_BLOCK.split(", "))
# After CSS escapes are decoded: url(…), the strings an image-set() offers (each one an image a
# renderer may pick), and @import "…". Comments are dropped first: they separate tokens anywhere.
# CSS folds ASCII letters only; written as classes, as `re` under IGNORECASE tries every character
# of a style sheet (a third of reading one).
_CSS_URL = re.compile(r"""[uU@](?:(?<=[uU])[rR][lL]\(\s*['"]?([^'")\s]+)|(?<=@)[iI][mM][pP][oO][rR][tT]\s+['"]([^'"]+))""")
_CSS_IMAGE_SET = re.compile(r"""[iI][mM][aA][gG][eE]-[sS][eE][tT]\(((?:[^()]|\([^()]*\))*)\)""")
_CSS_STRING = re.compile(r"'([^']*)'|\"([^\"]*)\"")
_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
# A CSS escape (CSS Syntax §4.3.7): up to six hex digits and one optional white space, an escaped
# newline (nothing, inside a string), or any other character standing for itself.
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})(?:\r\n|[ \t\r\n\f])?|(\r\n|[\n\r\f])|(.))", re.DOTALL)
# Elements whose URL attributes a renderer fetches by itself (an image may be a QR code to scan).
_FETCHED = ("img, image, input, video, audio, source, embed, iframe, frame, object, track, use, feimage, "
            "[background], link[href], link[imagesrcset], script[src], "
            "amp-img, amp-anim, amp-video, amp-audio, amp-iframe, amp-list, amp-state[src]")
_FETCHED_ATTRS = ("src", "data", "poster", "background")
# The AMP runtime and its components, which every AMP part must load and a mail app that shows the
# part loads from its own copy: the holder neither sees nor taps them. AMP for Email Format
# (https://amp.dev/documentation/guides-and-tutorials/learn/email-spec/amp-email-format) requires
# `<script async src="https://cdn.ampproject.org/v0.js">` in the head; a component is imported as
# `<script async custom-element="amp-carousel" src="https://cdn.ampproject.org/v0/amp-carousel-0.1.js">`
# (custom-template for amp-mustache). Only these exact addresses, on script elements of an AMP part.
_AMP_RUNTIME = re.compile(r"https://cdn\.ampproject\.org/v0\.js")
_AMP_COMPONENT = re.compile(r"https://cdn\.ampproject\.org/v0/amp-[a-z0-9]+(?:-[a-z0-9]+)*-[0-9]+\.[0-9]+\.js")
_SVG_FETCHED = {"image", "use", "feimage"}
# An Outlook conditional comment, <!--[if …]> … <![endif]-->: its opening and its closing, found
# separately (one pattern with a lazy .*? between them stepped through every character inside).
# The opening is found in two steps, "<!--[if" and then the first "]" after it, which must be
# followed by ">": as one pattern, each "<!--[if" read on to the next "]" (quadratic: 300 KB of
# "<!--[if" without a "]" took seconds); here that "]" is looked for once for all of them.
_CONDITIONAL_IF = re.compile(r"<!--\s*\[if", re.IGNORECASE)
_CONDITIONAL_END = re.compile(r"<!\[endif\]\s*-->", re.IGNORECASE)
# An event handler attribute: on…= inside a tag (the lookahead finds the tag's end before the next one opens).
# "on" comes first so that `re` jumps from one "on" to the next; the character before it is checked
# after (a lookbehind first made `re` try every position of the markup: a third of reading HTML).
# Whether it is inside a tag (the next "<" or ">" after it is a ">") is looked up, not read ahead
# for: a lookahead read the rest of the markup again at every "on…=" (quadratic: 300 KB of " ona="
# with no ">" took minutes). No "on…=" can start inside another, so the same ones are found.
_EVENT_ATTR = re.compile(r"""on(?<=[\s"'/]on)[a-zA-Z]+\s*=""")
_ANGLE = re.compile("[<>]")
# Markup that may link or load something: one of these words (case aside, as IGNORECASE reads ASCII
# letters) or a backslash (a CSS escape). Looked for with `in` in the folded markup: most Outlook
# blocks are a few hundred characters of table layout, and a pattern cost more to start than to run.
_MAY_LINK_WORDS = (b"href", b"src", b"action", b"url(", b"@import", b"background", b"data=", b"poster", b"http-equiv",
                   b"image-set", b"\\", b"ping")
# <object data ="…">, with blanks before "=" as HTML allows (not a data- attribute, not "metadata").
_DATA_ATTRIBUTE = re.compile(rb"(?<![\w-])data\s*=")


def _may_link(markup: str) -> bool:
    folded = ascii_folded(markup)
    return any(word in folded for word in _MAY_LINK_WORDS) or (b"data" in folded and bool(_DATA_ATTRIBUTE.search(folded)))


MAX_NESTED_READS = 50
# Characters of links' texts read in one body. A link's text holds every link inside it, and inside
# <svg> or MathML links nest without end: 2,000 links nested around 300 KB of text took 20 s and
# 785 MB, twice that 58 s and 2.4 GB (found by an attacker). Past it a link's text is not read, and
# said, so that no link can be called confirmed.
MAX_LINK_TEXT_CHARS = 4_000_000
# Browsers stop nesting elements about this deep; lexbor does not, and its time grows with the
# square of the depth, so hostile markup nested deeper is flattened before it is parsed.
MAX_DEPTH = 1000
_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)")
_TAG_NAME = re.compile(r"<(/?[a-zA-Z][a-zA-Z0-9:-]*)")
# Void elements, and those whose end tag may be left out (a new <p> or <td> closes the last one):
# neither makes the tree deeper however often it is left open.
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
         "wbr", "keygen", "image", "p", "li", "td", "th", "tr", "option", "optgroup", "dt", "dd", "tbody", "thead",
         "tfoot", "colgroup", "caption", "rt", "rp", "html", "head", "body"}
_SPACES = re.compile("  +")
_HTML_SPACES = " \t\n\f\r"
_BLANK_LINES = re.compile(r"\n\s*\n+")
_URL_ATTR = re.compile(r"""(?:src|href|action|formaction|data|poster|background)\s*=\s*["']?([^"'\s>]+)""",
                       re.IGNORECASE)  # conditional comments and <noscript> blocks re-read as markup, per body


_CLOSING_TAG = re.compile(r"</[a-zA-Z]")


def _surely_shallow(markup: str) -> bool:
    """True when counting alone shows the tags never nest deeper than MAX_DEPTH as _deeper_than_browsers
    counts them, a stretch at a time: at most every "<" of a stretch that is not a closing tag opens
    an element, and closing tags bring the depth down, though never below zero, so the depth after a
    stretch is at most the larger of (before + openings - closings) and its openings. Stretches of
    16 KB first (fewer counts), of 4 KB for dense markup. False says only that counting was not
    enough (then the tags are walked one by one)."""
    return any(_shallow_in_stretches(markup, size) for size in (16_384, 4_096))


def _shallow_in_stretches(markup: str, size: int) -> bool:
    bound, start, end = 0, 0, len(markup)
    while start < end:
        stop = min(end, start + size)
        closing = len(_CLOSING_TAG.findall(markup, start, stop))
        opening = markup.count("<", start, stop) - closing
        if bound + opening > MAX_DEPTH:
            return False
        bound = max(bound + opening - closing, opening)
        start = stop
    return True


def _deeper_than_browsers(markup: str) -> bool:
    """Whether the tags nest deeper than MAX_DEPTH, counted as _flattened counts them: the same walk
    with nothing kept, over the tag names alone, 64 KB of markup at a time (cut before a "<", so
    no tag is cut): the usual mail, tens of thousands of tags and none deep, costs a third."""
    depth, start, end = 0, 0, len(markup)
    while start < end:
        cut = markup.find("<", start + 65_536)
        cut = end if cut < 0 else cut
        for tag in _TAG_NAME.findall(markup, start, cut):
            if tag[0] == "/":
                if depth:
                    depth -= 1
            elif tag.lower() not in _VOID:
                depth += 1
                if depth > MAX_DEPTH:
                    return True
        start = cut
    return False


def _flattened(markup: str) -> tuple[str, list[str]] | None:
    """``markup`` with every element below MAX_DEPTH made a void one (its URLs kept aside), or None
    when it nests no deeper than a browser builds."""
    if markup.count("<") <= MAX_DEPTH or _surely_shallow(markup) or not _deeper_than_browsers(markup):
        return None
    depth, deepest, cuts = 0, 0, []
    for found in _TAG_START.finditer(markup):
        name = found.group(2).lower()
        if found.group(1):
            depth = max(0, depth - 1)
        elif name not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH and name != "a":  # an <a> never nests inside another: keep it whole
                cuts.append(found)
    if not cuts:
        return None
    pieces, urls, last = [], [], 0
    for found in cuts:
        end = markup.find(">", found.end())
        end = len(markup) if end < 0 else end + 1
        pieces += [markup[last:found.start()], " "]
        urls += _URL_ATTR.findall(markup[found.start():end])
        last = end
    pieces.append(markup[last:])
    return "".join(pieces), urls


@record(mutable=True)
class HtmlContent:
    text: str = ""
    anchors: list[tuple[str, str]] = field(default_factory=list)  # (href, visible text)
    forms: list[str] = field(default_factory=list)  # form actions and button/input formactions
    remote: list[str] = field(default_factory=list)  # images, frames, stylesheets, CSS url(): what a renderer fetches
    scripts: int = 0
    event_handlers: int = 0
    refresh: list[str] = field(default_factory=list)
    base: str | None = None  # the first <base href>: what relative links resolve against
    too_deep: bool = False  # nested deeper than browsers build: each app repairs it its own way
    unread_blocks: int = 0  # Outlook or <noscript> blocks that may link, left unread past MAX_NESTED_READS
    link_texts_unread: int = 0  # links whose text was not read, past MAX_LINK_TEXT_CHARS
    link_text_chars: int = 0  # characters of links' texts read, Outlook blocks and <noscript> included
    amp: bool = False  # Gmail's AMP part (text/x-amp-html): its runtime scripts are no link
    # ``text`` taken apart where links are: what lies outside every link's element (each link's text
    # a line break there), and each link's own text (by its place in ``anchors``), innermost link first.
    text_outside_anchors: str = ""
    anchor_texts: dict[int, str] = field(default_factory=dict)


def _css_unescaped(css: str) -> str:
    def one(found: re.Match) -> str:
        hexa, newline, other = found.groups()
        if hexa:
            point = int(hexa, 16)
            return chr(point) if 0 < point <= 0x10FFFF and not 0xD800 <= point <= 0xDFFF else "\ufffd"
        return "" if newline else other
    return _CSS_ESCAPE.sub(one, css) if "\\" in css else css


def _css_urls(css: str) -> list[str]:
    """Every address CSS loads, read as a browser tokenizes it: `\\75 rl(` is `url(`."""
    css = _CSS_COMMENT.sub("", _css_unescaped(css)) if "/*" in css or "\\" in css else css
    found = [a or b for a, b in _CSS_URL.findall(css)]
    for inside in _CSS_IMAGE_SET.findall(css):
        found += [a or b for a, b in _CSS_STRING.findall(inside) if (a or b).strip()]
    return found


def _srcset(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def _attrs(node) -> dict[str, str]:
    return {name.lower(): (value or "") for name, value in node.attributes.items()}


def _refresh_url(content: str) -> str | None:
    """The address of a `<meta http-equiv=refresh>`, parsed as the HTML standard's shared
    declarative refresh steps do: `0; https://…` and `0;URL='…'` both go there, `url=` optional."""
    rest = content.lstrip(_HTML_SPACES)
    time = re.match(r"[0-9]*(?:\.[0-9.]*)?", rest).group(0)
    if not time:
        return None
    rest = rest[len(time):]
    if not rest:
        return None  # a reload of the page itself
    if rest[0] not in ";," + _HTML_SPACES:
        return None
    rest = rest.lstrip(_HTML_SPACES)
    rest = rest[1:] if rest[:1] in (";", ",") else rest
    rest = rest.lstrip(_HTML_SPACES)
    named = re.match(rf"[uU][rR][lL][{_HTML_SPACES}]*=[{_HTML_SPACES}]*", rest)
    if named or not rest[:1].lower() == "u":
        rest = rest[named.end():] if named else rest
        if rest[:1] in ("'", '"'):
            rest = rest[1:].split(rest[0], 1)[0]
    return rest or None


_ANCHOR_TAGS = {"a", "area"}
_NOT_TAPPED = {"a", "area", "link", "base"} | _SVG_FETCHED  # an href these hold is read elsewhere, or loaded
_FETCHED_TAGS = {"img", "image", "input", "video", "audio", "source", "embed", "iframe", "frame", "object", "track",
                 "use", "feimage", "amp-img", "amp-anim", "amp-video", "amp-audio", "amp-iframe", "amp-list"}
_AMP_BINDINGS = ("[href]", "[src]", "[srcset]")
# What `[style*="url" i]` and its siblings matched: ASCII letters only fold (a Kelvin sign is no "k").
_STYLE_LOADS = re.compile(r"url|@import|image-set|\\", re.IGNORECASE | re.ASCII)
# An element the walk reads for what it is, and attributes that make any element worth reading.
_READ_TAGS = _ANCHOR_TAGS | _FETCHED_TAGS | {"form", "button", "set", "animate", "base", "meta", "script", "style",
                                             "noscript", "link", "amp-state"}
_READ_ATTRS = frozenset({"href", "style", "background", "[href]", "[src]", "[srcset]"})
_LOADING_ATTRS = _READ_ATTRS - {"style"}
# What the walk does with an element of each name: one look-up per element. The tokenizer writes names
# in lower case; of the SVG names it gives a camel case, only feImage is one the walk reads (selectors
# matched it regardless of case), kept here under its own spelling.
_HIDES, _BREAKS, _READS = 1, 2, 4
_KIND = {name: (name, (_HIDES if name in _HIDDEN_TAGS else 0) | (_BREAKS if name in _BLOCK_TAGS else 0)
                | (_READS if name in _READ_TAGS else 0))
         for name in _HIDDEN_TAGS | _BLOCK_TAGS | _READ_TAGS}
_KIND["feImage"] = _KIND["feimage"]


def _read_style(style: str | None, out: list[str]) -> None:
    # A style loads nothing without "(" (url(, image-set(), "@" (@import) or "\\" (an escape):
    # looked for first, as most styles are only colours and widths.
    if style and ("(" in style or "@" in style or "\\" in style) and _STYLE_LOADS.search(style):
        out += _css_urls(style)


@record(mutable=True)
class _Walked:
    """The elements a read needs after the walk, in document order."""
    frames: list = field(default_factory=list)  # iframe/frame with a srcdoc
    noscripts: list = field(default_factory=list)
    hidden: list = field(default_factory=list)  # what a reader never sees as text (_HIDDEN)
    blocks: list = field(default_factory=list)  # what starts and ends a line (_BLOCK)
    linking: list = field(default_factory=list)  # (element, its place in out.anchors): its text is that link's


def _links(tree, out: HtmlContent) -> _Walked:
    """Every link and load of ``tree``, in one walk over its elements: a selector query per kind of
    element walked the whole tree each time (sixteen walks, three quarters of reading HTML). Each
    kind is gathered apart and appended in the order the queries had, so the lists read the same."""
    anchors, tapped, bound_anchors, animated, linking = [], [], [], [], []
    pinged, bound_remote, fetched, styled, sheets = [], [], [], [], []
    walked = _Walked()

    def link_text(node) -> str:
        if out.link_text_chars >= MAX_LINK_TEXT_CHARS:  # one budget for the body and the blocks read in it
            out.link_texts_unread += 1
            return ""
        text = node.text(deep=True) or ""
        out.link_text_chars += len(text)
        return text

    first_base = True
    root = tree.root
    hidden, blocks = walked.hidden, walked.blocks
    for node in (root.traverse() if root is not None else ()):
        tag = node.tag
        kind = _KIND.get(tag)
        attrs = node.attributes
        reads = runtime = False
        if kind is not None:
            tag, flags = kind
            if flags & _HIDES:
                hidden.append(node)
            elif flags & _BREAKS:
                blocks.append(node)
            reads = flags & _READS
        if not reads:
            if not attrs or _READ_ATTRS.isdisjoint(attrs):
                continue  # layout: a table cell, a span, a font, most of a mail
            if _LOADING_ATTRS.isdisjoint(attrs):
                _read_style(attrs["style"], styled)
                continue
        _read_style(attrs.get("style"), styled)
        if not attrs:
            if tag == "script":
                out.scripts += 1
            elif tag == "style":
                sheets += _css_urls(node.text(deep=True) or "")
            elif tag == "noscript":
                walked.noscripts.append(node)
            elif tag in _ANCHOR_TAGS or tag == "form":
                if tag == "form":
                    out.forms.append("")
            continue
        if tag in _ANCHOR_TAGS:
            href = attrs.get("href")
            href = (attrs.get("xlink:href") if href is None else href) or ""
            # An empty or in-page href is a link to the page itself: under a <base href> that page is
            # the base's address (kept here, dropped later when there is no base).
            if href.strip() or "href" in attrs or "xlink:href" in attrs:
                shown = (attrs.get("alt") or "") if tag == "area" else link_text(node)
                if tag != "area":
                    linking.append((node, len(anchors)))
                anchors.append((href.strip(), " ".join(shown.split())))
            if attrs.get("ping"):
                # Sent by the browser on every tap, to each address listed.
                pinged += (attrs.get("ping") or "").split()
        elif "href" in attrs and tag not in _NOT_TAPPED:
            # Any other element with an href that a reader can tap: Outlook's VML buttons
            # (<v:roundrect href>, <v:rect>, <v:shape> …) and MathML links. <link> loads, <base> is read below.
            href = (attrs.get("href") or "").strip()
            if href:
                linking.append((node, -1 - len(tapped)))
                tapped.append((href, " ".join(link_text(node).split())))
        if tag == "form":
            out.forms.append(attrs.get("action") or "")
            if attrs.get("action-xhr"):  # an AMP form posts here
                out.forms.append(attrs["action-xhr"] or "")
        elif tag in ("button", "input") and "formaction" in attrs:
            out.forms.append(attrs.get("formaction") or "")
            if attrs.get("action-xhr"):
                out.forms.append(attrs["action-xhr"] or "")
        if "[href]" in attrs or "[src]" in attrs or "[srcset]" in attrs:
            # AMP bindings: an address the link or image takes once the reader taps something. Every
            # address written in the expression is one it may take.
            for name, value in attrs.items():
                if name in _AMP_BINDINGS and value:
                    written = [a or b for a, b in _CSS_STRING.findall(value) if (a or b).strip()]
                    if name == "[href]":
                        shown = " ".join(link_text(node).split()) if written else ""
                        bound_anchors += [(url.strip(), shown) for url in written]
                    else:
                        bound_remote += [url.strip() for url in written]
        if tag in ("set", "animate"):
            # SVG animation that sets a link's address: the <a> around it goes there once it runs.
            lowered = _attrs(node)
            if lowered.get("attributename", "").strip().lower() in ("href", "xlink:href"):
                for name in ("to", "from", "values"):
                    animated += [(url.strip(), "") for url in lowered.get(name, "").split(";") if url.strip()]
        elif tag == "base":
            if first_base and "href" in attrs:
                first_base = False
                if out.base is None:  # the first one counts; a conditional block read later never replaces it
                    out.base = (attrs.get("href") or "").strip() or None
        elif tag == "meta":
            if "http-equiv" in attrs and (attrs.get("http-equiv") or "").strip().lower() == "refresh":
                found = _refresh_url(attrs.get("content") or "")
                if found:
                    out.refresh.append(found.strip())
        elif tag == "script":
            # In Gmail's AMP part the AMP runtime's own scripts are neither a script nor a load.
            runtime = out.amp and "src" in attrs and _is_amp_runtime(_attrs(node))
            out.scripts += not runtime
        elif tag == "style":
            sheets += _css_urls(node.text(deep=True) or "")
        elif tag == "noscript":
            walked.noscripts.append(node)
        if tag in ("iframe", "frame") and "srcdoc" in attrs:
            walked.frames.append(node)
        if (tag in _FETCHED_TAGS or "background" in attrs
                or (tag == "link" and ("href" in attrs or "xlink:href" in attrs or "imagesrcset" in attrs))
                or (tag in ("script", "amp-state") and "src" in attrs)
                or (tag == "script" and ("href" in attrs or "xlink:href" in attrs))) and not runtime:
            lowered = _attrs(node)
            # An SVG <script> loads its href (xlink:href), as <image> and <use> do.
            names = _FETCHED_ATTRS + (("href", "xlink:href") if tag in _SVG_FETCHED or tag in ("link", "script") else ())
            fetched += [lowered[name].strip() for name in names if lowered.get(name, "").strip()]
            for name in ("srcset", "imagesrcset"):
                if lowered.get(name):
                    fetched += _srcset(lowered[name])
    first, after = len(out.anchors), len(out.anchors) + len(anchors) - 1  # a tapped one's place is after - place
    walked.linking = [(node, first + place if place >= 0 else after - place) for node, place in linking]
    out.anchors += anchors + tapped + bound_anchors + animated
    out.remote += pinged + bound_remote + fetched + styled + sheets
    return walked


def _is_amp_runtime(attrs: dict[str, str]) -> bool:
    """A script element loading the AMP runtime (v0.js) or one of its components, exactly as the
    AMP for Email spec writes them; anything else on it (another address, a query) is a remote load."""
    src = attrs.get("src", "").strip(_HTML_SPACES)
    if _AMP_RUNTIME.fullmatch(src):
        return "custom-element" not in attrs and "custom-template" not in attrs
    return bool(_AMP_COMPONENT.fullmatch(src)) and ("custom-element" in attrs) != ("custom-template" in attrs)


def conditional_blocks(markup: str) -> Iterator[str]:
    """What each Outlook conditional comment holds, in order: the first <![endif]--> after an
    opening closes it (as `<!--\\s*\\[if[^\\]]*\\]>(.*?)<!\\[endif\\]\\s*-->` found them)."""
    position, bracket = 0, -1
    while True:
        opening = _conditional_start(markup, position)
        if opening is None:
            return
        closing = _CONDITIONAL_END.search(markup, opening)
        if closing is None:
            return  # no later opening can be closed either: each ends at or after this one
        yield markup[opening:closing.start()]
        position = closing.end()


def _conditional_start(markup: str, position: int) -> int | None:
    """Where the first ``<!--\\s*\\[if[^\\]]*\\]>`` at or after ``position`` ends."""
    bracket = -1  # the first "]" at or after the last opening tried: the same for every opening before it
    for opening in _CONDITIONAL_IF.finditer(markup, position):
        if bracket < opening.end():
            bracket = markup.find("]", opening.end())
            if bracket < 0:
                return None  # no "]" after this opening, nor after any later one
        if markup.startswith(">", bracket + 1):
            return bracket + 2
    return None


def event_handlers(markup: str) -> list[str]:
    """The event handler attributes (on…=) written inside tags of ``markup``."""
    angles: list[tuple[int, str]] | None = None  # every "<" and ">", found once there is an on…= at all
    inside = []
    for match in _EVENT_ATTR.finditer(markup):  # one at a time: a list of 100,000s of matches costs GC time
        if angles is None:
            angles = [(found.start(), found.group()) for found in _ANGLE.finditer(markup)]
            starts = [position for position, _ in angles]
        after = bisect_left(starts, match.end())
        if after < len(angles) and angles[after][1] == ">":
            inside.append(match.group())
    return inside


def _read(markup: str, out: HtmlContent, budget: list[int], with_text: bool) -> str:
    """Fills ``out`` with what ``markup`` links to and loads; returns its visible text."""
    tree = LexborHTMLParser(markup)
    walked = _links(tree, out)
    if with_text:
        for node, place in walked.linking:
            # Marked before anything is removed or replaced (a <noscript> too): a link inside what is
            # removed goes with it, marks and all, and no mark is put beside an element already gone.
            node.insert_before(f"\x00{place}\x00")
            node.insert_after(_LINK_END)
    out.event_handlers += len(event_handlers(markup))
    for inner in conditional_blocks(markup):
        if not _may_link(inner):
            continue  # most Outlook blocks are only table layout
        if budget[0] <= 0:
            out.unread_blocks += 1  # a link may be in it: counted, so nothing can be called confirmed
            continue
        budget[0] -= 1
        _read(inner, out, budget, with_text=False)
    for node in walked.frames:
        # A frame showing the page its srcdoc attribute holds: its links are links of the mail.
        if budget[0] > 0:
            budget[0] -= 1
            _read(node.attributes.get("srcdoc") or "", out, budget, with_text=False)
        elif _may_link(node.attributes.get("srcdoc") or ""):
            out.unread_blocks += 1
    for node in walked.noscripts:
        # A mail app runs no script, so it shows what <noscript> holds, parsed as markup (inside an
        # Outlook block too).
        inner = marked = ""
        if budget[0] > 0:
            budget[0] -= 1
            # Its text holds the marks of links already parsed inside it (in a body, where its content
            # is elements): read again as markup without them, and when that reading is the text itself
            # the marked text stands in for it, so those links' texts stay theirs.
            marked = node.text(deep=True) or ""
            plain = _LINK_MARK.sub("", marked) if "\x00" in marked else marked
            inner = _read(plain, out, budget, with_text=with_text)
            marked = marked if with_text and inner == plain else inner
        elif _may_link(node.text(deep=True) or ""):
            out.unread_blocks += 1
        if with_text:
            node.replace_with(marked)
    if not with_text:
        return ""
    if walked.noscripts:
        # What <noscript> held is now other nodes: look again.
        walked.hidden, walked.blocks = tree.css(_HIDDEN), tree.css(_BLOCK)
    for node in walked.hidden:
        node.decompose()
    for node in walked.blocks:
        node.insert_before("\n")
        node.insert_after("\n")
    root = tree.root
    return root.text(deep=True) if root is not None else ""


# Where a link's text starts (with its place in the anchors) and ends, in the text read with the
# marks. No text of a document can hold U+0000: the HTML parser drops it or makes it U+FFFD (HTML
# standard, tree construction: "A character token that is U+0000 NULL: parse error, ignore"; the
# tokenizer replaces it in attributes, RCDATA and character references), so every mark is one of ours.
_LINK_END = "\x00/\x00"
_LINK_MARK = re.compile("\x00(/|[0-9]+)\x00")


def _text_by_link(marked: str) -> tuple[str, str, dict[int, str]]:
    """The text read with the links' marks, taken apart: the text itself, what lies outside every
    link (each link's text a line break), and each link's own text (a link inside another has its
    own; the outer one's holds a line break there)."""
    if "\x00" not in marked:
        text = tidy(marked)
        return text, text, {}
    text = tidy(_LINK_MARK.sub("", marked))
    outside: list[str] = []
    inside: dict[int, list[str]] = {}
    open_links: list[int] = []
    position = 0
    for mark in _LINK_MARK.finditer(marked):
        (inside[open_links[-1]] if open_links else outside).append(marked[position:mark.start()])
        position = mark.end()
        if mark.group(1) == "/":
            if not open_links:
                return text, text, {}  # never so, as every mark is ours: read it all as outside any link
            open_links.pop()
        (inside[open_links[-1]] if open_links else outside).append("\n")
        if mark.group(1) != "/":
            open_links.append(int(mark.group(1)))
            inside.setdefault(open_links[-1], [])
    if open_links:
        return text, text, {}
    outside.append(marked[position:])
    return text, tidy("".join(outside)), {place: tidy("".join(pieces)) for place, pieces in inside.items()}


def tidy(text: str) -> str:
    """Runs of spaces, tabs and ideographic spaces as one space, blank lines dropped. Tabs and
    ideographic spaces are made spaces first, so that `re` looks only for two spaces in a row (a
    class of three had it try every character of the text)."""
    spaced = text.replace("\t", " ").replace("\u3000", " ")
    return _BLANK_LINES.sub("\n", _SPACES.sub(" ", spaced)).strip()


def read_html(markup: str, *, amp: bool = False) -> HtmlContent:
    """``markup`` read as a mail app shows it; ``amp``: it is Gmail's AMP part (text/x-amp-html)."""
    out = HtmlContent(amp=amp)
    flat = _flattened(markup)
    if flat is not None:
        markup, urls = flat
        out.too_deep = True
        out.remote += urls
    try:
        text = _read(markup, out, [MAX_NESTED_READS], with_text=True)
    except Exception:  # noqa: BLE001 - malformed markup: keep what was read so far
        text = ""
    out.text, out.text_outside_anchors, out.anchor_texts = _text_by_link(text)
    return out
