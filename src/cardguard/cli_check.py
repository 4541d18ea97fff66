"""`cardguard check PATH...` or a folder: every message in one run, on every core, one line each."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from functools import partial

from cardguard.cli_common import check_options
from cardguard.errors import UserError
from cardguard.i18n import Lang, listed, t
from cardguard.output import _default, one_line
from cardguard.shortened import shortened


def _stdin_message() -> bytes:
    from cardguard.verify.message import MAX_BYTES

    return sys.stdin.buffer.read(MAX_BYTES + 1)


def check_many(paths: list[str], lang: Lang, *, as_json: bool, jobs: int | None, offline: bool,
               resolver: str | None, trust: list[str] | None, alias: list[str] | None, card: str | None) -> int:
    """Prints one verdict line (or one JSON object a line) per message; 0 when every one was checked."""
    from cardguard.verify.batch import check_each, file_source, message_files
    from cardguard.verify.model import Verdict

    try:
        options = check_options(lang, offline=offline, resolver=resolver, trust=trust, alias=alias, card=card)
        # Read here, before any worker starts: a mistake in the holder's issuer files or overrides
        # is their error, said once, not a worker's crash (BrokenProcessPool).
        from cardguard.directory import load_directory

        load_directory()
    except UserError as error:
        from cardguard.output import report_error

        return report_error(error, lang, as_json)
    stdin = sys.stdin.buffer.read() if "-" in paths else None  # read before any worker starts

    def sources():
        for path in message_files(paths):
            if path == "-":
                yield "-", partial(bytes, stdin)
            else:
                yield file_source(path)

    jobs = jobs or default_jobs(paths)
    present = partial(Verdict.as_json, lang=lang)
    counts: Counter[str] = Counter()
    # Every verdict's label as wide as the widest, in terminal cells (a kanji takes two).
    label_width = max(_cells(t(f"verdict.{v}", lang)) for v in ("genuine", "suspicious", "phishing", "unrelated"))
    failed = 0
    progress = None
    if sys.stderr.isatty():
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        from cardguard.output import console as holder_console

        total = sum(1 for _ in message_files(paths))
        progress = Progress(TextColumn(t("batch.progress", lang)), BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), console=holder_console(stderr=True), transient=True,
                            redirect_stdout=sys.stdout.isatty(), redirect_stderr=False)
        task = progress.add_task("", total=total)
        progress.start()
    try:
        for source, result in check_each(sources(), options, lang=lang, jobs=jobs, present=present):
            if isinstance(result, UserError):
                failed += 1
                line = {"source": source, **result.as_json(lang)} if as_json else \
                    f"{one_line(source)}: {one_line(result.message(lang))}"
            else:
                counts[result["verdict"]] += 1
                line = {"source": source, **result} if as_json else \
                    f"{_padded(result['verdict_label'], label_width)} {one_line(source)}  {one_line(shortened(result['subject'], 80))}"
            sys.stdout.write((json.dumps(line, ensure_ascii=False, default=_default) if as_json else line) + "\n")
            if progress is not None:
                progress.advance(task)
    finally:
        if progress is not None:
            progress.stop()
    sys.stdout.flush()
    if not counts and not failed:
        from cardguard.output import report_error

        return report_error(UserError("batch.none_found", paths=listed(paths, lang)), lang, as_json)
    if not as_json:
        shown = listed([f"{t(f'verdict.{v}', lang)} {n}" for v, n in counts.most_common()], lang)
        # Only what got a verdict is counted as checked; the rest is said apart.
        print(t("batch.summary", lang, count=sum(counts.values()), counts=shown or "-"), file=sys.stderr)
        if failed:
            print(t("batch.errors", lang, count=failed), file=sys.stderr)
    return 2 if failed else 0


def _cells(text: str) -> int:
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(char) in "WF" else 1 for char in text)


def _padded(text: str, width: int) -> str:
    return text + " " * max(0, width - _cells(text))


# Starting the workers costs about a second; one process checks ~80 small mails in that time.
FEW_MESSAGES = 100


def default_jobs(paths: list[str]) -> int:
    """Every core, unless there are only a few messages: then this process, which is quicker."""
    from itertools import islice

    from cardguard.verify.batch import message_files

    if sum(1 for _ in islice(message_files(paths), FEW_MESSAGES)) < FEW_MESSAGES:
        return 1
    return os.cpu_count() or 1
