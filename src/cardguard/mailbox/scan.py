"""Exported mailboxes: an mbox file, a Maildir, or a folder of .eml/.msg files, read one message at a
time so that a mailbox of any size needs the memory of its largest message only."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from cardguard.errors import UserError
from cardguard.verify.message import MAX_BYTES

MESSAGE_SUFFIXES = (".eml", ".msg")


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _mbox_messages(path: Path) -> Iterator[tuple[str, bytes | int]]:
    """(key, raw bytes) per message of an mbox; the key is the message's ordinal. A message larger than
    the limit yields its size instead of its bytes (it is listed, never held in memory)."""
    index = 0
    current: list[bytes] | None = None
    size = 0
    too_large = False
    previous_blank = True
    with open(path, "rb") as handle:
        for line in handle:
            if line.startswith(b"From ") and (previous_blank or current is None):
                if current is not None:
                    yield str(index), (size if too_large else b"".join(current))
                    index += 1
                current, size, too_large = [], 0, False
                previous_blank = False
                continue
            previous_blank = line in (b"\n", b"\r\n")
            if current is None:
                continue  # text before the first separator is not a message
            size += len(line)
            if too_large:
                continue
            if size > MAX_BYTES:
                too_large = True
                current = []
                continue
            # mboxrd/mboxo quoting: ">From " at the start of a body line was "From ".
            if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
                line = line[1:]
            current.append(line)
    if current is not None:
        # The separator's blank line belongs to the format, not the last message.
        yield str(index), (size if too_large else b"".join(current))


def _read_file(path: Path) -> bytes | int:
    size = path.stat().st_size
    if size > MAX_BYTES:
        return size
    with open(path, "rb") as handle:
        return handle.read(MAX_BYTES + 1)


def _files(root: Path, suffixes: tuple[str, ...] | None) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            if name.startswith("."):
                continue
            if suffixes is None or name.lower().endswith(suffixes):
                yield Path(folder) / name


def messages(path: str) -> Iterator[tuple[dict, bytes | int]]:
    """(source, raw bytes or the size of a message too large to read) for each message under ``path``."""
    root = Path(path)
    if not root.exists():
        raise UserError("error.input_unreadable", path=path, reason=os.strerror(2))
    if root.is_file():
        if root.suffix.lower() in MESSAGE_SUFFIXES:
            yield {"file": str(root), "key": root.name}, _read_file(root)
            return
        for key, data in _mbox_messages(root):
            yield {"file": str(root), "key": key}, data
        return
    if _is_maildir(root):
        for file in _files(root, None):
            if file.parent.name in ("cur", "new"):
                yield {"file": str(root), "key": str(file.relative_to(root))}, _read_file(file)
        return
    for file in _files(root, MESSAGE_SUFFIXES):
        yield {"file": str(root), "key": str(file.relative_to(root))}, _read_file(file)


def count_hint(path: str) -> int | None:
    """How many messages there are, where that is cheap to know (for the progress bar)."""
    root = Path(path)
    if root.is_dir():
        return sum(1 for _ in _files(root, None if _is_maildir(root) else MESSAGE_SUFFIXES))
    return None


def judge_scanned(source: dict, data: bytes | int, directory, options, everything: bool):
    """The headers decide whether the full check runs: mail that claims no issuer costs a header read."""
    from cardguard.mailbox.judge import Judged, head_of, judge, look_at_headers
    from cardguard.verify.outlook import is_outlook

    if isinstance(data, int):
        return Judged(source=source, size=data, unreadable=UserError(
            "error.message_too_large", size=data // (1024 * 1024), limit=MAX_BYTES // (1024 * 1024)))
    if is_outlook(data):
        # An Outlook file has no header block to glance at: it is read whole.
        return judge(data, directory, options, Judged(source=source))
    judged = look_at_headers(head_of(data), directory, source)
    if judged.unreadable is None and (judged.claims_issuer or everything):
        judge(data, directory, options, judged)
    return judged
