"""Issuer data: whom to call, for which card and purpose, and whether they answer right now.

Front ends ask one question, ``whom_to_call`` (directory/calls.py), and render its ``CallAnswer``.
"""

from cardguard.directory.calls import Call, CallAnswer, HolderCard, calls_for_cards, whom_to_call
from cardguard.directory.hours import LineStatus, status_at
from cardguard.directory.load import Directory, load_directory
from cardguard.directory.lookup import ContactLine, find_lines
from cardguard.directory.schema import PURPOSES

__all__ = [
    "Call",
    "CallAnswer",
    "ContactLine",
    "Directory",
    "HolderCard",
    "LineStatus",
    "PURPOSES",
    "calls_for_cards",
    "find_lines",
    "load_directory",
    "status_at",
    "whom_to_call",
]
