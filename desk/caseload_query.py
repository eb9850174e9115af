"""One window of the caseload, as SQL that the ORM's session and the bare driver both run.

The caseload is the desk's first screen. Its keys (filters, sorts, pages,
search) must answer from the first frame, before SQLAlchemy has loaded, so
the page query is written once here, as plain SQL with ``:name``
parameters: ``desk.services.caseload.page`` runs it through a session, the
desk's opening (desk.first_look, desk.driver) through sqlite3 or psycopg.

Every condition is answerable from the sort index's own entries and every
order has an index (migration 0002), so walking to an offset never reads a
row it skips; the window's people are then read by primary key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from desk import names, nhs
from desk.rows import PAGE_SIZE, SORTS, CaseloadRow, Page

Run = Callable[[str, dict[str, Any]], Sequence[Sequence[Any]]]
"""Runs one SELECT with ``:name`` parameters and returns its rows."""

_COLUMNS = ", ".join(
    f"caseloadentry.{c}"
    for c in (
        "person_id",
        "display_name",
        "nhs_number",
        "date_of_birth",
        "practice_name",
        "key_worker_name",
        "health",
        "social",
        "next_due_on",
        "next_due_what",
        "lives_alone",
        "in_hospital",
        "crisis",
        "wait_flag_from",
    )
) + (  # PICKUP: a discharge the zone has not acknowledged (only the window's rows ask, by the person index)
    ", EXISTS (SELECT 1 FROM zonepickup WHERE zonepickup.person_id = caseloadentry.person_id"
    " AND zonepickup.acknowledged_at IS NULL)"
)

_MINE = (
    "(caseloadentry.key_worker_id = :staff_id OR caseloadentry.person_id IN "
    "(SELECT involvement.person_id FROM involvement"
    " WHERE involvement.staff_id = :staff_id AND involvement.ended_on IS NULL))"
)


def _successor(text: str) -> str:
    return text[:-1] + chr(ord(text[-1]) + 1)


def _where(
    dialect: str,
    zone_id: str | None,
    filter_key: str,
    staff_id: int | None,
    search: str,
    today: date,
) -> tuple[list[str], dict[str, Any]]:
    """The page's conditions and their parameters."""
    true = "1" if dialect == "sqlite" else "true"
    conds: list[str] = []
    params: dict[str, Any] = {}
    if zone_id:
        conds.append("caseloadentry.zone_id = :zone_id")
        params["zone_id"] = zone_id
    if filter_key == "mine":
        if staff_id is None:
            return ["1 = 0"], {}  # nobody is signed in: nobody is theirs
        conds.append(_MINE)
        params["staff_id"] = staff_id
    elif filter_key == "hospital":
        conds.append(f"caseloadentry.in_hospital = {true}")
    elif filter_key == "due":
        conds.append("caseloadentry.next_due_on <= :today")  # nothing due (NULL) never matches
        params["today"] = today.isoformat() if dialect == "sqlite" else today  # SQLite holds dates as ISO text
    elif filter_key == "crisis":
        conds.append(f"caseloadentry.crisis = {true}")
    text = search.strip().lower()
    if text:
        digits = nhs.digits(text)
        if digits.isdigit():  # a prefix as a range: digits sort the same in every collation
            conds.append("caseloadentry.nhs_number >= :nhs_from AND caseloadentry.nhs_number < :nhs_to")
            params.update(nhs_from=digits, nhs_to=_successor(digits))
        else:
            name_cond, name_params = _name_match(dialect, text)
            conds.append(name_cond)
            params.update(name_params)
    return conds, params


_GIVEN = "substr(caseloadentry.sort_name, instr(caseloadentry.sort_name, ' ') + 1)"


