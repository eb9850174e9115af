"""A whole trust's synthetic register, at scale, fast: ``desk seed``.

:func:`seed_scale` fills an empty, migrated database with a believable
population the size of the wider trust (380,000 registered, 40,000 of them on
the zones' caseloads, a year of calls, referrals, assessments, visits, care
packages and admissions), reproducibly from a seed and a base time. It exists
to measure the desk at the scale it must survive; the demo (desk.demo) is the
small, hand-tuned zone for trying the desk out.

Everything is synthetic. NHS numbers come from the 999 test range, each with a
valid Modulus 11 check digit, all different. Phone numbers come only from
Ofcom's drama ranges, never from the numbers the shipped reference data uses.

Phone numbers, decided: the drama ranges hold only about 14,500 numbers, far
fewer than 380,000 people, so numbers are scarce and are never handed out at
random to several strangers (a number shared by twenty unrelated people is not
believable, and would make "who is ringing?" useless). Instead:

* every number belongs to at most one household (a person, or a couple
  sharing a landline and an address) or to one carer or relative;
* 500 numbers (fewer on a tiny pool) are kept off the register altogether:
  the calls from unknown numbers ring from these, so a benchmark can look up
  numbers that are known to be unknown;
* the rest are handed out in priority order until they run out: the people on
  the caseload in a random order, each household's line first and then each
  of that person's carers and relatives with a number of their own; then the
  other adult households in a random order;
* everyone after that has no number on record (``phone_e164`` empty), as
  happens when a GP registration carries no usable phone. Children never get
  one.

At full size (seed 380) that gives 8,500 households with someone on the
caseload a line (9,700 of the 40,000 on the caseload), 5,500 carers and
relatives a number of their own and 2,300 spouses their couple's line; the
other 30,000 on the caseload and the rest of the register have none. On a
small register (a few thousand people) every adult household has a number.
A spouse who cares for their partner is both a registered person and the
partner's contact on the same line, so a couple's landline is recognised as
both.

Speed: rows are built as plain tuples in one pass per table and written with
the driver's own bulk path (``executemany`` on SQLite, ``COPY`` on
PostgreSQL), with the tables' secondary indexes, search triggers and (on
PostgreSQL) foreign keys set aside during the load and rebuilt once at the
end, all in one transaction: a failed seed leaves no people behind (only the
shipped reference data, which it loads first). The caseload read model is
then built in bulk by :func:`desk.services.caseload.rebuild`.
"""

from __future__ import annotations

import bisect
import heapq
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import phonenumbers
from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from desk import clock, db, nhs
from desk.crisis.scale_stage import add_crisis_line_at_scale
from desk.errors import DeskError

Progress = Callable[[str, int, int], None]

UTC = UTC
LONDON = clock.LONDON
CHUNK = 10_000
SEED_DESK = "desk seed"

# --- the numbers we may use ---------------------------------------------------

# (national prefix, first, last, how the tail is written, display groups)
# Ofcom's drama ranges, less the blocks the shipped reference data uses
# (0113/0114/0117 496 01xx and 07700 9009xx).
DRAMA_BLOCKS: tuple[tuple[str, int, int, int, tuple[int, ...]], ...] = (
    ("07700900", 0, 899, 3, (5, 6)),
    ("01632960", 0, 999, 3, (5, 6)),
    ("0207946", 0, 999, 4, (3, 4, 4)),
    ("0113496", 200, 999, 4, (4, 3, 4)),
    ("0114496", 200, 999, 4, (4, 3, 4)),
    ("0115496", 0, 999, 4, (4, 3, 4)),
    ("0116496", 0, 999, 4, (4, 3, 4)),
    ("0118496", 0, 999, 4, (4, 3, 4)),
    ("0121496", 0, 999, 4, (4, 3, 4)),
    ("0131496", 0, 999, 4, (4, 3, 4)),
    ("0141496", 0, 999, 4, (4, 3, 4)),
    ("0151496", 0, 999, 4, (4, 3, 4)),
    ("0161496", 0, 999, 4, (4, 3, 4)),
    ("0289649", 6000, 6999, 4, (3, 4, 4)),
    ("0292018", 0, 999, 4, (3, 4, 4)),
)
UNKNOWN_RESERVE = 500


@dataclass(frozen=True)
class DramaNumber:
    """One drama-range number in the forms the person table stores."""

    e164: str
    raw: str  # as a co-ordinator types it: 01632 960123
    valid: bool  # libphonenumber's verdict (some drama blocks are "possible" only)
    rev: str  # national digits reversed, as desk.services.people.phone_rev


def drama_numbers() -> list[DramaNumber]:
    """Every number the scale data may use, in a fixed order."""
    out: list[DramaNumber] = []
    for prefix, first, last, width, groups in DRAMA_BLOCKS:
        for n in range(first, last + 1):
            national = f"{prefix}{n:0{width}d}"
            parts, at = [], 0
            for g in groups:
                parts.append(national[at : at + g])
                at += g
            parsed = phonenumbers.parse(national, "GB")
            out.append(
                DramaNumber(
                    e164="+44" + national[1:],
                    raw=" ".join(parts),
                    valid=phonenumbers.is_valid_number(parsed),
                    rev=national[::-1],
                )
            )
    return out


def is_drama(e164: str) -> bool:
    """True when an E.164 number lies in one of :data:`DRAMA_BLOCKS`."""
    if not e164.startswith("+44"):
        return False
    national = "0" + e164[3:]
    for prefix, first, last, width, _ in DRAMA_BLOCKS:
        if national.startswith(prefix) and len(national) == len(prefix) + width:
            return first <= int(national[len(prefix) :]) <= last
    return False


# --- vocabulary ----------------------------------------------------------------

FAMILY_NAMES = (
    "Widdicombe Luscombe Yeo Tucker Mudge Hext Coombe Northcott Heard Chudleigh Stentiford Gidley "
    "Hannaford Westaway Endacott Bowden Pearse Crocker Petherick Hoskins Pike Smale Squire Snell Tozer "
    "Vosper Lethbridge Rowe Blackmore Cornish Mortimore Hockaday Passmore Stoneman Soper Chown Pengelly "
    "Davey Bartlett Parkhouse Trewin Kingwell Wotton Lear Hamlyn Ashplant Yabsley Brimacombe Furse Dart "
    "Tapper Setter Rendle Eales Blatchford Cleave Friend Gillard Honeywill Sanders Smith Jones Williams "
    "Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Wood Hill Clarke Harris Baker Cooper Ward "
    "Turner Martin Parker Cook White Edwards Hughes Hall Green Wright Walker Moore Jackson Lewis Harrison "
    "Morgan Allen James Scott Phillips Watson Davis Lee Clark Mitchell Young Bennett Carter Anderson King "
    "Robinson Wilkinson Shaw Thompson Campbell Simpson Marshall Collins Chapman Harvey Ellis Mason Bell "
    "Webb Cox Lloyd Palmer Matthews Murray Hunt Grant Stevens Saunders Fisher Holmes Price Russell Mills "
    "Knight Butler Barnes Pearson Dixon Powell Richards Gibson Morris Rogers Stone Hayward Holloway "
    "Sweet Prowse Northey Ackland Cudmore Leaman Cann Hosking Quick Bolt Burridge Chappell Rundle "
    "Sercombe Ford Slee Voysey Maunder Nott Partridge Bickford Gerry Harvey-Jones O'Neill O'Brien "
    "McDonald MacLeod Ashworth Bradbury Cartwright Fairweather Goodridge Hatherley Ingram Jeffery "
    "Kellaway Langdon Marwood Newcombe Oxenham Pidgeon Quance Rattenbury Shillabeer Treloar Underhill "
    "Venning Whiteway Yelland Ziegler Ahmed Khan Patel Singh Nowak Kowalski Murphy Kelly Byrne Walsh"
).split()

