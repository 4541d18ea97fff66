"""A case-insensitive list of words (regular expressions) found in long text at the speed of a
case-sensitive scan, with exactly the matches `re` gives.

`re` skips ahead quickly only when it knows the characters a match can start with, and it gives up
knowing them as soon as one word starts with a letter under IGNORECASE or with `\\b` or a
lookbehind: then it tries every word at every position of the text (40 ns a character; the content
rules cost a third of a check). Here the first characters are worked out from the parsed words
(case variants included) and put in front as a character class, so `re` skips to the few places a
word can start and runs the words themselves only there. When a word is beyond this reading (a
class like `\\w` first, a backreference, a match that may be empty), the plain pattern is used.
"""

from __future__ import annotations

import re
import threading
import _sre
from collections.abc import Iterator
from functools import cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

# Characters outside ASCII that IGNORECASE matches to an ASCII letter (dotted and dotless i, long s,
# the Kelvin sign). A test scans every code point to hold this complete for the running Python.
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"
_ZERO_WIDTH = {sre.AT, sre.ASSERT, sre.ASSERT_NOT}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
_MAX_RANGE = 512


class _Unknown(Exception):
    pass


def _variants(code: int) -> set[str]:
    char = chr(code)
    if char.isascii() and char.isalpha():
        return {char.lower(), char.upper(), *FOLDS_TO_ASCII}
    if not _sre.unicode_iscased(code):
        return {char}  # no case (kana, kanji, digits, signs): IGNORECASE matches it to itself only
    raise _Unknown(char)


def _class_chars(items) -> set[str]:
    out: set[str] = set()
    for op, value in items:
        if op is sre.LITERAL:
            out |= _variants(value)
        elif op is sre.RANGE and value[1] - value[0] <= _MAX_RANGE:
            for code in range(value[0], value[1] + 1):
                out |= _variants(code)
        else:
            raise _Unknown(op)
    return out


def _first(items) -> tuple[set[str], bool]:
    """(characters a match of ``items`` can start with, whether it can match nothing)."""
    out: set[str] = set()
    for op, value in items:
        if op in _ZERO_WIDTH:
            continue  # looks, consumes nothing: the next item starts the match
        if op is sre.LITERAL:
            return out | _variants(value), False
        if op is sre.IN:
            return out | _class_chars(value), False
        if op is sre.BRANCH:
            empty = False
            for alternative in value[1]:
                chars, nothing = _first(alternative)
                out |= chars
                empty |= nothing
            if not empty:
                return out, False
        elif op is sre.SUBPATTERN:
            _group, add_flags, del_flags, sub = value
            if add_flags or del_flags:
                raise _Unknown(op)
            chars, nothing = _first(sub)
            out |= chars
            if not nothing:
                return out, False
        elif op in _REPEATS:
            low, _high, sub = value
            chars, nothing = _first(sub)
            out |= chars
            if low and not nothing:
                return out, False
        else:
            raise _Unknown(op)
    return out, True


def _has_backreference(items) -> bool:
    for op, value in items:
        if op in (sre.GROUPREF, sre.GROUPREF_EXISTS, getattr(sre, "GROUPREF_IGNORE", sre.GROUPREF)):
            return True
        for sub in value if isinstance(value, (list, tuple)) else ():
            if isinstance(sub, _parser.SubPattern) and _has_backreference(sub):
                return True
            if isinstance(sub, (list, tuple)) and any(isinstance(s, _parser.SubPattern) and _has_backreference(s)
                                                      for s in sub):
                return True
    return False


def _guard(source: str) -> tuple[re.Pattern, re.Pattern] | None:
    """A pattern that matches one character exactly where ``source`` (IGNORECASE) can match, found
    through a plain character class that `re` scans fast, and that class alone (every character a
    match can start with); None when that cannot be worked out."""
    try:
        parsed = _parser.parse(source, re.IGNORECASE)
        if parsed.state.flags & (re.LOCALE | re.ASCII) or _has_backreference(parsed):
            return None
        if parsed.getwidth()[0] == 0:
            return None
        chars, nothing = _first(parsed)
        if nothing or not chars:
            return None
        starts = "".join(re.escape(char) for char in sorted(chars))
        # Consume one character from the class, then look back at it and require the words there.
        return re.compile(f"[{starts}](?<=(?=(?i:{source})).)", re.DOTALL), re.compile(f"[{starts}]")
    except (_Unknown, re.error, RecursionError, OverflowError):
        return None


