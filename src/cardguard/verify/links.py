"""Every link in a message, judged by where a browser would finally go. Nothing is ever fetched.

A link is read as a browser reads it (WHATWG URL parsing, via ada-url): `https:evil.example` and
`https:\\evil.example` have a host there even though Python's `urlsplit` sees none; a relative link
goes where `<base href>` sends it. Then it is followed as far as the bytes say: out of protective
wrappers (SafeLinks, Proofpoint …) and out of open redirects that carry their target in the query,
the path or the fragment, percent-encoded or not. Links are collected from everything a holder can
tap, scan or open: anchors, forms and `formaction`, SVG links, Outlook's conditional comments and
its VML buttons, Gmail's AMP part, images and frames (a QR code is a link), CSS `url()` and
`image-set()`, refreshes, addresses a mail app would auto-link in the text, text and calendar
attachments, PDF link annotations, and messages carried inside this one. Whatever a budget left
unread (links past MAX_LINKS, Outlook blocks, a part cut short, a PDF part that cannot be decoded)
is said, since a link may be there; so is a phone link that dials another number than it shows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import cache, lru_cache
from importlib import resources
from urllib.parse import parse_qsl, unquote

import ada_url

from cardguard.directory.load import Directory, Issuer
from cardguard.directory.lookup import dialled_number, issuers_publishing
from cardguard.shortened import shortened
from cardguard.values import record, replace
from cardguard.verify.domains import is_ip, registered_domain, to_ascii, to_unicode
from cardguard.verify.htmltext import MAX_LINK_TEXT_CHARS, MAX_NESTED_READS
from cardguard.verify.identity import is_official_link, lookalike
from cardguard.verify.message import (
    MAX_PART_HEADER_BYTES,
    MAX_PARTS,
    MAX_TEXT_CHARS,
    Mail,
)
from cardguard.verify.model import Finding, LinkInfo, finding
from cardguard.verify.wordscan import FOLDS_TO_ASCII, words

MAX_LINKS = 500
MAX_HOPS = 5
# Addresses a link's text shows that are not where it goes, said one by one up to this many a link;
# past it they are counted in one finding (one is already enough to make the mail phishing, and a
# text of thousands of addresses is no list of reasons a holder reads).
MAX_SHOWN_MISMATCHES = 10
_TEXT_URL = re.compile(r"(?:https?:[/\\]{0,2}|www\.)[^\s<>\"'、。「」（）()\u3000]+", re.IGNORECASE)
# What a mail app auto-links in plain text: a host name with a path, or a bare name under a real suffix.
_BARE_HOST = re.compile(r"(?<![A-Za-z0-9@./:\\-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z])"
                        r"(/[^\s<>\"'、。「」（）()\u3000]*)?", re.IGNORECASE)
# A domain name shown as a link's text, optionally after http(s)://: letters, digits and hyphens,
# any character of U+00A1-U+FFFF, case-insensitively. Written out without re.IGNORECASE: with it,
# `re` folds the case of every one of those 65,000 characters when compiling (40-60 ms of every
# check's start-up); these classes are exactly the characters IGNORECASE matched there (the long s
# "ſ" matches s; nothing outside the Basic Multilingual Plane folds in), which a test holds.
# The two text scans above, found where a match can start (wordscan.py): each tried every position
# of every text and attachment of a mail.
_TEXT_URL_SCAN = words((_TEXT_URL.pattern,), texts="parts")
# What [a-z0-9-] matches under IGNORECASE, and what the lookbehind of _BARE_HOST refuses before a name.
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-" + FOLDS_TO_ASCII)
_NOT_BEFORE_NAME = _LABEL_CHARS | frozenset("@./:\\")


def _bare_host_matches(text: str) -> Iterator[re.Match]:
    """``_BARE_HOST.finditer(text)``, tried only where it can match. Every match holds a dot, and the
    run of name characters before its first dot must start where the lookbehind allows: so only
    the start of the run before each dot is tried, not every letter (a seventh of a check)."""
    position = 0
    dot = text.find(".")
    while dot >= 0:
        start = dot
        while start > position and text[start - 1] in _LABEL_CHARS:
            start -= 1
        # Stopped at ``position`` inside a run: from there on the lookbehind sees a name character.
        if start < dot and text[start] != "-" and (start == 0 or text[start - 1] not in _NOT_BEFORE_NAME):
            found = _BARE_HOST.match(text, start)
            if found is not None:
                yield found
                position = found.end()
                dot = text.find(".", position)
                continue
        position = dot  # no later match starts before this dot: its name would be cut by it
        dot = text.find(".", dot + 1)
_DOMAIN_CHAR = r"(?:[0-9A-Za-z-]|[^\x00-\xa0\U00010000-\U0010ffff])"
_DOMAIN_LETTER = r"(?:[A-Za-z]|[^\x00-\xa0\U00010000-\U0010ffff])"
# A name is tried only where one starts (after its scheme, or not inside a name): tried at every
# character, a long run of letters was read again from each (quadratic; 20,000 letters as a link's
# text took seconds). The leftmost match is the same: one found from inside a name is found from its start.
_DOMAIN_IN_TEXT = re.compile(rf"(?:[hH][tT][tT][pP][sS\u017f]?://|(?<!{_DOMAIN_CHAR})(?<!{_DOMAIN_CHAR}\.))"
                             rf"((?:{_DOMAIN_CHAR}+\.)+{_DOMAIN_LETTER}{{2,}})(?=[/:\s]|$)")
_EMBEDDED = re.compile(r"(?:https?:)?(?://|\\\\|/\\|\\/)[^/\\\s?#]+\.[^/\\\s?#]+[^\s\"'<>]*", re.IGNORECASE)
_SCRIPT_SCHEMES = ("javascript", "data", "vbscript", "file")
_WEB_SCHEMES = ("http", "https")
_NOT_LINKS = ("mailto:", "tel:", "sms:", "#", "cid:")


@cache
def shorteners() -> frozenset[str]:
    text = resources.files("cardguard.verify").joinpath("data/shorteners.txt").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@record
class RawLink:
    url: str
    text: str | None
    kind: str  # "anchor", "form", "refresh", "remote", "text", "attachment"
    base: str | None = None  # the <base href> of the body it came from
    shown: str | None = None  # an anchor's text as the body's text has it (lines kept), when it is there
    # A text link written only inside the text of links the holder can tap: judged like any text link
    # (an address is read across a link's edge, and wherever it leads), but not listed when it is
    # official and nothing is said of it: listed, its tick would stand beside a link that goes elsewhere.
    inside_link: bool = False


def _bare_hosts(text: str) -> list[str]:
    """Host names a mail app would turn into links: with a path, or under a known public suffix."""
    found = []
    for match in _bare_host_matches(text):
        host, path = match.group(1).rstrip("."), match.group(2)
        if "." not in host or re.fullmatch(r"[\d.]+", host):
            continue
        if path or registered_domain(host) != host.lower() or _has_known_suffix(host):
            found.append("http://" + host + (path or "").rstrip(".,;:!?"))
    return found


@cache
def _has_known_suffix(host: str) -> bool:
    from cardguard.verify.suffixes import known_top_label

    return known_top_label(host.rstrip(".").rsplit(".", 1)[-1])


# Characters of written addresses a text's bare names are compared with, in all: each comparison reads
# them all, so thousands of names beside thousands of addresses were quadratic (1.6 MB of them took
# 14 s). Past this a name is kept even if an address holds it; the mail has more links than are
# read by then (MAX_LINKS), so only the count of links found can grow.
_COVERED_BUDGET = 50_000_000


def _text_links(text: str, kind: str) -> list[RawLink]:
    written = [url.rstrip(".,;:!?") for url in _TEXT_URL_SCAN.findall(text)]
    covered = " ".join(written).lower()
    bare, compared = [], 0
    for url in dict.fromkeys(_bare_hosts(_TEXT_URL_SCAN.sub(" ", text))):
        compared += len(covered)
        if compared > _COVERED_BUDGET or url[7:].lower() not in covered:
            bare.append(url)
    return [RawLink(url, None, kind) for url in written + bare]


class Collected(list):
    """A mail's links (RawLink), with what was left unread (``unread``: "links" -> how many were
    found, "blocks" -> Outlook/noscript blocks unread, "cut" -> parts read only up to
    MAX_TEXT_CHARS, "files" -> (an attachment's name, places unread), "parts" -> parts not read
    past the mail's budget of parts and part headers: a
    budget that ran out or a part that cannot be decoded may hide a link, so not every link is
    confirmed) and the phone links with the number they show (``dialled``: (tel: URL, text))."""

    def __init__(self, found=(), unread: dict | None = None, dialled=(), written_numbers=()):
        super().__init__(found)
        self.unread = unread or {}
        self.dialled = list(dialled)
        self.written_numbers = list(written_numbers)  # phone numbers written in the text (numbers_written)


def _unread_parts(mail: Mail) -> tuple[int, int, list[tuple[str, int]], int]:
    """Outlook/noscript blocks left unread, parts cut short, (attachment name, places left
    unread), and parts not read at all (past the mail's budget), in ``mail`` and what it carries."""
    blocks = sum(html.unread_blocks for html in mail.html)
    cut, skipped = mail.cut, mail.parts_unread
    files = [(attachment.filename, attachment.unread) for attachment in mail.attachments if attachment.unread]
    for inner in mail.attached:
        more_blocks, more_cut, more_files, more_skipped = _unread_parts(inner)
        blocks, cut, files, skipped = blocks + more_blocks, cut + more_cut, files + more_files, skipped + more_skipped
    return blocks, cut, files, skipped


def _raw_links(mail: Mail) -> list[RawLink]:
    links: list[RawLink] = []
    for html in mail.html:
        base = html.base
        links += [RawLink(href, text, "anchor", base, html.anchor_texts.get(place))
                  for place, (href, text) in enumerate(html.anchors)]
        links += [RawLink(action.strip(), None, "form", base) for action in html.forms if action.strip()]
        links += [RawLink(url, None, "refresh", base) for url in html.refresh]
        links += [RawLink(url.strip(), None, "remote", base) for url in html.remote
                  if not url.strip().lower().startswith(("data:image/", "cid:"))]
        outside = {link.url for link in _text_links(_text_not_linked(html), "text")}
        links += [replace(link, inside_link=link.url not in outside) for link in _text_links(html.text, "text")]
    links += _text_links(mail.text, "text")
    for attachment in mail.attachments:
        links += [RawLink(uri, None, "attachment") for uri in attachment.uris]
        links += _text_links(attachment.text, "attachment")
    for inner in mail.attached:
        links += _raw_links(inner)
    return links


def _text_not_linked(html) -> str:
    """An HTML body's text as a mail app auto-links it: all of it but the characters inside a link
    the holder can tap (that link's text: a tap there goes where the link goes, and link.text_mismatch
    compares every address it shows with that). The same address written anywhere else (outside
    that link, in a link that goes nowhere, in the plain part) is a link of its own."""
    not_links = [shown for place, shown in html.anchor_texts.items()
                 if not _is_link(RawLink(*html.anchors[place], "anchor", html.base))]
    return "\n".join([html.text_outside_anchors, *not_links])


def _is_link(link: RawLink) -> bool:
    url = link.url.lower()
    if link.base and link.kind in ("anchor", "refresh") and (not url or url.startswith("#")):
        return True  # the page itself, which is the address <base href> names
    return bool(url) and not url.startswith(_NOT_LINKS)


def merchant_names(merchant: str | None, labels: list[str], texts: list[str]) -> set[str]:
    """The bare name (no scheme, no path) a one-time-code mail gives as its merchant
    ("ご利用先：AMAZON.CO.JP"): a mail app links it, but it says who asked for the code, not where the
    card company sends the holder. As text links are written: "http://" and the name. Only a name
    that is the whole value of a line starting with a merchant label, and written nowhere else in any
    of ``texts`` (every text of the mail): the same name in a sentence is a link like any other."""
    written = (merchant or "").strip().rstrip("。.,、").lower()
    names = {url.lower() for url in _bare_hosts(written) if url[7:].lower() == written and "/" not in written}
    if not names:
        return set()
    line = re.compile(rf"^[ \t\u3000]*(?:{'|'.join(labels)})[ \t\u3000]*[:：][ \t\u3000]*{re.escape(written)}"
                      rf"[ \t\u3000。.,、\r]*$", re.IGNORECASE | re.MULTILINE)  # a CR of a CRLF line too
    # Per text (a plain part and its HTML alternative each say it once): on that line only.
    lines = [len(line.findall(text)) for text in texts]
    if not any(lines) or any(count > 1 or text.lower().count(written) != count for count, text in zip(lines, texts)):
        return set()
    return names


def _link_texts_unread(mail: Mail) -> int:
    return sum(html.link_texts_unread for html in mail.html) + sum(_link_texts_unread(inner) for inner in mail.attached)


def collect(mail: Mail, named: set[str] = frozenset()) -> Collected:
    """Every link of ``mail``; ``named``: the merchant's bare name (merchant_names), whose writing as
    text is not one of the mail's links."""
    links = [link for link in _raw_links(mail) if not (named and link.kind == "text" and link.url.lower() in named)]
    unique: dict[tuple[str, str | None, str | None, str | None], RawLink] = {}
    for link in links:
        if _is_link(link):
            key = (link.url, link.text, link.base, link.shown)
            kept = unique.setdefault(key, link)
            if kept.inside_link and not link.inside_link:
                unique[key] = link  # written outside a link too (the plain part): listed
    dialled = list(dict.fromkeys((link.url, link.text or "") for link in links
                                 if link.kind == "anchor" and link.url.lower().lstrip().startswith(_DIALLED)))
    # A URL shown only as text is dropped when an anchor already goes there.
    anchored = {link.url for link in unique.values() if link.kind != "text"}
    found = [link for link in unique.values() if link.kind != "text" or link.url not in anchored]
    unread: dict = {}
    if len(found) > MAX_LINKS:
        unread["links"] = len(found)
    blocks, cut, files, skipped = _unread_parts(mail)
    if skipped:
        unread["parts"] = skipped
    if blocks:
        unread["blocks"] = blocks
    if cut:
        unread["cut"] = cut
    if files:
        unread["files"] = (files[0][0] or "PDF", sum(count for _, count in files))
    texts_unread = _link_texts_unread(mail)
    if texts_unread:
        unread["texts"] = texts_unread
    return Collected(found[:MAX_LINKS], unread, dialled, numbers_written(mail.texts()))


_DIALLED = ("tel:", "callto:", "sms:")
_PHONE_IN_TEXT = re.compile(r"\+?[0-9][0-9()\-. ]{5,}[0-9]")
# What people put between a number's digits besides "-": every dash (Unicode's Pd; a test holds the
# list whole), the minus sign, the long vowel mark ー and a slash. Read after NFKC.
_NUMBER_DASHES = str.maketrans(dict.fromkeys(
    "\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2e17\u2e1a\u2e3a\u2e3b\u2e40\u2e5d"
    "\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\U00010ead\u2212\u30fc/", "-"))


# A Japanese phone number as mail text writes it, after NFKC and _NUMBER_DASHES: 0 or +81, then
# digits in groups split by "-", a blank or parentheses (03-1234-5678, 0120 020 120, 03(1234)5678,
# +81-3-1234-5678). Digits run together are left out: order and member numbers are written that way.
# It starts by taking the "+" or "0" and then looks behind it, so that `re` skips to those characters
# (a look-behind first had it try every position of every text).
_NUMBER_WRITTEN = re.compile(r"[+0](?<![0-9A-Za-z+\-.].)(?:(?<=\+)81[ -]?(?:\(0\))?[ -]?|(?<=0))"
                             r"(?:\d{1,4}(?:[ -]|\)|[ -]?\()\d{1,4}(?:[ -]|\) ?)\d{3,4}|(?<=0)(?:120|800)[ -]\d{6})"
                             r"(?![0-9A-Za-z]|-\d)")
MAX_NUMBERS_WRITTEN = 50


def numbers_written(texts: list[str]) -> list[str]:
    """The phone numbers written in ``texts`` that a phone would offer to call (iOS and Android mail
    turn them into links), each once: a mail that tells the holder to call a number is judged by
    whose number it is, as a tel: link is."""
    found: dict[str, str] = {}
    for text in texts:
        if not text or not _HAS_DIGITS.search(text):
            continue
        # translate() was 10x slower than the pattern; an ASCII text has nothing for NFKC to change.
        written = _ANY_NUMBER_DASH.sub("-", text if text.isascii() else unicodedata.normalize("NFKC", text))
        for match in _NUMBER_WRITTEN.finditer(written):
            dialled = dialled_number(match.group(0))
            if 10 <= len(dialled) <= 11 and dialled.startswith("0"):
                found.setdefault(dialled, match.group(0))
            if len(found) >= MAX_NUMBERS_WRITTEN:
                return list(found.values())
    return list(found.values())


_HAS_DIGITS = re.compile(r"\d{2}")
_ANY_NUMBER_DASH = re.compile("[" + re.escape("".join(map(chr, _NUMBER_DASHES))) + "]")


def _phone_target(url: str) -> str:
    """The number a tel:, callto: or sms: link dials, as written: up to its parameters (";" in
    tel:, "?" or, as iOS writes sms: links, "&" before the message body) or a second number (",")."""
    return re.split(r"[;?&,]", unquote(url.split(":", 1)[1]), maxsplit=1)[0].strip()


def _dialled_elsewhere(url: str, text: str, directory: Directory | None) -> tuple[str, str] | None:
    """(the number shown, the number a tap dials) when a phone link shows one number and dials another.
    Two numbers are one when a phone dials them alike (0120-020120 and +81 120 020120), or when one
    issuer publishes both in the directory (its 0120 line shown, its +81 3 line dialled): that is
    the issuer's own choice of line, not a disguise. A number nobody publishes is never excused."""
    target = _phone_target(url)
    dials = dialled_number(target)
    written = _ANY_NUMBER_DASH.sub("-", unicodedata.normalize("NFKC", text))
    shown = [found.group(0) for found in _PHONE_IN_TEXT.finditer(written)
             if len(dialled_number(found.group(0)).lstrip("+")) >= 6]
    if not shown or not dials or any(dialled_number(number) == dials for number in shown):
        return None
    if directory is not None:
        publishers = issuers_publishing(directory, target)
        if publishers and any(publishers & issuers_publishing(directory, number) for number in shown):
            return None
    return shown[0].strip(), target.strip()


# The parts read here: ada copies out each one asked for (all thirteen by default).
_URL_PARTS = ("href", "protocol", "username", "hostname", "pathname", "search", "hash")


def _parse(url: str, base: str | None = None) -> dict | None:
    """The WHATWG reading of ``url`` (against ``base``); the same address recurs across a mail's parts.
    Callers must not change the dict."""
    # One cache key however the call is written: lru_cache keys `_parse(url)` and `_parse(url, None)`
    # apart, so each link was parsed twice (routes, then _follow), a third of the parses of a check.
    return _parse_once(url, base)


@lru_cache(maxsize=4096)
def _parse_once(url: str, base: str | None) -> dict | None:
    try:
        if base is not None:
            joined = ada_url.join_url(base, url)
            return ada_url.parse_url(joined, _URL_PARTS)
        if url.lower().startswith("www."):
            url = "http://" + url
        return ada_url.parse_url(url, _URL_PARTS)
    except (ValueError, TypeError):
        return None


def _host(parts: dict) -> str:
    # ada already gives the host as DNS sees it: lower case, IDNA (xn--) encoded, IPv4 normalised.
    return (parts.get("hostname") or "").strip("[]").lower().rstrip(".")


def unwrap(url: str) -> tuple[str, str | None]:
    """The URL inside a protective wrapper (Microsoft SafeLinks, Proofpoint, Google), if any."""
    wrapped = None
    for _ in range(MAX_HOPS):  # wrappers can nest
        parts = _parse(url)
        if not parts or parts.get("protocol") not in ("http:", "https:"):
            return url, wrapped
        host = _host(parts)
        path, search = parts.get("pathname", ""), parts.get("search", "")

        def query() -> dict[str, str]:  # read only for a wrapper's own host
            return dict(parse_qsl(search.lstrip("?"), keep_blank_values=True))

        inner = None
        if host.endswith("safelinks.protection.outlook.com"):
            inner, name = query().get("url"), "SafeLinks"
        elif host == "urldefense.proofpoint.com" and "/v2/" in path:
            inner, name = unquote(query().get("u", "").replace("-", "%").replace("_", "/")), "Proofpoint"
        elif host == "urldefense.com" and path.startswith("/v3/__"):
            inner, name = url.split("/v3/__", 1)[1].split("__;", 1)[0], "Proofpoint"
        elif host in ("www.google.com", "google.com") and path == "/url":
            found = query()
            inner, name = found.get("q") or found.get("url"), "Google"
        elif host == "linkprotect.cudasvc.com":
            inner, name = query().get("a"), "Barracuda"
        if not inner:
            return url, wrapped
        url, wrapped = inner, name
    return url, wrapped


def _embedded_target(parts: dict) -> str | None:
    """Another web address carried inside this one (an open redirect's target), decoded as a server would."""
    search, path, fragment = parts.get("search", ""), parts.get("pathname", ""), parts.get("hash", "")
    values = [(value, True) for _, value in parse_qsl(search.lstrip("?"), keep_blank_values=True)] if search else []
    for value, whole in values + [(search, False), (path, False), (fragment, False)]:
        if "%" not in value and "//" not in value and "\\" not in value and not (whole and value[:4].lower() == "www."):
            continue  # nothing below can match it, and it decodes to itself
        for _ in range(3):  # doubly and triply percent-encoded targets
            found = _EMBEDDED.search(value)
            if found:
                target = found.group(0)
                if re.match(r"https?:", target, re.IGNORECASE):
                    return target
                return "https:" + target
            if whole and re.match(r"www\.[^/\\\s?#]+\.[a-z]{2,}", value, re.IGNORECASE):
                return "https://" + value
            decoded = unquote(value)
            if decoded == value:
                break
            value = decoded
    return None


@record
class Hop:
    url: str
    host: str
    parts: dict
    wrapper: bool = False  # a known protective wrapper (SafeLinks and similar), read through, not a site of its own


@record
class Route:
    """Where one reading of a link goes: every hop from the address written to the last one."""
    hops: tuple[Hop, ...]
    wrapper: str | None
    scheme: str  # of the last hop; "" when the address cannot be read at all
    redirected: bool = False  # a hop carried its target inside it (an open redirect)


def _follow(url: str, base: str | None) -> Route:
    hops: list[Hop] = []
    wrapper = None
    redirected = False
    parts = _parse(url, base)
    for _ in range(MAX_HOPS):
        if parts is None:
            return Route(tuple(hops), wrapper, "", redirected)
        scheme = parts.get("protocol", "").rstrip(":").lower()
        if scheme not in _WEB_SCHEMES:
            return Route(tuple(hops), wrapper, scheme, redirected)
        href = parts["href"]
        inner, name = unwrap(href)
        if name:
            wrapper = name
            hops.append(Hop(href, _host(parts), parts, wrapper=True))
            parts = _parse(inner)
            continue
        hops.append(Hop(href, _host(parts), parts))
        embedded = _embedded_target(parts)
        if not embedded:
            break
        redirected = True
        parts = _parse(embedded)
    else:
        # Still going somewhere after MAX_HOPS: where it ends is not known.
        return Route(tuple(hops), wrapper, "", redirected)
    return Route(tuple(hops), wrapper, "https" if hops else "", redirected)


def routes(link: RawLink) -> list[Route]:
    """Every way a reader could resolve ``link``: standalone, and against its <base href>."""
    url = re.sub(r"[\t\n\r]", "", link.url).strip(" \x00-\x1f")
    if link.kind in ("text", "attachment") and not re.match(r"[a-z][a-z0-9+.-]*:", url, re.IGNORECASE):
        url = "http://" + url
    found = []
    standalone = _parse(url)
    if standalone is not None:
        found.append(_follow(url, None))
    if link.base and _parse(link.base) is not None:
        based = _follow(url, link.base)
        if not found or based.hops[-1:] != found[0].hops[-1:]:
            found.append(based)
    return found or [Route((), None, "")]


def _shown_hosts(link: RawLink) -> list[str]:
    """Every host a link's text shows: the first domain name in it, and in the part of the body's
    text that is this link's own (``shown``: not read as links of its own) every domain name and
    every address a mail app would auto-link there. ``shown`` only: the pieces of a body's links
    never overlap, so each character is read once (an element's text holds every link inside it,
    and nested a few hundred deep that was read a few hundred times)."""
    hosts: dict[str, None] = {}
    first = _DOMAIN_IN_TEXT.search(link.text.strip()) if link.text else None
    found = [first] if first else []
    if link.shown:
        found += _DOMAIN_IN_TEXT.finditer(link.shown)
    for shown in found:
        hosts[to_ascii(shown.group(1).lower().rstrip("."))] = None
    if link.shown:
        for written in dict.fromkeys(_text_links(link.shown, "text")):
            for route in routes(written):
                if route.hops:
                    hosts[route.hops[0].host] = None
    return list(hosts)


def analyse(raw: list[RawLink], issuer: Issuer | None,
            directory: Directory | None = None) -> tuple[list[LinkInfo], list[Finding]]:
    """Each link judged; ``directory`` tells a phone link dialling another of the same issuer's
    published numbers from one that dials a stranger."""
    infos: list[LinkInfo] = []
    findings: list[Finding] = []

    def note(code: str, severity: str, url: str, **values) -> None:
        # The evidence whole (--json is never cut); the address in the sentence cut as a reader can read it.
        findings.append(finding(code, severity, url, url=shortened(url, 200), **values))

    for link in raw:
        said = len(findings)
        readings = routes(link)
        official = bool(issuer) and all(r.scheme in _WEB_SCHEMES and r.hops for r in readings)
        unresolved = False
        last = None
        shown_hosts = _shown_hosts(link) if link.text or link.shown else []
        mismatched: set[str] = set()
        more: set[str] = set()
        for route in readings:
            if route.scheme in _SCRIPT_SCHEMES:
                note("link.script_url", "bad", link.url, scheme=route.scheme)
                official = False
                continue
            if route.scheme not in _WEB_SCHEMES or not route.hops or not route.hops[-1].host:
                unresolved = True
                official = False
                continue
            end = route.hops[-1]
            registered = registered_domain(end.host)
            for hop in route.hops:
                hop_domain = registered_domain(hop.host)
                if hop.parts.get("username"):
                    note("link.userinfo", "bad", hop.url, shown=unquote(hop.parts["username"]), domain=hop_domain)
                if is_ip(hop.host):
                    note("link.ip_literal", "bad", hop.url, host=hop.host)
                if hop_domain in shorteners():
                    # Only the shortener knows where it leads: nothing here can confirm it.
                    note("link.shortener", "warn", hop.url, domain=hop_domain)
                    unresolved = True
                if "xn--" in hop.host:
                    note("link.punycode", "warn", hop.url, host=hop.host, shown=to_unicode(hop.host))
            if route.wrapper:
                note("link.unwrapped", "info", end.url, wrapper=route.wrapper, domain=registered)
            if route.redirected:
                note("link.redirector", "warn", route.hops[0].url, domain=registered_domain(route.hops[0].host),
                     target=registered)
            if link.kind == "form":
                note("link.form", "bad", end.url, domain=registered)
            reaches_official = bool(issuer and is_official_link(issuer, end.host))
            # A site on the way (an open redirect's host) decides for itself where the tap goes: the
            # address it carries is only what it may do. Every hop but a known wrapper must be the issuer's.
            through_official = all(hop.wrapper or (issuer and is_official_link(issuer, hop.host)) for hop in route.hops)
            official = official and reaches_official and through_official
            if issuer:
                imitation = lookalike(issuer, end.host)
                if imitation:
                    note("link.lookalike", "bad", end.url, domain=registered, official=imitation[1])
                elif not reaches_official:
                    note("link.foreign", "warn", end.url, domain=registered)
            for shown_host in shown_hosts:
                # Every site on the way must be the one shown: a tracker or redirect in between
                # decides for itself where the tap goes.
                elsewhere = [registered_domain(h.host) for h in route.hops
                             if registered_domain(h.host) != registered_domain(shown_host)]
                if "." in shown_host and elsewhere and shown_host not in mismatched \
                        and len(mismatched) >= MAX_SHOWN_MISMATCHES:
                    more.add(shown_host)
                elif "." in shown_host and elsewhere:
                    mismatched.add(shown_host)
                    shown_official = bool(issuer and is_official_link(issuer, shown_host))
                    note("link.text_mismatch", "bad", end.url, shown=shown_host,
                         domain=registered if registered in elsewhere else elsewhere[0],
                         official_text="yes" if shown_official else "no")
            if last is None or not reaches_official:
                last = end  # of several readings, show one that does not reach the issuer
        if more and last is not None:
            note("link.text_shows_more", "bad", link.url, count=len(more), domain=registered_domain(last.host))
        if unresolved:
            note("link.unresolved", "warn", link.url)
            official = False
        if official and last is not None:
            note("link.official", "good", last.url, domain=registered_domain(last.host))
        if link.inside_link and official and all(f.code == "link.official" for f in findings[said:]):
            del findings[said:]  # the link it is written in is listed, with what is said of it
            continue
        host = last.host if last else ""
        infos.append(LinkInfo(url=link.url, text=link.text, host=host,
                              registered_domain=registered_domain(host) if host else "", official=official,
                              wrapped_in=next((r.wrapper for r in readings if r.wrapper), None),
                              goes_to=last.url if last else None, kind=link.kind, resolved=not unresolved))
    unread = getattr(raw, "unread", {})
    if "links" in unread:
        findings.append(finding("link.too_many", "warn", str(unread["links"]), count=unread["links"], limit=MAX_LINKS))
    if "blocks" in unread:
        findings.append(finding("link.blocks_unread", "warn", str(unread["blocks"]), count=unread["blocks"],
                                limit=MAX_NESTED_READS))
    if "texts" in unread:
        findings.append(finding("link.texts_unread", "warn", str(unread["texts"]), count=unread["texts"],
                                limit=f"{MAX_LINK_TEXT_CHARS:,}"))
    if "cut" in unread:
        findings.append(finding("link.text_cut", "warn", str(unread["cut"]), count=unread["cut"], limit=MAX_TEXT_CHARS))
    if "parts" in unread:
        findings.append(finding("link.parts_unread", "warn", str(unread["parts"]), count=unread["parts"],
                                parts=MAX_PARTS, size=MAX_PART_HEADER_BYTES // 1024))
    if "files" in unread:
        name, count = unread["files"]
        findings.append(finding("link.attachment_unreadable", "warn", name, name=name, count=count))
    for url, text in getattr(raw, "dialled", []):
        elsewhere = _dialled_elsewhere(url, text, directory)
        if elsewhere:
            findings.append(finding("link.tel_mismatch", "bad", url,
                                    shown=shortened(elsewhere[0], 40), dials=shortened(elsewhere[1], 40)))
        elif issuer is not None and directory is not None \
                and issuer.id not in issuers_publishing(directory, _phone_target(url)):
            # What a phone link dials is confirmed like a web link's end: a number the issuer publishes.
            # Otherwise it is not (whatever it shows: an image, kanji digits, a number hidden in the text).
            findings.append(finding("link.phone_unconfirmed", "warn", url,
                                    dials=shortened(_phone_target(url), 40)))
    judged = {dialled_number(_phone_target(url)) for url, _ in getattr(raw, "dialled", [])}
    for number in getattr(raw, "written_numbers", []):
        if issuer is not None and directory is not None and dialled_number(number) not in judged \
                and issuer.id not in issuers_publishing(directory, number):
            findings.append(finding("link.phone_written_unconfirmed", "warn", number, number=shortened(number, 40)))
    return infos, _dedupe(findings)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple] = set()
    out = []
    for item in findings:
        values = dict(item.values)
        key = (item.code, values.get("domain"), values.get("shown"), values.get("target"), values.get("host"))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out
