"""Copies cardguard derives from files it ships (its messages, the Public Suffix List), kept as JSON
in the user cache dir so that a command reads them in a millisecond or two instead of parsing the
source at every start-up.

A copy is named by a digest of the exact bytes it was made from, so an edited or upgraded source
is derived again. Its first line is the digest of the rest: a copy damaged on disk (one flipped
byte could change a phone number) is derived again, never read; so is one that fails ``valid``.
A cache dir that cannot be written only costs the parse. Deleting the cache dir loses nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
KEEP = 4  # copies of one kind kept in the cache dir


def derived(name: str, sources: Iterable[tuple[str, bytes]], build: Callable[[], T],
            valid: Callable[[object], bool]) -> T:
    """``build()``'s result, from the copy made from exactly ``sources`` (label, bytes) when one is
    there and ``valid``; else built now and a copy written for next time."""
    digest = _sha256()
    for label, data in sources:
        digest.update(f"{label}\0{len(data)}\0".encode())
        digest.update(data)
    filename = f"{name}-{digest.hexdigest()[:32]}.json"
    cached = _read(filename)
    if cached is not None and valid(cached):
        _touch(filename)
        return cached  # type: ignore[return-value]
    made = build()
    _write(name, filename, made)
    return made


def _sha256():
    # The interpreter's own SHA-256: hashlib first loads OpenSSL (~3-6 ms of every start-up).
    try:
        from _sha2 import sha256  # Python 3.12+
    except ImportError:
        try:
            from _sha256 import sha256  # Python 3.11
        except ImportError:  # pragma: no cover - an interpreter built without its own hashes
            from hashlib import sha256
    return sha256()


def _read(filename: str) -> object | None:
    import json

    from cardguard import paths

    try:
        stored = (paths.cache_dir() / filename).read_bytes()
        said, _, content = stored.partition(b"\n")
        digest = _sha256()
        digest.update(content)
        if said.decode("ascii", "replace") != digest.hexdigest():
            return None
        return json.loads(content)
    except (OSError, ValueError, RecursionError):
        return None


def _touch(filename: str) -> None:
    from cardguard import paths

    try:
        os.utime(paths.cache_dir() / filename)  # "used last" is what decides which copies stay
    except OSError:
        pass


def _write(name: str, filename: str, value: object) -> None:
    import json
    import tempfile

    from cardguard import paths

    folder = paths.cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        content = json.dumps(value, ensure_ascii=False).encode("utf-8")
        digest = _sha256()
        digest.update(content)
        with tempfile.NamedTemporaryFile("wb", dir=folder, prefix=f".{name}", suffix=".tmp", delete=False) as out:
            out.write(digest.hexdigest().encode("ascii") + b"\n" + content)
        os.replace(out.name, folder / filename)
        # Copies of other sources are kept a while (two installed versions, or a checkout and an
        # install, each read their own), but only the few used last.
        copies = sorted(folder.glob(f"{name}-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in copies[KEEP:]:
            if old.name != filename:
                old.unlink(missing_ok=True)
    except OSError:
        pass
