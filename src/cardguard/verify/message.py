"""Reading one raw message into the parts the checks look at, within limits, never trusting it.

Criminals write these bytes, so every header access and every decode is guarded: a broken
header, an unknown charset or bad base64 becomes a defect noted on the message, never a crash.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.header
import email.parser
import email.policy
import email.utils
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import field
from email.message import Message
from functools import lru_cache

from cardguard.errors import UserError
from cardguard.values import record
from cardguard.verify import parts
from cardguard.verify.charsets import bom_codec, codec_for
from cardguard.verify.charsets import decode as decode_charset
from cardguard.verify.htmltext import HtmlContent, read_html
from cardguard.verify.outlook import is_outlook, read_outlook

MAX_BYTES = 50 * 1024 * 1024
MAX_HEADER_BYTES = 32 * 1024  # one Content-* header, continuation lines included
MAX_HEADERS = 1000
# A Content-Type or -Disposition longer than this (the longest in the real phishing corpus is 171
# characters) is read with its first MAX_PARAMS_READ parameters only.
LONG_CONTENT_HEADER = 4096
MAX_PARAMS_READ = 100
MAX_DEPTH = 20
MAX_PARTS = 500
MAX_TEXT_CHARS = 2_000_000  # text analysed per message; beyond this it is only counted
MAX_ATTACHED_DEPTH = 3  # a message attached to a message attached to …: read this deep, beyond is unreadable
MAX_PDF_STREAMS = 200
MAX_PDF_STREAM_BYTES = 5_000_000
# Bytes of the parts' Content-* headers parsed in one mail, the messages it carries included (each
# distinct value once, as far as MAX_CONTENT_VALUE_READ): the standard library takes about 12 ms a
# KB of hostile punctuation, so hundreds of parts with a 1 KB header each took 15 s. The real phishing
# corpus reaches 2 KB; a mail of 200 parts with 300 bytes of headers each still fits. Past it the
# rest of the mail is not read, and said (Mail.parts_unread).
MAX_PART_HEADER_BYTES = 64 * 1024

# Headers a message may carry once (RFC 5322 §3.6) and a part may carry once (RFC 2045): with two,
# one reader shows the first and another the last.
_ONCE_IN_MESSAGE = ("subject", "to", "cc", "date", "reply-to", "sender")
_ONCE_IN_PART = ("content-type", "content-transfer-encoding", "content-disposition")
# Python's own record of a multipart it had to guess at: another reader guesses differently.
_GUESSED_STRUCTURE = {"NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect",
                      "MultipartInvariantViolationDefect", "InvalidMultipartContentTransferEncodingDefect"}
_TEXT_ATTACHMENT = ("txt", "ics", "ical", "ifb", "vcs", "csv", "vcf", "url", "webloc", "md")
# The /URI key, also spelled with #xx escapes as a PDF name may be (/U#52I is /URI).
_PDF_URI_KEY = re.compile(rb"/(?:U|#55)(?:R|#52)(?:I|#49)(?![^\s/<>\[\]()%{}])")
# Actions that run or send something, and (the last) an encrypted file's key: looked for in one pass.
_PDF_ACTIVE = re.compile(rb"/(?:JS|JavaScript|Launch|SubmitForm|ImportData|URL|(Encrypt))(?![^\s/<>\[\]()%{}])")
_PDF_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_PDF_IMAGE_FILTERS = {b"DCTDecode", b"DCT", b"JPXDecode", b"CCITTFaxDecode", b"CCF", b"JBIG2Decode"}
_PDF_SPACE = b" \t\r\n\f\x00"
_PDF_ESCAPES = {ord("n"): 0x0A, ord("r"): 0x0D, ord("t"): 0x09, ord("b"): 0x08, ord("f"): 0x0C,
                ord("("): 0x28, ord(")"): 0x29, ord("\\"): 0x5C}
_PDF_MAX_STRING = 4096  # longer than any link; a longer string is unread
_PDF_MAX_URIS = 1000
_PDF_MAX_DECODED = 131_072  # bytes of escaped literal strings decoded per file
# A literal string's pieces: an escape (octal, a line end, one character), a parenthesis, a line
# end, or a run of anything else.
_PDF_LITERAL_TOKEN = re.compile(rb"\\(?:[0-7]{1,3}|\r\n|[\s\S])?|[()]|\r\n?|[^\\()\r]+")


def _pdf_streams(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(where it starts, what it holds) of each ``stream\\r?\\n…endstream`` of a PDF, as the pattern
    `stream\\r?\\n(.*?)endstream` found them one after another: the first "endstream" after each opening.
    Looked for with find(): the pattern stepped through every byte of a stream to its end (a third of
    reading a PDF's links), and tried every later "stream" again when no "endstream" followed."""
    position = 0
    while True:
        start = data.find(b"stream", position)
        if start < 0:
            return
        inside = start + 6
        if data.startswith(b"\r\n", inside):
            inside += 2
        elif data.startswith(b"\n", inside):
            inside += 1
        else:
            position = start + 1
            continue
        end = data.find(b"endstream", inside)
        if end < 0:
            return  # no later opening has an end either
        yield start, data[inside:end]
        position = end + 9


# A stream's /DecodeParms: one dictionary, an array of them (null for a filter with none), or a
# reference to another object; and one entry of such an array.
_PDF_DECODE_PARMS = re.compile(rb"/DecodeParms\s*(<<[^<>]*>>|\[[^\]]*\]|null|\d+\s+\d+\s+R)")
_PDF_OBJECT_STREAM = re.compile(rb"/Type\s*/ObjStm(?![A-Za-z0-9#])")
_PDF_PARMS_ENTRY = re.compile(rb"<<[^<>]*>>|null|\d+\s+\d+\s+R")
_PDF_PARM = re.compile(rb"/(Predictor|Colors|BitsPerComponent|Columns|EarlyChange)(?![A-Za-z0-9#])\s*([^/>]*)")
# Steps of the decoders written in Python (LZW codes, run-length runs, predicted bytes) per mail,
# about 0.7 µs each: a real statement's few compressed objects take thousands; hostile input stops
# here (1.4 s at most), unread.
_PDF_MAX_SLOW_STEPS = 2_000_000

_BASE64_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_BASE64 = bytes(byte for byte in range(256) if byte not in _BASE64_ALPHABET)
_NOT_BASE64_OR_PAD = bytes(byte for byte in range(256) if byte not in _BASE64_ALPHABET + b"=")
_ASCII_SPACES = b" \t\n\r\f\v\x1c\x1d\x1e\x1f"
_PARAMETERIZED = ("content-type", "content-disposition")
_SEMICOLON_OR_QUOTE = re.compile('[;"]')
_PARAM_NAME = re.compile(r"\s*([^=*\s]+)\s*[=*]")
_READ_BY = {"boundary", "charset", "name", "filename"}
# Gmail's AMP part is HTML a reader sees in place of the text/html one.
_HTML_TYPES = ("text/html", "text/x-amp-html")
_HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")


