"""Issuer data: whom to call, for which card and purpose, and whether they answer right now."""

from cardguard.directory.hours import LineStatus, status_at
from cardguard.directory.load import Directory, load_directory
from cardguard.directory.lookup import ContactLine, find_lines
from cardguard.directory.schema import PURPOSES

__all__ = [
    "ContactLine",
    "Directory",
    "LineStatus",
    "PURPOSES",
    "find_lines",
    "load_directory",
    "status_at",
]
