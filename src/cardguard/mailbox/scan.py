"""Exported mailboxes: an mbox file, a Maildir, or a folder of .eml/.msg files, read one message at a
time so that a mailbox of any size needs the memory of its largest message only."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cardguard.errors import UserError, os_reason
from cardguard.mailbox import HEAD_LIMIT  # what is kept of a too-large message: its header
from cardguard.verify.message import MAX_BYTES

# A folder of message files holds what `check FOLDER` reads: .eml, .msg and files with no suffix.
from cardguard.verify.batch import MESSAGE_SUFFIXES  # noqa: E402


@dataclass(frozen=True)
class TooLarge:
    """A message over the check's limit: its size and header, never its body."""

    size: int
    head: bytes


def _head_lines(lines: list[bytes]) -> bytes:
    out, kept = [], 0
    for line in lines:
        if line in (b"\n", b"\r\n") or kept > HEAD_LIMIT:
            break
        out.append(line)
        kept += len(line)
    return b"".join(out)[:HEAD_LIMIT]


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def _mbox_messages(path: Path) -> Iterator[tuple[str, bytes | TooLarge]]:
    """(key, raw bytes) per message of an mbox; the key is the message's ordinal. A message larger than
    the limit yields its size and header instead (it is listed, never held in memory)."""
    index = 0
    current: list[bytes] | None = None
    size = 0
    too_large: TooLarge | None = None
    previous_blank = True
    with open(path, "rb") as handle:
        for line in handle:
            if line.startswith(b"From ") and (previous_blank or current is None):
                if current is not None:
                    yield str(index), (TooLarge(size, too_large.head) if too_large else b"".join(current))
                    index += 1
                current, size, too_large = [], 0, None
                previous_blank = False
                continue
            previous_blank = line in (b"\n", b"\r\n")
            if current is None:
                continue  # text before the first separator is not a message
            size += len(line)
            if too_large:
                continue
            if size > MAX_BYTES:
                too_large = TooLarge(size, _head_lines(current))
                current = []
                continue
            # mboxrd/mboxo quoting: ">From " at the start of a body line was "From ".
            if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
                line = line[1:]
            current.append(line)
    if current is not None:
        # The separator's blank line belongs to the format, not the last message.
        yield str(index), (TooLarge(size, too_large.head) if too_large else b"".join(current))


def _read_file(path: Path) -> bytes | TooLarge | UserError:
    """A message file found in a folder or Maildir; what is not a regular file is refused unopened."""
    from cardguard.verify.batch import open_regular

    try:
        handle = open_regular(path)
    except UserError as refused:
        return refused
    with handle:
        size = os.fstat(handle.fileno()).st_size
        if size > MAX_BYTES:
            return TooLarge(size, _head_lines(handle.read(HEAD_LIMIT).splitlines(keepends=True)))
        return handle.read(MAX_BYTES + 1)


def _read_named_file(path: Path) -> bytes | TooLarge:
    size = path.stat().st_size
    with open(path, "rb") as handle:
        if size > MAX_BYTES:
            return TooLarge(size, _head_lines(handle.read(HEAD_LIMIT).splitlines(keepends=True)))
        return handle.read(MAX_BYTES + 1)


def _files(root: Path, suffixes: tuple[str, ...] | None) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            if name.startswith("."):
                continue
            if suffixes is None or Path(name).suffix.lower() in suffixes:
                yield Path(folder) / name


def messages(path: str) -> Iterator[tuple[dict, bytes | TooLarge | UserError]]:
    """(source, raw bytes, or the size and header of a message too large to read) for each message
    under ``path``."""
    root = Path(path)
    if not root.exists():
        raise UserError("error.input_unreadable", path=path, **os_reason(FileNotFoundError(errno.ENOENT, path)))
    if root.is_file():
        if root.suffix.lower() in (".eml", ".msg"):  # a file with no suffix given alone may be an mbox
            yield {"file": str(root), "key": root.name}, _read_named_file(root)
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


def judge_scanned(source: dict, data: bytes | TooLarge | UserError, directory, options, everything: bool):
    """The headers decide whether the full check runs: mail that claims no issuer costs a header read."""
    from cardguard.mailbox.identity import message_identity
    from cardguard.mailbox.judge import Judged, head_of, judge, judge_message
    from cardguard.verify.outlook import is_outlook

    if isinstance(data, UserError):
        return Judged(source=source, unreadable=data)
    if isinstance(data, TooLarge):
        return judge_message(data.head, data.size, lambda: None, directory, options, source, everything=everything)
    if is_outlook(data):
        # An Outlook file has no header block to glance at: it is read whole.
        return judge(data, directory, options, Judged(source=source, identity=message_identity(data)))
    return judge_message(head_of(data), len(data), lambda: data, directory, options, source, everything=everything)


def scan(path: str, directory, options, *, everything: bool, recorder=None):
    """Each message under ``path`` judged, in order; recorded as it goes when a recorder is given
    (accounts.Recorder: what the Mail page lists, each mail once)."""
    for source, data in messages(path):
        judged = judge_scanned(source, data, directory, options, everything)
        if recorder is not None:
            recorder.add(judged)
        yield judged
