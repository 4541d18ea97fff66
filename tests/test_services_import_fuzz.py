"""`services import` under mutation (Hypothesis, CI-sized; benchmarks/imports.py runs it deeper):
every CSV or JSON file, in every encoding the importer accepts, imports or is a clear error in both
languages, and a refused file leaves nothing behind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from imports import ENCODINGS, NASTY, SEEDS  # noqa: E402

from cardguard.directory import load_directory  # noqa: E402
from cardguard.errors import UserError  # noqa: E402
from cardguard.store.db import Store  # noqa: E402
from cardguard.store.models import Service  # noqa: E402
from cardguard.wallet import registry  # noqa: E402
from cardguard.wallet.csvio import import_services  # noqa: E402


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    opened = Store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}")
    with opened.session() as session:
        registry.add_card(session, load_directory(with_user_files=False), {"nickname": "amex", "last4": "1005"})
    yield opened
    opened.close()


@st.composite
def mutated_files(draw) -> bytes:
    encoding = draw(st.sampled_from(ENCODINGS))
    text = draw(st.sampled_from(SEEDS))
    data = bytearray(text.replace("¥", "\\" if encoding == "cp932" else "¥").encode(encoding))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "cut", "flip", "repeat"]))
        if action == "insert":
            data[at:at] = draw(st.sampled_from(NASTY) | st.binary(max_size=12))
        elif action == "cut":
            del data[at:]
        elif action == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif action == "repeat":
            data[at:at] = data[at:at + draw(st.integers(1, 40))] * draw(st.integers(1, 8))
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated_files(), skip=st.booleans(), default_card=st.sampled_from([None, "amex"]))
def test_mutated_imports_import_or_refuse_clearly(store, data, skip, default_card):
    with store.session() as session:
        before = session.scalar(select(func.count(Service.id)))
    try:
        with store.session() as session:
            import_services(session, data, skip_bad_rows=skip, default_card=default_card)
            session.rollback()  # keep the registry as it was for the next case
    except UserError as error:
        for lang in ("ja", "en"):
            assert error.message(lang).strip()
        with store.session() as session:
            assert session.scalar(select(func.count(Service.id))) == before  # nothing half-imported
