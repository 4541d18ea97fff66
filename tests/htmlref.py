"""How HTML was read before one walk over the tree replaced a selector query per kind of element:
the reference the walk is held to (tests/test_verify_fast_same_answers.py). Two readings were
changed on purpose at the same time and are made here too: an SVG element's name is compared in
lower case (`feImage` is the `feimage` that loads its href), CSS letters fold as ASCII only, and an
element matched by two selectors of one query (`<img background>`, a style with url() and
image-set()) is read once, where lexbor's query had returned it twice. And a <base> with only an
xlink:href (an SVG element, which no browser takes for the page's base) is not "the first
<base href>": lexbor's `base[href]` matched xlink:href too, and an HTML <base> after it was ignored.
Since, on purpose and not made here: an SVG <script href> or <script xlink:href> is a load."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

from cardguard.verify import htmltext as h
from cardguard.verify.htmltext import HtmlContent

# What htmltext looked for in a block before it was read, as a pattern (htmltext._may_link now). One
# difference on purpose: an attribute "data" with blanks before "=", where the pattern had "data=" (an
# attacker wrote `<object data ="…">`, as HTML allows, and the block was never read).
OLD_MAY_LINK = re.compile("|".join(f"(?:{word})" for word in (
    "href", "src", "action", r"url\(", "@import", "background", r"(?<![\w-])data\s*=|data=", "poster", "http-equiv",
    "image-set", r"\\", "ping")), re.IGNORECASE | re.ASCII)


def _once(nodes) -> list:
    seen: set[int] = set()
    return [node for node in nodes if not (node.mem_id in seen or seen.add(node.mem_id))]


def links_by_queries(tree, out: HtmlContent) -> None:
    # The tokenizer writes attribute names in lower case already (foreign content only adjusts
    # names like viewBox): the node's own dictionary is read as it is.
    for node in _once(tree.css("a, area")):
        attrs = node.attributes
        href = attrs.get("href")
        href = (attrs.get("xlink:href") if href is None else href) or ""
        # An empty or in-page href is a link to the page itself: under a <base href> that page is
        # the base's address (kept here, dropped later when there is no base).
        if href.strip() or "href" in attrs or "xlink:href" in attrs:
            shown = (attrs.get("alt") or "") if node.tag.lower() == "area" else node.text(deep=True)
            out.anchors.append((href.strip(), " ".join(shown.split())))
        if attrs.get("ping"):
            # Sent by the browser on every tap, to each address listed.
            out.remote += (attrs.get("ping") or "").split()
    for node in _once(tree.css("[href]")):
        # Any other element with an href that a reader can tap: Outlook's VML buttons
        # (<v:roundrect href>, <v:rect>, <v:shape> …) and MathML links. <link> loads, <base> is read below.
        if node.tag.lower() not in ("a", "area", "link", "base") and node.tag.lower() not in h._SVG_FETCHED:
            href = (node.attributes.get("href") or "").strip()
            if href:
                out.anchors.append((href, " ".join(node.text(deep=True).split())))
    for node in _once(tree.css("form, button[formaction], input[formaction]")):
        attrs = node.attributes
        out.forms.append(attrs.get("action" if node.tag.lower() == "form" else "formaction") or "")
        if attrs.get("action-xhr"):  # an AMP form posts here
            out.forms.append(attrs["action-xhr"] or "")
    for node in _once(tree.css("[\\[href\\]], [\\[src\\]], [\\[srcset\\]]")):
        # AMP bindings: an address the link or image takes once the reader taps something. Every
        # address written in the expression is one it may take.
        for name, value in node.attributes.items():
            if name in ("[href]", "[src]", "[srcset]") and value:
                written = [a or b for a, b in h._CSS_STRING.findall(value) if (a or b).strip()]
                if name == "[href]":
                    out.anchors += [(url.strip(), " ".join(node.text(deep=True).split())) for url in written]
                else:
                    out.remote += [url.strip() for url in written]
    for node in _once(tree.css("set, animate")):
        # SVG animation that sets a link's address: the <a> around it goes there once it runs.
        attrs = h._attrs(node)
        if attrs.get("attributename", "").strip().lower() in ("href", "xlink:href"):
            for name in ("to", "from", "values"):
                out.anchors += [(url.strip(), "") for url in attrs.get(name, "").split(";") if url.strip()]
    for node in _once(tree.css("base[href]")):
        if "href" not in node.attributes:
            continue  # matched by its xlink:href only
        if out.base is None:  # the first one counts; a conditional block read later never replaces it
            out.base = (node.attributes.get("href") or "").strip() or None
        break
    for node in _once(tree.css("meta[http-equiv]")):
        if (node.attributes.get("http-equiv") or "").strip().lower() == "refresh":
            found = h._refresh_url(node.attributes.get("content") or "")
            if found:
                out.refresh.append(found.strip())
    for node in _once(tree.css(h._FETCHED)):
        attrs = h._attrs(node)
        tag = node.tag.lower()
        names = h._FETCHED_ATTRS + (("href", "xlink:href") if tag in h._SVG_FETCHED or tag == "link" else ())
        out.remote += [attrs[name].strip() for name in names if attrs.get(name, "").strip()]
        for name in ("srcset", "imagesrcset"):
            if attrs.get(name):
                out.remote += h._srcset(attrs[name])
    for node in _once(tree.css('[style*="url" i], [style*="@import" i], [style*="image-set" i], [style*="\\\\"]')):
        out.remote += h._css_urls(node.attributes.get("style") or "")
    for node in _once(tree.css("style")):
        out.remote += h._css_urls(node.text(deep=True) or "")
    out.scripts += len(tree.css("script"))


def read_by_queries(markup: str, out: HtmlContent, budget: list[int], with_text: bool) -> str:
    """Fills ``out`` with what ``markup`` links to and loads; returns its visible text."""
    tree = LexborHTMLParser(markup)
    links_by_queries(tree, out)
    out.event_handlers += len(h.event_handlers(markup))
    for inner in h.conditional_blocks(markup):
        if not OLD_MAY_LINK.search(inner):
            continue  # most Outlook blocks are only table layout
        if budget[0] <= 0:
            out.unread_blocks += 1  # a link may be in it: counted, so nothing can be called confirmed
            continue
        budget[0] -= 1
        read_by_queries(inner, out, budget, with_text=False)
    for node in _once(tree.css("iframe[srcdoc], frame[srcdoc]")):
        # A frame showing the page its srcdoc attribute holds: its links are links of the mail.
        if budget[0] > 0:
            budget[0] -= 1
            read_by_queries(node.attributes.get("srcdoc") or "", out, budget, with_text=False)
        elif OLD_MAY_LINK.search(node.attributes.get("srcdoc") or ""):
            out.unread_blocks += 1
    for node in _once(tree.css("noscript")):
        # A mail app runs no script, so it shows what <noscript> holds, parsed as markup (inside an
        # Outlook block too).
        inner = ""
        if budget[0] > 0:
            budget[0] -= 1
            inner = read_by_queries(node.text(deep=True) or "", out, budget, with_text=with_text)
        elif OLD_MAY_LINK.search(node.text(deep=True) or ""):
            out.unread_blocks += 1
        if with_text:
            node.replace_with(inner)
    if not with_text:
        return ""
    for node in _once(tree.css(h._HIDDEN)):
        node.decompose()
    for node in _once(tree.css(h._BLOCK)):
        node.insert_before("\n")
        node.insert_after("\n")
    root = tree.root
    return root.text(deep=True) if root is not None else ""


def read_html_by_queries(markup: str) -> HtmlContent:
    out = HtmlContent()
    flat = h._flattened(markup)
    if flat is not None:
        markup, urls = flat
        out.too_deep = True
        out.remote += urls
    try:
        text = read_by_queries(markup, out, [h.MAX_NESTED_READS], with_text=True)
    except Exception:  # noqa: BLE001 - as read_html
        text = ""
    out.text = h.tidy(text)
    return out
