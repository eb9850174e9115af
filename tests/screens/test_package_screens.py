"""Packages at the desk: an assessment recorded, the package changed on it, at speed, and what the desk says back.

The key sequences pressed here are the counts the desk promises: from a
person's record, a morning visit added on their latest nurse assessment and
saved in at most 8 keys beyond the words typed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlmodel import select
from textual.widgets import Input, Select

from desk import clock, dates, db
from desk.history import Actor
from desk.models import Assessment, CarePackage, CarePackageItem, Referral
from desk.package_models import CarePackageVersion
from desk.packages import arrange, assessments
from desk.packages.arrange import Arranged, PackageChange, ServiceLine
from desk.packages.assessments import AssessmentInput, FindingInput
from desk.services import reference
from screens.package import current_text, read_package, services_text
from tests.screens.screen_zone import Zone, desk_open, engine_for, on_screen, open_record, shown_text, until

EVENING = ("17:00",)


def _nurse(zone: Zone) -> reference.StaffRow:
    with db.reading(zone.engine) as session:
        return next(s for s in reference.staff(session, "BXM") if s.role == "nurse")


def had_home_care_before(zone: Zone) -> None:
    """Doris had home care years ago, so eligibility for long-term support was decided then."""
    with db.writing(zone.engine) as session:
        old = CarePackage(
            person_id=zone.doris_id,
            started_on=date(2023, 1, 9),
            status="ended",
            state="ended",
            ended_on=date(2023, 6, 1),
        )
        session.add(old)
        session.flush()
        session.add(
            CarePackageItem(
                package_id=old.id,  # type: ignore[arg-type]
                service="Home care",
                provider="Bay Care",
                start_date=date(2023, 1, 9),
                end_date=date(2023, 6, 1),
            )
        )


def nurse_assessment(
    zone: Zone,
    *,
    days_ago: int,
    areas: tuple[str, ...] = ("personal_care", "medicines"),
    nurse: reference.StaffRow | None = None,
) -> int:
    """A district nurse's assessment of Doris (the zone's first nurse unless named), recorded on her behalf."""
    nurse = nurse or _nurse(zone)
    with db.writing(zone.engine) as session:
        rec = assessments.record(
            session,
            Actor(zone.staff_id, "test"),
            AssessmentInput(
                person_id=zone.doris_id,
                assessor_id=nurse.id,
                assessor_role="district_nurse",
                at=clock.now() - timedelta(days=days_ago, minutes=5),
                place="home",
                findings=tuple(FindingInput(a, "high") for a in areas),
                recommendations="Help getting up in the morning",
            ),
        )
    return rec.id


def evening_package(zone: Zone) -> Arranged:
    """Doris's package, version 1: an evening visit, arranged on a nurse's assessment three days ago."""
    had_home_care_before(zone)
    aid = nurse_assessment(zone, days_ago=3)
    with db.writing(zone.engine) as session:
        out = arrange.change(
            session,
            Actor(zone.staff_id, "test"),
            PackageChange(
                zone.doris_id,
                aid,
                (
                    ServiceLine(
                        "home_care", "bay_care", clock.today() - timedelta(days=2), times=EVENING, minutes=30, carers=1
                    ),
                ),
                "Help to bed",
            ),
        )
    assert isinstance(out, Arranged)
    return out


def timeline_entries(text: str) -> list[str]:
    """The timeline's entries as shown, each with its wrapped lines joined, without the time and side columns."""
    out: list[str] = []
    for line in text.splitlines():
        if re.match(r"\d\d-\w{3}-\d{4} \d\d:\d\d ", line):
            out.append(line.split(None, 3)[3])
        elif out:
            out[-1] += " " + line.strip()
    return out


def change_form_open(app):  # type: ignore[no-untyped-def]
    """A condition: the change form is up."""
    return on_screen(app, "PackageChangeForm")