def _width_of(items, count: int) -> int | None:
    """The most characters the first ``count`` of ``items`` can take, or None past _MAX_WINDOW."""
    if count == 0:
        return 0
    longest = _parser.SubPattern(items.state, items.data[:count]).getwidth()[1]
    return longest if longest <= _MAX_WINDOW else None


def _required(items) -> tuple[set[str], int | None] | None:
    """Strings, lower case, one of which every match of ``items`` contains as written (case aside):
    the longest run of plain characters, or each alternative's own; and the most characters a match
    can take before the string it holds (None: more than _MAX_WINDOW, or no bound). None when there
    is no such string."""
    best, run, best_at, run_at = "", "", 0, 0
    for index, (op, value) in enumerate(items):
        if op is sre.LITERAL and (value < 0x80 or not _sre.unicode_iscased(value)):
            if not run:
                run_at = index
            run += chr(value).lower()
            if len(run) > len(best):
                best, best_at = run, run_at
        else:
            run = ""
    if len(best) >= 2:
        return {best}, _width_of(items, best_at)
    for index, (op, value) in enumerate(items):
        if op is sre.BRANCH:
            found: set[str] = set()
            leads: list[int | None] = []
            for alternative in value[1]:
                inner = _required(alternative)
                if inner is None:
                    return None
                found |= inner[0]
                leads.append(inner[1])
            before = _width_of(items, index)
            lead = None if before is None or None in leads else before + max(leads)
            return found, (lead if lead is None or lead <= _MAX_WINDOW else None)
    return None


def _required_of(alternatives: tuple[str, ...]) -> tuple[frozenset[bytes], int | None] | None:
    """The required strings of any of ``alternatives`` and the most characters a match can take
    before the one it holds (see _required)."""
    found: set[str] = set()
    leads: list[int | None] = []
    try:
        for word in alternatives:
            inner = _required(_parser.parse(word, re.IGNORECASE))
            if inner is None:
                return None
            found |= inner[0]
            leads.append(inner[1])
    except (re.error, RecursionError, OverflowError):
        return None
    lead = None if None in leads else max(leads, default=0)
    return frozenset(word.encode("utf-8", "surrogatepass") for word in found), lead


# IGNORECASE matches these to an ASCII letter; lowering ASCII letters does not.
_ASCII_OF = {"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"}


def ascii_folded(text: str) -> bytes:
    """``text`` in UTF-8 with its ASCII letters lowered (a required string is ASCII or has no case;
    a match of one in UTF-8 is a match in the text, and starts and ends between characters). Not
    str.lower(), which for a long Japanese text takes twelve bytes a character of memory for a moment."""
    folded = text
    for char in FOLDS_TO_ASCII:
        if char in folded:
            # One replace per letter there: translate() looked every character of the text up (a
            # single dotless i made folding a long mail a third of its check).
            folded = folded.replace(char, _ASCII_OF[char])
    return folded.encode("utf-8", "surrogatepass").lower()


# Where required strings were found in a text, kept per text for at most this many: past it (text
# written to be full of them) the lists scan such a text whole, as they did before windows.
MAX_PLACES = 10_000
# Bytes of folded text searched at a time: the searcher lists every place it finds, and a text
# that is one required string after another would otherwise list millions at once.
_CHUNK = 65_536
_RECENT = 4


class _Places:
    """Where each required string occurs in one text: the string's number -> (start, end) in
    characters of the text, in order. ``dense``: more than MAX_PLACES, not listed."""

    __slots__ = ("text", "searcher", "found", "dense")

    def __init__(self, text: str, searcher: tuple, found: dict[int, list[tuple[int, int]]], dense: bool):
        self.text, self.searcher, self.found, self.dense = text, searcher, found, dense


