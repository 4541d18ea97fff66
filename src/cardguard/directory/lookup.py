"""From "my card, this purpose, this country" to the lines to call, in the order to call them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from cardguard.directory.hours import LineStatus, status_at
from cardguard.directory.load import Directory, Issuer, OverrideLine
from cardguard.directory.schema import PURPOSES, Schedule
from cardguard.errors import UserError
from cardguard.i18n import Lang, Text, t

_NOISE = re.compile(r"[\s・\-_.,®™'’()（）]")


def normalize(name: str) -> str:
    """Case, width, spaces and middle dots do not matter when a person types a card's name."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", name).casefold())


def resolve_card(issuer: Issuer, given: str) -> str:
    wanted = normalize(given)
    for card in issuer.data.cards:
        names = [card.id, card.name.ja, card.name.en, *card.aliases]
        if any(normalize(name) == wanted for name in names):
            return card.id
    choices = [f"{c.id}  {c.name.ja} / {c.name.en}" for c in issuer.data.cards]
    raise UserError("error.unknown_card", details=choices, given=given)


_PURPOSE_ALIASES = {
    "fraud": ["theft", "stolen", "unauthorized", "盗難", "不正利用", "盗難不正利用"],
    "lost": ["loss", "reissue", "紛失", "再発行", "紛失再発行"],
    "general": ["membership", "membership-services", "総合案内", "メンバーシップサービスセンター"],
    "not-arrived": ["notarrived", "not-received", "届かない", "カードが届かない"],
    "fax": ["ファックス"],
    "overseas": ["abroad", "overseas-assist", "海外", "オーバーシーズアシスト"],
    "apply": ["application", "new", "新規入会", "入会", "申し込み"],
    "cancel": ["cancellation", "close", "解約"],
}


def resolve_purpose(given: str) -> str:
    wanted = normalize(given)
    for purpose in PURPOSES:
        names = [purpose, t(f"purpose.{purpose}", "ja"), t(f"purpose.{purpose}", "en"), *_PURPOSE_ALIASES[purpose]]
        if any(normalize(name) == wanted for name in names):
            return purpose
    choices = [f"{p}  {t(f'purpose.{p}', 'ja')} / {t(f'purpose.{p}', 'en')}" for p in PURPOSES]
    raise UserError("error.unknown_purpose", details=choices, given=given)


def resolve_country(issuer: Issuer, given: str) -> str:
    """An ISO 3166 code; the places the directory names are accepted by name too."""
    wanted = normalize(given)
    if wanted == "uk":
        return "GB"
    for table in issuer.data.tables:
        for row in table.rows:
            if row.countries and row.place and wanted in (normalize(row.place.ja), normalize(row.place.en)):
                return row.countries[0]
    if re.fullmatch(r"[a-z]{2}", wanted):
        return wanted.upper()
    places = sorted({f"{c}  {row.place.ja} / {row.place.en}" for table in issuer.data.tables
                     for row in table.rows for c in row.countries if row.place})
    raise UserError("error.unknown_country", details=places, given=given)


@dataclass(frozen=True)
class ContactLine:
    issuer: Issuer
    purpose: str
    card: str | None  # None: every card of the issuer (or every eligible one)
    eligible_cards: tuple[str, ...]
    number: str
    kind: str
    toll_free: bool | None
    schedule: Schedule
    topic: Text | None
    note: Text | None
    place: Text | None
    countries: tuple[str, ...]
    region: str | None
    source_title: str
    source_url: str | None
    as_of: date
    origin: str  # "directory", "override" (the user's file) or "card" (printed on the user's card)

    def status(self, at: datetime) -> LineStatus:
        return status_at(self.schedule, at, self.issuer.tz, self.issuer.is_holiday)

    def as_json(self, lang: Lang, at: datetime) -> dict:
        status = self.status(at)
        return {
            "issuer": self.issuer.id,
            "card": self.card,
            "eligible_cards": list(self.eligible_cards),
            "purpose": self.purpose,
            "purpose_label": t(f"purpose.{self.purpose}", lang),
            "topic": self.topic(lang) if self.topic else None,
            "number": self.number,
            "tel": "tel:" + re.sub(r"[^\d+]", "", self.number) if self.kind == "phone" else None,
            "kind": self.kind,
            "toll_free": self.toll_free,
            "hours": self.schedule.text(lang),
            "always_open": status.always_open,
            "emergency_always_open": self.schedule.emergency_always_open,
            "open_now": status.open_now,
            "opens_at": status.opens_at.isoformat() if status.opens_at else None,
            "closes_at": status.closes_at.isoformat() if status.closes_at else None,
            "place": self.place(lang) if self.place else None,
            "countries": list(self.countries),
            "note": self.note(lang) if self.note else None,
            "origin": self.origin,
            "source": self.source_title,
            "source_url": self.source_url,
            "as_of": self.as_of.isoformat(),
        }


def _directory_lines(issuer: Issuer) -> list[ContactLine]:
    lines = []
    for table in issuer.data.tables:
        source = issuer.sources[table.source]
        for row in table.rows:
            lines.append(ContactLine(
                issuer=issuer, purpose=table.purpose,
                card=None if row.card in (None, "*") else row.card,
                eligible_cards=tuple(table.cards or ()),
                number=row.number, kind=table.kind, toll_free=table.toll_free,
                schedule=issuer.schedules[table.schedule],
                topic=table.topic, note=table.note, place=row.place,
                countries=tuple(row.countries), region=row.region,
                source_title=source.title, source_url=source.url, as_of=source.as_of, origin="directory",
            ))
    return lines