def versions_of(zone: Zone) -> list[CarePackageVersion]:
    with db.reading(zone.engine) as session:
        return list(session.exec(select(CarePackageVersion).order_by(CarePackageVersion.number)))


async def add_service(pilot, app, key: str) -> None:  # type: ignore[no-untyped-def]
    """F8 and the service's letter (two keys): the line is added with its defaults."""
    form = app.screen
    before = len(form.query("LineEditor"))
    await pilot.press("f8")
    await until(pilot, on_screen(app, "ServicePicker"))
    await pilot.press(key)
    await until(pilot, lambda: app.screen is form and len(form.query("LineEditor")) == before + 1)


async def test_a_morning_visit_added_on_the_latest_nurse_assessment_in_five_keys(zone: Zone) -> None:
    """M, F8, h, Enter, [why], F10: the new package, its cost a week and its review date on the record."""
    evening_package(zone)
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("m")  # 1: the change form, on the latest nurse assessment
        await until(pilot, change_form_open(app))
        form = app.screen
        assert "District nurse" in str(form.query_one("#assessment", Select).selection or "") or form.query_one(
            "#assessment", Select
        ).value == str(versions_of(zone)[0].assessment_id)
        await pilot.press("f8")  # 2: add a service
        await until(pilot, on_screen(app, "ServicePicker"))
        await pilot.press("h")  # 3: home care visits: 08:00, 30 minutes, 1 carer, every day, Bay Care
        await until(pilot, lambda: app.screen is form and len(form.query("LineEditor")) == 2)
        await pilot.press("enter")  # 4: on to why
        await pilot.press(*"Needs help getting up")
        await pilot.press("f10")  # 5: saved
        await until(pilot, on_screen(app, "PackageScreen"))
        pkg_screen = app.screen
        await until(pilot, lambda: pkg_screen.found is not None)  # type: ignore[attr-defined]
        review = dates.nhs_style(clock.today() + timedelta(days=28))
        arranged = shown_text(pkg_screen.query_one("#package-arranged"), 150)
        assert "Arranged: version 2" in arranged
        assert "Home care visits added: 1 visit a day (08:00), 30 minutes, 1 carer, every day" in arranged
        assert "Cost a week: £85.75 to £171.50" in arranged and f"review due {review}" in arranged
        assert "Bay Care Homecare" in arranged  # the provider to tell
        await pilot.press("escape")
        record = app.screen
        await until(pilot, lambda: "£171.50 a week" in shown_text(record.query_one("#details"), 100))
        details = shown_text(record.query_one("#details"), 100)
        assert f"review due {review}" in details
        assert "1 visit a day (08:00), 30 minutes, 1 carer, every day" in details
    v = versions_of(zone)[-1]
    assert (v.number, v.cost_per_week_pence, v.why) == (2, 17150, "Needs help getting up")


