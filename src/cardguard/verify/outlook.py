"""An Outlook .msg turned back into an internet message, so every other check reads it as usual.

A .msg is an OLE compound file of MAPI properties ([MS-OXMSG]); olefile reads the container and
the property streams are mapped here. Outlook keeps the headers as they arrived (transport headers)
but re-stores the body in its own form, so the original bytes a DKIM signature covers are gone; the
checks are told so, and must not mistake it for a tampered body.
"""

from __future__ import annotations

import email.utils
import io
import re
import struct
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import SMTP

from cardguard.errors import UserError
from cardguard.values import record
from cardguard.verify.charsets import codec_for_codepage, decode

MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_ATTACHMENTS = 2048  # the format's own maximum
MAX_RECIPIENTS = 2000

# Property ids ([MS-OXPROPS]); the stream name adds the type: 001F UTF-16, 001E 8-bit, 0102 binary.
TRANSPORT_HEADERS = 0x007D
SUBJECT = 0x0037
BODY = 0x1000
HTML = 0x1013
MESSAGE_ID = 0x1035
SENDER_NAME, SENDER_ADDRESS, SENDER_SMTP = 0x0C1A, 0x0C1F, 0x5D01
ON_BEHALF_NAME, ON_BEHALF_ADDRESS, ON_BEHALF_SMTP = 0x0042, 0x0065, 0x5D02
DELIVERY_TIME, SUBMIT_TIME = 0x0E06, 0x0039
INTERNET_CPID, MESSAGE_CODEPAGE = 0x3FDE, 0x3FFD
DISPLAY_NAME, EMAIL_ADDRESS, SMTP_ADDRESS, RECIPIENT_TYPE = 0x3001, 0x3003, 0x39FE, 0x0C15
ATTACH_DATA, ATTACH_FILENAME, ATTACH_LONG_FILENAME, ATTACH_MIME = 0x3701, 0x3704, 0x3707, 0x370E

# Outlook rebuilds these from its own body; the ones in the transport headers describe bytes it did not keep.
_BODY_HEADERS = {"content-type", "content-transfer-encoding", "mime-version", "content-disposition"}
# What a MIME part in a charset no mail app has is read as (message.py): the same for a .msg's text.
_FALLBACKS = ("utf-8", "iso2022-jp", "cp932", "euc-jp")


@record
class Converted:
    data: bytes  # an RFC 5322 message
    headers_kept: bool  # Outlook stored the headers as received; without them only its own properties remain
    ambiguities: tuple[str, ...] = ()  # where mail apps would read the file differently (a code page none has)


def is_outlook(data: bytes) -> bool:
    return data[:8] == MAGIC


def _codec(codepage: int | None, ambiguities: list[str]) -> str | None:
    """The codec of a code page the file names, as a MIME charset is read (charsets.py); one no mail
    app reads the same way is noted in ``ambiguities`` and read as if none were given."""
    if not codepage:
        return None
    codec = codec_for_codepage(codepage)
    if codec is None:
        ambiguities.append(f"code page {codepage} unknown to mail apps")
    return codec


def _decoded(data: bytes, codec: str | None) -> str:
    """``data`` in ``codec``, else as a part in an unknown charset is read: the first of the usual
    encodings it fits, else UTF-8 with replacement characters."""
    for name in filter(None, (codec, *_FALLBACKS)):
        try:
            return decode(data, name)
        except (UnicodeDecodeError, ValueError):
            continue
    return data.decode("utf-8", "replace")


