"""Outlook .msg files for tests, written by libgsf's `gsf createole` (Debian's libgsf-bin), not by
cardguard: the container comes from an independent OLE writer, the property streams follow
[MS-OXMSG] (a stream per variable-length property, a property stream for the fixed ones).
"""

from __future__ import annotations

import email
import email.policy
import struct
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

STRING, STRING8, BINARY, INT32, TIME = 0x001F, 0x001E, 0x0102, 0x0003, 0x0040


def _filetime(when: datetime) -> int:
    return int((when - datetime(1601, 1, 1, tzinfo=timezone.utc)).total_seconds() * 10_000_000)


class _Object:
    def __init__(self, folder: Path, header_size: int, codepage: str | None = None):
        self.folder, self.header_size, self.codepage = folder, header_size, codepage
        folder.mkdir(parents=True, exist_ok=True)
        self.fixed: list[bytes] = []

    def text(self, prop: int, value: str) -> None:
        if self.codepage:
            (self.folder / f"__substg1.0_{prop:04X}{STRING8:04X}").write_bytes(value.encode(self.codepage) + b"\0")
        else:
            (self.folder / f"__substg1.0_{prop:04X}{STRING:04X}").write_bytes(value.encode("utf-16-le"))

    def binary(self, prop: int, value: bytes) -> None:
        (self.folder / f"__substg1.0_{prop:04X}{BINARY:04X}").write_bytes(value)

    def integer(self, prop: int, value: int) -> None:
        self.fixed.append(struct.pack("<IIi4x", prop << 16 | INT32, 6, value))

    def time(self, prop: int, value: datetime) -> None:
        self.fixed.append(struct.pack("<IIQ", prop << 16 | TIME, 6, _filetime(value)))

    def close(self, header: bytes = b"") -> None:
        header = header.ljust(self.header_size, b"\0")
        (self.folder / "__properties_version1.0").write_bytes(header + b"".join(self.fixed))


def outlook_msg(*, transport: bytes | None = None, subject: str = "", body: str = "", html: bytes | None = None,
                sender: tuple[str, str] | None = None, recipients: list[tuple[int, str, str]] = (),
                attachments: list[tuple[str, str, bytes]] = (), received: datetime | None = None,
                codepage: int | None = None, codec: str | None = None) -> bytes:
    """A .msg as Outlook saves one. ``codec`` stores the strings as 8-bit text in that encoding
    (older Outlook, ``codepage`` says which); otherwise they are UTF-16."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "msg"
        message = _Object(root, 32, codec)
        message.text(0x001A, "IPM.Note")
        if transport is not None:
            message.text(0x007D, transport.decode("utf-8"))
        if subject:
            message.text(0x0037, subject)
        message.text(0x1000, body)
        if html is not None:
            message.binary(0x1013, html)
        if sender:
            message.text(0x0C1A, sender[0])
            message.text(0x0C1F, sender[1])
            message.text(0x5D01, sender[1])
        if received:
            message.time(0x0E06, received)
        if codepage:
            message.integer(0x3FFD, codepage)
            message.integer(0x3FDE, codepage)
        for index, (kind, name, address) in enumerate(recipients):
            recipient = _Object(root / f"__recip_version1.0_#{index:08X}", 8, codec)
            recipient.text(0x3001, name)
            recipient.text(0x39FE, address)
            recipient.integer(0x0C15, kind)
            recipient.close()
        for index, (filename, mime, data) in enumerate(attachments):
            attachment = _Object(root / f"__attach_version1.0_#{index:08X}", 8, codec)
            attachment.text(0x3707, filename)
            attachment.text(0x370E, mime)
            attachment.binary(0x3701, data)
            attachment.integer(0x3705, 1)
            attachment.close()
        message.close(struct.pack("<8xIIII", len(recipients), len(attachments), len(recipients), len(attachments)))
        out = Path(tmp) / "out.msg"
        subprocess.run(["gsf", "createole", str(out), *sorted(p.name for p in root.iterdir())], cwd=root,
                       check=True, capture_output=True)
        return out.read_bytes()


def saved_by_outlook(raw: bytes) -> bytes:
    """A received message as Outlook keeps it: the headers as they arrived, the body re-stored."""
    head = raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    return outlook_msg(transport=head, subject=str(parsed["Subject"]),
                       body=text.get_content() if text else "",
                       html=html.get_content().encode("utf-8") if html else None, codepage=65001)