def _override_line(issuer: Issuer, entry: OverrideLine, replaced: list[ContactLine]) -> ContactLine:
    like = replaced[0] if replaced else None
    # load_overrides makes sure there is either a schedule or a line to take the hours from.
    schedule = issuer.schedules[entry.schedule] if entry.schedule else like.schedule  # type: ignore[union-attr]
    return ContactLine(
        issuer=issuer, purpose=entry.purpose, card=None if entry.card == "*" else entry.card,
        eligible_cards=like.eligible_cards if like else (),
        number=entry.number, kind=entry.kind,
        toll_free=entry.toll_free if entry.toll_free is not None else (like.toll_free if like else None),
        schedule=schedule, topic=like.topic if like else None,
        note=Text(ja=entry.note, en=entry.note) if entry.note else None,
        place=like.place if like else None, countries=tuple(entry.countries), region=None,
        source_title=entry.source, source_url=None, as_of=entry.as_of, origin="override",
    )


def _covers(line: ContactLine, card: str | None) -> bool:
    if card is None:
        return True
    if line.eligible_cards and card not in line.eligible_cards:
        return False
    return line.card in (None, card)


def _same_slot(line: ContactLine, entry: OverrideLine) -> bool:
    if line.purpose != entry.purpose or tuple(entry.countries) != line.countries:
        return False
    return entry.card == "*" or line.card in (None, entry.card)


def issuer_lines(directory: Directory, issuer: Issuer) -> list[ContactLine]:
    """The issuer's lines with the user's overrides merged in: an override replaces the lines of
    the same purpose (and country) for the cards it names."""
    lines = _directory_lines(issuer)
    for entry in directory.overrides:
        if entry.issuer != issuer.id:
            continue
        replaced = [line for line in lines if line.origin == "directory" and _same_slot(line, entry)]
        if entry.card != "*":
            # A row for every card stays for the other cards; only rows of this very card go.
            gone = [line for line in replaced if line.card == entry.card]
        else:
            gone = replaced
        lines = [line for line in lines if line not in gone]
        lines.append(_override_line(issuer, entry, replaced))
    return lines


def own_card_line(directory: Directory, issuer_id: str, product: str | None, number: str, nickname: str,
                  purpose: str | None) -> ContactLine:
    """The number printed on the holder's card. Its hours are those of the directory line with the
    same number for this card, when there is one; otherwise unknown, never guessed."""
    issuer = directory.issuer(issuer_id)
    same = [line for line in issuer_lines(directory, issuer)
            if line.number.replace("-", "") == number.replace("-", "").replace(" ", "")
            and _covers(line, product) and (purpose is None or line.purpose == purpose)]
    schedule = same[0].schedule if same else Schedule(id="unknown", unknown=True, text=Text(
        ja=t("hours.unknown", "ja"), en=t("hours.unknown", "en")))
    return ContactLine(
        issuer=issuer, purpose=same[0].purpose if same else (purpose or "general"), card=product,
        eligible_cards=(), number=number, kind="phone", toll_free=same[0].toll_free if same else None,
        schedule=schedule, topic=Text(ja=t("contacts.on_your_card", "ja", name=nickname),
                                      en=t("contacts.on_your_card", "en", name=nickname)),
        note=None, place=None, countries=(), region=None, source_title=t("contacts.source_card", "en"),
        source_url=None, as_of=date.today(), origin="card",
    )


def find_lines(directory: Directory, *, issuer: str | None = None, card: str | None = None,
               purpose: str | None = None, country: str | None = None,
               at: datetime | None = None) -> list[ContactLine]:
    """The matching lines, urgent purposes first, and within a purpose the line that answers
    around the clock, then one open at ``at``, then the rest."""
    issuers = [directory.issuer(issuer)] if issuer else list(directory.issuers.values())
    found: list[ContactLine] = []
    for each in issuers:
        card_id = resolve_card(each, card) if card else None
        country_code = resolve_country(each, country) if country else None
        lines = [line for line in issuer_lines(directory, each) if _covers(line, card_id)]
        if card_id:
            # With a card given, a row of an override for that very card hides the shared row.
            specific = {(line.purpose, line.countries) for line in lines if line.card == card_id and line.origin != "directory"}
            lines = [line for line in lines if line.origin != "directory" or line.card is not None
                     or (line.purpose, line.countries) not in specific]
        if purpose:
            lines = [line for line in lines if line.purpose == purpose]
        if country_code:
            lines = [line for line in lines if line.purpose == "overseas"]
            exact = [line for line in lines if country_code in line.countries]
            lines = exact or [line for line in lines if line.region]
        found.extend(lines)

    def order(line: ContactLine) -> tuple:
        status = line.status(at) if at else None
        return (
            PURPOSES.index(line.purpose),
            0 if line.origin != "directory" else 1,
            0 if line.schedule.always_open else 1,
            0 if (status and status.open_now) else 1,
        )

    return sorted(found, key=order)  # stable: the directory's own order breaks ties

