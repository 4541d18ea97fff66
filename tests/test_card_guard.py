"""The full-card-number guard, as a property: however a holder writes a 13-19 digit number, in any
free-text field of any entry point, it is refused, and the refusal never repeats the digits."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardguard.errors import UserError
from cardguard.wallet.guard import has_card_number, has_security_code, refuse_card_data

SEPARATORS = [" ", "-", ".", "_", "/", "  ", " - ", "\u3000", "－", "．", "＿", "／", "‐", "ー"]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def written_card_numbers(draw):
    """A 13-19 digit number (Luhn or not) grouped and separated as people type it."""
    digits = draw(st.text("0123456789", min_size=13, max_size=19))
    groups, rest = [], digits
    while rest:
        size = draw(st.integers(1, 6))
        groups.append(rest[:size])
        rest = rest[size:]
    sep = draw(st.sampled_from(SEPARATORS))
    text = sep.join(groups)
    if draw(st.booleans()):
        text = text.translate(FULL_WIDTH)
    return digits, text


surrounding = st.text(alphabet=st.sampled_from(list("abc xyzメモカード番号は:（）")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(written_card_numbers(), surrounding, surrounding)
def test_any_written_card_number_is_refused_and_never_repeated(number, before, after):
    digits, text = number
    value = f"{before}{text}{after}"
    # Only a run that stands alone: a letter-free digit right beside it would make it a longer run.
    assert has_card_number(value)
    with pytest.raises(UserError) as caught:
        refuse_card_data("notes", value)
    for lang in ("ja", "en"):
        message = caught.value.message(lang)
        assert digits not in message and text not in message and digits[-8:] not in message
        assert ("notes" in message) or ("メモ" in message)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["CVV", "cvc", "CID", "CVV2", "セキュリティコード", "セキュリティーコード", "ｾｷｭﾘﾃｨｺｰﾄﾞ"]),
       st.sampled_from([" ", ": ", "：", "=", "は", " is ", ""]), st.text("0123456789", min_size=3, max_size=4),
       surrounding)
def test_a_security_code_beside_its_label_is_refused(label, joiner, code, before):
    value = f"{before} {label}{joiner}{code} ok"
    assert has_security_code(value)
    with pytest.raises(UserError) as caught:
        refuse_card_data("notes", value)
    assert caught.value.key == "error.security_code_refused"


@pytest.mark.parametrize("text", [
    "0120-020120", "+44-20-7946-0000", "03-1234-5678 / 0120-020120", "REF-20251125-01", "2025-12-05 2026-01-05",
    "¥1,490", "会員番号 12345678", "cvv is printed on the back", "1005", "2025年12月1日 2026年1月1日",
    "Acid 1234",  # "cid" inside a word is not a label
])
def test_ordinary_notes_are_kept(text):
    assert not has_card_number(text) and not has_security_code(text)
    refuse_card_data("notes", text)


def test_nfkc_is_only_for_reading():
    # The guard reads full-width digits as digits; the stored text is what was typed (see wallet values).
    assert has_card_number(unicodedata.normalize("NFC", "４２４２４２４２４２４２４２４２"))


# Every free-text entry point, end to end: the number is refused there, and nothing reaches the disk.
TYPED = "4242.4242.4242.4241"  # one digit off a real test number: fails Luhn, still a card number


@pytest.mark.parametrize("args", [
    ["cards", "add", "--nickname", f"card {TYPED}", "--last4", "4242"],
    ["cards", "edit", "seed", "--nickname", f"x {TYPED.replace('.', '_')}"],
    ["services", "add", "Shop", "--notes", f"paid with {TYPED.replace('.', '/')}"],
    ["services", "add", "Shop", "--category", "cvv 123"],
    ["services", "add", "Shop", "--notes", "セキュリティーコード：123"],
    ["services", "edit", "Seeded", "--notes", TYPED.translate(FULL_WIDTH)],
    ["incident", "log", "--note", f"card {TYPED}"],
    ["incident", "log", "--note", "CVV2 1234"],
    ["incident", "log", "--call", "0120-020120", "--agreed", f"new card {TYPED}"],
    ["incident", "log", "--call", "0120-020120", "--answered-by", "cvc: 123"],
    ["incident", "step", "police", "--skip", f"{TYPED}"],
    ["incident", "close", "--yes", "--summary", f"{TYPED}"],
    ["reissue", "seed", "--last4", "2222", "--expiry", TYPED],
])
def test_every_entry_point_refuses(cardguard, profile, args):
    assert cardguard("cards", "add", "--nickname", "seed", "--last4", "0005").code == 0
    assert cardguard("services", "add", "Seeded", "--card", "seed").code == 0
    assert cardguard("incident", "start", "--kind", "unknown-code").code == 0
    for lang in ("en", "ja"):
        run = cardguard(*args, "--lang", lang)
        assert run.code == 2, (run.out, run.err)
        assert "Traceback" not in run.err
        assert "4242" not in run.err and "123" not in run.err.replace("0120", "")
        assert ("card number" in run.err or "security code" in run.err) if lang == "en" else \
            ("カード番号" in run.err or "セキュリティコード" in run.err)
    # Every form the number was typed in, whole: a bare "4242" also turns up in the database's own
    # bytes (a timestamp's digits), which made this test fail now and then.
    typed = [TYPED, TYPED.replace(".", "_"), TYPED.replace(".", "/"), TYPED.translate(FULL_WIDTH), TYPED.replace(".", ""),
             "CVV2 1234", "cvv 123", "セキュリティーコード：123", "cvc: 123"]
    for path in (profile / "data").iterdir():
        content = path.read_bytes()
        assert not [form for form in typed if form.encode() in content], path


def test_import_refuses_every_separator_style(cardguard, tmp_path):
    for sep in ("_", ".", "/", "－"):
        number = sep.join(["4242", "4242", "4242", "4241"])
        path = tmp_path / "s.csv"
        path.write_text(f"サービス名,メモ\nNetflix,{number}\n", encoding="utf-8")
        run = cardguard("services", "import", str(path))
        assert run.code != 0 and "card number" in run.err and "4242" not in run.err