GIVEN_NAMES: dict[tuple[str, str], tuple[str, ...]] = {
    # (era, sex): born before 1960, 1960 to 1994, 1995 on
    ("old", "F"): tuple(
        (
            "Margaret Joan Dorothy Patricia Barbara Jean Sheila Brenda Maureen Pauline Eileen Irene Doreen "
            "Betty Audrey Valerie Sylvia Shirley Joyce Kathleen Elsie Vera Gladys Peggy Mavis Janet Christine "
            "Ann Gillian Marjorie Hilda Phyllis Rita Winifred Beryl June Rosemary Edna Freda Olive Violet "
            "Lilian Ivy Muriel Evelyn Iris Daphne Marion Hazel Jill Sandra Wendy Elizabeth Mary Ethel Doris "
            "Enid Nora Thelma Yvonne"
        ).split()
    ),
    ("old", "M"): tuple(
        (
            "John David Michael Peter Brian Robert Alan Kenneth Derek Ronald Roy Dennis Geoffrey Raymond Keith "
            "Colin Anthony Terence Barry Trevor Malcolm Graham Leonard Stanley Frederick Albert Arthur Harold "
            "Norman Eric Frank Gordon Bernard Ernest Roger Clive Philip Richard William George Reginald Cyril "
            "Sidney Leslie Douglas Donald Gerald Maurice Victor Walter Jack Ken Cecil Howard Royston Wilfred "
            "Percy Edwin Lionel Stuart Reg"
        ).split()
    ),
    ("mid", "F"): tuple(
        (
            "Susan Julie Karen Tracey Sarah Nicola Amanda Alison Deborah Helen Claire Lisa Joanne Rachel "
            "Michelle Emma Kerry Louise Donna Lorraine Jacqueline Angela Dawn Samantha Kelly Gemma Laura "
            "Hayley Jenny Catherine Jo Joanna Jodie Kate Zoe Vicky Anna"
        ).split()
    ),
    ("mid", "M"): tuple(
        (
            "Paul Mark Andrew Stephen Gary Darren Ian Neil Simon Martin Steven Kevin Jason Lee Wayne Craig "
            "Nigel Dean Shaun Matthew Christopher Jonathan Timothy Adrian Carl Russell Daniel Ben Tom Rob "
            "Jon Joe Jamie Luke"
        ).split()
    ),
    ("new", "F"): tuple(
        (
            "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Evie Poppy Ella "
            "Chloe Jessica Ruby Millie Erin Holly Megan Lucy Phoebe Maisie Jasmine Daisy Scarlett Harriet"
        ).split()
    ),
    ("new", "M"): tuple(
        (
            "Oliver George Noah Arthur Leo Harry Oscar Archie Henry Theodore Freddie Jack Charlie Jacob "
            "Alfie Thomas Joshua William James Finley Max Ethan Lucas Mason Dylan Logan Riley Toby Callum Kai"
        ).split()
    ),
}

ZONE_PLACES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    # zone: (town, postcode districts, streets)
    "TQN": (
        "Torquay",
        ("TQ1", "TQ2"),
        (
            "Cary Down Road",
            "Windmill Hill Lane",
            "Plainmoor Crescent",
            "Lower Fore Road",
            "Petitor Rise",
            "Oddicombe Drive",
            "Barton Brook Close",
            "Hele Meadow Road",
            "Shiphay Orchard",
            "Nut Bush Lane",
            "Moor Lane Gardens",
            "Reddenhill Terrace",
            "Teignmouth Cross",
            "Quarry View",
            "Kingskerswell Walk",
        ),
    ),
    "TQS": (
        "Torquay",
        ("TQ1", "TQ2"),
        (
            "Abbey Mead",
            "Belgrave Steps",
            "Chelston Rise",
            "Daddyhole Lane",
            "Ilsham Close",
            "Lisburne Gardens",
            "Meadfoot Row",
            "Rathmore Walk",
            "Sheddon Hill Court",
            "Torwood Terrace",
            "Upton Vale Road",
            "Walnut Grove",
            "Warberry Lane",
            "Lower Ellacombe Street",
            "Avenue Parade",
        ),
    ),
    "PGN": (
        "Paignton",
        ("TQ3",),
        (
            "Preston Down Close",
            "Marldon Cross Road",
            "Fernicombe Way",
            "Old Torquay Lane",
            "Lower Polsham Road",
            "Seaway Gardens",
            "Colley End Lane",
            "Hayes Orchard",
            "Oldway Mews",
            "Primley Rise",
            "Tower Hill Road",
            "Kings Ash Crescent",
            "Occombe Valley Drive",
            "Esplanade Court",
            "Totnes Road Cottages",
        ),
    ),
    "PGS": (
        "Paignton",
        ("TQ4", "TQ3"),
        (
            "Goodrington Vale",
            "Roundham Terrace",
            "Clennon Heights",
            "Waterside Close",
            "Broadsands Walk",
            "Collaton Lane",
            "Yalberton Road",
            "Steartfield Gardens",
            "Cliff Park Avenue",
            "Saltern Cove Road",
            "Hollicombe Brake",
            "Churston Rise",
            "Elberry Lane",
            "Three Beaches Way",
            "Sands Road Court",
        ),
    ),
    "BXM": (
        "Brixham",
        ("TQ5",),
        (
            "Fore Street Steps",
            "Higher Furzeham Road",
            "Berry Head Close",
            "Upton Manor Park",
            "King Street Court",
            "Bolton Cross",
            "Drew Street",
            "Greenswood Lane",
            "Heath Road",
            "Mudstone Lane",
            "Overgang",
            "Rea Barn Close",
            "St Mary's Hill",
            "Wall Park Road",
            "Quayside Cottages",
        ),
    ),
}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

CONDITIONS = (
    ("COPD", 12),
    ("Heart failure", 8),
    ("Type 2 diabetes", 18),
    ("Dementia", 9),
    ("Parkinson's disease", 3),
    ("Previous stroke", 7),
    ("Osteoarthritis", 20),
    ("Atrial fibrillation", 10),
    ("Chronic kidney disease", 9),
    ("Hypertension", 25),
    ("Osteoporosis", 8),
    ("Macular degeneration", 5),
    ("Depression", 7),
    ("Leg ulcers", 3),
)

DISCIPLINE_ROLE = {
    "nursing": "nurse",
    "physiotherapy": "physiotherapist",
    "occupational_therapy": "occupational_therapist",
    "social_work": "social_worker",
    "support": "support_worker",
}
DISCIPLINE_WEIGHTS = (
    ("nursing", 36),
    ("physiotherapy", 14),
    ("occupational_therapy", 15),
    ("social_work", 20),
    ("support", 15),
)
KEY_WORKER_DISCIPLINES = ("nursing", "social_work", "occupational_therapy", "physiotherapy")
VISITS_PER_INVOLVEMENT = {"nursing": 7, "physiotherapy": 4, "occupational_therapy": 2, "social_work": 2, "support": 5}

# relationship: (weight, sex, younger name, same surname percent, carer percent, mobile percent)
RELATIONSHIPS = (
    ("daughter", 30, "F", True, 30, 45),
    ("son", 22, "M", True, 95, 30),
    ("neighbour", 10, "", False, 0, 10),
    ("niece", 6, "F", True, 20, 20),
    ("nephew", 3, "M", True, 50, 15),
    ("friend", 6, "", False, 0, 10),
    ("granddaughter", 4, "F", True, 30, 20),
    ("grandson", 3, "M", True, 80, 15),
    ("sister", 4, "F", False, 30, 25),
    ("brother", 3, "M", False, 90, 20),
)

SERVICES = (
    # service, percent of packages, details, pence per week (low, high), providers
    (
        "Home care",
        80,
        (
            "4 visits a day, 2 carers",
            "3 visits a day, 1 carer",
            "2 visits a day, 1 carer",
            "1 visit a day: help to wash and dress",
            "Morning visit: medication prompt and breakfast",
        ),
        (12000, 98000),
        ("Bayside Home Care", "Tor Valley Care Services", "Harbourlight Carers", "Daymark Domiciliary Care"),
    ),
    (
        "Meals",
        30,
        ("Hot lunch delivered 7 days", "Frozen meals weekly delivery"),
        (2500, 4800),
        ("Coastline Meals on Wheels", "Bay Kitchen Deliveries"),
    ),
    (
        "Telecare",
        45,
        ("Pendant alarm and key safe", "Pendant alarm, falls detector", "Bed sensor and door alert"),
        (350, 900),
        ("Bay Lifeline Telecare",),
    ),
    (
        "Day centre",
        15,
        ("Two days a week, transport included", "Tuesdays, lunch and activities"),
        (4000, 13500),
        ("Cockington Court Day Centre", "Brixham Harbour Friends Day Club"),
    ),
    ("Night sitting", 5, ("Two nights a week", "Every night for two weeks"), (9000, 42000), ("Nightingale Sitters",)),
    (
        "Equipment",
        20,
        ("Hospital bed and pressure mattress", "Perching stool and raised toilet seat", "Mobile hoist"),
        (0, 1500),
        ("Bay Community Equipment Service",),
    ),
    (
        "Reablement",
        10,
        ("Six weeks of reablement, daily", "Two weeks of reablement after discharge"),
        (0, 0),
        ("Torbay Reablement Team",),
    ),
)