class _Catalogue:
    """Every required string of every list built so far, searched for together: one pass over a
    text for all of them (each list had its own `in` per string: seventy passes over every mail)."""

    def __init__(self) -> None:
        self._strings: tuple[bytes, ...] = ()  # a string's number is its place here
        self._lock = threading.Lock()
        # (the strings, their searcher, each one's length in characters, the longest in bytes),
        # replaced whole when a list adds strings: a thread never reads a searcher with another's lengths.
        self._searcher: tuple | None = None
        # The last texts searched, newest first: several lists read each text, and between two of
        # them a list may read a few words around a match (the request verbs).
        self._recent: tuple[_Places, ...] = ()

    def numbers(self, strings: frozenset[bytes]) -> tuple[int, ...]:
        with self._lock:
            new = tuple(s for s in sorted(strings) if s not in self._strings)
            if new:
                self._strings += new
                self._searcher = None  # built again, with the new strings too
            return tuple(self._strings.index(s) for s in strings)

    def places(self, text: str) -> _Places:
        searcher = self._searcher
        for known in self._recent:
            if known.text is text and known.searcher is searcher:
                return known
        if searcher is None:
            from ahocorasick_rs import BytesAhoCorasick  # imported here: a single check never needs it

            with self._lock:
                strings = self._strings
                searcher = self._searcher = (
                    strings, BytesAhoCorasick(strings), [len(s.decode("utf-8", "surrogatepass")) for s in strings],
                    max(map(len, strings), default=1))
        places = self._search(searcher, text)
        self._recent = (places, *self._recent[:_RECENT - 1])  # replaced whole: safe beside other threads
        return places

    def _search(self, searcher: tuple, text: str) -> _Places:
        _, automaton, lengths, longest = searcher
        folded = ascii_folded(text)
        starts: list[tuple[int, int]] = []  # (byte where it starts, string number)
        for chunk in range(0, len(folded), _CHUNK):
            # Overlapping the next chunk by a string's length less one: a string that starts in
            # this chunk is found whole here, and only here.
            piece = folded[chunk:chunk + _CHUNK + longest - 1]
            starts += [(chunk + start, number) for number, start, _ in automaton.find_matches_as_indexes(
                piece, overlapping=True) if start < _CHUNK]
            if len(starts) > MAX_PLACES:
                return _Places(text, searcher, {}, True)
        found: dict[int, list[tuple[int, int]]] = {}
        if not starts:
            return _Places(text, searcher, found, False)
        starts.sort()
        ascii_only = len(folded) == len(text)
        before, characters = 0, 0
        for start, number in starts:
            if ascii_only:
                characters = start
            else:  # characters before ``start``: counted from the last place on
                characters += len(folded[before:start].decode("utf-8", "surrogatepass"))
                before = start
            found.setdefault(number, []).append((characters, characters + lengths[number]))
        return _Places(text, searcher, found, False)


# Lists that read the same texts share one: the content rules all read a mail's whole text. The
# text-link list reads each part on its own, which no content rule reads: its two strings are
# searched for alone (searching each part for every rule's strings too cost it a quarter more).
_CATALOGUES: dict[str, _Catalogue] = {}
_CATALOGUES_LOCK = threading.Lock()


def _catalogue(name: str) -> _Catalogue:
    with _CATALOGUES_LOCK:
        return _CATALOGUES.setdefault(name, _Catalogue())


BUILD_AFTER = 400_000  # characters of text a list has scanned before its speed-ups are built
# A list whose matches may start further than this before the required string they hold is scanned
# whole wherever its words are found.
_MAX_WINDOW = 1_000


