"""A throwaway database with a small known zone in it, for driving the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlmodel import select

from desk import clock, db
from desk.history import Actor
from desk.models import Admission, CarePackage, CarePackageItem, Involvement, Organisation, Referral
from desk.services import caseload, people, reference

SIZE = (160, 48)


@dataclass
class Zone:
    """A small known zone: a co-ordinator, Doris and the daughter who cares for her."""

    engine: Engine
    url: str
    staff_id: int
    doris_id: int
    carer_number: str = "07700 900123"
    search_path: str = ""  # the PostgreSQL schema a test runs in, for other processes to join it


def _seed(engine: Engine) -> Zone:
    with db.writing(engine) as session:
        reference.load(session)
        coordinator = next(s for s in reference.staff(session, "BXM") if s.role == "coordinator")
        actor = Actor(coordinator.id, "test")
        doris = people.register(
            session,
            actor,
            people.PersonDetails(
                nhs_number="999 000 0026",
                family_name="Pascoe",
                given_name="Doris",
                date_of_birth="23/11/1944",
                postcode="TQ5 9AB",
                address="3 Fore Street, Brixham",
                phone="01632 960001",
                practice_id="L99013",
                lives_alone=True,
            ),
        )
        people.add_contact(
            session,
            actor,
            doris.id,
            people.ContactDetails(
                name="Jean Pascoe",
                relationship="daughter",  # type: ignore[arg-type]
                phone="07700 900123",
                is_carer=True,
            ),
        )
        return Zone(
            engine=engine,
            url=engine.url.render_as_string(hide_password=False),
            staff_id=coordinator.id,
            doris_id=doris.id,
        )  # type: ignore[arg-type]


def put_doris_on_caseload(zone: Zone) -> None:
    """Doris: a nurse involved, a home care package, in hospital, an overdue crisis referral."""
    with db.writing(zone.engine) as session:
        nurse = next(s for s in reference.staff(session, "BXM") if s.role == "nurse")
        ward = session.exec(select(Organisation).where(Organisation.kind == "ward")).first()
        session.add(
            Involvement(person_id=zone.doris_id, staff_id=nurse.id, discipline="nursing", started_on=date(2026, 1, 5))
        )
        pkg = CarePackage(
            person_id=zone.doris_id, started_on=date(2026, 2, 1), review_due=clock.today() + timedelta(days=7)
        )
        session.add(pkg)
        session.flush()
        session.add(
            CarePackageItem(
                package_id=pkg.id,
                service="Home care",
                detail="4 visits a day, 2 carers",  # type: ignore[arg-type]
                provider="Bayside Care",
                start_date=date(2026, 2, 1),
                weekly_cost_pence=41200,
            )
        )
        session.add(Admission(person_id=zone.doris_id, ward_id=ward.id, admitted_at=clock.now() - timedelta(days=2)))  # type: ignore[union-attr]
        session.add(
            Referral(
                person_id=zone.doris_id,
                received_at=clock.now(),
                discipline="occupational_therapy",
                urgency="rapid",
                crisis=True,
                reason="Carer cannot cope",
                source="Daughter",
                due_at=clock.now() - timedelta(minutes=1),
            )
        )  # overdue: due, whatever the hour
        caseload.refresh(session, zone.doris_id)


def engine_for(url: str, search_path: str = "") -> Engine:
    """An engine on ``url``, inside the test's own PostgreSQL schema when given one."""
    if search_path:
        return db.make_engine(url, connect_args={"options": f"-csearch_path={search_path}"})
    return db.make_engine(url)


def make_zone(url: str, search_path: str = "") -> Zone:
    """Migrate a fresh database at ``url`` and put the small zone in it."""
    engine = engine_for(url, search_path)
    db.migrate(engine)
    zone = _seed(engine)
    zone.search_path = search_path
    return zone


def shown_text(widget: object, width: int = 120) -> str:
    """What a Static shows, as plain text, whether it holds text or a Rich table."""
    import io

    from rich.console import Console

    out = io.StringIO()
    Console(file=out, width=width, color_system=None).print(widget.content)  # type: ignore[attr-defined]
    return out.getvalue()


async def until(pilot: object, condition: object, timeout: float = 10.0) -> None:
    """Let the app run until ``condition()`` holds (workers and screen switches take a moment)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(condition, '__doc__', None) or condition}")
        await pilot.pause(0.05)  # type: ignore[attr-defined]


def on_screen(app: object, name: str) -> object:
    """A condition: the app is showing the screen class ``name``."""
    return lambda: type(app.screen).__name__ == name  # type: ignore[attr-defined]


async def open_record(pilot: object, app: object, person_id: int) -> None:
    """Open a person's record and wait until it has loaded, as a user waits to read it."""
    app.open_person(person_id)  # type: ignore[attr-defined]
    await until(
        pilot,
        lambda: (
            type(app.screen).__name__ == "PersonScreen"  # type: ignore[attr-defined]
            and app.screen.record is not None
        ),
    )  # type: ignore[attr-defined]


@asynccontextmanager
async def desk_open(zone: Zone, size: tuple[int, int] = SIZE) -> AsyncIterator[tuple[Any, Any]]:
    """The real desk on the zone's database, signed in as its co-ordinator, at the caseload (160x48 unless said)."""
    from screens.app import DeskApp

    app = DeskApp(engine=zone.engine, staff_id=zone.staff_id)
    async with app.run_test(size=size) as pilot:
        # the screen, and its table: a screen is composed a moment after it becomes the app's screen
        await until(pilot, lambda: on_screen(app, "CaseloadScreen")() and bool(app.screen.query("#caseload")))
        yield app, pilot
