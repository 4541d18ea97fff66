"""What the message says: a one-time code, requests a card company never makes, pressure, and
attachments that run code. Patterns live in data/rules.toml."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources
from pathlib import PurePosixPath

from cardguard.verify.message import Attachment
from cardguard.verify.model import Finding, Otp, finding
from cardguard.verify.wordscan import Words, words

_CODE = re.compile(r"(?<![\d/.,\-年月])(\d{4,8})(?![\d/:.,\-年月日時分])")


@cache
def rules() -> dict:
    text = resources.files("cardguard.verify").joinpath("data/rules.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _pattern(alternatives: tuple[str, ...]) -> Words:
    """Any of the words, case-insensitive: ``re``'s own matches, found without trying every word at
    every position of a long text (wordscan.py)."""
    return words(alternatives)


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def mask(code: str) -> str:
    return code[:2] + "*" * (len(code) - 2)


def _codes(text: str) -> list[str]:
    """The one-time codes in ``text`` (already NFKC-normalized): a number right after a code keyword."""
    keywords = _pattern(tuple(rules()["otp"]["keywords"]))
    found = []
    for match in keywords.finditer(text):
        code = _CODE.search(text[match.end(): match.end() + 120])
        if code:
            found.append(code.group(1))
    return list(dict.fromkeys(found))


_DIGITS = re.compile(r"(?<![0-9０-９])[0-9０-９]{4,8}(?![0-9０-９])")


def mask_codes(text: str) -> str:
    """``text`` with every one-time code in it masked the way the verdict masks it (``48****``),
    wherever it appears and however its digits are written (full-width too). Everything a
    verdict shows of the message's own words (its text, its subject) goes through this first."""
    codes = set(_codes(normalize(text)))
    if not codes:
        return text
    return _DIGITS.sub(lambda m: mask(m.group(0)) if normalize(m.group(0)) in codes else m.group(0), text)


def find_otp(text: str) -> Otp:
    otp_rules = rules()["otp"]
    keywords = _pattern(tuple(otp_rules["keywords"]))
    for match in keywords.finditer(text):
        window = text[match.end(): match.end() + 120]
        code = _CODE.search(window)
        if code:
            return Otp(True, mask(code.group(1)), _labelled(text, otp_rules["merchant"]), _amount(text, otp_rules["amount"]))
    if keywords.search(text):
        return Otp(True, None, _labelled(text, otp_rules["merchant"]), _amount(text, otp_rules["amount"]))
    return Otp(False)


def _labelled(text: str, labels: list[str]) -> str | None:
    found = re.search(rf"(?:{'|'.join(labels)})\s*[:：]\s*([^\r\n]{{1,80}})", text, re.IGNORECASE)
    return found.group(1).strip() if found else None


def _amount(text: str, labels: list[str]) -> str | None:
    labelled = _labelled(text, labels)
    if labelled and re.search(r"\d", labelled):
        return labelled
    found = _AMOUNT.search(text)
    return found.group(0) if found else None


# A sum of money written in the text. "円" after digits is tried only where a run of digits starts: tried
# at every digit, a long run with no 円 after it was read again from each (minutes for 30,000 digits).
# The leftmost match is the same: where a run matches from inside, it matches from its start.
_AMOUNT = re.compile(r"(?:[¥￥]\s?[\d,]+|(?<![\d,])[\d,]+\s?円|JPY\s?[\d,.]+|USD\s?[\d,.]+|\$\s?[\d,.]+)")


def requests(text: str) -> list[tuple[str, str]]:
    """(kind, the words that ask) for each kind of data the message asks for."""
    request = rules()["request"]
    verbs = _pattern(tuple(request["verbs"]))
    window = int(request["window"])
    found = []
    for kind, nouns in request["nouns"].items():
        for match in _pattern(tuple(nouns)).finditer(text):
            around = text[max(0, match.start() - window): match.end() + window]
            if verbs.search(around):
                found.append((kind, " ".join(around.split())))
                break
    return found


def content_findings(subject: str, body: str) -> tuple[Otp, list[Finding]]:
    text = normalize(f"{subject}\n{body}")
    out: list[Finding] = []
    otp = find_otp(text)
    if otp.detected:
        # A code the rules could not pick out is said in words, not as a placeholder.
        out.append(finding("content.otp", "info", otp.code, code=otp.code) if otp.code
                   else finding("content.otp_no_code", "info"))
    for kind, words in requests(text):
        out.append(finding(f"content.asks_{kind}", "warn", words[:160]))
    urgency = _pattern(tuple(rules()["urgency"]["phrases"])).findall(text)
    if urgency:
        phrases = sorted({u if isinstance(u, str) else u[0] for u in urgency})[:5]
        out.append(finding("content.urgency", "warn", "、".join(phrases), phrases=", ".join(phrases)))
    return otp, out


def attachment_findings(attachments: list[Attachment]) -> list[Finding]:
    kinds = rules()["attachments"]
    out: list[Finding] = []
    for item in attachments:
        name = item.filename.lower().strip().rstrip(".")
        suffixes = [s.lstrip(".") for s in PurePosixPath(name).suffixes]
        extension = suffixes[-1] if suffixes else ""
        if extension in kinds["dangerous"] or item.content_type in ("text/html", "application/x-msdownload",
                                                                    "application/x-msdos-program", "application/hta"):
            out.append(finding("attachment.dangerous", "bad", item.filename, name=item.filename or item.content_type))
        elif extension in kinds["macro"]:
            out.append(finding("attachment.macro", "warn", item.filename, name=item.filename))
        elif extension in kinds["archive"]:
            out.append(finding("attachment.archive", "warn", item.filename, name=item.filename))
        if len(suffixes) >= 2 and suffixes[-2] in ("pdf", "doc", "docx", "xls", "xlsx", "jpg", "png", "txt") \
                and extension in kinds["dangerous"]:
            out.append(finding("attachment.double_extension", "bad", item.filename, name=item.filename))
    return out
