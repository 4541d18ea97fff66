"""An alias counts for the card company it was registered with. Every alias of config.toml and of
every registered card was counted for every company: a mail claiming American Express sent to the
address the holder gave another company read "sent to the address you registered with this card
company", and a misspelt company in config.toml was accepted without a word."""

from __future__ import annotations

from pathlib import Path

from mailkit import message

SHIPPED = Path(__file__).resolve().parents[1] / "src" / "cardguard" / "directory" / "data" / "amex-jp.toml"
OTHER = "other.bank@example.com"


def _other_company(profile: Path) -> None:
    """A second card company the holder added as an issuer file of their own."""
    text = SHIPPED.read_text(encoding="utf-8").replace('id = "amex-jp"', 'id = "other-bank"', 1)
    folder = profile / "config" / "issuers"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "other-bank.toml").write_text(text, encoding="utf-8")


def _codes(run) -> set[str]:
    assert run.code in (0, 1), run
    return {f["code"] for f in run.json()["findings"]}


def test_an_alias_given_to_another_company_is_not_this_companys(cardguard, profile, tmp_path):
    _other_company(profile)
    (profile / "config" / "config.toml").write_text(
        f'[aliases]\nother-bank = ["{OTHER}"]\namex = ["amex.me@example.com"]\n', encoding="utf-8")
    mail = tmp_path / "to-other.eml"
    mail.write_bytes(message(to=OTHER))
    codes = _codes(cardguard("check", "--offline", "--json", str(mail)))
    assert "recipient.alias_match" not in codes and "recipient.other_address" in codes
    # The same address registered with American Express is its alias.
    (profile / "config" / "config.toml").write_text(f'[aliases]\namex = ["{OTHER}"]\n', encoding="utf-8")
    assert "recipient.alias_match" in _codes(cardguard("check", "--offline", "--json", str(mail)))


def test_a_registered_cards_alias_counts_for_its_company_only(cardguard, profile, tmp_path):
    _other_company(profile)
    assert cardguard("cards", "add", "--nickname", "other", "--issuer", "other-bank", "--last4", "1234",
                     "--alias", OTHER).code == 0, "the other company's card"
    assert cardguard("cards", "add", "--nickname", "amex", "--issuer", "amex-jp", "--product", "amex", "--last4", "1005",
                     "--alias", "amex.me@example.com").code == 0
    mail = tmp_path / "to-other.eml"
    mail.write_bytes(message(to=OTHER))
    codes = _codes(cardguard("check", "--offline", "--json", str(mail)))
    assert "recipient.alias_match" not in codes and "recipient.other_address" in codes


def test_a_misspelt_company_or_a_wrong_address_in_config_is_said(cardguard, profile, tmp_path):
    mail = tmp_path / "m.eml"
    mail.write_bytes(message())
    config = profile / "config" / "config.toml"
    config.write_text('tz = "Asia/Tokyo"\n\n[aliases]\njcbb = ["me@example.com"]\n', encoding="utf-8")
    run = cardguard("check", "--offline", "--json", str(mail))
    assert run.code == 2 and "config.toml, line 4, field jcbb: Unknown issuer: jcbb" in run.json()["error"]["message"]
    config.write_text('[aliases]\namex = ["not an address"]\n', encoding="utf-8")
    run = cardguard("check", "--offline", "--lang", "ja", str(mail))
    assert run.code == 2 and "'not an address' はメールアドレスではありません" in run.err, run.err
