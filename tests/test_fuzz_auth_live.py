"""`check` on its live path against a DNS server serving hostile answers, with mutated
authentication headers (issue 12, "Fuzzing that stays"). CI-sized; `python3 tasks.py bench fuzz-auth N`
runs the same generator deeper. A crash is a traceback, a finding that does not render, `genuine`
without established authentication, or a check slower than its budget (see authfuzz.run_one).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import authfuzz
from cardguard.directory import load_directory
from mailkit import Key, dns_server


class DataChooser:
    def __init__(self, data) -> None:
        self.data = data

    def choice(self, options):
        return self.data.draw(st.sampled_from(list(options)))

    def integer(self, low: int, high: int) -> int:
        return self.data.draw(st.integers(low, high))


@pytest.fixture(scope="module")
def live():
    keys = {"amex": Key(2048)}
    with dns_server(authfuzz.world(keys)) as address:
        yield authfuzz.base_mails(keys), address, load_directory(with_user_files=False)


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_dns_and_mutated_headers_never_crash_or_pass(live, data):
    bases, address, directory = live
    chooser = DataChooser(data)
    raw = authfuzz.mutate(chooser.choice(bases), chooser)
    assert authfuzz.run_one(raw, directory, address) is None


def test_the_bases_are_genuine(live):
    # The fuzz starts from mail that is genuine, so "never genuine unless established" means something.
    bases, address, directory = live
    from cardguard.verify import check_message

    for raw in bases:
        assert check_message(raw, directory, authfuzz.options(address)).verdict == "genuine"