REFERRAL_REASONS = {
    "nursing": (
        "Leg ulcer dressings",
        "Insulin supervision",
        "Catheter care",
        "Pressure area check",
        "Wound care after discharge",
        "Unwell at home, GP worried",
        "Breathless, COPD exacerbation",
    ),
    "physiotherapy": ("Falls at home, unsteady on feet", "Mobility after hip fracture", "Weak after hospital stay"),
    "occupational_therapy": (
        "Struggling with stairs: rails assessment",
        "Bathing assessment",
        "Needs a hoist assessment",
    ),
    "social_work": ("Carer not coping", "Review of care needs", "Package increase request", "Financial assessment"),
    "support": ("Help with shopping and pension", "Social isolation: befriending", "Support to attend day centre"),
}
REFERRAL_SOURCES = (
    ("GP", 30),
    ("Practice nurse", 8),
    ("Ward", 14),
    ("Daughter", 10),
    ("Son", 6),
    ("Self", 6),
    ("Ambulance crew", 5),
    ("GP out of hours", 4),
    ("Care home", 3),
    ("Community nurse", 6),
)
ASSESSMENT_SUMMARIES = (
    "Managing at home with support; no change to package",
    "Needs increased: extra evening call recommended",
    "Mobility worse since fall: frame issued, physio to follow up",
    "Skin intact, pressure care advice given",
    "Carer strain high: respite discussed",
    "Safe to remain at home with telecare",
    "Reablement goals set for six weeks",
)
VISIT_NOTES = (
    "Dressing changed, healing well",
    "Bloods taken",
    "Exercises reviewed, walking further",
    "Rails fitted, safe on stairs",
    "Medication prompted",
    "Carer present, no concerns",
    "Not at home: card left",
    "Reviewed with daughter",
)
CALL_NOTES = {
    "advice": (
        "{caller} asked when the carers come on Saturday: told the usual times",
        "Query about equipment collection: passed to equipment service",
        "Asked about a blue badge",
    ),
    "new_referral": (
        "GP asks for a nurse visit for {name}",
        "Referral for falls assessment: two falls in a month",
        "GP worried about {name} managing at home: requests assessment",
    ),
    "change_in_need": (
        "{caller} says {name} is struggling to get out of bed",
        "{name} not eating well, more confused",
        "Carers report {name} unsteady: asked for OT review",
    ),
    "crisis": (
        "{caller} cannot cope tonight: {name} fell and cannot get up",
        "{name} found unwell at home by carer",
        "Care home cannot manage {name}: asks for same-day help",
    ),
    "discharge": (
        "Ward says {name} medically fit: package needed for discharge",
        "Discharge planned Friday: restart package",
    ),
    "professional_update": ("Nurse update on {name}: wound healing", "GP changed {name}'s medication"),
    "other": ("Wrong number", "Asked for the council's switchboard", "{caller} rang to say thank you"),
}
CALL_OUTCOMES = {
    "advice": ("Advice given", "Information sent"),
    "new_referral": ("Referral logged", "Visit booked"),
    "change_in_need": ("Passed to key worker", "Review booked"),
    "crisis": ("Same-day assessment booked", "Crisis team sent"),
    "discharge": ("Package restarted for discharge", "Discharge plan agreed"),
    "professional_update": ("Noted on record",),
    "other": ("No action needed",),
}
CALLER_REASONS = {
    "person": (("advice", 40), ("change_in_need", 25), ("other", 25), ("crisis", 10)),
    "contact": (("change_in_need", 40), ("advice", 25), ("crisis", 15), ("other", 10), ("discharge", 10)),
    "practice": (("new_referral", 55), ("professional_update", 30), ("change_in_need", 10), ("crisis", 5)),
    "org": (("discharge", 60), ("professional_update", 30), ("crisis", 10)),
    "unknown": (("advice", 40), ("other", 30), ("change_in_need", 20), ("crisis", 10)),
}
ALERTS = (
    "Key safe by the front door: code held by carers",
    "Dog in the house: ask for it to be shut away",
    "Hard of hearing: let the phone ring for a long time",
    "Oxygen in use at home: no naked flames",
    "Lone worker visit in pairs",
)

# Tables the seed writes, in foreign-key order.
TABLES = (
    "person",
    "history",
    "contact",
    "involvement",
    "carepackage",
    "carepackageitem",
    "admission",
    "alert",
    "call",
    "referral",
    "assessment",
    "visit",
    "caseloadentry",
)


# --- writing rows fast --------------------------------------------------------


