"""An email in, a verdict out: authentication re-checked, identity, links, recipient and content."""

from cardguard.verify.check import CheckOptions, check_message
from cardguard.verify.model import Finding, Verdict

__all__ = ["CheckOptions", "Finding", "Verdict", "check_message"]
