"""Which merchants charge a card again and again: the services that hold the card.

Pure. Thresholds follow what others publish (facts/statements.md): a monthly charge needs three
occurrences a month apart (within DAY_TOLERANCE days of the same day) with amounts within
AMOUNT_TOLERANCE, or the same amount in the same foreign currency (a USD subscription's yen amount
moves with the rate); a yearly charge needs two occurrences a year apart (within YEAR_TOLERANCE
days) and at least MIN_YEARLY_HISTORY_MONTHS months of statements, or a year without a charge
could not have been seen."""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

from cardguard.statements.parse import foreign_amount, merchant_name

DAY_TOLERANCE = 5
YEAR_TOLERANCE = 15
AMOUNT_TOLERANCE = Decimal("0.075")
MIN_MONTHLY = 3
MIN_YEARLY = 2
MIN_YEARLY_HISTORY_MONTHS = 13
# A charge this long overdue has probably stopped (cancelled, or moved to another card).
OVERDUE_DAYS = {"monthly": 45, "yearly": 410}
# Amounts are filed in buckets this wide (log scale), so a run is looked for in three buckets only.
_BUCKET = math.log(1 + float(AMOUNT_TOLERANCE))


@dataclass(frozen=True)
class Seen:
    """One charge as recurrence needs it (from a parsed statement or from the database)."""

    charged_on: date
    merchant: str
    merchant_key: str
    amount_text: str
    amount: Decimal
    currency: str = "JPY"
    foreign_text: str | None = None