class _Sink:
    """Bulk writes on one connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.raw = conn.connection.dbapi_connection

    # value converters: our datetimes are naive UTC until they are written
    def ts(self, dt: datetime | None) -> Any:
        if dt is None:
            return None
        if self.pg:
            return dt.replace(tzinfo=UTC)
        return dt.isoformat(" ", "microseconds")

    def day(self, d: date | None) -> Any:
        if d is None:
            return None
        return d if self.pg else d.isoformat()

    def flag(self, b: bool) -> Any:
        return bool(b) if self.pg else int(bool(b))

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        if self.pg:
            with self.raw.cursor() as cur:  # type: ignore[union-attr]
                with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as cp:
                    for row in rows:
                        cp.write_row(row)
                        n += 1
            return n
        marks = ", ".join("?" for _ in columns)
        cur = self.raw.cursor()  # type: ignore[union-attr]
        try:
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= CHUNK:
                    cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', batch)
                    n += len(batch)
                    batch = []
            if batch:
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', batch)
                n += len(batch)
        finally:
            cur.close()
        return n


@dataclass
class _SetAside:
    """Indexes, triggers and foreign keys dropped for the load, to put back after."""

    indexes: list[str]
    triggers: list[str]
    foreign_keys: list[tuple[str, str, str]]  # table, constraint, definition


def _set_aside(conn: Connection, tables: Sequence[str]) -> _SetAside:
    if conn.dialect.name == "sqlite":
        names = ", ".join(f"'{t}'" for t in tables)
        rows = conn.exec_driver_sql(
            f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND sql IS NOT NULL AND tbl_name IN ({names}) ORDER BY type, name"
        ).all()
        aside = _SetAside([r[2] for r in rows if r[0] == "index"], [r[2] for r in rows if r[0] == "trigger"], [])
        for kind, name, _ in rows:
            conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
        return aside
    rows = conn.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname"
        ),
        {"tables": list(tables)},
    ).all()
    fks = conn.execute(
        text(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' "
            "AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) ORDER BY t.relname, c.conname"
        ),
        {"tables": list(tables)},
    ).all()
    for table, name, _ in fks:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return _SetAside([r[1] for r in rows], [], [(t, n, d) for t, n, d in fks])


def _put_back(conn: Connection, aside: _SetAside, progress: Progress) -> None:
    total = len(aside.indexes) + len(aside.foreign_keys) + 1
    done = 0
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    for sql in aside.indexes:
        conn.exec_driver_sql(sql)
        done += 1
        progress("indexes", done, total)
    for table, name, definition in aside.foreign_keys:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        done += 1
        progress("indexes", done, total)
    for sql in aside.triggers:
        conn.exec_driver_sql(sql)
    if conn.dialect.name == "sqlite":
        has_fts = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'person_fts'"
        ).first()
        if has_fts:
            conn.exec_driver_sql("INSERT INTO person_fts(person_fts) VALUES ('rebuild')")
    progress("indexes", total, total)


# --- the generator --------------------------------------------------------------


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    total = sum(w for _, w in pairs)
    r = rng.random() * total
    for value, w in pairs:
        r -= w
        if r < 0:
            return value
    return pairs[-1][0]


def _days(rng: random.Random, low: int, mean: float, high: int) -> float:
    """Days between two events: at least ``low``, about ``mean`` on average, at most ``high``."""
    return min(float(high), low + rng.expovariate(1.0 / max(0.1, mean - low)))


class _Gen:
    def __init__(self, conn: Connection, rng: random.Random, now: datetime, progress: Progress) -> None:
        self.conn = conn
        self.rng = rng
        self.now = now.astimezone(UTC).replace(tzinfo=None)  # naive UTC from here on
        self.today = now.astimezone(LONDON).date()
        self.progress = progress
        self.sink = _Sink(conn)
        self.counts: dict[str, int] = {}
        ref = conn.exec_driver_sql
        self.practices = [
            tuple(r) for r in ref("SELECT ods_code, name, zone_id, phone_e164 FROM practice ORDER BY ods_code").all()
        ]
        self.orgs = [
            tuple(r) for r in ref("SELECT id, kind, name, zone_id, phone_e164 FROM organisation ORDER BY id").all()
        ]
        self.staff = [tuple(r) for r in ref("SELECT id, name, role, zone_id FROM staff ORDER BY id").all()]
        self.zones = sorted({p[2] for p in self.practices})
        self.staff_by: dict[tuple[str, str], list[int]] = {}
        for sid, _name, role, zone in self.staff:
            self.staff_by.setdefault((zone, role), []).append(sid)
        self.staff_role = {s[0]: s[2] for s in self.staff}

    # -- helpers
    def staff_for(self, zone: str, discipline: str) -> int:
        ids = (
            self.staff_by.get((zone, DISCIPLINE_ROLE[discipline]))
            or self.staff_by.get((zone, "nurse"))
            or [self.staff[0][0]]
        )
        return ids[self.rng.randrange(len(ids))]

    def desk_staff(self, zone: str, reason: str, caller: str) -> int:
        role = (
            "crisis_worker"
            if reason == "crisis"
            else ("discharge_coordinator" if reason == "discharge" and caller == "org" else "coordinator")
        )
        ids = self.staff_by.get((zone, role)) or self.staff_by.get((zone, "coordinator")) or [self.staff[0][0]]
        return ids[self.rng.randrange(len(ids))]

    def working_time(self, day: date, *, out_of_hours: float = 0.06) -> datetime:
        """A believable local time on ``day`` as naive UTC."""
        rng = self.rng
        if rng.random() < out_of_hours:
            minute = rng.choice((rng.randrange(7 * 60, 8 * 60), rng.randrange(18 * 60, 22 * 60)))
        else:
            minute = rng.randrange(8 * 60, 18 * 60)
        local = datetime.combine(day, time(minute // 60, minute % 60, rng.randrange(60)), tzinfo=LONDON)
        return local.astimezone(UTC).replace(tzinfo=None)

    def past_day(self, max_days: int, min_days: int = 0) -> date:
        rng = self.rng
        for _ in range(4):
            d = self.today - timedelta(days=rng.randint(min_days, max_days))
            if d.weekday() < 5 or rng.random() < 0.35:
                return d
        return d

    # -- the register
    def people(self, n: int, n_caseload: int) -> None:
        rng = self.rng
        practice_weights = [0.6 + rng.random() * 0.9 for _ in self.practices]
        cum_practice = list(_accumulate(practice_weights))
        postcodes: dict[str, list[str]] = {}
        for zone in self.zones:
            places = ZONE_PLACES.get(zone, ("Torbay", ("TQ1",), ("High Street",)))
            codes: list[str] = []
            for district in places[1]:
                units = [f"{district} {s}{a}{b}" for s in range(1, 10) for a in INWARD_LETTERS for b in INWARD_LETTERS]
                codes.extend(rng.sample(units, 1200))
            postcodes[zone] = codes
        self.postcodes = postcodes
        given_lists = {k: list(v) for k, v in GIVEN_NAMES.items()}
        self.given_all: list[str] = []
        given_offset: dict[tuple[str, str], int] = {}
        for key in sorted(given_lists):
            given_offset[key] = len(self.given_all)
            self.given_all.extend(given_lists[key])

        p_sex = bytearray(n)
        p_dob = [0] * n
        p_fam = [0] * n
        p_given = [0] * n
        p_prac = bytearray(n)
        p_hh = [0] * n
        p_partner = [-1] * n
        hh_post: list[int] = []
        hh_street: list[int] = []
        hh_no: list[int] = []
        hh_members: list[tuple[int, ...]] = []
        today_ord = self.today.toordinal()

        def age_now() -> int:
            r = rng.random()
            if r < 0.20:
                return rng.randrange(0, 18)
            if r < 0.77:
                return rng.randrange(18, 65)
            r = rng.random()
            if r < 0.45:
                return rng.randrange(65, 75)
            if r < 0.80:
                return rng.randrange(75, 85)
            return min(104, 85 + int(rng.expovariate(1 / 5.0)))

        def given_for(sex: int, dob_ord: int) -> int:
            year = date.fromordinal(dob_ord).year
            era = "old" if year < 1960 else ("mid" if year < 1995 else "new")
            key = (era, "M" if sex else "F")
            return given_offset[key] + rng.randrange(len(given_lists[key]))

        nfam = len(FAMILY_NAMES)
        i = 0
        while i < n:
            prac = bisect.bisect_left(cum_practice, rng.random() * cum_practice[-1])
            zone = self.practices[prac][2]
            hh = len(hh_post)
            hh_post.append(rng.randrange(len(postcodes[zone])))
            hh_street.append(rng.randrange(len(ZONE_PLACES.get(zone, ("", (), ("High Street",)))[2])))
            hh_no.append(1 + int(rng.expovariate(1 / 40.0)))
            age = age_now()
            sex = rng.randrange(2)
            dob = today_ord - age * 365 - rng.randrange(365) - age // 4
            fam = rng.randrange(nfam)
            p_sex[i], p_dob[i], p_fam[i], p_prac[i], p_hh[i] = sex, dob, fam, prac, hh
            p_given[i] = given_for(sex, dob)
            members = [i]
            if age >= 25 and i + 1 < n and rng.random() < 0.28:
                j = i + 1
                age2 = max(20, min(104, age + rng.randint(-6, 6)))
                sex2 = 1 - sex if rng.random() < 0.95 else sex
                dob2 = today_ord - age2 * 365 - rng.randrange(365) - age2 // 4
                p_sex[j], p_dob[j], p_fam[j], p_prac[j], p_hh[j] = sex2, dob2, fam, prac, hh
                p_given[j] = given_for(sex2, dob2)
                p_partner[i], p_partner[j] = j, i
                members.append(j)
            hh_members.append(tuple(members))
            i += len(members)
            if i % 50_000 < len(members):
                self.progress("people", i, n)
        self.n = n
        self.p_sex, self.p_dob, self.p_fam, self.p_given = p_sex, p_dob, p_fam, p_given
        self.p_prac, self.p_hh, self.p_partner = p_prac, p_hh, p_partner
        self.hh_post, self.hh_street, self.hh_no, self.hh_members = hh_post, hh_street, hh_no, hh_members

        # -- who is on the caseload: mostly older people, the oldest most likely
        ages = [(today_ord - d) // 365 for d in p_dob]
        older = [(rng.random() ** (1.0 / (a - 60)), k) for k, a in enumerate(ages) if a >= 65]
        adults = [(rng.random(), k) for k, a in enumerate(ages) if 18 <= a < 65]
        want_old = min(len(older), round(n_caseload * 0.85))
        chosen = [k for _, k in heapq.nlargest(want_old, older)]
        chosen += [k for _, k in heapq.nlargest(min(len(adults), n_caseload - len(chosen)), adults)]
        if len(chosen) < n_caseload:
            taken = set(chosen)
            rest = [k for k in range(n) if k not in taken]
            chosen += rng.sample(rest, n_caseload - len(chosen))
        self.ages = ages
        self.caseload = sorted(chosen)
        self.on_caseload = bytearray(n)
        for k in self.caseload:
            self.on_caseload[k] = 1

    def contacts_and_phones(self) -> None:
        rng = self.rng
        pool = drama_numbers()
        rng.shuffle(pool)
        reserve = min(UNKNOWN_RESERVE, len(pool) // 20)
        self.unknown_numbers = pool[len(pool) - reserve :]
        available = pool[: len(pool) - reserve]
        self.pool = available
        next_number = 0
        hh_phone = [-1] * len(self.hh_post)

        # contacts for people on the caseload: (person, name, relationship, is_carer, own number?)
        contacts: list[list[Any]] = []  # [person, name, relationship, is_carer, number index or -1, spouse]
        by_person: dict[int, list[int]] = {}
        nfam = len(FAMILY_NAMES)
        for k in self.caseload:
            r = rng.random()
            count = 0 if r < 0.35 else (1 if r < 0.80 else 2)
            partner = self.p_partner[k]
            for c in range(count):
                if c == 0 and partner >= 0 and rng.random() < 0.7:
                    rel = "husband" if self.p_sex[partner] else "wife"
                    name = f"{self.given_all[self.p_given[partner]]} {FAMILY_NAMES[self.p_fam[partner]]}"
                    contacts.append([k, name, rel, rng.random() < 0.9, -1, True])
                else:
                    rel, _w, sex, younger, same, carer = _weighted(rng, [(r_, r_[1]) for r_ in RELATIONSHIPS])
                    s = sex or ("M" if rng.random() < 0.5 else "F")
                    era = "mid" if younger or self.ages[k] < 70 else "old"
                    given = rng.choice(GIVEN_NAMES[(era, s)])
                    fam = (
                        FAMILY_NAMES[self.p_fam[k]] if rng.randrange(100) < same else FAMILY_NAMES[rng.randrange(nfam)]
                    )
                    contacts.append([k, f"{given} {fam}", rel, rng.randrange(100) < carer, -1, False])
                by_person.setdefault(k, []).append(len(contacts) - 1)

        # numbers: caseload households and their contacts first, then other adult households
        order = list(self.caseload)
        rng.shuffle(order)
        for k in order:
            if next_number >= len(available):
                break
            hh = self.p_hh[k]
            if hh_phone[hh] < 0:
                hh_phone[hh] = next_number
                next_number += 1
            for ci in by_person.get(k, ()):
                if contacts[ci][5] or next_number >= len(available):
                    continue
                contacts[ci][4] = next_number
                next_number += 1
        rest = [
            hh
            for hh in range(len(self.hh_post))
            if hh_phone[hh] < 0 and any(self.ages[m] >= 18 for m in self.hh_members[hh])
        ]
        rng.shuffle(rest)
        for hh in rest:
            if next_number >= len(available):
                break
            hh_phone[hh] = next_number
            next_number += 1
        for c in contacts:  # a spouse rings from the couple's own line
            if c[5]:
                c[4] = hh_phone[self.p_hh[c[0]]]
        self.hh_phone = hh_phone
        self.contacts = contacts
        self.contacts_of = by_person
        self.counts["phones_assigned"] = next_number
        self.counts["phones_unknown_reserve"] = reserve

    def person_phone(self, k: int) -> DramaNumber | None:
        idx = self.hh_phone[self.p_hh[k]]
        return self.pool[idx] if idx >= 0 else None

    def write_people(self, nhs_numbers: list[str]) -> None:
        rng, sink = self.rng, self.sink
        n = self.n
        cond_names = [c for c, _ in CONDITIONS]
        cond_p = [w / 100 for _, w in CONDITIONS]
        key_worker = [0] * n
        self.key_worker = key_worker
        self.created = [datetime(2000, 1, 1)] * n
        for k in self.caseload:
            if rng.random() < 0.6:
                zone = self.practices[self.p_prac[k]][2]
                disc = KEY_WORKER_DISCIPLINES[rng.randrange(len(KEY_WORKER_DISCIPLINES))]
                key_worker[k] = self.staff_for(zone, disc)

        def rows() -> Iterable[tuple[Any, ...]]:
            for k in range(n):
                fam = FAMILY_NAMES[self.p_fam[k]]
                given = self.given_all[self.p_given[k]]
                hh = self.p_hh[k]
                prac = self.practices[self.p_prac[k]]
                zone = prac[2]
                town, _districts, streets = ZONE_PLACES.get(zone, ("Torbay", ("TQ1",), ("High Street",)))
                postcode = self.postcodes[zone][self.hh_post[hh]]
                phone = self.person_phone(k)
                age = self.ages[k]
                conditions = ""
                if age >= 50:
                    boost = 1.8 if self.on_caseload[k] else (1.0 if age >= 65 else 0.4)
                    conditions = ", ".join(c for c, p in zip(cond_names, cond_p) if rng.random() < p * boost)
                lives_alone = len(self.hh_members[hh]) == 1 and age >= 65 and rng.random() < 0.6
                created = self.now - timedelta(days=rng.randrange(30, 3650), seconds=rng.randrange(86400))
                self.created[k] = created
                kw = key_worker[k] or None
                yield (
                    k + 1,
                    nhs_numbers[k],
                    fam,
                    given,
                    fam.lower(),
                    given.lower(),
                    sink.day(date.fromordinal(self.p_dob[k])),
                    "Male" if self.p_sex[k] else "Female",
                    f"{self.hh_no[hh]} {streets[self.hh_street[hh]]}, {town}",
                    postcode,
                    postcode.replace(" ", ""),
                    phone.e164 if phone else None,
                    phone.raw if phone else "",
                    sink.flag(phone.valid if phone else True),
                    phone.rev if phone else "",
                    prac[0],
                    zone,
                    sink.flag(lives_alone),
                    conditions,
                    kw,
                    sink.ts(created),
                    1,
                )
                if (k + 1) % 20_000 == 0:
                    self.progress("people", k + 1, n)

        cols = (
            "id",
            "nhs_number",
            "family_name",
            "given_name",
            "family_key",
            "given_key",
            "date_of_birth",
            "sex",
            "address",
            "postcode",
            "postcode_key",
            "phone_e164",
            "phone_raw",
            "phone_valid",
            "phone_rev",
            "practice_id",
            "zone_id",
            "lives_alone",
            "conditions",
            "key_worker_id",
            "created_at",
            "version",
        )
        self.counts["people"] = sink.write("person", cols, rows())
        self.progress("people", n, n)
        why = "Registered (synthetic register loaded by desk seed)"
        hist = (
            (k + 1, sink.ts(self.created[k]), None, SEED_DESK, "person", str(k + 1), k + 1, "create", None, None, why)
            for k in range(n)
        )
        self.counts["history"] = sink.write(
            "history",
            ("id", "at", "staff_id", "desk", "entity", "entity_id", "person_id", "action", "before", "after", "why"),
            hist,
        )
        self.counts["contacts"] = sink.write(
            "contact",
            (
                "id",
                "person_id",
                "name",
                "relationship",
                "is_carer",
                "phone_e164",
                "phone_raw",
                "phone_valid",
                "version",
            ),
            (
                (
                    i + 1,
                    c[0] + 1,
                    c[1],
                    c[2],
                    sink.flag(c[3]),
                    self.pool[c[4]].e164 if c[4] >= 0 else None,
                    self.pool[c[4]].raw if c[4] >= 0 else "",
                    sink.flag(self.pool[c[4]].valid if c[4] >= 0 else True),
                    1,
                )
                for i, c in enumerate(self.contacts)
            ),
        )

    # -- care: involvements, packages, admissions, alerts
    def care(self) -> None:
        rng, sink, now = self.rng, self.sink, self.now
        today = self.today
        inv_rows: list[tuple[Any, ...]] = []
        self.open_involvements: list[tuple[int, str, int, date]] = []  # person, discipline, staff, started
        ended_involvements: list[tuple[int, str, int, date, date]] = []
        disc_pairs = list(DISCIPLINE_WEIGHTS)
        for k in self.caseload:
            zone = self.practices[self.p_prac[k]][2]
            r = rng.random()
            count = 1 if r < 0.5 else (2 if r < 0.85 else 3)
            chosen: list[str] = []
            kw = self.key_worker[k]
            if kw:
                role = self._role(kw)
                disc = next(d for d, ro in DISCIPLINE_ROLE.items() if ro == role)
                chosen.append(disc)
                self.open_involvements.append((k, disc, kw, today - timedelta(days=rng.randrange(7, 700))))
            while len(chosen) < count:
                disc = _weighted(rng, disc_pairs)
                if disc in chosen:
                    continue
                chosen.append(disc)
                self.open_involvements.append(
                    (k, disc, self.staff_for(zone, disc), today - timedelta(days=rng.randrange(1, 700)))
                )
            if rng.random() < 0.25:
                disc = _weighted(rng, disc_pairs)
                start = today - timedelta(days=rng.randrange(120, 700))
                ended_involvements.append(
                    (k, disc, self.staff_for(zone, disc), start, start + timedelta(days=rng.randrange(14, 110)))
                )
        for k in range(self.n):
            if not self.on_caseload[k] and self.ages[k] >= 65 and rng.random() < 0.01:
                zone = self.practices[self.p_prac[k]][2]
                disc = _weighted(rng, disc_pairs)
                start = today - timedelta(days=rng.randrange(60, 700))
                ended_involvements.append(
                    (k, disc, self.staff_for(zone, disc), start, start + timedelta(days=rng.randrange(7, 50)))
                )
        self.ended_involvements = ended_involvements
        iid = 0
        for k, disc, sid, start in self.open_involvements:
            iid += 1
            inv_rows.append((iid, k + 1, sid, disc, sink.day(start), None, 1))
        for k, disc, sid, start, end in ended_involvements:
            iid += 1
            inv_rows.append((iid, k + 1, sid, disc, sink.day(start), sink.day(min(end, today)), 1))
        self.counts["involvements"] = sink.write(
            "involvement", ("id", "person_id", "staff_id", "discipline", "started_on", "ended_on", "version"), inv_rows
        )
        self.progress("care", 1, 4)

        # packages
        pkg_rows: list[tuple[Any, ...]] = []
        item_rows: list[tuple[Any, ...]] = []

        def add_package(k: int, active: bool) -> None:
            pid = len(pkg_rows) + 1
            start = today - timedelta(days=rng.randrange(14, 1000))
            end = None if active else min(today, start + timedelta(days=rng.randrange(14, 200)))
            review = None
            if active:
                review = (
                    start + timedelta(days=28)
                    if (today - start).days < 28
                    else today + timedelta(days=rng.randrange(-20, 180))
                )
            pkg_rows.append(
                (pid, k + 1, "active" if active else "ended", sink.day(start), sink.day(end), sink.day(review), 1)
            )
            services = [s for s in SERVICES if rng.randrange(100) < s[1]] or [SERVICES[0]]
            for service, _p, details, cost, providers in services:
                item_end = end
                if active and rng.random() < 0.1:
                    item_end = min(today, start + timedelta(days=rng.randrange(7, 300)))
                low, high = cost
                item_rows.append(
                    (
                        len(item_rows) + 1,
                        pid,
                        service,
                        rng.choice(details),
                        rng.choice(providers),
                        sink.day(start),
                        sink.day(item_end),
                        rng.randrange(low, high + 1) // 50 * 50 if high else 0,
                        1,
                    )
                )

        for k in self.caseload:
            if rng.random() < 0.35:
                add_package(k, True)
            if rng.random() < 0.08:
                add_package(k, False)
        for k in range(self.n):
            if not self.on_caseload[k] and self.ages[k] >= 70 and rng.random() < 0.005:
                add_package(k, False)
        self.counts["packages"] = sink.write(
            "carepackage", ("id", "person_id", "status", "started_on", "ended_on", "review_due", "version"), pkg_rows
        )
        self.counts["package_items"] = sink.write(
            "carepackageitem",
            (
                "id",
                "package_id",
                "service",
                "detail",
                "provider",
                "start_date",
                "end_date",
                "weekly_cost_pence",
                "version",
            ),
            item_rows,
        )
        self.progress("care", 2, 4)

        # admissions: a year of stays, a few people in hospital now
        wards = [o for o in self.orgs if o[1] == "ward"] or [self.orgs[0]]
        general = [w for w in wards if w[3] is None] or wards
        adm_rows: list[tuple[Any, ...]] = []
        self.admissions: list[tuple[int, int, datetime, datetime | None, datetime | None]] = []

        def ward_for(zone: str) -> tuple[Any, ...]:
            local = [w for w in wards if w[3] == zone]
            return local[0] if local and rng.random() < 0.25 else general[rng.randrange(len(general))]

        for k in self.caseload:
            zone = self.practices[self.p_prac[k]][2]
            r = rng.random()
            if r < 0.015:  # in hospital now
                admitted = now - timedelta(hours=rng.randrange(6, 14 * 24))
                fit = admitted + timedelta(hours=rng.randrange(24, 10 * 24))
                self.admissions.append(
                    (k, ward_for(zone)[0], admitted, fit if fit < now and rng.random() < 0.6 else None, None)
                )
            if r < 0.12:
                admitted = now - timedelta(days=rng.randrange(20, 365), hours=rng.randrange(24))
                fit = admitted + timedelta(days=_days(rng, 1, 4, 20))
                discharged = fit + timedelta(days=_days(rng, 0, 2, 12))
                self.admissions.append((k, ward_for(zone)[0], admitted, fit, min(discharged, now - timedelta(days=1))))
        for k in range(self.n):
            if not self.on_caseload[k] and self.ages[k] >= 65 and rng.random() < 0.01:
                admitted = now - timedelta(days=rng.randrange(20, 365), hours=rng.randrange(24))
                fit = admitted + timedelta(days=_days(rng, 1, 3, 15))
                self.admissions.append(
                    (
                        k,
                        general[rng.randrange(len(general))][0],
                        admitted,
                        fit,
                        fit + timedelta(hours=rng.randrange(2, 48)),
                    )
                )
        for i, (k, ward, admitted, fit, discharged) in enumerate(self.admissions):
            adm_rows.append((i + 1, k + 1, ward, sink.ts(admitted), sink.ts(fit), sink.ts(discharged), 1))
        self.counts["admissions"] = sink.write(
            "admission",
            ("id", "person_id", "ward_id", "admitted_at", "medically_fit_at", "discharged_at", "version"),
            adm_rows,
        )
        alert_rows = []
        for k in self.caseload:
            if rng.random() < 0.04:
                alert_rows.append(
                    (
                        len(alert_rows) + 1,
                        k + 1,
                        rng.choice(ALERTS),
                        sink.ts(now - timedelta(days=rng.randrange(1, 700))),
                        None,
                        1,
                    )
                )
        self.counts["alerts"] = sink.write(
            "alert", ("id", "person_id", "text", "raised_at", "ended_at", "version"), alert_rows
        )
        self.progress("care", 4, 4)

    def _role(self, staff_id: int) -> str:
        return self.staff_role[staff_id]

    # -- referrals and the calls that brought them, then every other call
    def referrals_and_calls(self, n_calls: int) -> None:
        rng, sink = self.rng, self.sink
        n_caseload = len(self.caseload)
        n_ref = max(1, n_calls // 4) if n_caseload else 0
        n_open = min(round(n_caseload * 0.08), n_ref // 2)
        disc_pairs = list(DISCIPLINE_WEIGHTS)
        adults = [k for k in range(self.n) if self.ages[k] >= 18 and not self.on_caseload[k]]
        if not n_caseload and not adults:
            n_calls = 0
        busiest = self._busiest()
        self.busiest = busiest
        refs: list[list[Any]] = []  # see _ref_row
        # the busiest person: a long history
        heavy_refs = 14 if busiest is not None else 0
        for _ in range(heavy_refs):
            refs.append(self._closed_referral(busiest, _weighted(rng, disc_pairs)))  # type: ignore[arg-type]
        for i in range(n_open):
            k = self.caseload[rng.randrange(n_caseload)]
            refs.append(self._open_referral(k, _weighted(rng, disc_pairs)))
        while len(refs) < n_ref:
            k = (
                self.caseload[rng.randrange(n_caseload)]
                if rng.random() < 0.8 or not adults
                else adults[rng.randrange(len(adults))]
            )
            refs.append(self._closed_referral(k, _weighted(rng, disc_pairs)))

        calls: list[list[Any]] = []  # [started, person k, zone, caller tuple..., reason, ref index]
        heavy_calls = 150 if busiest is not None and n_calls >= 2000 else 0
        # calls that brought referrals (about 60% of them)
        for ri, ref in enumerate(refs):
            if len(calls) >= n_calls - heavy_calls:
                break
            if rng.random() < 0.6:
                k = ref[0]
                source = ref[2]
                kind = (
                    "practice"
                    if source in ("GP", "Practice nurse")
                    else (
                        "org"
                        if source in ("Ward", "Ambulance crew", "Care home")
                        else (
                            "contact"
                            if source in ("Daughter", "Son")
                            else ("person" if source == "Self" else "unknown")
                        )
                    )
                )
                reason = "crisis" if ref[6] else "new_referral"
                calls.append(self._call(k, kind, reason, ref[1] - timedelta(minutes=rng.randrange(0, 20)), ri))
        for _ in range(heavy_calls):
            when = self._call_time()
            calls.append(
                self._call(busiest, _weighted(rng, (("person", 30), ("contact", 50), ("practice", 20))), None, when, -1)
            )  # type: ignore[arg-type]
        # every other call: mostly about the caseload, the busiest people most often
        weights = [rng.lognormvariate(0, 1.1) for _ in self.caseload]
        cum = list(_accumulate(weights))
        caller_pairs = (("person", 30), ("contact", 35), ("practice", 18), ("org", 9), ("unknown", 5), ("withheld", 3))
        while len(calls) < n_calls:
            if n_caseload and (rng.random() < 0.85 or not adults):
                k = self.caseload[min(len(cum) - 1, bisect.bisect_left(cum, rng.random() * cum[-1]))]
            else:
                k = adults[rng.randrange(len(adults))]
            calls.append(self._call(k, _weighted(rng, caller_pairs), None, self._call_time(), -1))
            if len(calls) % 20_000 == 0:
                self.progress("calls", len(calls), n_calls)
        calls.sort(key=lambda c: (c[0], c[1]))
        call_rows = []
        for cid, c in enumerate(calls, start=1):
            started, k, zone, raw, e164, kind, name, cperson, ccontact, cpractice, corg, reason, ri = c
            if ri >= 0:
                refs[ri][13] = cid
            fname = self.given_all[self.p_given[k]]
            if kind == "person":
                caller_first = fname
            elif kind in ("carer", "relative"):
                caller_first = name.split(": ", 1)[1].split()[0]
            else:
                caller_first = {"practice": "The GP", "ward": "The ward"}.get(kind, "The caller")
            notes = rng.choice(CALL_NOTES[reason]).format(name=fname, caller=caller_first)
            outcome = rng.choice(CALL_OUTCOMES[reason])
            ended = started + timedelta(seconds=int(60 * _days(rng, 1, 4, 18)))
            zone_staff = self.desk_staff(zone, reason, kind)
            call_rows.append(
                (
                    cid,
                    zone,
                    sink.ts(started),
                    sink.ts(ended),
                    raw,
                    e164,
                    kind,
                    name,
                    cperson,
                    ccontact,
                    cpractice,
                    corg,
                    k + 1,
                    reason,
                    notes,
                    outcome,
                    zone_staff,
                    f"desk-{zone.lower()}-{1 + cid % 2}",
                    "finished",
                    1,
                )
            )
        self.counts["calls"] = sink.write(
            "call",
            (
                "id",
                "zone_id",
                "started_at",
                "ended_at",
                "caller_raw",
                "caller_e164",
                "caller_kind",
                "caller_name",
                "caller_person_id",
                "caller_contact_id",
                "caller_practice_id",
                "caller_org_id",
                "person_id",
                "reason",
                "notes",
                "outcome",
                "taken_by_id",
                "desk",
                "status",
                "version",
            ),
            call_rows,
        )
        self.progress("calls", n_calls, n_calls)

        ref_rows = []
        assess_rows = []
        for rid, r in enumerate(refs, start=1):
            (
                k,
                received,
                source,
                disc,
                reason,
                urgency,
                crisis,
                due,
                first,
                assessed,
                services,
                status,
                closed,
                call_id,
            ) = r
            ref_rows.append(
                (
                    rid,
                    k + 1,
                    sink.ts(received),
                    source,
                    disc,
                    reason,
                    urgency,
                    sink.flag(crisis),
                    sink.ts(due),
                    sink.ts(first),
                    sink.ts(assessed),
                    sink.ts(services),
                    status,
                    sink.ts(closed),
                    call_id or None,
                    1,
                )
            )
            if assessed is not None:
                zone = self.practices[self.p_prac[k]][2]
                assess_rows.append(
                    (
                        len(assess_rows) + 1,
                        k + 1,
                        self.staff_for(zone, disc),
                        disc,
                        sink.ts(assessed),
                        rng.choice(ASSESSMENT_SUMMARIES),
                    )
                )
        if busiest is not None:
            zone = self.practices[self.p_prac[busiest]][2]
            for _ in range(40):
                disc = _weighted(rng, disc_pairs)
                at = self.working_time(self.past_day(360, 1), out_of_hours=0)
                assess_rows.append(
                    (
                        len(assess_rows) + 1,
                        busiest + 1,
                        self.staff_for(zone, disc),
                        disc,
                        sink.ts(at),
                        rng.choice(ASSESSMENT_SUMMARIES),
                    )
                )
        self.counts["referrals"] = sink.write(
            "referral",
            (
                "id",
                "person_id",
                "received_at",
                "source",
                "discipline",
                "reason",
                "urgency",
                "crisis",
                "due_at",
                "first_contact_at",
                "assessed_at",
                "services_at",
                "status",
                "closed_at",
                "call_id",
                "version",
            ),
            ref_rows,
        )
        self.counts["assessments"] = sink.write(
            "assessment", ("id", "person_id", "staff_id", "discipline", "at", "summary"), assess_rows
        )
        self.progress("referrals", 1, 1)

    def _busiest(self) -> int | None:
        """The person with the longest history: a frequent caller on the caseload, with a carer."""
        for k in self.caseload:
            if (
                self.ages[k] >= 75
                and self.person_phone(k) is not None
                and any(self.contacts[ci][4] >= 0 for ci in self.contacts_of.get(k, ()))
            ):
                return k
        return self.caseload[0] if self.caseload else None

    def _call_time(self) -> datetime:
        while True:
            t = self.working_time(self.past_day(364))
            if t < self.now - timedelta(minutes=30):
                return t

    def _call(self, k: int, kind: str, reason: str | None, started: datetime, ref_index: int) -> list[Any]:
        rng = self.rng
        zone = self.practices[self.p_prac[k]][2]
        raw, e164, name = "", None, ""
        cperson = ccontact = corg = None
        cpractice = None
        caller_kind = "unknown"
        if kind == "contact":
            numbered = [ci for ci in self.contacts_of.get(k, ()) if self.contacts[ci][4] >= 0]
            if numbered:
                ci = numbered[rng.randrange(len(numbered))]
                c = self.contacts[ci]
                number = self.pool[c[4]]
                raw, e164 = self._as_shown(number), number.e164
                caller_kind = "carer" if c[3] else "relative"
                role = "Carer" if c[3] else c[2].capitalize()
                name = f"{role} of {self._person_name(k)}: {c[1]} ({c[2]})"
                ccontact = ci + 1
            else:
                kind = "person"
        if kind == "person":
            number = self.person_phone(k)
            if number is not None:
                raw, e164 = self._as_shown(number), number.e164
                caller_kind = "person"
                name = f"{self._person_name(k)}: NHS {nhs.display(self.nhs_list[k])}"
                cperson = k + 1
            else:
                kind = "unknown"
        if kind == "practice":
            prac = self.practices[self.p_prac[k]]
            raw, e164, caller_kind = self._national(prac[3]), prac[3], "practice"
            name = f"{prac[1]}: GP practice {prac[0]}"
            cpractice = prac[0]
        elif kind == "org":
            org = self.orgs[rng.randrange(len(self.orgs))]
            raw, e164, caller_kind = self._national(org[4]), org[4], org[1]
            name = f"{org[2]}: {_ORG_LABEL.get(org[1], org[1])}"
            corg = org[0]
        elif kind == "unknown":
            number = self.unknown_numbers[rng.randrange(len(self.unknown_numbers))] if self.unknown_numbers else None
            if number is not None:
                raw, e164 = self._as_shown(number), number.e164
        if reason is None:
            reason = _weighted(rng, CALLER_REASONS["unknown" if kind == "withheld" else kind])
        return [started, k, zone, raw, e164, caller_kind, name, cperson, ccontact, cpractice, corg, reason, ref_index]

    def _as_shown(self, number: DramaNumber) -> str:
        r = self.rng.random()
        if r < 0.6:
            return number.raw
        if r < 0.8:
            return number.e164
        return "0" + number.e164[3:]

    @staticmethod
    def _national(e164: str) -> str:
        return "0" + e164[3:] if e164.startswith("+44") else e164

    def _person_name(self, k: int) -> str:
        return f"{self.given_all[self.p_given[k]]} {FAMILY_NAMES[self.p_fam[k]].upper()}"

    def _open_referral(self, k: int, disc: str) -> list[Any]:
        rng, now = self.rng, self.now
        urgency = _weighted(rng, (("rapid", 12), ("fast", 30), ("normal", 58)))
        hours_ago = {"rapid": 5, "fast": 30, "normal": 96}[urgency]
        received = now - timedelta(minutes=rng.randrange(10, hours_ago * 60))
        due = received + {"rapid": timedelta(hours=3), "fast": timedelta(days=1), "normal": timedelta(days=3)}[urgency]
        crisis = urgency == "rapid" and rng.random() < 0.4
        first = received + timedelta(minutes=rng.randrange(10, 180)) if rng.random() < 0.45 else None
        if first is not None and first > now:
            first = None
        return [
            k,
            received,
            _weighted(rng, REFERRAL_SOURCES),
            disc,
            rng.choice(REFERRAL_REASONS[disc]),
            urgency,
            crisis,
            due,
            first,
            None,
            None,
            "open",
            None,
            0,
        ]

    def _closed_referral(self, k: int, disc: str) -> list[Any]:
        rng, now = self.rng, self.now
        urgency = _weighted(rng, (("rapid", 12), ("fast", 30), ("normal", 58)))
        received = self.working_time(self.past_day(365, 40))
        due = received + {"rapid": timedelta(hours=3), "fast": timedelta(days=1), "normal": timedelta(days=3)}[urgency]
        crisis = urgency == "rapid" and rng.random() < 0.4
        # the Brixham pilot's intervals: first contact 4 days (1-14), assessment 10 (1-32), services 3 (1-22)
        first = received + timedelta(days=_days(rng, 1, 4, 14) if not crisis else rng.random() / 4)
        assessed = max(first, received + timedelta(days=_days(rng, 1, 10, 32) if not crisis else rng.random() / 2))
        services = assessed + timedelta(days=_days(rng, 1, 3, 22)) if rng.random() < 0.7 else None
        closed = (services or assessed) + timedelta(days=rng.randrange(0, 6), hours=rng.randrange(1, 8))
        closed = min(closed, now - timedelta(hours=1))
        return [
            k,
            received,
            _weighted(rng, REFERRAL_SOURCES),
            disc,
            rng.choice(REFERRAL_REASONS[disc]),
            urgency,
            crisis,
            due,
            first,
            assessed,
            services,
            "closed",
            closed,
            0,
        ]

    def visits(self) -> None:
        rng, sink, now = self.rng, self.sink, self.now
        today = self.today
        rows: list[tuple[Any, ...]] = []

        def add(k: int, disc: str, sid: int, start: date, end: date) -> None:
            days = (end - start).days
            if days < 1:
                return
            mean = VISITS_PER_INVOLVEMENT[disc] * min(1.0, days / 120)
            count = int(rng.expovariate(1 / mean)) if mean > 0 else 0
            for _ in range(count):
                d = start + timedelta(days=rng.randrange(days))
                at = self.working_time(d, out_of_hours=0.02)
                if at < now:
                    rows.append((len(rows) + 1, k + 1, sid, disc, sink.ts(at), rng.choice(VISIT_NOTES)))

        for k, disc, sid, start in self.open_involvements:
            add(k, disc, sid, max(start, today - timedelta(days=120)), today)
        for k, disc, sid, start, end in self.ended_involvements:
            add(k, disc, sid, start, min(end, today))
        if self.busiest is not None:
            zone = self.practices[self.p_prac[self.busiest]][2]
            for _ in range(120):
                disc = _weighted(rng, DISCIPLINE_WEIGHTS)
                at = self.working_time(self.past_day(360, 1), out_of_hours=0)
                rows.append(
                    (
                        len(rows) + 1,
                        self.busiest + 1,
                        self.staff_for(zone, disc),
                        disc,
                        sink.ts(at),
                        rng.choice(VISIT_NOTES),
                    )
                )
        self.counts["visits"] = sink.write("visit", ("id", "person_id", "staff_id", "discipline", "at", "note"), rows)
        self.progress("visits", 1, 1)


_ORG_LABEL = {
    "ward": "Hospital ward",
    "care_home": "Care home",
    "ambulance": "Ambulance service",
    "other": "Other organisation",
}


def _accumulate(values: Iterable[float]) -> Iterable[float]:
    total = 0.0
    for v in values:
        total += v
        yield total


def nhs_numbers(rng: random.Random, count: int) -> list[str]:
    """``count`` different valid NHS numbers from the 999 test range, in a random order."""
    limit = 1_000_000
    if count > 900_000:
        raise DeskError(f"The 999 test range holds about 909,000 valid NHS numbers; {count:,} asked for.")
    out: list[str] = []
    want = min(limit, int(count * 1.12) + 64)
    while len(out) < count:
        out = []
        for base in rng.sample(range(limit), want):
            nine = f"999{base:06d}"
            check = nhs.check_digit(nine)
            if check is not None:
                out.append(f"{nine}{check}")
                if len(out) == count:
                    break
        want = min(limit, want * 2)
    return out


def _reset_sequences(conn: Connection, tables: Sequence[str]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
        if seq:
            conn.execute(
                text(f'SELECT setval(:s, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'), {"s": seq}
            )


def seed_scale(
    engine: Engine,
    *,
    people: int = 380_000,
    caseload: int = 40_000,
    calls: int = 100_000,
    seed: int = 380,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated database with a synthetic trust; returns how many of each were made.

    The same ``seed`` and ``now`` give the same people, numbers and history on
    either backend. ``progress(stage, done, total)`` is called as the stages
    move on (people, calls, referrals, visits, care, indexes, caseload).
    Refuses a database that already has people on it.
    """
    if caseload > people:
        raise DeskError(f"The caseload ({caseload:,}) cannot be bigger than the register ({people:,}).")
    if people < 1:
        raise DeskError("Say how many people to make: at least one.")
    report: Progress = progress or (lambda _s, _d, _t: None)
    now = now or clock.now()
    if now.tzinfo is None:
        raise DeskError("seed_scale needs a timezone-aware base time.")
    from desk.services import caseload as caseload_service
    from desk.services import reference

    with db.writing(engine) as session:
        reference.load(session)
    rng = random.Random(seed)
    with engine.connect().execution_options(**{db.WRITE_OPTION: True}) as conn:
        with conn.begin():
            if conn.exec_driver_sql("SELECT 1 FROM person LIMIT 1").first() is not None:
                raise DeskError("This database already has people on it: seed an empty one (a new file or schema).")
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size = -262144")
            else:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            aside = _set_aside(conn, TABLES)
            gen = _Gen(conn, rng, now, report)
            gen.people(people, caseload)
            gen.nhs_list = nhs_numbers(rng, people)
            gen.contacts_and_phones()
            gen.write_people(gen.nhs_list)
            gen.care()
            gen.referrals_and_calls(calls)
            gen.visits()
            gen.counts.update(add_crisis_line_at_scale(conn, now=now, seed=seed))
            _put_back(conn, aside, report)
            _reset_sequences(conn, [t for t in TABLES if t != "caseloadentry"])
            report("caseload", 0, 1)
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                gen.counts["caseload"] = caseload_service.rebuild(session)
                session.commit()
            report("caseload", 1, 1)
        if conn.dialect.name == "postgresql":
            # Statistics for the planner, and the visibility map index-only scans need.
            conn.execution_options(isolation_level="AUTOCOMMIT")
            for table in TABLES:
                conn.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')
        else:
            with conn.begin():
                conn.exec_driver_sql("ANALYZE")
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA cache_size = -2000")
            conn.commit()
            conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    gen.counts["busiest_person_id"] = (gen.busiest + 1) if gen.busiest is not None else 0
    return gen.counts
