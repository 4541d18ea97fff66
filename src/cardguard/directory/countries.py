"""Which UN M49 subregion a country lies in, from a maintained dataset rather than a hand list.

The table ships as data/m49.json (ISO 3166 alpha-2 → alpha-3, M49 code, short English name, M49
subregion), generated from the country_converter package by ``write_m49()``. country_converter itself
is only a development dependency: it brings pandas and numpy, which a holder abroad asking for a
phone number should neither install nor wait for. A test holds the shipped table equal to the package
for every country; regenerate it after upgrading country_converter.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from cardguard.directory.lookup import normalize
from cardguard.values import record

# The UN Statistics Division's own page for M49, the standard the table's codes and regions follow.
M49_SOURCE_URL = "https://unstats.un.org/unsd/methodology/m49/overview/"
# What the table keeps of each row of country_converter's data, in the file's order.
FIELDS = {"iso3": "ISO3", "m49": "UNcode", "name": "name_short", "un_region": "UNregion"}


@record
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # short English name, as the dataset writes it
    un_region: str  # M49 subregion ("Western Asia"); empty where the dataset gives none
    iso3: str = ""  # ISO 3166-1 alpha-3
    m49: str = ""  # M49 numeric code, three digits ("250")


@cache
def _shipped_table() -> dict:
    text = resources.files("cardguard.directory").joinpath("data", "m49.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def countries() -> dict[str, Country]:
    return {code: Country(code, row["name"], row["un_region"], row["iso3"], row["m49"])
            for code, row in _shipped_table()["countries"].items()}


def find_country(given: str) -> Country | None:
    """A country by its two-letter code, its English short name, or its name in Japanese ("タイ")."""
    wanted = normalize(given)
    table = countries()
    if wanted.upper() in table:
        return table[wanted.upper()]
    alias = _shipped_table()["aliases"].get(wanted.upper())
    if alias:
        return table.get(alias)
    found = next((c for c in table.values() if normalize(c.name) == wanted), None)
    if found is None and not wanted.isascii():
        found = next((c for c in table.values() if normalize(country_name(c.code, "ja")) == wanted), None)
    return found


def country_name(code: str, lang: str) -> str:
    """A country as the reader names it ("タイ" in Japanese), from CLDR through Babel; the dataset's
    English short name where CLDR has none."""
    found = countries().get(code.upper())
    english = found.name if found else code
    if lang == "en":
        return english
    return _territories(lang).get(code.upper()) or english


@cache
def _territories(lang: str) -> dict[str, str]:
    from babel import Locale

    return dict(Locale.parse(lang).territories)


def country_label(code: str):
    """The country's name in both languages, for a value worded later in the reader's language."""
    from cardguard.i18n import Text

    return Text(ja=country_name(code, "ja"), en=country_name(code, "en"))


def un_regions() -> set[str]:
    return {c.un_region for c in countries().values() if c.un_region}


def m49_rows_from_country_converter() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Every country of country_converter's data with an ISO alpha-2 code, as the shipped table keeps
    it (the first row wins where a code repeats), and the other two-letter codes it accepts for one
    ("UK" for GB, "EL" for GR). Needs country_converter (a development dependency).

    Its data file is read with the csv module rather than through ``CountryConverter``: that class
    needs pandas, and country_converter 1.3.2 cannot build it under pandas 3 (an empty ISO2 cell
    reaches ``re.compile`` as NaN)."""
    import csv
    import io

    text = resources.files("country_converter").joinpath("country_data.tsv").read_text(encoding="utf-8")
    rows: dict[str, dict[str, str]] = {}
    aliases: dict[str, str] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        # A few ISO2 cells are regular expressions naming the ISO code first: "^GB$|^UK$".
        codes = [part.strip().strip("^$").upper() for part in (row["ISO2"] or "").split("|")]
        codes = [code for code in codes if len(code) == 2 and code.isalnum()]
        if not codes or codes[0] in rows:
            continue
        rows[codes[0]] = {key: (row[column] or "").strip() for key, column in FIELDS.items()}
        if rows[codes[0]]["m49"]:
            rows[codes[0]]["m49"] = rows[codes[0]]["m49"].zfill(3)
        aliases.update({alias: codes[0] for alias in codes[1:]})
    return rows, aliases


def write_m49() -> None:
    """Regenerate data/m49.json from the installed country_converter."""
    from pathlib import Path

    import country_converter

    rows, aliases = m49_rows_from_country_converter()
    head = {"source": "UN Statistics Division: Standard country or area codes for statistical use (M49)",
            "source_url": M49_SOURCE_URL,
            "generated_from": f"the country_converter package {country_converter.__version__} (its "
                              f"country_data.tsv, columns ISO2, {', '.join(FIELDS.values())}); regenerate "
                              "with cardguard.directory.countries.write_m49()",
            "aliases": dict(sorted(aliases.items()))}
    lines = ",\n".join(f"{json.dumps(code)}: {json.dumps(row, ensure_ascii=False)}" for code, row in sorted(rows.items()))
    target = Path(__file__).with_name("data") / "m49.json"
    target.write_text(json.dumps(head, ensure_ascii=False, indent=0)[:-2] + f',\n"countries": {{\n{lines}\n}}\n}}\n',
                      encoding="utf-8")