async def test_a_morning_visit_and_a_key_safe_on_the_nurse_assessment(zone: Zone) -> None:
    """The issue's story: the latest nurse assessment, a morning visit and a key safe in seven keys, on the record.

    Version 1 was arranged on one nurse's assessment three days ago; the change is made on another nurse's,
    today's, and the record's timeline says which assessment authorised each version.
    """
    evening_package(zone)
    with db.reading(zone.engine) as session:
        first_nurse, second_nurse = [s for s in reference.staff(session, "BXM") if s.role == "nurse"][:2]
    nurse_assessment(zone, days_ago=0, areas=("personal_care", "home_environment"), nurse=second_nurse)
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("m")  # 1
        await until(pilot, change_form_open(app))
        await add_service(pilot, app, "h")  # 2, 3
        await add_service(pilot, app, "k")  # 4, 5: a key safe, from the equipment store
        await pilot.press("enter")  # 6
        await pilot.press(*"Deteriorated: cannot get up alone; carers need a key")
        await pilot.press("f10")  # 7
        await until(pilot, on_screen(app, "PackageScreen"))
        pkg_screen = app.screen
        await until(pilot, lambda: pkg_screen.found is not None and pkg_screen.found.current.number == 2)  # type: ignore[attr-defined]
        current = shown_text(pkg_screen.query_one("#package-current"), 150)
        assert "Current package: version 2" in current and "Cost a week: £171.50" in current
        assert "One-off: £85.00" in current
        review = dates.nhs_style(clock.today() + timedelta(days=28))
        assert f"Review due: {review}" in current
        services = shown_text(pkg_screen.query_one("#package-services"), 150)
        assert "Key safe, fitted  Community Equipment Store" in services and "£24.50 per carer hour" in services
        history = " ".join(pkg_screen.history().split())  # type: ignore[attr-defined]
        assert "Version 2" in history and "Version 1" in history and "Key safe, fitted added" in history
        notices = pkg_screen.query_one("#package-notices")
        assert notices.option_count == 3  # Bay Care (twice: versions 1 and 2) and the equipment store
        await pilot.press("t")  # the first provider to tell, ticked off
        await until(pilot, lambda: "[told" in str(notices.get_option_at_index(notices.option_count - 1).prompt))
        await pilot.press("escape")
        record = app.screen
        await until(pilot, lambda: "Key safe, fitted" in shown_text(record.query_one("#details"), 100))
        details = shown_text(record.query_one("#details"), 100)
        assert "£171.50 a week" in details and f"review due {review}" in details
        view = record.query_one("#timeline")
        await until(pilot, lambda: "Package changed (version 2)" in view.text())  # type: ignore[attr-defined]
        entries = timeline_entries(view.text())  # type: ignore[attr-defined]
        titles = [e.split("  (")[0] for e in entries]
        v2, v1 = titles.index("Package changed (version 2)"), titles.index("Package set up (version 1)")
        assert v2 < v1  # newest first
        assert f"On the assessment of {second_nurse.name}, District nurse" in entries[v2]
        assert "Why: Deteriorated: cannot get up alone; carers need a key" in entries[v2]
        assert (
            "Home care visits added: 1 visit a day (08:00)" in entries[v2] and "Key safe, fitted added" in entries[v2]
        )
        assert "7 hours of care a week, £171.50 a week" in entries[v2]
        assert f"On the assessment of {first_nurse.name}, District nurse" in entries[v1]
        assert "Why: Help to bed" in entries[v1] and "3.5 hours of care a week, £85.75 a week" in entries[v1]
        assert second_nurse.name not in entries[v1] and first_nurse.name not in entries[v2]


async def test_a_stale_assessment_is_refused_beside_it_and_a_new_one_asked_for_in_one_key(zone: Zone) -> None:
    """A 20-day-old assessment: the date and the areas beside it, nothing written; Ctrl+N refers to the nurses."""
    had_home_care_before(zone)
    nurse_assessment(zone, days_ago=20)
    old_day = dates.nhs_style(clock.today() - timedelta(days=20))
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("m")
        await until(pilot, change_form_open(app))
        form = app.screen
        await add_service(pilot, app, "h")
        await pilot.press("enter", *"Needs help getting up", "f10")
        await until(pilot, lambda: form.query_one("#assessment-error").display)
        said = shown_text(form.query_one("#assessment-error"), 300)
        assert f"on {old_day} is 20 days old" in said and "personal care, medicines" in said
        assert versions_of(zone) == []
        assert form.query_one("#why", Input).value == "Needs help getting up"  # nothing typed lost
        await pilot.press("ctrl+n")
        await until(pilot, lambda: "New assessment asked for" in shown_text(form.query_one("#form-message"), 150))
    with db.reading(zone.engine) as session:
        referral = session.exec(select(Referral)).one()
        assert referral.discipline == "nursing" and old_day in referral.reason
        assert session.exec(select(CarePackageVersion)).all() == []


