"""Which UN M49 subregion a country lies in, from a maintained dataset rather than a hand list.

The data is the country_converter package's own table (country_data.tsv, columns ISO2, name_short,
UNregion). It is read as a file: importing the package would load pandas, which a holder abroad
asking for a phone number should not wait for.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from cardguard.directory.lookup import normalize


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2
    name: str  # short English name, as the dataset writes it
    un_region: str  # M49 subregion ("Western Asia"); empty where the dataset gives none


@cache
def countries() -> dict[str, Country]:
    text = resources.files("country_converter").joinpath("country_data.tsv").read_text(encoding="utf-8")
    out: dict[str, Country] = {}
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        code = (row.get("ISO2") or "").strip().upper()
        if len(code) == 2 and code not in out:
            out[code] = Country(code, row["name_short"].strip(), (row.get("UNregion") or "").strip())
    return out


def find_country(given: str) -> Country | None:
    """A country by its two-letter code or its English short name."""
    wanted = normalize(given)
    table = countries()
    if wanted.upper() in table:
        return table[wanted.upper()]
    if wanted == "uk":
        return table.get("GB")
    return next((c for c in table.values() if normalize(c.name) == wanted), None)


def un_regions() -> set[str]:
    return {c.un_region for c in countries().values() if c.un_region}