@dataclass(frozen=True)
class Candidate:
    merchant_key: str
    merchant: str  # as the newest charge wrote it
    cycle: str  # monthly, yearly
    seen: tuple[Seen, ...]
    interval_days: int
    next_charge: date
    confidence: str  # high, medium, low
    notes: tuple[str, ...]  # same_amount, amount_varies, foreign_same, stopped, other_charges

    @property
    def last(self) -> Seen:
        return self.seen[-1]

    @property
    def amount(self) -> tuple[Decimal, str]:
        """What the service charges, in the currency it charges in."""
        foreign = foreign_amount(self.last.foreign_text)
        return foreign if foreign else (self.last.amount, self.last.currency)

    def as_json(self) -> dict:
        amount, currency = self.amount
        return {
            "merchant": self.merchant, "merchant_key": self.merchant_key, "cycle": self.cycle,
            "amount": str(amount), "currency": currency,
            "amount_text": self.last.foreign_text or (f"¥{amount:,.0f}" if amount == amount.to_integral_value()
                                                      else f"¥{amount:,.2f}"),
            "interval_days": self.interval_days, "next_charge": self.next_charge.isoformat(),
            "confidence": self.confidence, "notes": list(self.notes),
            "evidence": [{"date": s.charged_on.isoformat(), "amount": s.amount_text,
                          **({"foreign": s.foreign_text} if s.foreign_text else {})} for s in self.seen],
        }


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_spanned(first: date, last: date) -> int:
    """Calendar months from the first charge's month to the last's, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def same_amount(a: Seen, b: Seen) -> bool:
    fa, fb = foreign_amount(a.foreign_text), foreign_amount(b.foreign_text)
    if fa and fb:
        return fa == fb
    if a.currency != b.currency:
        return False
    larger = max(a.amount, b.amount)
    return larger > 0 and abs(a.amount - b.amount) <= larger * AMOUNT_TOLERANCE


def _amount_keys(charge: Seen) -> list[tuple]:
    """Where a run ending in ``charge`` is filed, so that a charge finds the runs it may continue
    without comparing itself with every other one (a shop charged thousands of times)."""
    keys = [("Y", charge.currency, math.floor(math.log(max(float(charge.amount), 0.01)) / _BUCKET))]
    foreign = foreign_amount(charge.foreign_text)
    if foreign:
        keys.append(("F", *foreign))
    return keys


def _lookup_keys(charge: Seen) -> list[tuple]:
    (_, currency, bucket), *foreign = _amount_keys(charge)
    return foreign + [("Y", currency, bucket + step) for step in (0, -1, 1)]


def _chains(seen: list[Seen], months: int, tolerance: int) -> list[list[Seen]]:
    """Charges (in date order) in runs ``months`` apart, each within ``tolerance`` days of the
    expected day, with matching amounts. A charge continues the run whose expected day is nearest,
    else starts one."""
    chains: list[list[Seen]] = []
    waiting: dict[tuple, list[tuple[list[Seen], int]]] = defaultdict(list)

    def file(chain: list[Seen]) -> None:
        expected = add_months(chain[-1].charged_on, months)
        for key in _amount_keys(chain[-1]):
            waiting[(expected, *key)].append((chain, len(chain)))

    offsets = sorted(range(-tolerance, tolerance + 1), key=abs)
    for charge in seen:
        found = None
        keys = _lookup_keys(charge)
        for offset in offsets:
            day = charge.charged_on - timedelta(days=offset)
            for key in keys:
                entries = waiting.get((day, *key), ())
                for chain, length in entries:
                    # An entry is stale once its run went on from another charge.
                    if len(chain) == length and same_amount(chain[-1], charge):
                        found = chain
                        break
                if found:
                    break
            if found:
                break
        if found is None:
            found = []
            chains.append(found)
        found.append(charge)
        file(found)
    return chains


def _confidence(cycle: str, chain: list[Seen], others: int, history_end: date) -> tuple[str, tuple[str, ...]]:
    notes = []
    foreign = [foreign_amount(s.foreign_text) for s in chain]
    if all(foreign) and len(set(foreign)) == 1:
        notes.append("foreign_same")
    elif len({(s.amount, s.currency) for s in chain}) == 1:
        notes.append("same_amount")
    else:
        notes.append("amount_varies")
    stopped = (history_end - chain[-1].charged_on).days > OVERDUE_DAYS[cycle]
    if stopped:
        notes.append("stopped")
    if others:
        notes.append("other_charges")
    strong = len(chain) >= (4 if cycle == "monthly" else 3)
    if stopped:
        level = "low"
    elif strong and "amount_varies" not in notes and not others:
        level = "high"
    else:
        level = "medium"
    return level, tuple(notes)


def find_recurring(charges: Iterable[Seen], *, history: tuple[date, date] | None = None) -> list[Candidate]:
    """The recurring charges among ``charges``, one per merchant and cycle, surest first.
    ``history`` is the span of statements read (defaults to the charges' own first and last dates)."""
    charges = sorted(charges, key=lambda s: (s.charged_on, s.merchant_key, s.amount))
    if not charges:
        return []
    first, last = history or (charges[0].charged_on, charges[-1].charged_on)
    groups: dict[str, list[Seen]] = defaultdict(list)
    for charge in charges:
        groups[charge.merchant_key].append(charge)
    found = []
    for key, seen in groups.items():
        if len(seen) < MIN_YEARLY:
            continue  # a one-off purchase, the common case, costs nothing more
        monthly = len(seen) >= MIN_MONTHLY and _best_run(_chains(seen, 1, DAY_TOLERANCE), MIN_MONTHLY, len(seen))
        if monthly:
            found.append(_candidate(key, "monthly", monthly, len(seen) - len(monthly), last, 1))
            continue
        if months_spanned(first, last) < MIN_YEARLY_HISTORY_MONTHS:
            continue
        yearly = _best_run(_chains(seen, 12, YEAR_TOLERANCE), MIN_YEARLY, len(seen))
        if yearly:
            found.append(_candidate(key, "yearly", yearly, len(seen) - len(yearly), last, 12))
    order = {"high": 0, "medium": 1, "low": 2}
    return sorted(found, key=lambda c: (order[c.confidence], -len(c.seen), c.merchant_key))


def _identical(run: list[Seen]) -> bool:
    foreign = {foreign_amount(s.foreign_text) for s in run}
    return (None not in foreign and len(foreign) == 1) or len({(s.amount, s.currency) for s in run}) == 1


def _best_run(runs: list[list[Seen]], least: int, charges: int) -> list[Seen] | None:
    """The run that is most likely a subscription: the same amount each time first, then the longest.
    At a merchant charged far more often than the run (a shop among whose purchases a membership
    fee hides), amounts that only come close are coincidence: the run must repeat one amount."""
    fit = [run for run in runs if len(run) >= least and (_identical(run) or charges - len(run) <= len(run))]
    return max(fit, key=lambda run: (_identical(run), len(run)), default=None)


def _candidate(key: str, cycle: str, chain: list[Seen], others: int, history_end: date, months: int) -> Candidate:
    gaps = [(b.charged_on - a.charged_on).days for a, b in zip(chain, chain[1:])]
    confidence, notes = _confidence(cycle, chain, others, history_end)
    return Candidate(key, merchant_name(chain[-1].merchant), cycle, tuple(chain), round(median(gaps)),
                     add_months(chain[-1].charged_on, months), confidence, notes)


