"""Checking many messages in one process, or on every core: one directory load per worker, results
in the order the sources were given, and memory that stays flat however many there are.

    for source, result in check_each(sources, options, jobs=4, present=partial(Verdict.as_json, lang="en")):
        ...  # result: what ``present`` made of the Verdict, or the UserError that message gave

A source is ``(source_id, load)``: ``load()`` returns the raw message (or raises UserError). With
``jobs`` > 1, ``load`` and ``present`` run in the workers and must pickle (module-level functions or
functools.partial of them, as ``file_source`` gives). Nothing is kept once it is yielded.
"""

from __future__ import annotations

import os
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from cardguard.errors import UserError, os_reason
from cardguard.i18n import Lang
from cardguard.verify.check import CheckOptions, check_message
from cardguard.verify.model import Verdict

Source = tuple[str, Callable[[], bytes]]
MESSAGE_SUFFIXES = (".eml", ".msg", "")

_worker: dict[str, Any] = {}

# Workers are processes: past a few hundred a machine refuses to start them (and a pool of
# 10**20 overflows), long before they would help.
MAX_JOBS = 256


def read_file(path: str, *, regular_only: bool = False) -> bytes:
    """The raw message in ``path``, never more than the size limit plus one byte. ``regular_only``
    for a file found in a folder: anything but a regular file there is refused unopened."""
    from cardguard.verify.message import MAX_BYTES

    try:
        if regular_only:
            with open_regular(path) as handle:
                return handle.read(MAX_BYTES + 1)
        with open(path, "rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UserError("error.input_unreadable", path=path, **os_reason(exc)) from None


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """``path`` opened for reading when it is a regular file. A pipe, device or socket (a FIFO named
    x.eml unpacked from an archive) is refused without being opened: opening a FIFO waits for a
    writer, forever. Opened without blocking and checked again, in case it changed in between."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise UserError("error.not_a_regular_file", path=str(path))
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    handle = os.fdopen(descriptor, "rb")
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        handle.close()
        raise UserError("error.not_a_regular_file", path=str(path))
    return handle


class InFolder(str):
    """A path found by walking a folder the holder gave (not named by the holder)."""


def file_source(path: str | os.PathLike) -> Source:
    return str(path), partial(read_file, str(path), regular_only=isinstance(path, InFolder))


def message_files(paths: Iterable[str | os.PathLike]) -> Iterator[str]:
    """Each path given, and the message files (.eml, .msg, no suffix) under each folder given, in name
    order, found as they are needed (a folder of 20,000 is never listed whole in memory twice)."""
    for given in paths:
        if not os.path.isdir(given):
            yield str(given)
            continue
        for folder, subfolders, names in os.walk(given):
            subfolders.sort()
            for name in sorted(names):
                if not name.startswith(".") and Path(name).suffix.lower() in MESSAGE_SUFFIXES:
                    yield InFolder(os.path.join(folder, name))


def _start_worker(lang: Lang, options: CheckOptions, present: Callable[[Verdict], Any]) -> None:
    from cardguard.directory import load_directory

    _worker.update(directory=load_directory(lang), options=options, present=present)


def _check_one(source: Source) -> tuple[str, Any]:
    source_id, load = source
    try:
        verdict = check_message(load(), _worker["directory"], _worker["options"])
        return source_id, ("ok", _worker["present"](verdict))
    except UserError as error:
        # Rebuilt in the parent: an exception's pickle keeps only its first argument.
        return source_id, ("error", error.key, error.values, error.details)
    except Exception as error:  # noqa: BLE001 - one broken message must not end a scan of thousands
        if os.environ.get("CARDGUARD_DEBUG"):
            raise
        return source_id, ("error", "app.internal_error", {"kind": type(error).__name__}, [])


def _unpack(item: tuple[str, Any]) -> tuple[str, Any]:
    source_id, outcome = item
    if outcome[0] == "ok":
        return source_id, outcome[1]
    _, key, values, details = outcome
    return source_id, UserError(key, details=details, **values)


def _keep(verdict: Verdict) -> Verdict:
    return verdict


def check_each(sources: Iterable[Source], options: CheckOptions, *, lang: Lang = "en", jobs: int = 1,
               present: Callable[[Verdict], Any] = _keep) -> Iterator[tuple[str, Any]]:
    """(source_id, present(verdict) or UserError) for every source, in the order given."""
    if jobs <= 1:
        _start_worker(lang, options, present)
        for source in sources:
            yield _unpack(_check_one(source))
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # A few messages queued per worker keeps every core busy; a bounded queue keeps memory flat.
    window = jobs * 4
    if os.name == "posix":
        # Workers fork from a server that has imported the checker once (not from this process,
        # whose progress-bar thread makes a plain fork unsafe).
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["cardguard.verify.batch", "cardguard.directory"])
    else:
        context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_start_worker,
                             initargs=(lang, options, present)) as pool:
        pending: deque = deque()
        for source in sources:
            pending.append(pool.submit(_check_one, source))
            if len(pending) >= window:
                yield _unpack(pending.popleft().result())
        while pending:
            yield _unpack(pending.popleft().result())