class _Storage:
    """One MAPI object in the file: the message, a recipient or an attachment."""

    def __init__(self, ole, path: list[str], header_size: int, codepage: str | None = None):
        self.ole, self.path = ole, path
        self.codepage = codepage
        self.fixed = self._fixed_properties(header_size)

    def _read(self, name: str) -> bytes | None:
        entry = self.path + [name]
        if self.ole.exists("/".join(entry)) and self.ole.get_type(entry) == 2:  # a stream
            return self.ole.openstream(entry).read()
        return None

    def _fixed_properties(self, header_size: int) -> dict[int, bytes]:
        raw = self._read("__properties_version1.0") or b""
        out = {}
        for offset in range(header_size, len(raw) - 15, 16):
            tag, _flags, value = struct.unpack_from("<II8s", raw, offset)
            out[tag >> 16] = value
        return out

    def integer(self, prop: int) -> int | None:
        value = self.fixed.get(prop)
        return struct.unpack_from("<i", value)[0] if value else None

    def time(self, prop: int) -> datetime | None:
        value = self.fixed.get(prop)
        if not value:
            return None
        ticks = struct.unpack_from("<Q", value)[0]  # 100 ns since 1601-01-01 UTC
        try:
            return datetime(1601, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None

    def text(self, prop: int) -> str:
        wide = self._read(f"__substg1.0_{prop:04X}001F")
        if wide is not None:
            return wide.decode("utf-16-le", "replace").rstrip("\x00")
        narrow = self._read(f"__substg1.0_{prop:04X}001E")
        if narrow is None:
            return ""
        return _decoded(narrow.rstrip(b"\x00"), self.codepage)

    def binary(self, prop: int) -> bytes | None:
        return self._read(f"__substg1.0_{prop:04X}0102")

    def children(self, prefix: str) -> list[str]:
        names = set()
        for entry in self.ole.listdir(streams=True, storages=True):
            if entry[: len(self.path)] == self.path and len(entry) > len(self.path):
                child = entry[len(self.path)]
                if child.startswith(prefix):
                    names.add(child)
        return sorted(names)


def _address(storage: _Storage, smtp: int, address: int) -> str:
    # An Exchange sender has an X.500 path as its "address"; only an SMTP form is an email address.
    for candidate in (storage.text(smtp), storage.text(address)):
        if "@" in candidate:
            return candidate.strip()
    return ""


def _headers_from_properties(message: _Storage, recipients: list[tuple[int, str, str]]) -> list[tuple[str, str]]:
    headers = []
    name, address = message.text(SENDER_NAME), _address(message, SENDER_SMTP, SENDER_ADDRESS)
    if not address:
        name, address = message.text(ON_BEHALF_NAME), _address(message, ON_BEHALF_SMTP, ON_BEHALF_ADDRESS)
    if address or name:
        headers.append(("From", email.utils.formataddr((name, address)) if address else name))
    for kind, header in ((1, "To"), (2, "Cc")):
        listed = [email.utils.formataddr((n, a)) for k, n, a in recipients if k == kind and a]
        if listed:
            headers.append((header, ", ".join(listed)))
    subject = message.text(SUBJECT)
    if subject:
        headers.append(("Subject", subject))
    when = message.time(DELIVERY_TIME) or message.time(SUBMIT_TIME)
    if when:
        headers.append(("Date", email.utils.format_datetime(when)))
    message_id = message.text(MESSAGE_ID)
    if message_id:
        headers.append(("Message-ID", message_id))
    return headers


def _recipients(ole, message: _Storage) -> list[tuple[int, str, str]]:
    out = []
    for name in message.children("__recip_version1.0_#")[:MAX_RECIPIENTS]:
        recipient = _Storage(ole, [name], 8, message.codepage)
        out.append((recipient.integer(RECIPIENT_TYPE) or 1, recipient.text(DISPLAY_NAME),
                    _address(recipient, SMTP_ADDRESS, EMAIL_ADDRESS)))
    return out


def _body(message: _Storage, ambiguities: list[str]) -> EmailMessage:
    body = EmailMessage()
    text = message.text(BODY)
    html = message.binary(HTML)
    if html is None:
        html = message.text(HTML).encode("utf-8")  # some writers store the HTML as a string
    body.set_content(text or "", charset="utf-8")
    if html:
        # The HTML keeps the bytes Outlook stored; its charset is the message's internet code page.
        charset = _codec(message.integer(INTERNET_CPID), ambiguities) or "utf-8"
        body.add_alternative(_decoded(html, charset), subtype="html", charset="utf-8")
    return body


def _attach(ole, message: _Storage, body: EmailMessage) -> None:
    for name in message.children("__attach_version1.0_#")[:MAX_ATTACHMENTS]:
        attachment = _Storage(ole, [name], 8, message.codepage)
        filename = attachment.text(ATTACH_LONG_FILENAME) or attachment.text(ATTACH_FILENAME) \
            or attachment.text(DISPLAY_NAME)
        mime = attachment.text(ATTACH_MIME).strip().lower()
        data = attachment.binary(ATTACH_DATA)
        if data is None and ole.exists(f"{name}/__substg1.0_3701000D"):
            # An email attached to the email: counted as an attachment, not opened.
            filename, mime, data = filename or "message.msg", "application/vnd.ms-outlook", b""
        maintype, _, subtype = (mime if "/" in mime else "application/octet-stream").partition("/")
        if body.get_content_type() != "multipart/mixed":
            body.make_mixed()
        body.add_attachment(data or b"", maintype=maintype, subtype=subtype or "octet-stream",
                            filename=filename or "attachment")


def read_outlook(data: bytes) -> Converted:
    """The message in ``data`` (an Outlook .msg) as internet message bytes."""
    import olefile  # imported here: most people never give cardguard a .msg

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a broken container is a bad file, whatever olefile says about it
        raise UserError("error.outlook_unreadable") from None
    try:
        message = _Storage(ole, [], 32)
        ambiguities: list[str] = []
        message.codepage = _codec(message.integer(MESSAGE_CODEPAGE), ambiguities) \
            or _codec(message.integer(INTERNET_CPID), ambiguities)
        if not any(entry[0].startswith("__substg1.0_") for entry in ole.listdir()):
            raise UserError("error.outlook_not_a_message")
        transport = message.text(TRANSPORT_HEADERS).strip()
        if transport:
            lines = re.split(r"\r?\n(?![ \t])", transport)
            headers = [line.split(":", 1) for line in lines if ":" in line]
            headers = [(name.strip(), value.strip()) for name, value in headers
                       if name.strip().lower() not in _BODY_HEADERS]
        else:
            headers = _headers_from_properties(message, _recipients(ole, message))
        body = _body(message, ambiguities)
        _attach(ole, message, body)
    except UserError:
        raise
    except Exception:  # noqa: BLE001 - streams in a hostile file can be cut, looped or mislabelled
        raise UserError("error.outlook_unreadable") from None
    finally:
        ole.close()
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    mime = body.as_bytes(policy=SMTP)
    return Converted(head.encode("utf-8", "surrogateescape") + mime, headers_kept=bool(transport),
                     ambiguities=tuple(dict.fromkeys(ambiguities)))