async def test_a_permanent_care_home_placement_is_routed_naming_the_rule(zone: Zone) -> None:
    """A care home placement is the local authority's: a social worker referral, the rule named, nothing arranged."""
    had_home_care_before(zone)
    nurse_assessment(zone, days_ago=1, areas=("personal_care", "night_time"))
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("m")
        await until(pilot, change_form_open(app))
        await add_service(pilot, app, "p")
        await pilot.press("enter", *"Cannot be managed at home any longer", "f10")
        await until(pilot, on_screen(app, "OutcomeDialog"))
        said = shown_text(app.screen.query_one("#outcome-text"), 150)
        assert "Referred to a social worker of the zone" in said
        assert "Permanent move to a care home: the change arranges permanent care home placement" in said
    with db.reading(zone.engine) as session:
        referral = session.exec(select(Referral)).one()
        assert referral.discipline == "social_work"
        assert session.exec(select(CarePackageVersion)).all() == []


async def test_another_desk_saved_first_is_shown_and_this_change_applied_on_top(zone: Zone) -> None:
    """Another desk adds a lunch visit while this one adds a morning visit: shown what they did, F9 lays mine on top."""
    first = evening_package(zone)
    aid = versions_of(zone)[0].assessment_id
    assert aid is not None
    other = engine_for(zone.url, zone.search_path)
    try:
        async with desk_open(zone) as (app, pilot):
            await open_record(pilot, app, zone.doris_id)
            await pilot.press("m")
            await until(pilot, change_form_open(app))
            form = app.screen
            with db.writing(other) as session:  # the other desk saves first
                base = arrange.current(session, first.package_id)
                assert base is not None
                line = arrange.as_lines(base)[0]
                theirs = arrange.change(
                    session,
                    Actor(zone.staff_id, "desk-2"),
                    PackageChange(
                        zone.doris_id,
                        aid,
                        (ServiceLine(**{**line.__dict__, "times": ("12:30", "17:00")}),),
                        "Lunch visit too",
                        package_id=first.package_id,
                        based_on=1,
                    ),
                )
                assert isinstance(theirs, Arranged)
            await add_service(pilot, app, "h")
            await pilot.press("enter", *"Needs help getting up", "f10")
            await until(pilot, lambda: form.query_one("#clash").display)
            clash = shown_text(form.query_one("#clash"), 150)
            assert "changed by" in clash and "desk-2" in clash and "visit added (12:30)" in clash
            assert len(versions_of(zone)) == 2  # theirs only: nothing of this desk's overwrote it
            await pilot.press("f9")
            await until(pilot, on_screen(app, "PackageScreen"))
        with db.reading(zone.engine) as session:
            now = arrange.current(session, first.package_id)
            assert now is not None and now.number == 3
            assert sorted(ln.times for ln in now.lines) == [("08:00",), ("12:30", "17:00")]
    finally:
        other.dispose()


async def test_bad_inputs_are_said_beside_their_fields_and_nothing_is_written(zone: Zone) -> None:
    """A visit of zero minutes and 25 carers, and no reason: each beside its field; nothing saved, nothing lost."""
    evening_package(zone)
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("m")
        await until(pilot, change_form_open(app))
        form = app.screen
        await add_service(pilot, app, "h")
        editor = list(form.query("LineEditor"))[-1]
        minutes = editor.query_one(f"#{editor.wid('minutes')}", Input)  # type: ignore[attr-defined]
        carers = editor.query_one(f"#{editor.wid('carers')}", Input)  # type: ignore[attr-defined]
        minutes.value, carers.value = "0", "25"
        await pilot.press("f10")
        await until(pilot, lambda: form.query_one(f"#{editor.wid('minutes')}-error").display)  # type: ignore[attr-defined]
        assert "more than zero" in shown_text(form.query_one(f"#{editor.wid('minutes')}-error"))  # type: ignore[attr-defined]
        assert "more than 24 carers" in shown_text(form.query_one(f"#{editor.wid('carers')}-error"))  # type: ignore[attr-defined]
        assert "Say why" in shown_text(form.query_one("#why-error"))
        assert (minutes.value, carers.value) == ("0", "25")
        assert on_screen(app, "PackageChangeForm")()
    assert len(versions_of(zone)) == 1


