"""Japanese and English messages.

Every message a user reads lives in ``messages.toml`` with both languages side by side, so a
missing translation is a test failure rather than an English fallback nobody notices.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Literal

from cardguard.values import record

Lang = Literal["ja", "en"]
LANGS: tuple[Lang, ...] = ("ja", "en")


@record
class Text:
    """A phrase in both languages, as the data files and findings carry it."""

    ja: str
    en: str

    def __call__(self, lang: Lang) -> str:
        return self.ja if lang == "ja" else self.en


def _lang_from_locale(value: str | None) -> Lang | None:
    if not value:
        return None
    value = value.strip().lower()
    if value in ("c", "posix", "c.utf-8"):
        return None
    return "ja" if value.startswith("ja") else "en"


def detect_lang(argv: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> Lang:
    """``--lang`` on the command line, then CARDGUARD_LANG, then the locale; English otherwise."""
    env = os.environ if env is None else env
    argv = list(argv or ())
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGS:
            return argv[i + 1]  # type: ignore[return-value]
        if arg.startswith("--lang=") and arg[7:] in LANGS:
            return arg[7:]  # type: ignore[return-value]
    explicit = env.get("CARDGUARD_LANG", "").strip().lower()
    if explicit in LANGS:
        return explicit  # type: ignore[return-value]
    # LANGUAGE is a priority list ("ja:en"); the first entry decides.
    for name in ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG"):
        raw = env.get(name)
        found = _lang_from_locale(raw.split(":")[0] if raw else raw)
        if found:
            return found
    return "en"


def _catalog_files() -> list:
    # One file per capability (messages/*.toml) beside the original messages.toml, so that work on
    # one capability never edits another's words; a key defined twice is a startup error.
    # Beside this module, not through importlib.resources (~8 ms to import): cardguard is installed
    # as files, never run from a zip.
    root = Path(__file__).parent
    files = [root / "messages.toml"]
    folder = root / "messages"
    if folder.is_dir():
        files += sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    return files


@cache
def catalog() -> dict[str, dict[str, str]]:
    return _catalog_from([(file.name, file.read_bytes()) for file in _catalog_files()])


def _catalog_from(files: list[tuple[str, bytes]]) -> dict[str, dict[str, str]]:
    """The messages of ``files`` (name, content). Parsing 130 KB of TOML costs ~25 ms of every
    command's start-up; the parsed copy (cardguard.rebuilt) reads in ~2 ms, and an edited message
    file is parsed, and checked for duplicate keys, again."""
    from cardguard.rebuilt import derived

    def parse() -> dict[str, dict[str, str]]:
        import tomllib

        flat: dict[str, dict[str, str]] = {}

        def walk(prefix: str, node: dict, origin: str) -> None:
            if "en" in node and "ja" in node and all(isinstance(v, str) for v in node.values()):
                if prefix in flat:
                    raise RuntimeError(f"message {prefix!r} is defined twice (again in {origin})")
                flat[prefix] = node
                return
            for key, value in node.items():
                walk(f"{prefix}.{key}" if prefix else key, value, origin)

        for name, data in files:
            walk("", tomllib.loads(data.decode("utf-8")), name)
        return flat

    return derived("messages", files, parse, _every_entry_a_message)


def _every_entry_a_message(loaded: object) -> bool:
    # A damaged copy is parsed again, never trusted: every entry must be a message in both languages.
    return isinstance(loaded, dict) and all(
        isinstance(entry, dict) and all(isinstance(entry.get(lang), str) for lang in LANGS)
        and all(isinstance(v, str) for v in entry.values()) for entry in loaded.values())


def t(key: str, lang: Lang, /, **values: object) -> str:
    """The message ``key`` in ``lang`` with ``values`` filled in."""
    entry = catalog()[key]
    return entry[lang].format(**values)


def listed(items, lang: Lang, /) -> str:
    """``items`` as one list in ``lang``'s own way: 「A、B」, "A, B"."""
    return t("list.separator", lang).join(items)


def both(key: str, /, **values: object) -> Text:
    return Text(ja=t(key, "ja", **values), en=t(key, "en", **values))