def _name_match(dialect: str, text: str) -> tuple[str, dict[str, Any]]:
    """A name typed in the search box, matched as desk.services.search matches it, from the caseload row alone.

    ``sort_name`` is the family key, a space, the given key (desk.names.key:
    no spaces inside either), so each reading of the words typed (family key
    starts with F, given key with G) is the pattern ``F% G%``; and, as in
    search's second tier, a name holding every fragment typed ("jones" for
    Smith-Jones, "maria cruz" for Maria de la Cruz) matches too. A reading
    whose every fragment is inside F or G can only match names the fragments
    match, so it is left out (one LIKE per row, not two, for a single word).
    On SQLite, whose ``sort_name`` sorts byte by byte, a reading is a range
    of the sort index (and of the given key after the space) rather than a
    LIKE with two wildcards, which costs ten times as much a row. The folded
    keys hold only letters and digits, so no pattern needs escaping.
    """
    found = names.readings(text)
    if not found:
        return "1 = 0", {}
    pieces = names.fragments(text)
    if not names.substring_ready(pieces):
        pieces = []
    params: dict[str, Any] = {}
    either: list[str] = []
    for i, reading in enumerate(found):
        if pieces and all(p in reading.family or p in reading.given for p in pieces):
            continue
        if dialect == "sqlite":
            params.update({f"name_{i}": reading.family, f"name_{i}_to": _successor(reading.family)})
            cond = f"caseloadentry.sort_name >= :name_{i} AND caseloadentry.sort_name < :name_{i}_to"
            if reading.given:
                params.update({f"given_{i}": reading.given, f"given_{i}_to": _successor(reading.given)})
                cond += f" AND {_GIVEN} >= :given_{i} AND {_GIVEN} < :given_{i}_to"
            either.append(f"({cond})")
        else:
            params[f"name_{i}"] = f"{reading.family}% {reading.given}%" if reading.given else f"{reading.family}%"
            either.append(f"caseloadentry.sort_name LIKE :name_{i}")
    if pieces:
        params.update({f"piece_{i}": f"%{piece}%" for i, piece in enumerate(pieces)})
        either.append("(" + " AND ".join(f"caseloadentry.sort_name LIKE :piece_{i}" for i in range(len(pieces))) + ")")
    return "(" + " OR ".join(either) + ")", params


def _order(sort: str, descending: bool) -> str:
    """ORDER BY for a sort: ties go by name, then person; reversed is the exact reverse. Nothing due sorts last."""
    column = SORTS.get(sort, SORTS["name"])[1]
    keys = [column] if column == "sort_name" else [column, "sort_name"]
    keys.append("person_id")
    direction = "DESC" if descending else "ASC"
    order = [f"caseloadentry.{k} {direction}" for k in keys]
    if column == "next_due_on":
        order.insert(0, "caseloadentry.next_due_on IS NULL")
    return ", ".join(order)


def _day(value: Any) -> date:
    """A date as the driver gives it: PostgreSQL a date, SQLite the ISO text the ORM wrote."""
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _maybe_day(value: Any) -> date | None:
    """A date that may be missing (NULL), as the driver gives it."""
    return None if value is None else _day(value)


def _row(r: Sequence[Any]) -> CaseloadRow:
    return CaseloadRow(
        person_id=r[0],
        name=r[1],
        nhs_number=r[2],
        date_of_birth=_day(r[3]),
        practice=r[4],
        key_worker=r[5],
        health=r[6],
        social=r[7],
        next_due_on=_maybe_day(r[8]),
        next_due_what=r[9],
        lives_alone=bool(r[10]),
        in_hospital=bool(r[11]),
        crisis=bool(r[12]),
        wait_flag_from=_maybe_day(r[13]),
        pickup=bool(r[14]),
    )


def page(
    run: Run,
    dialect: str,
    zone_id: str | None,
    *,
    today: date,
    filter_key: str = "zone",
    staff_id: int | None = None,
    sort: str = "name",
    descending: bool = False,
    search: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> Page:
    """One window of the caseload, filtered and sorted in the database.

    ``zone_id`` None (or empty) pages the whole trust; ``today`` decides what
    is due. ``dialect`` is "sqlite" or "postgresql".
    """
    conds, params = _where(dialect, zone_id, filter_key, staff_id, search, today)
    where = " WHERE " + " AND ".join(conds) if conds else ""
    total = int(run(f"SELECT count(*) FROM caseloadentry{where}", params)[0][0])
    offset = max(0, min(offset, max(0, total - 1)))
    order = _order(sort, descending)
    rows = run(
        f"SELECT {_COLUMNS} FROM caseloadentry JOIN (SELECT caseloadentry.person_id AS person_id FROM caseloadentry"
        f"{where} ORDER BY {order} LIMIT :limit OFFSET :offset) AS page_window"
        f" ON page_window.person_id = caseloadentry.person_id ORDER BY {order}",
        {**params, "limit": limit, "offset": offset},
    )
    return Page([_row(r) for r in rows], offset, total)
