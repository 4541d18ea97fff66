"""Errors a user can act on: each carries a message key, so it is shown in the user's language."""

from __future__ import annotations

from cardguard.i18n import Lang, Text, catalog, t


class AsWritten(str):
    """A name shown exactly as the user wrote it (a column of their own file), never translated."""


class UserError(Exception):
    """Bad input or an unusable environment; shown as a message, never as a traceback."""

    exit_code = 2

    def __init__(self, key: str, /, *, details: list[str] | None = None, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
        self.details = details or []

    def message(self, lang: Lang) -> str:
        # A value named "x_key" is itself a message key, shown in the same language as "x"; a Text
        # (a phrase in both languages) is shown in the reader's.
        values = {name[:-4] if name.endswith("_key") else name: t(value, lang) if name.endswith("_key")
                  else value(lang) if isinstance(value, Text) else value
                  for name, value in self.values.items()}
        # A field is named in the reader's language (支払い設定URL, not payment_url); a column of the
        # user's own file or an option as typed (--last4) has no entry and is shown as it is.
        field = values.get("field")
        if isinstance(field, str) and not isinstance(field, AsWritten) and f"fieldname.{field}" in catalog():
            values["field"] = t(f"fieldname.{field}", lang)
        return t(self.key, lang, **values)

    def details_in(self, lang: Lang) -> list[str]:
        """The details in the reader's language: an entry may be a Text (a plan step's title, say)."""
        return [detail if isinstance(detail, str) else detail(lang) for detail in self.details]

    def as_json(self, lang: Lang) -> dict:
        return {"error": {"code": self.key, "message": self.message(lang), "details": self.details_in(lang)}}


# What the operating system said, in the reader's language: strerror is always English.
_OS_REASONS = {"ENOENT": "missing", "EACCES": "denied", "EPERM": "denied", "EISDIR": "is_folder",
               "ENOTDIR": "not_folder", "ENOSPC": "disk_full", "EROFS": "read_only", "ENAMETOOLONG": "name_too_long",
               "EADDRINUSE": "port_in_use", "EADDRNOTAVAIL": "address_not_here", "ELOOP": "link_loop"}


def os_reason(error: OSError) -> dict:
    """The ``reason`` of a message about a file or a port, as a message key: ``UserError(..., **os_reason(exc))``."""
    import errno

    name = errno.errorcode.get(error.errno or 0, "")
    if name in _OS_REASONS:
        return {"reason_key": f"oserror.{_OS_REASONS[name]}"}
    code = name or type(error).__name__
    return {"reason": Text(ja=t("oserror.other", "ja", code=code), en=t("oserror.other", "en", code=code))}
