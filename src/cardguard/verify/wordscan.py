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


def _guard(source: str) -> re.Pattern | None:
    """A pattern that matches one character exactly where ``source`` (IGNORECASE) can match, found
    through a plain character class that `re` scans fast; None when that cannot be worked out."""
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
        return re.compile(f"[{starts}](?<=(?=(?i:{source})).)", re.DOTALL)
    except (_Unknown, re.error, RecursionError, OverflowError):
        return None


def _required(items) -> set[str] | None:
    """Strings, lower case, one of which every match of ``items`` contains as written (case aside):
    the longest run of plain characters, or each alternative's own. None when there is none."""
    best, run = "", ""
    for op, value in items:
        if op is sre.LITERAL and (value < 0x80 or not _sre.unicode_iscased(value)):
            run += chr(value).lower()
            best = max(best, run, key=len)
        else:
            run = ""
    if len(best) >= 2:
        return {best}
    for op, value in items:
        if op is sre.BRANCH:
            found: set[str] = set()
            for alternative in value[1]:
                inner = _required(alternative)
                if inner is None:
                    return None
                found |= inner
            return found
    return None


def _required_of(alternatives: tuple[str, ...]) -> frozenset[bytes] | None:
    found: set[str] = set()
    try:
        for word in alternatives:
            inner = _required(_parser.parse(word, re.IGNORECASE))
            if inner is None:
                return None
            found |= inner
    except (re.error, RecursionError, OverflowError):
        return None
    return frozenset(word.encode("utf-8", "surrogatepass") for word in found)


# IGNORECASE matches these to an ASCII letter; lowering ASCII letters does not.
_TO_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
# The last text folded and its fold, as one tuple replaced whole: several lists are looked for in one
# text, and a check in another thread never reads one text's fold for another's.
_FOLDED: tuple = (None, b"")


def _folded(text: str) -> bytes:
    """``text`` in UTF-8 with its ASCII letters lowered (a required string is ASCII or has no case;
    a match of one in UTF-8 is a match in the text). Not str.lower(), which for a long Japanese text
    takes twelve bytes a character of memory for a moment."""
    global _FOLDED
    last = _FOLDED
    if last[0] is text:
        return last[1]
    folded = text.translate(_TO_ASCII) if any(char in text for char in FOLDS_TO_ASCII) else text
    folded_bytes = folded.encode("utf-8", "surrogatepass").lower()
    _FOLDED = (text, folded_bytes)
    return folded_bytes


class Words:
    """``re.compile(source, re.IGNORECASE)``, searched faster: finditer, search and findall give
    the same matches. ``required``: strings (lower case) one of which every match contains."""

    def __init__(self, source: str, required: frozenset[bytes] | None = None):
        self.pattern = re.compile(source, re.IGNORECASE)
        self._guard = _guard(source)
        self._required = required

    def finditer(self, text: str) -> Iterator[re.Match]:
        if self._required is not None:
            folded = _folded(text)
            if not any(word in folded for word in self._required):
                return  # most text holds none of the words: no scan at all
        if self._guard is None:
            yield from self.pattern.finditer(text)
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
def words(alternatives: tuple[str, ...]) -> Words:
    """Any of ``alternatives`` (regular expressions), case-insensitive."""
    return Words("|".join(f"(?:{word})" for word in alternatives), _required_of(alternatives))
