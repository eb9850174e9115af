"""Find the person a call is about, from whatever the caller can tell us.

One box takes a name ("smith", "smith jo", "Jo Smith", "Smith, Jo"), an NHS
number with or without spaces (whole, its first digits, or any part), a date
of birth (23/11/1944), a postcode (TQ5 9AB, just TQ5, or a part such as 9AB)
or a phone number (whole, its last digits, or any part). Each kind goes to an
index; nothing scans the register.

Names are compared folded (desk.names): accents, apostrophes, hyphens, spaces
and case do not count, so "zoe obrien" finds Zoë O'Brien and "smith jones"
finds Smith-Jones. The typed words may divide between family and given name
in any way ("de la cruz", "maria de la cruz", "de la cruz, maria"): each
division is tried as prefixes of the stored keys, from one index.

Results come in two tiers, best first:

1. exact and prefix matches, from B-tree indexes, in order (names by family
   then given name; NHS numbers by number; postcodes by postcode then name);
   a whole NHS number or phone number is an exact look-up. Queries of one or
   two characters only ever use this tier.
2. when those leave room under ``limit``, substring matches of three
   characters or more: anywhere in a family or given name or postcode for
   words, anywhere in an NHS number or a phone number for digits. SQLite
   answers them from an FTS5 trigram index (``person_fts``), PostgreSQL from
   pg_trgm GIN indexes (migration 0002). The index hands back the first
   ``limit`` matches it finds, which are then put in name order: a common
   fragment such as "son" shows a screenful, not the alphabetically first
   fifty of thousands. Where neither index exists (PostgreSQL without
   pg_trgm) this tier is skipped and search is by prefix only:
   :func:`substring_available` says which.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine, and_, column, literal_column, or_, table, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from desk import clock, dates, names, nhs, phones
from desk.models import Contact, Person, Practice

POSTCODE_START = re.compile(r"^[A-Za-z]{1,2}\d[A-Za-z\d]?(\s*\d[A-Za-z]{0,2})?$")
DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class PersonHit:
    """A search result row."""

    person_id: int
    family_name: str
    given_name: str
    nhs_number: str
    date_of_birth: date
    postcode: str
    practice: str
    zone_id: str
    phone_e164: str | None

    @property
    def name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    @property
    def nhs_display(self) -> str:
        return nhs.display(self.nhs_number)

    @property
    def age(self) -> int:
        return clock.age_on(self.date_of_birth, clock.today())

    @property
    def phone(self) -> str:
        return phones.national(self.phone_e164)


def classify(query: str) -> str:
    """Which kind of search the text asks for: nhs, phone, digits, date, postcode, name or empty."""
    q = query.strip()
    if not q:
        return "empty"
    compact = re.sub(r"[\s\-()]", "", q)
    if dates.parse(q) is not None and not compact.isdigit():
        return "date"
    if compact.startswith("+") or (compact.isdigit() and compact.startswith("0") and len(compact) >= 10):
        return "phone"
    if compact.isdigit():
        if len(compact) == 10 and nhs.is_valid(compact):
            return "nhs"
        if len(compact) == 8 and dates.parse(q) is not None:
            return "date"
        return "digits"
    if POSTCODE_START.match(q):
        return "postcode"
    return "name"


_COLUMNS: tuple[Any, ...] = (
    Person.id,
    Person.family_name,
    Person.given_name,
    Person.nhs_number,
    Person.date_of_birth,
    Person.postcode,
    Practice.name,
    Person.zone_id,
    Person.phone_e164,
)
_FTS = table("person_fts", column("rowid"))
_NAME_COLUMNS = ("family_key", "given_key", "postcode_key")
_MIN_SUBSTRING = 3  # trigram indexes need three characters

_substring_cache: weakref.WeakKeyDictionary[Engine, str] = weakref.WeakKeyDictionary()


def _base() -> Any:
    """The result row's columns with the practice's name (SQLAlchemy's select: it takes any number of columns)."""
    return sa_select(*_COLUMNS).join(Practice, col(Practice.ods_code) == Person.practice_id)


def _successor(text_: str) -> str:
    """The smallest string greater than every string starting with ``text_``."""
    return text_[:-1] + chr(ord(text_[-1]) + 1)


def _prefix(column_: Any, text_: str) -> Any:
    """``column`` starts with ``text_``, as a range an ordinary B-tree index serves.

    (SQLite's LIKE ignores a case-sensitive index, and PostgreSQL's uses one
    only in the "C" collation: a range works on both.)
    """
    return and_(column_ >= text_, column_ < _successor(text_))


def _name_condition(text_: str) -> Any:
    """Any reading of the typed words (desk.names.readings) as prefixes of the folded keys; None for no letters."""
    found = names.readings(text_)
    if not found:
        return None
    return or_(
        *(
            and_(_prefix(Person.family_key, r.family), _prefix(Person.given_key, r.given))
            if r.given
            else _prefix(Person.family_key, r.family)
            for r in found
        )
    )


def substring_available(session: Session) -> str:
    """How this database answers substring searches: 'fts5', 'pg_trgm', or '' (prefix only)."""
    bind = session.get_bind()
    engine = bind.engine if isinstance(bind, Connection) else bind
    found = _substring_cache.get(engine)
    if found is None:
        if engine.dialect.name == "sqlite":
            row = session.execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'person_fts'")
            ).first()
            found = "fts5" if row else ""
        elif engine.dialect.name == "postgresql":
            row = session.execute(
                text(
                    "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'person' "
                    "AND indexname = 'ix_person_family_key_trgm'"
                )
            ).first()
            found = "pg_trgm" if row else ""
        else:
            found = ""
        _substring_cache[engine] = found
    return found