async def test_an_assessment_recorded_on_the_nurses_behalf_through_the_form(zone: Zone) -> None:
    """A: the nurse and her role, at home, personal care high: saved once, on her behalf, by the co-ordinator."""
    nurse = _nurse(zone)
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("a")
        await until(pilot, on_screen(app, "AssessmentForm"))
        form = app.screen
        assert "on the assessor's behalf" in shown_text(form.query_one("#on-behalf"), 150)
        form.query_one("#assessor", Select).value = f"{nurse.id}:district_nurse"
        form.query_one("#place").focus()
        await pilot.press("h", "h", "tab", *"Cannot wash alone", "f10")
        await until(pilot, on_screen(app, "PersonScreen"))
    with db.reading(zone.engine) as session:
        row = session.exec(select(Assessment)).one()
        assert (row.staff_id, row.recorded_by_id, row.place, row.assessor_role) == (
            nurse.id,
            zone.staff_id,
            "home",
            "district_nurse",
        )
        rec = assessments.get(session, row.id)
        assert rec.on_behalf and [f.words for f in rec.findings] == [
            "Personal care: High: help every day (Cannot wash alone)"
        ]


def package_before_versions(zone: Zone) -> int:
    """Doris's package from before the desk kept versions: home care and meals, no lines, no catalogue ids."""
    started = clock.today() - timedelta(days=500)
    with db.writing(zone.engine) as session:
        pkg = CarePackage(person_id=zone.doris_id, started_on=started)
        session.add(pkg)
        session.flush()
        assert pkg.id is not None
        for service, detail, provider, cost in (
            ("Home care", "2 visits a day (morning and bedtime), 1 carer", "Bayside Home Care", 31500),
            ("Meals", "Hot lunch delivered 7 days", "Coastline Meals on Wheels", 3150),
        ):
            session.add(
                CarePackageItem(
                    package_id=pkg.id,
                    service=service,
                    detail=detail,
                    provider=provider,
                    start_date=started,
                    weekly_cost_pence=cost,
                )
            )
        return pkg.id


async def test_a_package_from_before_versions_opens_with_its_services_and_keeps_them_as_version_one(
    zone: Zone,
) -> None:
    """M on a package from before versions: its home care and meals on the form; the visit saved as version 2."""
    package_id = package_before_versions(zone)
    nurse_assessment(zone, days_ago=1)
    read = read_package(zone.engine, zone.doris_id)
    assert read.current is not None and not read.current.saved
    headline = current_text(read).plain
    assert "arranged before the desk kept versions" in headline and "Cost a week: £346.50" in headline
    assert "Authorised by No assessment: services as arranged before the desk kept versions" in headline
    listed = services_text(read.current, read.line_states).plain
    assert "Meals delivered at home  Coastline Meals on Wheels  [Active]" in listed
    assert "£31.50 per week; £31.50 a week" in listed
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("m")
        await until(pilot, change_form_open(app))
        form = app.screen
        await until(pilot, lambda: len(form.query("LineEditor")) == 2)
        titles = [str(e.border_title) for e in form.query("LineEditor")]
        assert titles == [
            "Home care visits (line 1, as arranged before versions)",
            "Meals delivered at home (line 2, as arranged before versions)",
        ]
        shown = " ".join(str(label.render()) for label in form.query("LineEditor Label.found"))
        assert "2 visits a day (morning and bedtime), 1 carer, Bayside Home Care" in shown
        assert "Hot lunch delivered 7 days, Coastline Meals on Wheels" in shown
        cost = shown_text(form.query_one("#change-cost"), 150)
        assert "Arranged before the desk kept versions: £346.50 a week" in cost
        assert versions_of(zone) == []  # opening the form wrote nothing
        await add_service(pilot, app, "h")  # a morning visit at 08:00
        await pilot.press("enter")
        await pilot.press(*"Needs help getting up")
        await pilot.press("f10")
        await until(pilot, on_screen(app, "PackageScreen"))
        pkg_screen = app.screen
        await until(pilot, lambda: pkg_screen.found is not None)  # type: ignore[attr-defined]
        arranged = shown_text(pkg_screen.query_one("#package-arranged"), 150)
        assert "Arranged: version 2" in arranged and "Cost a week: £346.50 to £432.25" in arranged
        history = " ".join(pkg_screen.history().split())  # type: ignore[attr-defined]
        assert "Authorised by: No assessment: services as arranged before the desk kept versions" in history
        assert "Home care visits as found: 2 visits a day (morning and bedtime), 1 carer" in history
    assert [(v.number, v.assessment_id is None) for v in versions_of(zone)] == [(1, True), (2, False)]
    with db.reading(zone.engine) as session:
        items = session.exec(select(CarePackageItem).where(CarePackageItem.package_id == package_id)).all()
        assert sorted(it.line for it in items) == [1, 2, 3]


