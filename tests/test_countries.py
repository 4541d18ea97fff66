"""The shipped UN M49 table (directory/data/m49.json) that places a holder abroad in a region.

It is generated from the country_converter package, which is only a development dependency (it
brings pandas and numpy): these tests hold the table equal to that package for every country, and
check that asking for a line abroad loads none of it."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from importlib import resources

import pytest

from cardguard.directory.countries import M49_SOURCE_URL, countries, find_country, un_regions
from cardguard.directory.load import load_directory

AT = "2026-11-30T10:00:00+09:00"


def country_converter_rows() -> list[dict[str, str]]:
    # The package's own data file, read here independently of the generator.
    text = resources.files("country_converter").joinpath("country_data.tsv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text), delimiter="\t"))


def test_every_country_of_country_converter_is_shipped_as_it_says():
    rows = country_converter_rows()
    checked = set()
    for row in rows:
        # An ISO2 cell is a code ("FR") or, for a few, a pattern naming the code first ("^GB$|^UK$").
        named = [part.strip("^$") for part in row["ISO2"].split("|") if part.strip("^$")]
        if not named:
            continue  # areas with no ISO code (Channel Islands, Zanzibar): not a --country answer
        for given in named:
            found = find_country(given)
            assert found is not None, (given, row["name_short"])
            assert found.code == named[0], given
            assert (found.iso3, found.name, found.un_region) == (row["ISO3"], row["name_short"], row["UNregion"]), given
            assert found.m49 == (row["UNcode"].zfill(3) if row["UNcode"] else ""), given
            checked.add(found.code)
    # Nothing shipped that the package does not have.
    assert checked == set(countries())
    assert len(checked) > 240


def test_the_table_names_the_un_statistics_division_as_its_source():
    shipped = json.loads(resources.files("cardguard.directory").joinpath("data", "m49.json").read_text(encoding="utf-8"))
    assert shipped["source_url"] == M49_SOURCE_URL == "https://unstats.un.org/unsd/methodology/m49/overview/"
    import country_converter

    assert f"country_converter package {country_converter.__version__}" in shipped["generated_from"]


def test_every_region_the_directory_names_is_an_m49_subregion_of_the_table():
    named = {region for issuer in load_directory().issuers.values() for table in issuer.data.tables
             for row in table.rows for region in row.un_regions}
    assert named and named <= un_regions(), sorted(named - un_regions())


@pytest.mark.parametrize(("given", "code", "name", "first_number"), [
    # Greece and the United Kingdom are written as patterns in country_converter's ISO2 column; they
    # were once read as no code at all ("Unknown country: GB" while listing GB as a choice).
    ("GR", "GR", "Greece", "44-20-8840-6462"),
    ("Greece", "GR", "Greece", "44-20-8840-6462"),
    ("EL", "GR", "Greece", "44-20-8840-6462"),  # the EU's code for Greece
    ("GB", "GB", "United Kingdom", "0800-824-482"),
    ("United Kingdom", "GB", "United Kingdom", "0800-824-482"),
    ("FR", "FR", "France", "0800-90-86-29"),
    ("KE", "KE", "Kenya", "44-20-8840-6462"),  # Eastern Africa: the UK centre's region
])
def test_a_holder_abroad_gets_the_line_for_where_they_are(cardguard, given, code, name, first_number):
    run = cardguard("contacts", "--card", "amex-gold", "--country", given, "--at", AT, "--json")
    assert run.code == 0, run.out + run.err
    answer = run.json()
    assert (answer["country"], answer["country_name"], answer["abroad"]) == (code, name, True)
    assert answer["calls"][0]["number"] == first_number


def test_asking_abroad_loads_neither_country_converter_nor_pandas(profile):
    probe = ("import runpy, sys\n"
             "sys.argv = ['cardguard', 'contacts', '--card', 'amex-gold', '--country', 'KE', '--json']\n"
             "try:\n    runpy.run_module('cardguard', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "sys.__stderr__.write('\\nLOADED ' + ' '.join(sorted({m.split('.')[0] for m in sys.modules})) + '\\n')\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=120,
                          env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": ""})
    out = json.loads(proc.stdout)
    assert out["country_name"] == "Kenya"
    loaded = set(proc.stderr.decode().rsplit("LOADED ", 1)[-1].split())
    assert "cardguard" in loaded
    assert not loaded & {"country_converter", "pandas", "numpy"}, sorted(loaded & {"country_converter", "pandas", "numpy"})