@record
class Attachment:
    filename: str
    content_type: str
    size: int
    text: str = ""  # a textual attachment (.txt, .ics …) as the holder would read it: its URLs are links
    uris: tuple[str, ...] = ()  # a PDF's link annotations (/URI actions)
    unread: int = 0  # places that may hold a link and could not be read (in a PDF; a text cut at MAX_TEXT_CHARS)


@record(mutable=True)
class Mail:
    raw: bytes
    headers: list[tuple[str, str]]
    from_address: str
    from_display: str
    from_domain: str
    from_count: int
    recipients: list[str]
    reply_to: list[str]
    return_path: str
    subject: str
    text: str
    html: list[HtmlContent]
    attachments: list[Attachment]
    # Messages carried inside this one (message/rfc822): what the holder can open and read, never
    # what arrived. Read with no trust in their own headers.
    attached: list["Mail"] = field(default_factory=list)
    # Places where two mail apps would read this message differently, or a part cannot be read:
    # what the check read may not be what the holder sees.
    ambiguities: list[str] = field(default_factory=list)
    # Read from an Outlook .msg: "headers" when it kept them as received, "properties" when it did not.
    outlook: str | None = None
    defects: list[str] = field(default_factory=list)
    html_source: list[str] = field(default_factory=list)  # as written, for a sanitized preview only
    cut: int = 0  # text and HTML parts longer than MAX_TEXT_CHARS, read only that far
    parts_unread: int = 0  # parts left unread past MAX_PARTS or MAX_PART_HEADER_BYTES (at least this many)

    def texts(self) -> list[str]:
        """Every text the holder can read in this mail: its subject, parts, HTML as shown,
        attachments, and the messages it carries."""
        return [self.subject, self.text, *(h.text for h in self.html), *(a.text for a in self.attachments),
                *(text for inner in self.attached for text in inner.texts())]


@record(mutable=True)
class ReadBudget:
    """What one mail may cost to read, the messages it carries included: parts walked, bytes of part
    headers parsed (each distinct Content-* value once), steps of the PDF decoders written in Python."""
    parts: int = MAX_PARTS
    header_bytes: int = MAX_PART_HEADER_BYTES
    pdf_steps: list[int] = field(default_factory=lambda: [_PDF_MAX_SLOW_STEPS])
    charged: set[tuple[str, str]] = field(default_factory=set)
    refused: set[tuple[str, str]] = field(default_factory=set)  # read as absent: the budget was spent
    unreadable: set[tuple[str, str]] = field(default_factory=set)  # (name, value) the parser failed on

    def allows(self, name: str, value: str) -> bool:
        """Whether the Content-* header ``name: value`` may be parsed, charging it the first time."""
        key = (name.lower(), value)
        if key in self.charged:
            return True
        cost = min(len(value), MAX_CONTENT_VALUE_READ)
        if key in self.refused or cost > self.header_bytes:
            self.refused.add(key)
            return False
        self.header_bytes -= cost
        self.charged.add(key)
        return True

    def headers_state(self) -> tuple:
        return self.header_bytes, set(self.charged), set(self.refused), set(self.unreadable)

    def restore_headers(self, state: tuple) -> None:
        self.header_bytes, self.charged, self.refused, self.unreadable = state



class _ReadPolicy(email.policy.EmailPolicy):
    """policy.default, except that a header read twice is parsed once: the message walk asks for
    Content-Type three or four times per part, and each ask re-ran the header parser (~15% of a
    check). Parsing is a pure function of the name and raw value, so the answers are unchanged; a
    value the parser fails on reads as absent, and the mail's budget keeps that it was unreadable."""

    budget: ReadBudget | None = None  # the mail's, set per mail by clone(); None: no limit

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return super().header_fetch_parse(name, value)
        if self.budget is not None and name[:8].lower() == "content-" and not self.budget.allows(name, value):
            return self._parsed(name, "")[0]  # past the mail's budget: as if absent, and said
        parsed, unreadable = self._parsed(name, value)
        if unreadable and self.budget is not None:
            self.budget.unreadable.add((name, value))
        return parsed

    def _parsed(self, name: str, value: str) -> tuple[object, bool]:
        """(the parse of ``value``, whether the parser failed on it and it reads as absent)."""
        # A giant header is kept only until a few others are read: the same part's type is asked
        # for several times in a row, and one parse of 30 KB of punctuation takes 130 ms.
        cache, size = (_PARSED, 1024) if len(value) <= 2000 else (_PARSED_LONG, 4)
        key = (name, value)
        found = cache.get(key)
        if found is None:
            read = content_value(name, value)[0]
            try:
                if _nested_deeper_than(read, MAX_COMMENT_NESTING):
                    raise ValueError("comments nested too deep to parse at any depth of the caller's stack")
                found = (super().header_fetch_parse(name, read), False)
            except RecursionError:
                # The stack the caller already used decides this, not the value (a part hundreds of
                # multiparts deep): unreadable for this mail, and kept for no other.
                if self.budget is not None:
                    self.budget.unreadable.add(key)
                return super().header_fetch_parse(name, ""), True
            except Exception:  # noqa: BLE001 - the standard library's parser on hostile input
                found = (super().header_fetch_parse(name, ""), True)  # as an absent header: text/plain, 7bit
            if len(cache) >= size:
                cache.clear()
            cache[key] = found
        return found


# The header parser takes two stack frames per comment nested in another; how deep it may go then
# depended on how deep its caller was (the fast and the standard MIME reading differ there, and so
# does a part a few multiparts down), so a value nested deeper than this is unreadable wherever it is
# read. Mail apps' headers nest comments once or twice, if at all.
MAX_COMMENT_NESTING = 64


def _nested_deeper_than(value: str, limit: int) -> bool:
    if value.count("(") <= limit:
        return False
    depth = 0
    for char in value:
        if char == "(":
            depth += 1
            if depth > limit:
                return True
        elif char == ")" and depth:
            depth -= 1
    return False


# What the standard library is given of a MIME part's Content-* header: it parses them in quadratic
# time (a 20 KB run of quotes took 4 s, of ";" in a Content-Transfer-Encoding 6 s) and no limit covers
# a part's headers, only the message's own. The longest in the real phishing corpus is 171 characters.
MAX_CONTENT_VALUE_READ = 1024