def home_care_and_key_safe(zone: Zone) -> Arranged:
    """Doris's package, version 1: an evening visit and a key safe, on a nurse's assessment of today."""
    had_home_care_before(zone)
    aid = nurse_assessment(zone, days_ago=0, areas=("personal_care", "home_environment"))
    with db.writing(zone.engine) as session:
        out = arrange.change(
            session,
            Actor(zone.staff_id, "test"),
            PackageChange(
                zone.doris_id,
                aid,
                (
                    ServiceLine("home_care", "bay_care", clock.today(), times=EVENING, minutes=30, carers=1),
                    ServiceLine("key_safe", "community_equipment", clock.today()),
                ),
                "Help to bed and a key safe",
            ),
        )
    assert isinstance(out, Arranged)
    return out


def service_steps(zone: Zone, package_id: int) -> list[tuple[int | None, str, str, str]]:
    with db.reading(zone.engine) as session:
        return [
            (s.line, s.state, s.confirmed_by, s.note)
            for s in arrange.steps(session, package_id)
            if s.line and s.state != "requested"  # each service's first step, as it was arranged
        ]


async def test_a_service_moves_on_from_the_package_screen_saying_what_is_missing_and_losing_nothing(
    zone: Zone,
) -> None:
    """V, the service's number, its state's letter, who confirmed, a note: one service moves on, dated."""
    made = home_care_and_key_safe(zone)
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("k")
        await until(pilot, lambda: on_screen(app, "PackageScreen")() and app.screen.found is not None)  # type: ignore[attr-defined]
        screen = app.screen
        footer = screen.query_one("KeyFooter")
        await until(pilot, lambda: "Service step" in str(footer.render()))
        titles = [c.title for c in app.get_system_commands(screen)]
        assert "Service: move on (arranged, active, suspended or ended)" in titles
        assert "Package: Arranged" in titles  # the package's own moves stay "Package: ..."
        await pilot.press("f1")
        await until(pilot, on_screen(app, "HelpScreen"))
        assert "Move one service on" in str(app.screen.query_one("#help-keys").render())
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)

        # Arranged with nobody named as confirming it: said beside the field, nothing written, the note kept.
        await pilot.press("v")
        await until(pilot, on_screen(app, "ServiceStepDialog"))
        dialog = app.screen
        await pilot.press("1", "r")  # home care visits, arranged: the cursor goes to who confirmed
        assert dialog.focused is dialog.query_one("#confirmed_by")
        await pilot.press("enter", *"Rota from Monday", "enter")
        await until(pilot, lambda: dialog.query_one("#confirmed_by-error").display)
        assert "Say who at the provider confirmed it." in str(dialog.query_one("#confirmed_by-error").render())
        assert dialog.query_one("#note", Input).value == "Rota from Monday"
        assert app.screen is dialog and service_steps(zone, made.package_id) == []
        assert dialog.focused is dialog.query_one("#confirmed_by")
        await pilot.press(*"Sue at Bay Care", "f10")
        await until(pilot, lambda: app.screen is screen)
        assert any("Home care visits, Bay Care Homecare: arranged on" in n.message for n in app._notifications)
        steps = screen.query_one("#package-steps")
        await until(pilot, lambda: "(Home care visits), confirmed by Sue at Bay Care" in shown_text(steps, 200))
        assert service_steps(zone, made.package_id) == [(1, "arranged", "Sue at Bay Care", "Rota from Monday")]

        # A key safe still requested cannot become active; a day that is not a date is said plainly.
        await pilot.press("v")
        await until(pilot, on_screen(app, "ServiceStepDialog"))
        dialog = app.screen
        await pilot.press("2", "a", "shift+tab", "end", "ctrl+u", *"31/02/2026", "f10")
        await until(pilot, lambda: dialog.query_one("#on-error").display)
        assert "'31/02/2026' is not a date" in str(dialog.query_one("#on-error").render())
        await pilot.press("ctrl+u", *dates.nhs_style(clock.today()), "f10")
        await until(pilot, lambda: dialog.query_one("#state-error").display)
        assert "A service requested cannot become active." in str(dialog.query_one("#state-error").render())
        assert service_steps(zone, made.package_id) == [(1, "arranged", "Sue at Bay Care", "Rota from Monday")]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)

        # The key safe fitted: arranged and then active, each dated; the screen says so.
        for state_key, typed in (("r", (*"Equipment store", "enter")), ("a", ())):
            await pilot.press("v")
            await until(pilot, on_screen(app, "ServiceStepDialog"))
            await pilot.press("2", state_key, *typed, "enter")
            await until(pilot, lambda: app.screen is screen)
        await until(
            pilot, lambda: "[Active]" in shown_text(screen.query_one("#package-services"), 200).split("Key safe")[1]
        )
    assert service_steps(zone, made.package_id)[1:] == [(2, "arranged", "Equipment store", ""), (2, "active", "", "")]
    with db.reading(zone.engine) as session:
        items = {
            it.line: it.state
            for it in session.exec(select(CarePackageItem).where(CarePackageItem.package_id == made.package_id))
        }
        assert items == {1: "arranged", 2: "active"}