class Words:
    """``re.compile(source, re.IGNORECASE)``, searched faster: finditer, search and findall give
    the same matches. ``required``: strings (lower case) one of which every match contains."""

    def __init__(self, source: str, required: frozenset[bytes] | None = None,
                 alternatives: tuple[str, ...] | None = None, texts: str = "content"):
        self._catalogue = _catalogue(texts)  # ``texts``: what kind of text it reads (see _CATALOGUES)
        self.pattern = re.compile(source, re.IGNORECASE)
        self._source = source
        self._guard: re.Pattern | None = None
        self._starts: re.Pattern | None = None  # the guard's first characters alone
        self._lead: int | None = None  # the most characters a match takes before its required string
        self._required = required
        self._numbers: tuple[int, ...] = ()  # the required strings' numbers in its catalogue
        # Working out the guard and the required strings costs ~2 ms a list, more than a plain scan
        # of one ordinary mail: a single check (every start-up) scans plainly, and the speed-ups are
        # built once a process has scanned enough text to gain from them (a folder, a mailbox).
        self._alternatives = alternatives
        self._built = False
        self._scanned = 0

    def _plain_for(self, text: str) -> bool:
        if self._built:
            return False
        self._scanned += len(text)
        if self._scanned < BUILD_AFTER:
            return True
        guard = _guard(self._source)
        if guard is not None:
            self._guard, self._starts = guard
        if self._alternatives is not None:
            required = _required_of(self._alternatives)
            self._required, self._lead = required if required is not None else (None, None)
        if self._required is not None:
            self._numbers = self._catalogue.numbers(self._required)
        self._built = True
        return False

    def finditer(self, text: str) -> Iterator[re.Match]:
        if self._plain_for(text):
            yield from self.pattern.finditer(text)
            return
        places = None
        if self._required is not None:
            places = self._catalogue.places(text)
            if not places.dense and not any(number in places.found for number in self._numbers):
                return  # most text holds none of the words: no scan at all
        if self._guard is None:
            yield from self.pattern.finditer(text)
            return
        if places is not None and not places.dense and self._lead is not None:
            yield from self._near(text, places)
            return
        position = 0
        while True:
            start = self._guard.search(text, position)
            if start is None:
                return
            found = self.pattern.match(text, start.start())
            if found is None:  # cannot happen: the guard ran the same words there
                position = start.start() + 1
                continue
            yield found
            position = found.end()  # never empty: the guard is only built for words that consume

    def _near(self, text: str, places: _Places) -> Iterator[re.Match]:
        """The matches, tried only where one can start: every match holds a required string and
        starts at most ``_lead`` characters before it (a long mail with a word or two in it was
        scanned whole from every character the guard lets through)."""
        lead = self._lead
        starts = sorted((max(0, start - lead), start) for number in self._numbers
                        for start, _ in places.found.get(number, ()))
        windows: list[list[int]] = []  # where matches may start, first to last (both included)
        for low, high in starts:
            if windows and low <= windows[-1][1] + 1:
                windows[-1][1] = max(windows[-1][1], high)
            else:
                windows.append([low, high])
        position = 0
        for low, high in windows:
            position = max(position, low)
            while position <= high:
                candidate = self._starts.search(text, position, high + 1)
                if candidate is None:
                    break
                found = self.pattern.match(text, candidate.start())
                if found is None:
                    position = candidate.start() + 1
                    continue
                yield found
                position = found.end()  # never empty: the guard is only built for words that consume

    def search(self, text: str) -> re.Match | None:
        return next(iter(self.finditer(text)), None)

    def sub(self, replacement: str, text: str) -> str:
        """``re.sub(pattern, replacement, text)`` for a plain replacement (no group references)."""
        if "\\" in replacement:
            return self.pattern.sub(replacement, text)
        pieces, last = [], 0
        for found in self.finditer(text):
            pieces += [text[last:found.start()], replacement]
            last = found.end()
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)

    def findall(self, text: str) -> list:
        groups = self.pattern.groups
        if groups == 0:
            return [found.group(0) for found in self.finditer(text)]
        if groups == 1:
            return [found.group(1) or "" for found in self.finditer(text)]
        return [found.groups("") for found in self.finditer(text)]


@cache
def words(alternatives: tuple[str, ...], texts: str = "content") -> Words:
    """Any of ``alternatives`` (regular expressions), case-insensitive; ``texts``: what it reads."""
    return Words("|".join(f"(?:{word})" for word in alternatives), alternatives=alternatives, texts=texts)