def content_value(name: str, value: str) -> tuple[str, bool]:
    """(what is read of a Content-* header's ``value``, whether some of it was cut off to read it)."""
    if len(value) <= MAX_CONTENT_VALUE_READ or not name.lower().startswith("content-"):
        return value, False
    if len(value) > LONG_CONTENT_HEADER and name.lower() in _PARAMETERIZED:
        value = _first_params(value)
    if len(value) <= MAX_CONTENT_VALUE_READ:
        return value, False
    return value[:MAX_CONTENT_VALUE_READ], True


_PARSED: dict[tuple[str, str], object] = {}
_PARSED_LONG: dict[tuple[str, str], object] = {}
_READ_POLICY = _ReadPolicy()
del _READ_POLICY.header_factory  # the class-wide registry, as policy.default has


def _decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded; a broken one, or one in a charset no mail app has (EBCDIC
    `ibm037` …, which Python would decode), is kept as written, as such an app shows it."""
    if "=?" not in value:
        return value  # no encoded word: decode_header gives it back whole
    try:
        words = email.header.decode_header(value)
        if any(charset and charset != "unknown-8bit" and not codec_for(charset) for _, charset in words):
            return value
        return str(email.header.make_header(words))
    except Exception:  # noqa: BLE001 - the header is attacker-controlled; keep the raw text
        return value


_WORD_CHARSET = re.compile(r"=\?([^?*\s]+)(?:\*[^?\s]*)?\?[bBqQ]\?")


def _unknown_word_charsets(name: str, value: str) -> list[str]:
    """Ambiguities of a header whose encoded words name a charset no mail app has: the check reads
    them as written, an app may show anything."""
    return [f"{name}: charset {charset[:40]!r} unknown to mail apps"
            for charset in dict.fromkeys(_WORD_CHARSET.findall(value[:MAX_HEADER_BYTES])) if not codec_for(charset)]


# `\r?\n[ \t]+` as two alternatives: with the CR optional, `re` knew no first character and tried the
# pattern at every character of every header; now it skips to the next CR or LF.
_FOLDED_LINE = re.compile(r"\r\n[ \t]+|\n[ \t]+")


def _unfolded(text: str) -> str:
    return _FOLDED_LINE.sub(" ", text)


def _raw_headers(msg: Message) -> list[tuple[str, str]]:
    # raw_items() skips the policy's parsing, which can raise on hostile headers.
    out = []
    for name, value in msg.raw_items():
        text = value if isinstance(value, str) else str(value)
        if not text.isascii():
            text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        out.append((name, (_unfolded(text) if "\n" in text else text).strip()))
    return out


# The plain forms nearly every address header takes, read without email.utils' character-by-character
# parser (a twentieth of a check): `addr`, `<addr>`, `Name Words <addr>`, `"Quoted" <addr>` and `Name`, with
# atoms and dot-atoms only. Anything else (comments, groups, quoted pairs, dots in a name, other
# spaces) goes to getaddresses; a test holds both readings equal on generated headers.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
# A word of a name: email.utils ends one only at a special, a space or a tab; any other character,
# a Japanese one or an ideographic space, is part of it.
_NAME_WORD = r"[^\x00-\x20\x7f()<>\[\]:;@\\,.\"]+"  # every printable ASCII but the specials, and all the rest (a
# class written as the ranges it holds took 4 ms of every check's start-up to compile)
_PLAIN_ADDRESS = rf"{_ATOM}(?:\.{_ATOM})*@{_ATOM}(?:\.{_ATOM})*"
# A lone atom is a name without an address ("Amelia, Amelia <a@b>": a real phishing From of 120 KB
# in that form took 40 ms in getaddresses), read as getaddresses reads it: ("", the atom).
_PLAIN_MAILBOX = re.compile(rf"""[ \t]*(?:(?:({_NAME_WORD}(?:[ \t]+{_NAME_WORD})*)[ \t]*|"([^"\\\r\n]*)"[ \t]*)?"""
                            rf"""<({_PLAIN_ADDRESS})>|({_PLAIN_ADDRESS})|({_ATOM}))[ \t]*(,|\Z)""")
_NAME_GAPS = re.compile("[ \t]+")


def _plain_addresses(values: tuple[str, ...]) -> list[tuple[str, str]] | None:
    """getaddresses(values) when every value is a list of plain mailboxes, else None."""
    found = []
    for value in values:
        position, end = 0, len(value)
        while True:
            mailbox = _PLAIN_MAILBOX.match(value, position)
            if mailbox is None:
                return None
            phrase, quoted, bracketed, bare, atom = mailbox.group(1, 2, 3, 4, 5)
            if bare or atom:
                found.append(("", bare or atom))
            else:
                found.append((_NAME_GAPS.sub(" ", phrase) if phrase else quoted or "", bracketed))
            position = mailbox.end()
            if position == end and mailbox.group(6) == "":
                break
    return found