async def test_k_on_another_record_opens_the_same_screen_with_only_that_persons_package(zone: Zone) -> None:
    """The package screen is made once a session: opened for someone else, nothing of the first person shows."""
    from desk.services import people

    evening_package(zone)
    with db.writing(zone.engine) as session:
        tom = people.register(
            session,
            Actor(zone.staff_id, "test"),
            people.PersonDetails(
                nhs_number="999 000 0034",
                family_name="Reg",
                given_name="Tom",
                date_of_birth="02/03/1939",
                postcode="TQ5 8AA",
                address="9 Berry Head Road, Brixham",
                phone="01632 960002",
                practice_id="L99013",
            ),
        )
    assert tom.id is not None
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("k")
        await until(pilot, lambda: on_screen(app, "PackageScreen")() and app.screen.found is not None)
        first = app.screen
        assert "Help to bed" in " ".join(first.history().split())
        assert "PASCOE, Doris" in str(first.query_one("#package-banner").render())
        await pilot.press("escape", "escape")
        await until(pilot, on_screen(app, "CaseloadScreen"))

        await open_record(pilot, app, tom.id)
        await pilot.press("k")
        await until(pilot, lambda: on_screen(app, "PackageScreen")() and app.screen.found is not None)
        assert app.screen is first
        assert "REG, Tom" in str(first.query_one("#package-banner").render())
        assert "No care package" in shown_text(first.query_one("#package-current"), 150)
        assert " ".join(first.history().split()) == "No versions yet."
        notices = first.query_one("#package-notices")
        assert notices.option_count == 1 and "Nobody to tell" in str(notices.get_option_at_index(0).prompt)