def _fts_phrase(columns: Sequence[str], term: str) -> str:
    quoted = '"' + term.replace('"', '""') + '"'
    return "{" + " ".join(columns) + "} : " + quoted


def _like(column_: Any, term: str) -> Any:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column_.like(f"%{escaped}%")  # PostgreSQL only: backslash is its default escape


def _substring(
    session: Session,
    how: str,
    *,
    words: Sequence[str] = (),
    digits: str = "",
    postcode: str = "",
    zone_id: str | None,
    exclude: Sequence[int],
    limit: int,
) -> list[Any]:
    """Rows whose keys contain every fragment (each at least three characters), in index order."""
    long_ = list(words)
    if how == "fts5":
        terms: list[str] = []
        if digits:
            terms.append(
                "(" + _fts_phrase(["nhs_number"], digits) + " OR " + _fts_phrase(["phone_rev"], digits[::-1]) + ")"
            )
        if postcode:
            terms.append(_fts_phrase(["postcode_key"], postcode))
        terms.extend(_fts_phrase(_NAME_COLUMNS, w) for w in long_)
        if not terms:
            return []
        stmt = (
            _base()
            .join(_FTS, _FTS.c.rowid == Person.id)
            .where(literal_column("person_fts").op("MATCH")(" AND ".join(terms)))
        )
    else:
        conds: list[Any] = []
        if digits:
            conds.append(or_(_like(Person.nhs_number, digits), _like(Person.phone_rev, digits[::-1])))
        if postcode:
            conds.append(_like(Person.postcode_key, postcode.upper()))
        for w in long_:
            conds.append(
                or_(_like(Person.family_key, w), _like(Person.given_key, w), _like(Person.postcode_key, w.upper()))
            )
        if not conds:
            return []
        stmt = _base().where(*conds)
    if zone_id:
        stmt = stmt.where(Person.zone_id == zone_id)
    if exclude:
        stmt = stmt.where(col(Person.id).not_in(list(exclude)))
    return list(session.exec(stmt.limit(limit)).all())


def _name_key(r: Any) -> tuple[str, str, int]:
    return (names.key(r[1]), names.key(r[2]), r[0])


def search(session: Session, query: str, *, limit: int = DEFAULT_LIMIT, zone_id: str | None = None) -> list[PersonHit]:
    """People matching the query, best first; an empty query finds nobody."""
    kind = classify(query)
    if kind == "empty" or limit <= 0:
        return []
    q = query.strip()
    compact = re.sub(r"[\s\-()]", "", q)

    def run(stmt: Any, *order: Any) -> list[Any]:
        if zone_id:
            stmt = stmt.where(Person.zone_id == zone_id)
        return list(session.exec(stmt.order_by(*order).limit(limit)).all())

    rows: list[Any]
    more: list[Any] = []
    if kind == "nhs":
        rows = run(_base().where(Person.nhs_number == compact), Person.id)
    elif kind == "phone":
        phone = phones.try_parse(q)
        if phone is None:
            return []
        # Two index look-ups, merged: an OR across them would scan the register on PostgreSQL.
        carers = select(Contact.person_id).where(Contact.phone_e164 == phone.e164)
        own = run(_base().where(Person.phone_e164 == phone.e164), Person.id)
        cared_for = run(_base().where(col(Person.id).in_(carers)), Person.id)
        merged = {r[0]: r for r in own + cared_for}
        rows = sorted(merged.values(), key=_name_key)[:limit]
    elif kind == "digits":
        # The NHS number's first digits, or a phone number's last digits: each from its own
        # index, merged in NHS number order.
        rows = run(_base().where(_prefix(Person.nhs_number, compact)), Person.nhs_number)
        if len(compact) >= 3:
            by_phone = run(_base().where(_prefix(Person.phone_rev, compact[::-1])), Person.nhs_number)
            seen = {r[0] for r in rows}
            rows = sorted(rows + [r for r in by_phone if r[0] not in seen], key=lambda r: r[3])[:limit]
        if len(rows) < limit and len(compact) >= _MIN_SUBSTRING and (how := substring_available(session)):
            more = sorted(
                _substring(
                    session, how, digits=compact, zone_id=zone_id, exclude=[r[0] for r in rows], limit=limit - len(rows)
                ),
                key=lambda r: r[3],
            )
    elif kind == "date":
        rows = run(
            _base().where(Person.date_of_birth == dates.parse(q)), Person.family_key, Person.given_key, Person.id
        )
    elif kind == "postcode":
        key = re.sub(r"\s+", "", q).upper()
        rows = run(
            _base().where(_prefix(Person.postcode_key, key)),
            Person.postcode_key,
            Person.family_key,
            Person.given_key,
            Person.id,
        )
        # A postcode typed from its start that matched nothing there may be a middle part ("Q59").
        if not rows and len(key) >= _MIN_SUBSTRING and (how := substring_available(session)):
            more = sorted(
                _substring(
                    session, how, postcode=key, zone_id=zone_id, exclude=[r[0] for r in rows], limit=limit - len(rows)
                ),
                key=_name_key,
            )
    else:
        condition = _name_condition(q)
        if condition is None:
            return []
        rows = run(_base().where(condition), Person.family_key, Person.given_key, Person.id)
        # Substrings when every fragment has three characters (desk.names.fragments joins a
        # short word such as "la" or "o" to its neighbour): a shorter one cannot be looked up
        # by trigram, and stays a prefix (the first tier has those matches).
        pieces = names.fragments(q)
        if len(rows) < limit and names.substring_ready(pieces) and (how := substring_available(session)):
            more = sorted(
                _substring(
                    session, how, words=pieces, zone_id=zone_id, exclude=[r[0] for r in rows], limit=limit - len(rows)
                ),
                key=_name_key,
            )
    return [PersonHit(*r) for r in rows + more]
