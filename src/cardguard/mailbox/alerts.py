"""What the holder reads the moment an issuer's mail lands: one line in their language, and where it
is sent (desktop, ntfy push). An alert carries no card number and no code: only the verdict, the
issuer's name and the number to call from the directory."""

from __future__ import annotations

import re
import sys

from cardguard.i18n import Lang, t
from cardguard.verify.model import Verdict

# Names issuers give their one-time-code service, shown instead of "one-time code" when the subject
# names one (the seed's mail: "SafeKey認証コードをお送りします").
CODE_NAMES = ("SafeKey",)


def alert_line(verdict: Verdict, lang: Lang) -> str | None:
    """The one line, or None for mail that claims no issuer and is not phishing."""
    issuer = verdict.issuer_name(lang) if verdict.issuer_name else ""
    if verdict.verdict == "phishing":
        return t("mail.alert.phishing", lang, issuer=issuer)
    if verdict.verdict == "suspicious":
        return t("mail.alert.suspicious", lang, issuer=issuer)
    if verdict.verdict != "genuine":
        return None
    if not verdict.otp.detected:
        return t("mail.alert.genuine", lang, issuer=issuer)
    name = next((n for n in CODE_NAMES if re.search(re.escape(n), verdict.subject, re.IGNORECASE)),
                None) or t("mail.alert.code_generic", lang)
    if not verdict.calls:
        return t("mail.alert.genuine_code_nocall", lang, code_name=name, issuer=issuer)
    call = verdict.calls[0].call  # the core's answer, with its state at the moment of the check
    hours = t("mail.alert.hours_always", lang) if call.always_open else call.hours(lang)
    return t("mail.alert.genuine_code", lang, code_name=name, number=call.number, hours=hours)


def push_ntfy(url: str, line: str, verdict: str, timeout: float = 10.0) -> bool:
    """POST the line to the holder's ntfy topic. False (never an exception) when it did not arrive."""
    import httpx

    priority = {"phishing": "high", "genuine": "urgent"}.get(verdict, "default")
    try:
        response = httpx.post(url, content=line.encode("utf-8"),
                              headers={"Priority": priority, "Tags": "credit_card", "Title": "cardguard"},
                              timeout=timeout)
        return response.status_code < 300
    except httpx.HTTPError:
        return False


class Desktop:
    """Desktop notifications, given up quietly (once, with a note) where there is no desktop."""

    def __init__(self) -> None:
        self.notifier = None
        self.failed = False
        self.told = False  # the holder was told once that there is no desktop

    def send(self, title: str, line: str) -> bool:
        if self.failed:
            return False
        try:
            if self.notifier is None:
                from desktop_notifier import DesktopNotifierSync

                self.notifier = DesktopNotifierSync(app_name="cardguard")
            self.notifier.send(title=title, message=line)
            return True
        except Exception:  # noqa: BLE001 - no D-Bus session, no notification centre: no desktop
            self.failed = True
            return False


def warn(message: str) -> None:
    from cardguard.output import visible

    print(visible(message), file=sys.stderr, flush=True)  # it may quote a mail's subject or sender
