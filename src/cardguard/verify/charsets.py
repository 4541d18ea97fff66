"""Which charset a part's bytes are read in: only the encodings of the WHATWG Encoding Standard, the
ones a browser (and so a mail app's HTML view) has, by the labels it knows them by.

Python knows many more codecs, and some are no text encodings at all (rot13, base64, zlib …):
decoding with one of those crashed the check, and decoding with one no mail app has (EBCDIC cp037)
read text the holder never sees, so a link the holder sees went unread."""

from __future__ import annotations

from functools import cache
from importlib import resources

# The Python codec for each WHATWG encoding; "replacement" has none (apps show one U+FFFD).
_PYTHON = {
    "utf-8": "utf-8", "ibm866": "cp866", "iso-8859-8-i": "iso8859-8", "koi8-r": "koi8-r", "koi8-u": "koi8-u",
    "macintosh": "mac-roman", "windows-874": "cp874", "x-mac-cyrillic": "mac-cyrillic", "gbk": "gbk",
    "gb18030": "gb18030", "big5": "big5hkscs", "euc-jp": "euc-jp", "iso-2022-jp": "iso2022-jp",
    "shift_jis": "cp932", "euc-kr": "cp949", "utf-16be": "utf-16-be", "utf-16le": "utf-16-le",
    "x-user-defined": "x-user-defined",
    **{f"iso-8859-{n}": f"iso8859-{n}" for n in (2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16)},
    **{f"windows-{n}": f"cp{n}" for n in range(1250, 1259)},
}
_ASCII_WHITESPACE = "\t\n\f\r "


@cache
def labels() -> dict[str, str]:
    """Every WHATWG label and the encoding it names."""
    text = resources.files("cardguard.verify").joinpath("data/encodings.txt").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            name, *names = line.split()
            out |= {label: name for label in names}
    return out


def codec_for(charset: str) -> str | None:
    """The Python codec a mail app's reading of ``charset`` corresponds to; None when no mail app
    can read it (an unknown label, or one WHATWG reads as unreadable)."""
    label = charset.strip(_ASCII_WHITESPACE).strip('"\'').strip(_ASCII_WHITESPACE).lower()
    return _PYTHON.get(labels().get(label, ""))


@cache
def codepages() -> dict[int, str]:
    """Every Windows code page identifier and the name it goes by (data/codepages.txt)."""
    text = resources.files("cardguard.verify").joinpath("data/codepages.txt").read_text(encoding="utf-8")
    return {int(number): name for number, name in
            (line.split() for line in text.splitlines() if line.strip() and not line.startswith("#"))}


def codec_for_codepage(codepage: int) -> str | None:
    """The Python codec for a Windows code page (as an Outlook .msg names its text's), by the same
    rule as a MIME charset: its name read as a WHATWG label. None when no mail app reads it so (EBCDIC,
    UTF-7, an unknown number)."""
    name = codepages().get(codepage)
    return codec_for(name) if name else None


# A byte-order mark decides over any label (WHATWG Encoding, "decode": BOM sniffing comes first).
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xfe\xff", "utf-16-be"), (b"\xff\xfe", "utf-16-le"))


def bom_codec(payload: bytes) -> str | None:
    """The codec the byte-order mark at the start of ``payload`` names, if it starts with one."""
    return next((codec for mark, codec in _BOMS if payload.startswith(mark)), None)


def decode(payload: bytes, codec: str) -> str:
    """``payload`` decoded strictly with ``codec`` (from ``codec_for``); UnicodeDecodeError if it does not
    fit. A byte-order mark at its start decides instead, as in a browser: UTF-16 written big-endian
    under a `utf-16` label (which names little-endian) is read as the mail app shows it."""
    bom = bom_codec(payload)
    if bom is not None:
        return payload[len(next(mark for mark, named in _BOMS if named == bom)):].decode(bom)
    if codec == "x-user-defined":
        # Its bytes 80-FF are U+F780-U+F7FF (WHATWG §14.5); Python has no codec for it.
        return "".join(chr(byte) if byte < 0x80 else chr(0xF700 + byte) for byte in payload)
    return payload.decode(codec)
