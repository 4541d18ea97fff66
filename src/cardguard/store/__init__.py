"""The database: models, migrations, and opening it safely."""

from __future__ import annotations

# Names load on first use (PEP 562): the read-only path (store/read.py) lives in this package and
# must not pull SQLAlchemy and Alembic in with it.
_LAZY = {"Store": "db", "database_url": "db", "Card": "models", "Checklist": "models",
         "ChecklistItem": "models", "Service": "models"}
__all__ = list(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"cardguard.store.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'cardguard.store' has no attribute {name!r}")
