"""The database: models, migrations, and opening it safely."""

from cardguard.store.db import Store, database_url
from cardguard.store.models import Card, Checklist, ChecklistItem, Service

__all__ = ["Card", "Checklist", "ChecklistItem", "Service", "Store", "database_url"]
