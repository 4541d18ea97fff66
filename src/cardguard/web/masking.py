"""The one-time code, masked wherever a page shows the mail (subject, text, preview).

verify.content masks the code it reports; the mail's own words still hold it whole. Until the core
offers a masking of whole texts, this helper finds the same codes with the same rules and masks them.
"""

from __future__ import annotations

from cardguard.verify import content


def codes_in(text: str) -> set[str]:
    """Every code that follows a one-time-code keyword, as content.find_otp reads them."""
    normalized = content.normalize(text)
    keywords = content._pattern(tuple(content.rules()["otp"]["keywords"]))
    found = set()
    for match in keywords.finditer(normalized):
        code = content._CODE.search(normalized[match.end(): match.end() + 120])
        if code:
            found.add(code.group(1))
    return found


_WIDE = str.maketrans("0123456789", "０１２３４５６７８９")


def mask_codes(texts: list[str]) -> list[str]:
    """The texts with every one-time code found in any of them masked (a subject's code masks the body's);
    nothing else in them changes."""
    codes = set()
    for text in texts:
        codes |= codes_in(text)
    out = []
    for text in texts:
        for code in sorted(codes, key=len, reverse=True):
            text = text.replace(code, content.mask(code)).replace(code.translate(_WIDE), content.mask(code))
        out.append(text)
    return out
