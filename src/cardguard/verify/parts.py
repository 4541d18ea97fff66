"""A mail's MIME parts, read as ``email.message_from_bytes`` reads them, in a few scans of the text.

The standard parser takes every line of a mail through several Python calls: a quarter of a check on
the corpus, where a mail has some 180 header lines, and most of it on a large attachment. Here a
well-formed mail is cut at its boundary lines by position: a part's body is one slice of the text, its
headers are split as the standard policies split them. The result is the very tree the standard
parser builds (the same objects, headers, payloads, preambles, epilogues and defects; the same
Content-* headers read in the same order, so the mail's read budget is spent alike). Whatever the
standard parser reads as a defect or in a way of its own (a missing or repeated boundary, an envelope
line, a header with no name, a message inside a message, a CR alone, deep nesting) is left to it
whole: ``read`` answers None, and the caller parses as before. ``tests/test_verify_parts.py`` holds
the two readings equal on the corpus and on generated mails, on Python 3.11 to 3.13.
"""

from __future__ import annotations

import email.errors
import email.policy
import re
from bisect import bisect_left
from email.message import Message

MAX_NESTING = 40  # deeper is left to the standard parser, which then refuses it as before

# A run of header lines as the standard parser takes them (a name and a colon, or a continuation);
# an envelope "From " line stops the run, and such a mail is left to the standard parser.
_HEADER_RUN = re.compile(r"(?:(?:[\041-\071\073-\176]*:|[\t ])[^\n]*\n)*")
# One header of such a run, its name and its value: its line and its continuation lines, the blanks
# after the colon left out (as the standard policies' header_source_parse reads it).
_HEADER = re.compile(r"([\041-\071\073-\176]*):[ \t]*([^\n]*\n(?:[\t ][^\n]*\n)*)")
_BARE_CR = re.compile(rb"\r(?!\n)")
_STANDARD_SOURCE_PARSE = (email.policy.EmailPolicy.header_source_parse, email.policy.Compat32.header_source_parse)
# What may follow "--boundary" on a boundary line: "--" when it closes, then blanks.
_BOUNDARY_REST = re.compile(r"(--)?[ \t]*")


class _Unusual(Exception):
    """The mail is not of the shape read here."""


class _Text:
    """The mail's text and the lines that start with "--", the only ones that can be a boundary."""

    def __init__(self, data: bytes):
        self.text = data.decode("ascii", "surrogateescape")  # a character a byte: positions are shared
        dashes = [0] if data.startswith(b"--") else []
        at = data.find(b"\n--")
        while at != -1:
            dashes.append(at + 1)
            at = data.find(b"\n--", at + 1)
        self.dashes = dashes

    def line(self, start: int) -> tuple[str, int]:
        """(the line at ``start`` without its line break, where the next line starts)."""
        end = self.text.find("\n", start)
        if end == -1:
            return self.text[start:], len(self.text)
        content = self.text[start:end]
        return (content[:-1] if content.endswith("\r") else content), end + 1

    def boundary_at(self, position: int, boundaries: list[str]) -> tuple[int, bool]:
        """Which of ``boundaries`` the line at ``position`` is a boundary line of, and whether it
        closes; (-1, False) if none. A line that is two boundaries' is the outer one's
        (``boundaries`` go from the outermost in, and a nested multipart may reuse its parent's):
        the standard parser sees an enclosing part's end before it looks at the inner boundary."""
        content = self.line(position)[0]
        if content.startswith("--"):
            for which, boundary in enumerate(boundaries):
                if content.startswith(boundary, 2):
                    rest = _BOUNDARY_REST.fullmatch(content, 2 + len(boundary))
                    if rest is not None:
                        return which, rest.group(1) is not None
        return -1, False

    def first_boundary(self, start: int, boundaries: list[str], before: int | None = None) -> int:
        """Where the first boundary line of one of ``boundaries`` at or after ``start`` (and before
        ``before``) is; the end of the mail if none."""
        if boundaries:
            dashes = self.dashes
            stop = len(dashes) if before is None else bisect_left(dashes, before)
            for index in range(bisect_left(dashes, start), stop):
                if self.boundary_at(dashes[index], boundaries)[0] >= 0:
                    return dashes[index]
        return len(self.text)


