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
from collections.abc import Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser

from cardguard.verify.wordscan import words

_HIDDEN = "script, style, template, title, head"
_BLOCK = ("p, div, br, tr, li, table, h1, h2, h3, h4, h5, h6, td, th, section, article, ul, ol, blockquote, pre, hr, "
          "center, header, footer, dt, dd")
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.IGNORECASE)
# Elements whose URL attributes a renderer fetches by itself (an image may be a QR code to scan).
_FETCHED = ("img, image, input, video, audio, source, embed, iframe, frame, object, track, use, feimage, "
            "[background], link[href], script[src]")
_FETCHED_ATTRS = ("src", "data", "poster", "background")
_SVG_FETCHED = {"image", "use", "feimage"}
# An Outlook conditional comment, <!--[if …]> … <![endif]-->: its opening and its closing, found
# separately (one pattern with a lazy .*? between them stepped through every character inside).
_CONDITIONAL_START = re.compile(r"<!--\s*\[if[^\]]*\]>", re.IGNORECASE)
_CONDITIONAL_END = re.compile(r"<!\[endif\]\s*-->", re.IGNORECASE)
# An event handler attribute: on…= inside a tag (the lookahead finds the tag's end before the next one opens).
# "on" comes first so that `re` jumps from one "on" to the next; the character before it is checked
# after (a lookbehind first made `re` try every position of the markup: a third of reading HTML).
_EVENT_ATTR = re.compile(r"""on(?<=[\s"'/]on)[a-zA-Z]+\s*=(?=[^<>]*>)""")
_MAY_LINK = words(("href", "src", "action", r"url\(", "@import", "background", "data=", "poster", "http-equiv"))
MAX_NESTED_READS = 50
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
_BLANK_LINES = re.compile(r"\n\s*\n+")
_URL_ATTR = re.compile(r"""(?:src|href|action|formaction|data|poster|background)\s*=\s*["']?([^"'\s>]+)""",
                       re.IGNORECASE)  # conditional comments and <noscript> blocks re-read as markup, per body


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
    if markup.count("<") <= MAX_DEPTH or not _deeper_than_browsers(markup):
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


@dataclass
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


def _css_urls(css: str) -> list[str]:
    return [a or b for a, b in _CSS_URL.findall(css)]


def _srcset(value: str) -> list[str]:
    return [candidate.split()[0] for candidate in value.split(",") if candidate.split()]


def _attrs(node) -> dict[str, str]:
    return {name.lower(): (value or "") for name, value in node.attributes.items()}


def _links(tree, out: HtmlContent) -> None:
    # The tokenizer writes attribute names in lower case already (foreign content only adjusts
    # names like viewBox): the node's own dictionary is read as it is.
    for node in tree.css("a, area"):
        attrs = node.attributes
        href = (attrs.get("href") or attrs.get("xlink:href") or "").strip()
        if href:
            shown = (attrs.get("alt") or "") if node.tag == "area" else node.text(deep=True)
            out.anchors.append((href, " ".join(shown.split())))
    for node in tree.css("form, button[formaction], input[formaction]"):
        out.forms.append(node.attributes.get("action" if node.tag == "form" else "formaction") or "")
    for node in tree.css("base[href]"):
        out.base = (node.attributes.get("href") or "").strip() or None
        break
    for node in tree.css("meta[http-equiv]"):
        if (node.attributes.get("http-equiv") or "").lower() == "refresh":
            found = re.search(r"url\s*=\s*['\"]?([^'\"]+)", node.attributes.get("content") or "", re.IGNORECASE)
            if found:
                out.refresh.append(found.group(1).strip())
    for node in tree.css(_FETCHED):
        attrs = _attrs(node)
        tag = node.tag
        names = _FETCHED_ATTRS + (("href", "xlink:href") if tag in _SVG_FETCHED or tag == "link" else ())
        out.remote += [attrs[name].strip() for name in names if attrs.get(name, "").strip()]
        if attrs.get("srcset"):
            out.remote += _srcset(attrs["srcset"])
    for node in tree.css('[style*="url" i], [style*="@import" i]'):
        out.remote += _css_urls(node.attributes.get("style") or "")
    for node in tree.css("style"):
        out.remote += _css_urls(node.text(deep=True) or "")
    out.scripts += len(tree.css("script"))


def conditional_blocks(markup: str) -> Iterator[str]:
    """What each Outlook conditional comment holds, in order: the first <![endif]--> after an
    opening closes it (as `<!--\\s*\\[if[^\\]]*\\]>(.*?)<!\\[endif\\]\\s*-->` found them)."""
    position = 0
    while True:
        opening = _CONDITIONAL_START.search(markup, position)
        if opening is None:
            return
        closing = _CONDITIONAL_END.search(markup, opening.end())
        if closing is None:
            return  # no later opening can be closed either: each ends at or after this one
        yield markup[opening.end():closing.start()]
        position = closing.end()


def _read(markup: str, out: HtmlContent, budget: list[int], with_text: bool) -> str:
    """Fills ``out`` with what ``markup`` links to and loads; returns its visible text."""
    tree = LexborHTMLParser(markup)
    _links(tree, out)
    out.event_handlers += len(_EVENT_ATTR.findall(markup))
    for inner in conditional_blocks(markup):
        if not _MAY_LINK.search(inner):
            continue  # most Outlook blocks are only table layout
        if budget[0] <= 0:
            break
        budget[0] -= 1
        _read(inner, out, budget, with_text=False)
    if not with_text:
        return ""
    for node in tree.css("noscript"):
        # A mail app runs no script, so it shows what <noscript> holds, parsed as markup.
        inner = ""
        if budget[0] > 0:
            budget[0] -= 1
            inner = _read(node.text(deep=True) or "", out, budget, with_text=True)
        node.replace_with(inner)
    for node in tree.css(_HIDDEN):
        node.decompose()
    for node in tree.css(_BLOCK):
        node.insert_before("\n")
        node.insert_after("\n")
    root = tree.root
    return root.text(deep=True) if root is not None else ""


def tidy(text: str) -> str:
    """Runs of spaces, tabs and ideographic spaces as one space, blank lines dropped. Tabs and
    ideographic spaces are made spaces first, so that `re` looks only for two spaces in a row (a
    class of three had it try every character of the text)."""
    spaced = text.replace("\t", " ").replace("\u3000", " ")
    return _BLANK_LINES.sub("\n", _SPACES.sub(" ", spaced)).strip()


def read_html(markup: str) -> HtmlContent:
    out = HtmlContent()
    flat = _flattened(markup)
    if flat is not None:
        markup, urls = flat
        out.too_deep = True
        out.remote += urls
    try:
        text = _read(markup, out, [MAX_NESTED_READS], with_text=True)
    except Exception:  # noqa: BLE001 - malformed markup: keep what was read so far
        text = ""
    out.text = tidy(text)
    return out
