"""The statement layouts, read from layouts.toml (data a maintainer corrects without code)."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

FIELDS = ("date", "merchant", "amount", "foreign")
REQUIRED = ("date", "merchant", "amount")
# Formats a mapped (unknown) layout's dates are tried in: what Japanese statements write.
COMMON_DATE_FORMATS = ("%Y/%m/%d", "%Y-%m-%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d", "%y%m%d", "%y/%m/%d")


def cell_key(text: str) -> str:
    """A header cell as compared: width, case and spaces do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class Layout:
    id: str
    name_ja: str
    name_en: str
    source: str
    header: tuple[str, ...] = ()
    no_header: bool = False
    first_line: re.Pattern | None = None
    start_marker: str | None = None
    stop_markers: tuple[str, ...] = ()
    columns: tuple[tuple[str, str | int], ...] = ()
    date_formats: tuple[str, ...] = COMMON_DATE_FORMATS
    not_merchants: tuple[str, ...] = ()

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en

    @property
    def column_map(self) -> dict[str, str | int]:
        return dict(self.columns)


def cell_matches(wanted: str, cell: str) -> bool:
    """A header cell: the same text, or (for a name ending in "*") one starting with it."""
    if wanted.endswith("*"):
        return cell_key(cell).startswith(cell_key(wanted[:-1]))
    return cell_key(cell) == cell_key(wanted)


def _layout(layout_id: str, entry: dict) -> Layout:
    columns = entry.get("columns", {})
    unknown = set(columns) - set(FIELDS)
    missing = set(REQUIRED) - set(columns)
    if unknown or missing:
        raise ValueError(f"layout {layout_id}: columns {sorted(unknown)} unknown, {sorted(missing)} missing")
    if not entry.get("source"):
        raise ValueError(f"layout {layout_id}: every layout names its source")
    return Layout(
        id=layout_id, name_ja=entry["name"]["ja"], name_en=entry["name"]["en"], source=entry["source"],
        header=tuple(entry.get("header", ())), no_header=bool(entry.get("no_header", False)),
        first_line=re.compile(entry["first_line"]) if entry.get("first_line") else None,
        start_marker=entry.get("start_marker"), stop_markers=tuple(entry.get("stop_markers", ())),
        columns=tuple(columns.items()), date_formats=tuple(entry.get("date_formats", COMMON_DATE_FORMATS)),
        not_merchants=tuple(entry.get("not_merchants", ())))


@cache
def known_layouts() -> tuple[Layout, ...]:
    data = tomllib.loads((Path(__file__).parent / "layouts.toml").read_text(encoding="utf-8"))
    return tuple(_layout(layout_id, entry) for layout_id, entry in data.items())


def mapped_layout(mapping: dict[str, str]) -> Layout:
    """A layout the holder described with --map COLUMN=field (for a file no known layout fits)."""
    return Layout(id="mapped", name_ja="列の指定（--map）", name_en="columns given with --map",
                  source="--map", header=tuple(mapping.values()),
                  columns=tuple((field, column) for field, column in mapping.items()))