@lru_cache(maxsize=8)
def _parsed_addresses(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if not values:
        return ()
    plain = _plain_addresses(values) if all(values) else None
    return tuple(plain if plain is not None else email.utils.getaddresses(list(values)))


def addresses_of(values: list[str]) -> list[tuple[str, str]]:
    """``email.utils.getaddresses(values)``, parsed once: the same From line is read by the sender,
    the from-count and authentication, and one real phishing From was 120 KB."""
    return list(_parsed_addresses(tuple(values)))


def _decode_bytes(payload: bytes, charset: str | None, ambiguities: list[str] | None = None) -> str:
    """``payload`` as a mail app shows it. A charset no mail app has is read as if none were given,
    and noted in ``ambiguities``: apps differ in what they show for it."""
    candidates = []
    if charset and charset.strip():
        codec = codec_for(charset)
        if codec:
            candidates.append(codec)
            bom = bom_codec(payload)
            if bom is not None and bom != codec and ambiguities is not None:
                # A browser follows the mark; an app that trusts the label shows something else.
                ambiguities.append(f"charset {charset.strip()[:40]!r} but a byte-order mark of {bom}")
        elif ambiguities is not None:
            ambiguities.append(f"charset {charset.strip()[:40]!r} unknown to mail apps")
    candidates += ["utf-8", "iso2022-jp", "cp932", "euc-jp"]
    for name in candidates:
        try:
            return decode_charset(payload, name)
        except (UnicodeDecodeError, ValueError):
            continue
    return payload.decode("utf-8", "replace")


def _as_written(part: Message):
    """``part.get_payload(decode=False)``. An ASCII payload (every base64 one) is returned as it is
    without first being encoded whole to look for surrogates, which cannot be in ASCII text (44 ms
    per look at a 45 MB attachment)."""
    payload = getattr(part, "_payload", None)
    if isinstance(payload, str) and payload.isascii():
        return payload
    return part.get_payload(decode=False)


def _payload_bytes(part: Message, defects: list[str]) -> bytes:
    raw = _as_written(part)
    if isinstance(raw, list):
        return b""
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    try:
        if encoding == "base64":
            # An ASCII str is read by binascii in place: a 45 MB part is not copied to bytes first.
            data = raw if isinstance(raw, str) and raw.isascii() else \
                raw.encode("ascii", "ignore") if isinstance(raw, str) else raw
            first_pad = data.find("=" if isinstance(data, str) else b"=")
            if first_pad >= 0 and _ascii_bytes(data[first_pad:]).translate(None, _NOT_BASE64).strip():
                # Padding before the end: one reader stops there, one skips it, one starts afresh
                # after it, and each shows a different text. Read as the lenient apps show it (every
                # padded piece decoded on its own), and noted: it is not what every app shows.
                defects.append("base64-padding-inside")
                pieces = re.split(rb"=+", _ascii_bytes(data).translate(None, _NOT_BASE64_OR_PAD))
                return b"".join(_lenient_base64(piece) for piece in pieces)
            try:
                # binascii skips what is not base64 itself, as the cleaning below does: when it
                # finds the padding right it gives the same bytes without a cleaned copy of the part.
                return binascii.a2b_base64(data)
            except binascii.Error:
                return _lenient_base64(_ascii_bytes(data).translate(None, _NOT_BASE64))
        decoded = part.get_payload(decode=True)
        return decoded if isinstance(decoded, bytes) else b""
    except (binascii.Error, ValueError, TypeError):
        defects.append("bad-transfer-encoding")
        text = raw if isinstance(raw, str) else ""
        return text.encode("utf-8", "surrogateescape")


def _ascii_bytes(data: str | bytes) -> bytes:
    return data.encode("ascii") if isinstance(data, str) else data


def _lenient_base64(cleaned: bytes) -> bytes:
    """Base64 of the alphabet only, decoded like a mail client: a dangling group padded."""
    if len(cleaned) % 4 == 1:
        cleaned = cleaned[:-1]
    return binascii.a2b_base64(cleaned + b"=" * (-len(cleaned) % 4))


def _estimated_size(part: Message) -> int:
    raw = _as_written(part)
    if not isinstance(raw, str):
        return 0
    if str(part.get("Content-Transfer-Encoding", "")).strip().lower() == "base64":
        if not raw.isascii():
            return len(re.sub(r"\s", "", raw)) * 3 // 4
        # What \s matches in ASCII, dropped in one pass over bytes (a count per kind of space was ten
        # passes over a 45 MB attachment; a regular expression, slower still).
        return len(raw.encode("ascii").translate(None, _ASCII_SPACES)) * 3 // 4
    return len(raw)


def _safe(callable_, default):
    try:
        return callable_()
    except Exception:  # noqa: BLE001 - hostile MIME; fall back rather than crash
        return default


def _check_header_count(data: bytes) -> None:
    # The header block: up to the first blank line (CRLF CRLF within the first 4 MB, else LF LF),
    # found without copying the body (splitting copied all of a 45 MB mail).
    end = data.find(b"\r\n\r\n", 0, 4_000_000)
    if end < 0:
        end = data.find(b"\n\n")
    head = data if end < 0 else data[:end]
    if len(head) <= MAX_HEADER_BYTES and head.count(b"\n") + head.count(b"\r") < MAX_HEADERS:
        return  # too few lines for too many headers, too short for one too long: nothing to count
    count, longest, name, size = 0, 0, b"", 0
    for line in head.splitlines():
        if _HEADER_LINE.match(line):
            count += 1
            name, size = line.split(b":", 1)[0], len(line)
        else:
            size += len(line)  # a continuation line of the header above
        if size > longest and name.lower().startswith(b"content-"):
            longest, longest_name = size, name
    if count > MAX_HEADERS:
        raise UserError("error.too_many_headers", count=count, limit=MAX_HEADERS)
    if longest > MAX_HEADER_BYTES:
        # The standard library parses MIME parameters in quadratic time: one Content-* header of a few
        # hundred KB would stall the check. No mail needs one. (Other giant headers, such as a 120 KB
        # From seen in real phishing, are read: nothing quadratic runs on them.)
        raise UserError("error.header_too_long", name=longest_name.decode("ascii", "replace")[:60],
                        size=longest // 1024, limit=MAX_HEADER_BYTES // 1024)


def _attached_bytes(part: Message) -> bytes | None:
    """The bytes of a message carried as message/rfc822, as its sender wrote them."""
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding in ("base64", "quoted-printable"):
        return _payload_bytes(part, [])
    inner = part.get_payload()
    if isinstance(inner, list) and inner:
        # compat32 regenerates headers as they were read, so a DKIM signature can still verify.
        return _safe(lambda: inner[0].as_bytes(policy=email.policy.compat32), None)
    return None


def _split_params(value: str) -> list[str]:
    """``value`` cut at every ";" with an even number of quotes after it (outside quoted strings),
    as ``re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', value)`` cut it, in one pass: that lookahead read
    the rest of the value again at every ";" (seconds for a hostile header of 12,000)."""
    pieces, start, quotes_before = [], 0, 0
    quotes = value.count('"')
    for found in _SEMICOLON_OR_QUOTE.finditer(value):
        if found.group() == '"':
            quotes_before += 1
        elif (quotes - quotes_before) % 2 == 0:
            pieces.append(value[start:found.start()])
            start = found.end()
    pieces.append(value[start:])
    return pieces


def _first_params(value: str) -> str:
    """A Content-Type or -Disposition longer than any real one, cut to its type, its first
    MAX_PARAMS_READ parameters and its later boundary, charset and names: the standard library
    parses parameters in quadratic time (8 s for 12,000 empty ones), and each part's type is asked
    for several times. Dropping any is an ambiguity (``_ambiguities``): another reader may take a
    parameter this one did not."""
    pieces = _split_params(value)
    params = [piece for piece in pieces[1:] if piece.strip()]
    first, later = params[:MAX_PARAMS_READ], params[MAX_PARAMS_READ:]
    # What the check reads a part by (its boundary, charset and file name) is kept wherever it is
    # written: readers take the first of each, which these stay. Bounded too.
    named = [piece for piece in later if _PARAM_NAME.match(piece)
             and _PARAM_NAME.match(piece).group(1).lower() in _READ_BY][:MAX_PARAMS_READ]
    return ";".join([pieces[0], *first, *named])


def _param_names(value: str) -> list[str]:
    """Parameter names of a Content-Type/-Disposition value, quoted strings skipped; RFC 2231
    continuations (name*0, name*) count as the name itself."""
    names, continued = [], set()
    for piece in _split_params(value)[1:]:
        if "=" in piece:
            name = piece.split("=", 1)[0].strip().lower()
            section = re.fullmatch(r"(.+?)\*\d+\*?", name)
            if section:
                continued.add(section.group(1))
            else:
                names.append(name.rstrip("*"))
    return names + sorted(continued)


def _ambiguities(part: Message, top: bool) -> list[str]:
    found = []
    for name in _ONCE_IN_PART:  # parsed before they are looked at below: one the parser fails on is known
        _safe(lambda name=name: part.get(name), None)
    budget = getattr(part.policy, "budget", None)
    unreadable = budget.unreadable if budget is not None else set()
    counts: dict[str, int] = {}
    values: dict[str, str] = {}
    for name, value in _safe(part.raw_items, []):
        key = name.lower()
        counts[key] = counts.get(key, 0) + 1
        values.setdefault(key, str(value))
    for name in (_ONCE_IN_MESSAGE if top else ()) + _ONCE_IN_PART:
        if counts.get(name, 0) > 1:
            found.append(f"{name}×{counts[name]}")
    for header in _PARAMETERIZED:
        value = values.get(header, "")
        names = _param_names(_unfolded(value))
        counted = Counter(names)
        for param in sorted(n for n, count in counted.items() if count > 1):
            found.append(f"{header}: {param}×{counted[param]}")
        if len(value) > LONG_CONTENT_HEADER:
            written = sum(1 for piece in _split_params(value)[1:] if piece.strip())
            if written > MAX_PARAMS_READ:
                found.append(f"{header}: {written} parameters, not all read")
    for name, value in _safe(part.raw_items, []):
        if name.lower().startswith("content-"):
            if content_value(name, str(value))[1]:
                found.append(f"{name.lower()}: cut to {MAX_CONTENT_VALUE_READ} characters to be read")
            if (name, str(value)) in unreadable:
                found.append(f"{name.lower()}: unreadable")
    guessed = {type(d).__name__ for d in _safe(lambda: part.defects, [])} & _GUESSED_STRUCTURE
    found += sorted(guessed)
    return found


def _pdf_literal(data: bytes, start: int, budget: list[int]) -> bytes | None:
    """The PDF literal string opening just before ``start``, decoded as a reader does (ISO 32000-1
    §7.3.4.2): balanced parentheses, \\n \\r \\t \\b \\f \\( \\) \\\\, octal \\ddd, a backslash before
    a line end continues the line, an unknown escape is the character itself, a bare CR or CR LF is LF."""
    end = min(len(data), start + _PDF_MAX_STRING)
    closing = data.find(b")", start, end)
    if closing >= 0 and not re.search(rb"[\\(\r]", data[start:closing]):
        return data[start:closing]  # the usual link: nothing to decode
    if budget[0] <= 0:
        return None  # more escaped strings than any real file: hostile, the rest are not decoded
    budget[0] -= end - start
    out, depth = bytearray(), 1
    for token in _PDF_LITERAL_TOKEN.finditer(data, start, end):
        text = token.group()
        first = text[0]
        if first == 0x5C:  # backslash
            escaped = text[1:]
            if not escaped:
                return None
            if escaped[0] in _PDF_ESCAPES:
                out.append(_PDF_ESCAPES[escaped[0]])
            elif 0x30 <= escaped[0] <= 0x37:
                out.append(int(escaped, 8) & 0xFF)
            elif escaped[0] not in (0x0D, 0x0A):  # a line end after a backslash continues the line
                out += escaped
        elif first == 0x28:
            depth += 1
            out.append(first)
        elif first == 0x29:
            depth -= 1
            if not depth:
                return bytes(out)
            out.append(first)
        elif first == 0x0D:
            out.append(0x0A)
        else:
            out += text
    return None


def _pdf_text(raw: bytes) -> str:
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", "replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    return raw.decode("latin-1")


def _pdf_strings_after(chunk: bytes, keys: re.Pattern, budget: list[int]) -> tuple[list[str], int]:
    """The string value of every key ``keys`` matches, and how many such values are not a string
    written there (an indirect reference: the link is elsewhere, unread). ``budget``: bytes of
    escaped strings still to decode, keys still to read (both for the whole file)."""
    found, unread = [], 0
    for key in keys.finditer(chunk):
        position = key.end()
        while position < len(chunk) and chunk[position] in _PDF_SPACE:
            position += 1
        opening = chunk[position:position + 1]
        if opening == b"/":
            continue  # `/S /URI`: the action's type, its address follows
        budget[1] -= 1
        if budget[1] < 0:
            unread += 1  # more link annotations than any statement has: the rest are not read
            break
        if opening == b"(":
            value = _pdf_literal(chunk, position + 1, budget)
            if value is None:
                unread += 1
            else:
                found.append(_pdf_text(value))
        elif opening == b"<" and chunk[position + 1:position + 2] != b"<":
            closing = chunk.find(b">", position)
            digits = re.sub(rb"[^0-9A-Fa-f]", b"", chunk[position + 1:closing if closing >= 0 else len(chunk)])
            found.append(_pdf_text(bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())))
        elif opening[:1].isdigit():
            unread += 1  # `/URI 12 0 R`
    return found, unread


# Decoded stream bytes a PDF keeps to scan (two hundred 5 MB streams in a 1.4 MB file held 1 GB).
MAX_PDF_KEPT_BYTES = 32 * 1024 * 1024
# What comes before "obj" in an object's header (`12 0 obj`), read backwards from the "obj".
_PDF_OBJECT_NUMBERS_BACKWARDS = re.compile(rb"\s+\d+\s+\d")
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")


def _last_object_head_end(head: bytes) -> int | None:
    """Where the last ``\\d+\\s+\\d+\\s+obj\\b`` of ``head`` ends (as finditer's last match), or None.
    Read from the end, "obj" by "obj": the pattern tried every digit of the 4 KB before each stream
    (a third of reading a PDF's links). The last match is the last "obj" with numbers before it and
    no word character after: no earlier match can reach into the digits and spaces before it."""
    backwards = None
    stop = len(head)
    while (at := head.rfind(b"obj", 0, stop)) >= 0:
        end = at + 3
        if end == len(head) or head[end] not in _WORD_BYTES:
            if backwards is None:
                backwards = head[::-1]
            if _PDF_OBJECT_NUMBERS_BACKWARDS.match(backwards, len(head) - at):
                return end
        stop = end - 1  # the next "obj" to the left (two never overlap)
    return None


_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def _pdf_dictionary(head: bytes) -> bytes | None:
    """The dictionary of the stream that follows ``head``, as a reader reads its names (`/#46ilter` is
    /Filter, a comment is a space), or None when its filters cannot be read with confidence: no object
    header within reach (a dictionary longer than that), or a filter or its parameters written in
    another object."""
    head_end = _last_object_head_end(head)
    if head_end is None:
        return None
    dictionary = re.sub(rb"%[^\r\n]*", b" ", head[head_end:])
    if b"#" in dictionary:
        dictionary = _PDF_NAME_ESCAPE.sub(lambda found: bytes([int(found.group(1), 16)]), dictionary)
    if re.search(rb"/(?:Filter|DecodeParms|DP|F)\s*\d+\s+\d+\s+R\b", dictionary):
        return None
    if b"/Filter" in dictionary and not _PDF_FILTER.search(dictionary):
        return None
    return dictionary


def _pdf_filters(dictionary: bytes) -> list[bytes]:
    found = _PDF_FILTER.search(dictionary)
    if not found:
        return []
    return re.findall(rb"/([A-Za-z0-9]+)", found.group(1))


def _pdf_decode_parms(dictionary: bytes, count: int) -> list[dict[bytes, int]] | None:
    """The /DecodeParms of each of a stream's ``count`` filters (an empty dict: the defaults), or
    None when they cannot be known here (written in another object, or not one per filter)."""
    found = _PDF_DECODE_PARMS.search(dictionary)
    if not found:
        # None given, or written so that this cannot read them (a reader may still apply them)
        return None if b"/DecodeParms" in dictionary else [{} for _ in range(count)]
    written = found.group(1)
    if written.startswith(b"["):
        entries = _PDF_PARMS_ENTRY.findall(written)
        if len(entries) != count:
            return None
    elif written.startswith(b"<<") and count == 1:
        entries = [written]
    elif written == b"null":
        entries = [b"null"] * count
    else:
        return None  # `/DecodeParms 12 0 R`, or one dictionary for several filters
    parms = []
    for entry in entries:
        if not entry.startswith(b"<<"):
            if entry != b"null":
                return None
            parms.append({})
            continue
        values = {}
        for name, value in _PDF_PARM.findall(entry):
            if not re.fullmatch(rb"\d{1,9}", value.strip()):
                return None  # `/Columns 5 0 R` (the value is elsewhere), a real, a sign: not read here
            values[name] = int(value)
        parms.append(values)
    return parms


def _png_unpredicted(data: bytes, parms: dict[bytes, int], budget: list[int]) -> bytes | None:
    """``data`` with the PNG predictors undone (ISO 32000-1 §7.4.4.4: each row starts with its
    predictor's number, 0 to 4), or None when a reader would fail on it (an unknown predictor,
    parameters out of range) or it is more work than the mail's budget."""
    colors, bits, columns = parms.get(b"Colors", 1), parms.get(b"BitsPerComponent", 8), parms.get(b"Columns", 1)
    if not 1 <= colors <= 32 or bits not in (1, 2, 4, 8, 16) or not 1 <= columns:
        return None
    pixel = max(1, colors * bits // 8)
    width = (colors * bits * columns + 7) // 8
    if width > MAX_PDF_STREAM_BYTES:
        return None
    budget[0] -= len(data)
    if budget[0] < 0:
        return None
    out, above = bytearray(), bytes(width)
    for start in range(0, len(data), width + 1):
        kind, row = data[start], bytearray(data[start + 1:start + 1 + width])
        size = len(row)  # the last row may be cut short: a reader decodes what is there
        if kind == 1:
            for i in range(pixel, size):
                row[i] = (row[i] + row[i - pixel]) & 0xFF
        elif kind == 2:
            row = bytearray(map(_byte_sum, row, above[:size]))
        elif kind == 3:
            for i in range(size):
                row[i] = (row[i] + (((row[i - pixel] if i >= pixel else 0) + above[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(size):
                left, corner = (row[i - pixel], above[i - pixel]) if i >= pixel else (0, 0)
                guess = left + above[i] - corner
                near_left, near_up, near_corner = abs(guess - left), abs(guess - above[i]), abs(guess - corner)
                nearest = left if near_left <= near_up and near_left <= near_corner \
                    else above[i] if near_up <= near_corner else corner
                row[i] = (row[i] + nearest) & 0xFF
        elif kind != 0:
            return None
        out += row
        above = bytes(row) + bytes(width - size)
    return bytes(out)


def _byte_sum(a: int, b: int) -> int:
    return (a + b) & 0xFF


def _lzw_decoded(data: bytes, early: int, budget: list[int]) -> tuple[bytes, bool] | None:
    """LZW as PDF writes it (ISO 32000-1 §7.4.4: 9- to 12-bit codes, 256 clears the table, 257 ends
    the data, ``early``: codes grow one code early), bounded to MAX_PDF_STREAM_BYTES of output and the
    mail's budget of codes; (the bytes, whether the output was cut) or None for a code no table holds."""
    table: list[bytes] = [bytes((n,)) for n in range(256)] + [b"", b""]
    out, width, previous, buffered, value = bytearray(), 9, b"", 0, 0
    for byte in data:
        value, buffered = (value << 8) | byte, buffered + 8
        while buffered >= width:
            buffered -= width
            code = value >> buffered
            value &= (1 << buffered) - 1
            budget[0] -= 1
            if budget[0] < 0:
                return None  # more codes than any real statement holds: counted unread
            if code == 256:
                del table[258:]
                width, previous = 9, b""
                continue
            if code == 257:
                return bytes(out), False
            if code < len(table):
                entry = table[code]
            elif code == len(table) and previous:
                entry = previous + previous[:1]  # the code being defined by this very step
            else:
                return None
            if previous and len(table) < 4096:
                table.append(previous + entry[:1])
                if len(table) + early >= 1 << width and width < 12:
                    width += 1
            out += entry
            if len(out) > MAX_PDF_STREAM_BYTES:
                return bytes(out[:MAX_PDF_STREAM_BYTES]), True
            previous = entry
    return bytes(out), False


def _run_length_decoded(data: bytes, budget: list[int]) -> tuple[bytes, bool]:
    """RunLengthDecode (ISO 32000-1 §7.4.5): a length byte below 128 copies that many plus one bytes,
    above 128 repeats the next byte 257 minus it times, 128 ends. (the bytes, whether cut)."""
    out, position = bytearray(), 0
    while position < len(data) and len(out) <= MAX_PDF_STREAM_BYTES:
        budget[0] -= 1
        if budget[0] < 0:
            return bytes(out), True
        length = data[position]
        if length == 128:
            return bytes(out), False
        if length < 128:
            out += data[position + 1:position + 2 + length]
            position += 2 + length
        else:
            out += data[position + 1:position + 2] * (257 - length)
            position += 2
    return bytes(out[:MAX_PDF_STREAM_BYTES]), len(out) > MAX_PDF_STREAM_BYTES


def _pdf_decoded(stream: bytes, filters: list[bytes], parms: list[dict[bytes, int]],
                 budget: list[int]) -> tuple[bytes, bool] | None:
    """A stream's bytes through its filters and whether they were cut at MAX_PDF_STREAM_BYTES, or
    None when a reader could decode it and this cannot (the mail's budget of slow decoding spent
    included). ``parms``: each filter's /DecodeParms; ``budget``: steps of pure-Python decoding left."""
    data, cut = stream, False
    for name, given in zip(filters, parms):
        predictor = given.get(b"Predictor", 1)
        if name in (b"FlateDecode", b"Fl"):
            try:
                inflater = zlib.decompressobj()
                data = inflater.decompress(data, MAX_PDF_STREAM_BYTES)
            except zlib.error:
                return None
            cut = cut or bool(inflater.unconsumed_tail)
        elif name in (b"LZWDecode", b"LZW"):
            decoded = _lzw_decoded(data, given.get(b"EarlyChange", 1), budget)
            if decoded is None or given.get(b"EarlyChange", 1) not in (0, 1):
                return None
            data, cut = decoded[0], cut or decoded[1]
        elif name in (b"RunLengthDecode", b"RL"):
            if budget[0] <= 0:
                return None
            data, more = _run_length_decoded(data, budget)
            if budget[0] < 0:
                return None
            cut, predictor = cut or more, 1  # no parameters of its own
        elif name in (b"ASCIIHexDecode", b"AHx"):
            digits = re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">", 1)[0])
            data = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
            predictor = 1
        elif name in (b"ASCII85Decode", b"A85"):
            try:
                data = base64.a85decode(data.split(b"~>", 1)[0].strip().removeprefix(b"<~"), ignorechars=b" \t\n\r\f\x00")
            except ValueError:
                return None
            predictor = 1
        elif name in _PDF_IMAGE_FILTERS:
            return b"", False  # pixels: no annotation can be in them
        else:
            return None  # Crypt, JBIG2 in a non-image …: a reader decodes them, this does not
        if predictor >= 10:
            data = _png_unpredicted(data, given, budget)
            if data is None:
                return None
        elif predictor != 1:
            return None  # TIFF predictor 2 (or none known): a link would be cut apart, unread
    return data, cut


def _pdf_uris(data: bytes, slow: list[int] | None = None) -> tuple[tuple[str, ...], int]:
    """Link annotations of a PDF (/URI actions, in the file and in its encoded streams), and how many
    places that may hold one could not be read (an undecodable stream, a link written elsewhere,
    JavaScript or a launch action, an encrypted file). A scan, not a PDF reader."""
    chunks, unread, kept = [data], 0, 0
    slow = [_PDF_MAX_SLOW_STEPS] if slow is None else slow  # the mail's: shared by every stream of every PDF
    for index, (start, stream) in enumerate(_pdf_streams(data)):
        if index >= MAX_PDF_STREAMS:
            unread += max(1, data.count(b"endstream", start))
            break
        dictionary = _pdf_dictionary(data[max(0, start - 4096):start])
        if dictionary is None:
            unread += 1  # its filters cannot be read with confidence: what it holds is not read
            continue
        filters = _pdf_filters(dictionary)
        if not filters or re.search(rb"/Type\s*/XRef\b", dictionary) or set(filters) & _PDF_IMAGE_FILTERS \
                or (re.search(rb"/Subtype\s*/Image\b", dictionary) and not _PDF_OBJECT_STREAM.search(dictionary)):
            continue  # plain bytes, read with the file; the cross-reference table; or an image's pixels
        parms = _pdf_decode_parms(dictionary, len(filters))
        decoded = None if parms is None else _pdf_decoded(stream, filters, parms, slow)
        if decoded is None:
            unread += 1
            continue
        kept += len(decoded[0])
        if kept > MAX_PDF_KEPT_BYTES:
            unread += 1  # decoded streams are kept to be scanned: past this a file's are not read
            continue
        chunks.append(decoded[0])
        if decoded[1] and _PDF_OBJECT_STREAM.search(dictionary):
            # Objects past what is read: a link annotation may be among them. (A font or a page's
            # drawing cut short holds none: a reader finds annotations only among objects.)
            unread += 1
    uris, budget = [], [_PDF_MAX_DECODED, _PDF_MAX_URIS]  # shared by every stream of the file
    for index, chunk in enumerate(chunks):
        found, hidden = _pdf_strings_after(chunk, _PDF_URI_KEY, budget)
        uris += found
        marks = _PDF_ACTIVE.findall(chunk)
        encrypted = marks.count(b"Encrypt")  # findall gives the group: empty for an action
        unread += hidden + len(marks) - encrypted + (index == 0 and encrypted > 0)  # the file's own key only
    return tuple(dict.fromkeys(u.strip() for u in uris if u.strip())), unread


def _attachment(part: Message, ctype: str, filename: str | None, defects: list[str],
                ambiguities: list[str], budget: ReadBudget) -> Attachment:
    extension = (filename or "").lower().rsplit(".", 1)[-1] if filename and "." in filename else ""
    text, uris, unread, size = "", (), 0, None
    if ctype == "application/pdf" or extension == "pdf":
        payload = _payload_bytes(part, defects)
        uris, unread, size = *_pdf_uris(payload, budget.pdf_steps), len(payload)
    elif ctype.startswith("text/") or extension in _TEXT_ATTACHMENT:
        charset = _safe(lambda: part.get_content_charset(), None)
        payload = _payload_bytes(part, defects)
        text, size = _decode_bytes(payload, charset, ambiguities), len(payload)
        unread = int(len(text) > MAX_TEXT_CHARS)  # the rest is not read: a link may be in it
        text = text[:MAX_TEXT_CHARS]
    if size is None:
        size = _estimated_size(part)  # not decoded: what it would take, from what is written
    return Attachment(filename or "", ctype, size, text, uris, unread)


def sender(headers: list[tuple[str, str]]) -> tuple[str, str, str]:
    """(display name, address, domain) of the first From header, decoded, never trusting it. Shared by
    the full read and by a glance at the headers alone (the mailbox's cheap first look)."""
    from_values = [value for key, value in headers if key.lower() == "from"]
    display, address = "", ""
    if from_values:
        parsed = _safe(lambda: addresses_of([from_values[0]]), [])
        with_address = [pair for pair in parsed if "@" in pair[1]]
        if with_address:
            # "Name ,_<addr>" splits at the comma: the names before the address are its display name.
            display, address = with_address[0]
            before = [name or addr for name, addr in parsed[: parsed.index(with_address[0])]]
            display = " ".join([*before, display]).strip()
        elif parsed:
            display, address = parsed[0]
        display = _decode_words(display).strip()
        if not address and "@" in from_values[0]:
            # Bounded: this search is quadratic on a long run without "@" (a From of nested comments).
            found = re.search(r"[^\s<>\"']+@[^\s<>\"']+", from_values[0][:1000])
            address = found.group(0) if found else ""
    address = _decode_words(address).strip().strip("<>")
    domain = address.rsplit("@", 1)[1].lower().rstrip(".").strip("[]") if "@" in address else ""
    return display, address, domain


def glance(head: bytes) -> tuple[list[tuple[str, str]], str, str, str, str]:
    """Headers, sender (display, address, domain) and subject from a header block alone: no MIME
    structure, no body. Whether a message claims a card issuer is decided from this."""
    _check_header_count(head)
    msg = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
    headers = _raw_headers(msg)
    _refuse_non_message(headers)
    subject = next((value for name, value in headers if name.lower() == "subject"), "")
    return (headers, *sender(headers), _decode_words(subject))


def _refuse_non_message(headers: list[tuple[str, str]]) -> None:
    # One rule for a check and a scan's glance alike: a file with none of a mail's headers is not one.
    if not any(name.lower() in ("from", "subject", "to", "date", "received", "message-id") for name, _ in headers):
        raise UserError("error.not_a_message")


def read_mail(data: bytes, *, attached_depth: int = 0, budget: ReadBudget | None = None) -> Mail:
    """``data`` read as a mail app would; ``attached_depth`` counts how deep inside other messages it
    was carried, ``budget`` what is left of the outermost mail's (a carried message spends it too)."""
    if len(data) > MAX_BYTES:
        raise UserError("error.message_too_large", size=len(data) // (1024 * 1024), limit=MAX_BYTES // (1024 * 1024))
    if not data[:64].strip() and not data.strip():  # the whole mail is copied only when it starts blank
        raise UserError("error.empty_message")
    if is_outlook(data):
        converted = read_outlook(data)
        mail = read_mail(converted.data, attached_depth=attached_depth, budget=budget)
        mail.outlook = "headers" if converted.headers_kept else "properties"
        mail.ambiguities = list(dict.fromkeys([*converted.ambiguities, *mail.ambiguities]))
        return mail
    _check_header_count(data)
    budget = budget or ReadBudget()
    policy = _READ_POLICY.clone(budget=budget)
    before = budget.headers_state()
    msg = parts.read(data, policy)
    if msg is None:  # not of the shape read fast: the standard parser reads it, from the same budget
        budget.restore_headers(before)
        try:
            msg = email.message_from_bytes(data, policy=policy)
        except RecursionError:
            raise UserError("error.message_too_deep", limit=MAX_DEPTH) from None
    headers = _raw_headers(msg)
    _refuse_non_message(headers)
    defects: list[str] = []
    ambiguities: list[str] = []
    attached: list[Mail] = []

    def first(name: str) -> str:
        values = [value for key, value in headers if key.lower() == name]
        return values[0] if values else ""

    from_values = [value for key, value in headers if key.lower() == "from"]
    display, address, domain = sender(headers)
    if from_values:
        parsed = _safe(lambda: addresses_of([from_values[0]]), [])
        senders = sum(1 for _, addr in parsed if "@" in addr)
        if senders > 1:
            # One app shows the first sender, another the last, DMARC may judge either.
            ambiguities.append(f"from: {senders} addresses")

    def addresses(*names: str) -> list[str]:
        values = [value for key, value in headers if key.lower() in names]
        found = _safe(lambda: addresses_of(values), [])
        return [addr.strip().lower() for _, addr in found if "@" in addr]

    text_parts: list[str] = []
    html: list[HtmlContent] = []
    html_source: list[str] = []
    attachments: list[Attachment] = []
    stack: list[tuple[Message, int]] = [(msg, 0)]
    cut = parts_unread = 0
    while stack:
        part, depth = stack.pop()
        budget.parts -= 1
        if depth > MAX_DEPTH:
            raise UserError("error.message_too_deep", limit=MAX_DEPTH)
        if budget.parts < 0:
            defects.append("too-many-parts")
            ambiguities.append("too-many-parts")
            parts_unread = len(stack) + 1
            break
        if not _headers_within(part, budget):
            parts_unread = len(stack) + 1
            break
        ambiguities += _ambiguities(part, top=depth == 0)
        ctype = _safe(part.get_content_type, "text/plain")
        if ctype in ("message/rfc822", "message/global"):
            inner = _attached_bytes(part) if attached_depth < MAX_ATTACHED_DEPTH else None
            try:
                attached.append(read_mail(inner or b"", attached_depth=attached_depth + 1, budget=budget))
            except UserError:
                ambiguities.append("unreadable-attached-message")
            continue
        if part.is_multipart():
            children = _safe(lambda p=part: list(p.iter_parts()), [])
            stack.extend((child, depth + 1) for child in reversed(children))
            continue
        filename = _safe(part.get_filename, None)
        disposition = _safe(part.get_content_disposition, None)
        if filename:
            filename = _decode_words(filename)
        if disposition == "attachment" or filename or not ctype.startswith("text/"):
            attachments.append(_attachment(part, ctype, filename, defects, ambiguities, budget))
            continue
        payload = _payload_bytes(part, defects)
        charset = _safe(lambda p=part: p.get_content_charset(), None)
        text = _decode_bytes(payload, charset, ambiguities)
        cut += len(text) > MAX_TEXT_CHARS
        if ctype in _HTML_TYPES:
            html.append(read_html(text[:MAX_TEXT_CHARS], amp=ctype == "text/x-amp-html"))
            if html[-1].too_deep:
                ambiguities.append("html-nested-too-deep")
            html_source.append(text[:MAX_TEXT_CHARS])
        else:
            text_parts.append(text[:MAX_TEXT_CHARS])

    if _safe(lambda: msg.defects, []):
        defects.extend(type(d).__name__ for d in msg.defects)
    ambiguities += [code for code in ("bad-transfer-encoding", "base64-padding-inside") if code in defects]
    subject = _decode_words(first("subject"))
    ambiguities += [found for name in ("subject", "from") for found in _unknown_word_charsets(name, first(name))]
    return Mail(
        raw=data, headers=headers, from_address=address, from_display=display, from_domain=domain,
        from_count=len(from_values),
        recipients=addresses("to", "cc", "delivered-to", "x-original-to", "envelope-to"),
        reply_to=addresses("reply-to"),
        return_path=(addresses("return-path") or [""])[0],
        subject=subject, text="\n".join(text_parts), html=html, attachments=attachments, defects=defects,
        html_source=html_source, attached=attached, ambiguities=list(dict.fromkeys(ambiguities)), cut=cut,
        parts_unread=parts_unread,
    )


def _headers_within(part: Message, budget: ReadBudget) -> bool:
    """Whether ``part``'s Content-* headers fit what is left of the mail's budget (each is parsed here,
    and charged, if the parse of the message has not already): past it the part is not read, nor
    any after it."""
    for name in _ONCE_IN_PART:
        _safe(lambda n=name: part.get(n), None)
    return not any((name.lower(), value) in budget.refused for name, value in _safe(part.raw_items, [])
                   if name[:8].lower() == "content-")