def _strip_line_break(text: str) -> str:
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith("\n"):
        return text[:-1]
    return text


def read(data: bytes, policy) -> Message | None:
    """``data`` parsed as ``email.message_from_bytes(data, policy=policy)`` parses it, or None when
    the mail is not of the well-formed shape read here (then nothing of it was kept)."""
    if type(policy).header_source_parse not in _STANDARD_SOURCE_PARSE:
        return None  # headers are read here as the standard policies read them
    if b"\r" in data and _BARE_CR.search(data):
        return None  # a CR alone is a line break to the standard parser and not to the scans here
    try:
        return _Reader(_Text(data), policy).part(0, [], 0)[0]
    except Exception:  # noqa: BLE001 - _Unusual, or anything the standard parser must meet itself
        return None


class _Reader:
    def __init__(self, text: _Text, policy):
        self.text = text
        self.policy = policy
        self.factory = policy.message_factory or Message

    def part(self, start: int, enclosing: list[str], depth: int, in_digest: bool = False) -> tuple[Message, int]:
        """The part starting at ``start`` inside multiparts of ``enclosing`` boundaries, and where it
        ends: at the first boundary line of any of them, or at the end of the mail. A part of a
        multipart/digest is a message unless its headers say otherwise."""
        if depth > MAX_NESTING:
            raise _Unusual
        text = self.text.text
        headers_end = _HEADER_RUN.match(text, start).end()
        if text.startswith("\n", headers_end):
            body = headers_end + 1
        elif text.startswith("\r\n", headers_end):
            body = headers_end + 2
        else:
            raise _Unusual  # no blank line after the headers, or a line that is not a header
        if text.startswith(("From ", ":", " ", "\t"), start) or text.find("\nFrom ", start, body) != -1 \
                or text.find("\n:", start, body) != -1:
            # An envelope line (read by where it stands), a header with no name or a continuation
            # with no header: the standard parser reads these its own way, some as defects.
            raise _Unusual
        if self.text.first_boundary(start, enclosing, before=body) < body:
            raise _Unusual  # a boundary among the headers
        message = self.factory(policy=self.policy)
        message._headers = [(name, value.rstrip("\r\n")) for name, value in _HEADER.findall(text, start, headers_end)]
        if in_digest:
            message.set_default_type("message/rfc822")
        maintype = message.get_content_maintype()
        if maintype == "message":
            raise _Unusual
        if maintype != "multipart":
            end = self.text.first_boundary(body, enclosing)
            message.set_payload(text[body:end])
            return message, end
        return message, self._multipart(message, body, enclosing, depth)

    def _multipart(self, message: Message, body: int, enclosing: list[str], depth: int) -> int:
        boundary = message.get_boundary()
        if boundary is None:
            raise _Unusual
        digest = message.get_content_type() == "multipart/digest"
        if str(message.get("content-transfer-encoding", "8bit")).lower() not in ("7bit", "8bit", "binary"):
            self.policy.handle_defect(message, email.errors.InvalidMultipartContentTransferEncodingDefect())
        inner = [*enclosing, boundary]
        own = len(enclosing)
        text = self.text.text
        position = self.text.first_boundary(body, inner)
        if self.text.boundary_at(position, inner) != (own, False):
            raise _Unusual  # no opening boundary before the mail or an enclosing part ends
        if position > body:
            message.preamble = _strip_line_break(text[body:position])
        message.set_payload(None)
        while True:
            start = self.text.line(position)[1]
            if start >= len(text) or self.text.boundary_at(start, inner)[0] >= 0:
                raise _Unusual  # boundary lines in a row: the standard parser skips them its own way
            child, position = self.part(start, inner, depth + 1, digest)
            message.attach(child)
            if child.get_content_maintype() == "multipart":
                if child.epilogue == "":
                    child.epilogue = None
                elif child.epilogue is not None:
                    child.epilogue = _strip_line_break(child.epilogue)
            else:
                child._payload = _strip_line_break(child._payload)
            if position >= len(text):
                raise _Unusual  # never closed
            found, closes = self.text.boundary_at(position, inner)
            if found != own:
                raise _Unusual  # an enclosing boundary came first
            if closes:
                break
        after = self.text.line(position)[1]
        end = self.text.first_boundary(after, enclosing)
        message.epilogue = text[after:end]
        return end
