"""The crisis board and the reminder watch, as a crisis worker at the desk sees them.

The desk's clock is frozen and moved by hand (desk.clock); Textual's own time
runs on. A second engine on the same database stands for another desk.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import clock as desk_clock
from desk import db, triage
from desk.crisis import escalation, liaison, referrals, reminders
from desk.crisis.escalation import BookingMove
from desk.crisis.liaison import LiaisonInput
from desk.crisis.referrals import CallFinish, TriageChoice
from desk.crisis.reminders import Acknowledgement
from desk.crisis_models import Reminder
from desk.history import Actor
from desk.models import History, Referral
from desk.services import calls, people
from screens import crisis_board
from screens.app import DeskApp
from screens.crisis_board import BoardTable, CrisisBoardScreen
from screens.reminder_watch import ReminderWatch
from tests.helpers.crisis import day_team, local, raise_crisis
from tests.helpers.fixtures import FROZEN_AT, FrozenClock, frozen
from tests.screens.screen_zone import Zone, desk_open, engine_for, on_screen, until


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """The desk's clock stopped at Monday 23 November 2026, 10:30 (GMT)."""
    with frozen(FROZEN_AT) as stopped:
        yield stopped


@pytest.fixture
def other_desk(zone: Zone) -> Iterator[Engine]:
    """A second desk's own engine on the same database."""
    eng = engine_for(zone.url, zone.search_path)
    yield eng
    eng.dispose()


def actor(zone: Zone, desk: str = "desk-2") -> Actor:
    return Actor(zone.staff_id, desk)


def register_tom(zone: Zone) -> int:
    with db.writing(zone.engine) as session:
        tom = people.register(
            session,
            actor(zone),
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
    return tom.id


def rapid_referral(engine: Engine, who: Actor, person_id: int) -> int:
    """A call about a change in need, triaged Rapid: due 3 hours from now, reminders at 2 h 30 and 3 h."""
    with db.writing(engine) as session:
        call = calls.start(session, who, "BXM")
        assert call.id is not None
        made = referrals.finish_and_refer(
            session,
            who,
            CallFinish(call.id, person_id, "change_in_need", "Not walking since yesterday.", "Rapid", call.version),
            TriageChoice("rapid", "therapist", need="reduced_mobility"),
        )
    return made.referral_id


def cells(app: DeskApp, column: str) -> list[str]:
    """One column of the board as the screen holds it, whole, top to bottom."""
    return app.screen.query_one("#board", BoardTable).column(column)


def state_style(app: DeskApp, row: int = 0) -> str:
    """The style the state word of the board's ``row`` is drawn in (the row is in view, under the header)."""
    table = app.screen.query_one("#board", BoardTable)
    word = table.column("state")[row].strip()
    [segment] = [s for s in table.render_line(row + 1 - table.scroll_offset.y) if word in s.text]
    return str(segment.style)


def board_of(app: DeskApp) -> CrisisBoardScreen:
    screen = app.screen
    assert isinstance(screen, CrisisBoardScreen)
    return screen


def watch_of(app: DeskApp) -> ReminderWatch:
    return app.screen_stack[0].query_one(ReminderWatch)


def reminder_toasts(app: DeskApp) -> list[str]:
    return sorted(n.message.splitlines()[0] for n in app._notifications if n.title == "Crisis reminder")


async def open_board(pilot: object, app: DeskApp) -> CrisisBoardScreen:
    await pilot.press("f11")  # type: ignore[attr-defined]
    await until(pilot, lambda: on_screen(app, "CrisisBoardScreen")() and board_of(app).settled > 0)
    return board_of(app)


async def test_the_board_shows_each_clock_by_time_left_amber_and_red_at_the_right_minutes(
    zone: Zone, clock: FrozenClock
) -> None:
    """A Rapid referral at 10:30 (due 13:30), a crisis at 10:45 (due 12:45): the crisis first, its words as it runs."""
    tom = register_tom(zone)
    day_team(zone.engine, actor(zone), clock.today)
    rapid_referral(zone.engine, actor(zone), tom)
    clock.advance(timedelta(minutes=15))
    crisis = raise_crisis(zone.engine, actor(zone), zone.doris_id, what="Fell, cannot get up.")
    with db.writing(zone.engine) as session:
        liaison.add_entry(session, actor(zone), LiaisonInput(crisis.crisis_id, "ambulance", "Stood down, we attend"))

    async with desk_open(zone) as (app, pilot):
        board = await open_board(pilot, app)
        assert cells(app, "person") == ["PASCOE, Doris", "REG, Tom"]
        assert cells(app, "kind") == ["Crisis", "Rapid"]
        assert cells(app, "due") == ["12:45", "13:30"]
        assert cells(app, "state") == [" On time ", " On time "]
        assert cells(app, "left") == ["2 h 00 min", "2 h 45 min"]
        assert cells(app, "what")[0] == "Fell, cannot get up."
        assert cells(app, "liaison")[0].startswith("Ambulance service: ")  # narrower beside the dated Due
        assert cells(app, "booked")[0].startswith("Nurse ")
        detail = str(app.screen.query_one("#board-detail").render()).splitlines()
        assert detail[0] == "PASCOE, Doris: Fell, cannot get up."
        assert [line.split()[0] for line in detail[1:4]] == ["Nurse", "Physio", "OT"]
        assert all(line.endswith(": booked") for line in detail[1:4])
        assert detail[4] == "  Liaison: Ambulance service: Stood down, we attend"
        header = str(app.screen.query_one("#board-figure").render())
        assert "2-hour response today: none yet (1 waiting)" in header and "standard 70%" in header

        watch = watch_of(app).scheduler
        assert watch is not None
        watch.pause()  # no reminder raised meanwhile (a change the board would read): this is about the clocks
        read = board.loaded
        clock.set(FROZEN_AT + timedelta(hours=1, minutes=44))  # 12:14: 31 minutes left on the crisis
        await until(pilot, lambda: cells(app, "left")[0] == "31 min")  # the clock ticks by itself
        assert cells(app, "state")[0] == " On time "
        clock.advance(timedelta(minutes=1))  # 12:15: 30 minutes left: amber, "Due soon"
        await until(pilot, lambda: cells(app, "left")[0] == "30 min")
        assert cells(app, "state")[0] == " Due soon "
        assert "on dark_orange" in state_style(app)  # drawn so, the highlight on it
        clock.advance(timedelta(minutes=29, seconds=59))  # 12:44:59
        await until(pilot, lambda: cells(app, "left")[0] == "0 min")
        assert cells(app, "state")[0] == " Due soon "
        clock.advance(timedelta(seconds=1))  # 12:45: the deadline: red, "Breached"
        await until(pilot, lambda: cells(app, "state")[0] == " Breached ")
        assert cells(app, "state") == [" Breached ", " On time "]
        assert cells(app, "left") == ["0 min over", "45 min"]
        assert "on red" in state_style(app)
        clock.advance(timedelta(minutes=75))  # 14:00: both breached
        await until(pilot, lambda: cells(app, "state") == [" Breached ", " Breached "])
        assert cells(app, "left") == ["1 h 15 min over", "30 min over"]
        assert board.loaded == read  # every clock moved on without reading the board again


@pytest.mark.parametrize("width", [160, 120])
async def test_a_deadline_not_today_shows_its_date_and_every_column_fits(
    zone: Zone, clock: FrozenClock, width: int
) -> None:
    """Rapid at 19:00 (due 22:00) and at 21:00 (due 00:00 tomorrow): the date is shown only off today, in UK time."""
    tom = register_tom(zone)
    clock.set(local(clock.today, 19))
    rapid_referral(zone.engine, actor(zone), tom)
    clock.set(local(clock.today, 21))
    rapid_referral(zone.engine, actor(zone), zone.doris_id)
    clock.advance(timedelta(minutes=5))
    async with desk_open(zone, size=(width, 45)) as (app, pilot):
        board = watch_of(app).scheduler
        assert board is not None
        board.pause()  # no reminder raised while the clock jumps: this is about the deadlines
        screen = await open_board(pilot, app)
        assert cells(app, "due") == ["22:00", "24-Nov 00:00"]
        table = app.screen.query_one("#board")
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no column off the edge
        assert cells(app, "person") == ["REG, Tom", "PASCOE, Doris"]  # whole, not cut

        clock.set(local(clock.today + timedelta(days=1), 0, 30))  # after midnight: yesterday's is dated
        read = screen.loaded
        screen.load()
        await until(pilot, lambda: screen.loaded > read)
        assert cells(app, "due") == ["23-Nov 22:00", "00:00"]


async def test_the_rows_show_before_the_reminders_and_the_figure_which_follow_them(
    zone: Zone, clock: FrozenClock, other_desk: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are not held up by the reminders and the 2-hour figure: the status line says they are coming."""
    tom = register_tom(zone)
    rapid_referral(zone.engine, actor(zone), tom)
    clock.advance(timedelta(hours=2, minutes=30))  # 13:00: "30 minutes left" falls due
    with db.writing(other_desk) as session:
        [raised] = reminders.poll(session, actor(zone), zone_id="BXM")
    held = threading.Event()
    read_extras = crisis_board.read_extras

    def held_back(*args: object) -> crisis_board.BoardExtras:
        assert held.wait(10)
        return read_extras(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(crisis_board, "read_extras", held_back)
    async with desk_open(zone) as (app, pilot):
        watch = watch_of(app).scheduler
        assert watch is not None
        watch.pause()
        await pilot.press("f11")
        await until(pilot, lambda: on_screen(app, "CrisisBoardScreen")() and board_of(app).loaded > 0)
        board = board_of(app)
        assert cells(app, "person") == ["REG, Tom"] and board.settled == 0  # the rows, the rest still being read
        status = str(app.screen.query_one("#board-status").render())
        assert "1 open Rapid referral; reading the reminders to acknowledge..." in status
        assert "reading the figure" in str(app.screen.query_one("#board-figure").render())
        assert not app.screen.query_one("#board-reminders").display
        held.set()
        await until(pilot, lambda: board.settled > 0)
        assert [r.id for r in board.reminders] == [raised.id]
        assert "1 reminder to acknowledge." in str(app.screen.query_one("#board-status").render())
        assert "2-hour response today" in str(app.screen.query_one("#board-figure").render())


async def test_a_reminder_due_while_no_desk_was_open_is_raised_on_the_next_open_exactly_once(
    zone: Zone, clock: FrozenClock, other_desk: Engine
) -> None:
    tom = register_tom(zone)
    rapid_referral(zone.engine, actor(zone), tom)
    clock.advance(timedelta(hours=4))  # both reminders fell due with every desk closed
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: len(reminder_toasts(app)) == 2)  # the look at start-up
        assert reminder_toasts(app) == [
            "30 minutes left: Rapid for REG, Tom, due 13:30",
            "Deadline reached: Rapid for REG, Tom, due 13:30",
        ]
        watch = watch_of(app)
        assert watch.scheduler is not None and watch.scheduler.running
        assert {j.id for j in watch.scheduler.get_jobs()} >= {"reminder-poll"}
        watch.look()  # the next short poll
        await until(pilot, lambda: watch.looks >= 2)
        await pilot.pause()
        assert len(reminder_toasts(app)) == 2  # shown once, not again
        with db.writing(other_desk) as session:  # another desk polls: nothing left to raise
            assert reminders.poll(session, actor(zone), zone_id="BXM") == []
    assert watch.scheduler is None  # shut down with the desk

    async with desk_open(zone) as (app, pilot):  # the desk restarted
        await until(pilot, lambda: len(reminder_toasts(app)) == 2)  # still waiting for someone: shown, not raised again
    with db.reading(zone.engine) as session:
        raised = session.exec(select(Reminder).order_by(Reminder.id)).all()
        assert [(r.kind, r.state, r.raised_by_desk) for r in raised] == [
            ("before", "raised", app.desk_name),
            ("deadline", "raised", app.desk_name),
        ]
        whys = session.exec(select(History.why).where(History.entity == "reminder")).all()
        assert whys == ["Reminder raised", "Reminder raised"]


async def test_raised_at_one_desk_shown_at_another_and_acknowledged_anywhere_clears_everywhere(
    zone: Zone, clock: FrozenClock, other_desk: Engine
) -> None:
    tom = register_tom(zone)
    rapid_referral(zone.engine, actor(zone), tom)
    clock.advance(timedelta(hours=2, minutes=30))  # 13:00: "30 minutes left" falls due
    with db.writing(other_desk) as session:  # the other desk raises it
        [raised] = reminders.poll(session, actor(zone), zone_id="BXM")
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: len(reminder_toasts(app)) == 1)
        assert reminder_toasts(app) == ["30 minutes left: Rapid for REG, Tom, due 13:30"]
        board = await open_board(pilot, app)
        assert [r.id for r in board.reminders] == [raised.id]
        assert "30 minutes left: Rapid for REG, Tom" in str(app.screen.query_one("#board-reminders").get_row_at(0))  # type: ignore[attr-defined]
        assert "reminder to acknowledge" in str(app.screen.query_one("#board-status").render())

        with db.writing(other_desk) as session:  # acknowledged at the other desk
            reminders.acknowledge(session, actor(zone), Acknowledgement(raised.id, raised.version))
        await until(pilot, lambda: board.reminders == [])  # the board notices by itself
        assert not app.screen.query_one("#board-reminders").display
        watch_of(app).look()  # the next short poll takes the notification down
        await until(pilot, lambda: reminder_toasts(app) == [])

        clock.advance(timedelta(minutes=30))  # 13:30: the deadline reminder, raised by this desk
        watch_of(app).look()
        await until(pilot, lambda: len(board.reminders) == 1 and len(reminder_toasts(app)) == 1)
        assert reminder_toasts(app) == ["Deadline reached: Rapid for REG, Tom, due 13:30"]
        await pilot.press("k")  # the highlighted row is Tom's: acknowledge its reminder
        await until(pilot, lambda: board.reminders == [] and reminder_toasts(app) == [])
    with db.reading(other_desk) as session:
        assert reminders.outstanding(session, zone_id="BXM") == []
        deadline = session.exec(select(Reminder).where(Reminder.kind == "deadline")).one()
        assert (deadline.state, deadline.acknowledged_by_id, deadline.acknowledged_at) == (
            "acknowledged",
            zone.staff_id,
            clock.now,
        )


async def test_on_a_call_reminders_are_a_line_of_the_call_never_a_toast_over_its_fields(
    zone: Zone, clock: FrozenClock
) -> None:
    """A toast up as a call starts comes down; one raised during the call is said on its line; toasts come after."""
    tom = register_tom(zone)
    rapid_referral(zone.engine, actor(zone), tom)
    async with desk_open(zone) as (app, pilot):
        watch = watch_of(app)
        clock.advance(timedelta(hours=2, minutes=30))  # 13:00: "30 minutes left"
        watch.look()
        await until(pilot, lambda: reminder_toasts(app) == ["30 minutes left: Rapid for REG, Tom, due 13:30"])
        [toast] = [n for n in app._notifications if n.title == "Crisis reminder"]
        assert toast.timeout <= 30  # short: the reminder stays on the crisis board until acknowledged

        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press(*"020 7946 0999", "enter")
        await until(pilot, lambda: on_screen(app, "CallScreen")() and app.screen.call is not None)  # type: ignore[attr-defined]
        call = app.screen
        line = call.query_one("#call-reminders")
        await until(pilot, lambda: reminder_toasts(app) == [] and line.display)  # taken down as the call came in front
        assert str(line.render()).startswith("1 crisis reminder to acknowledge on the crisis board")
        assert line.region.bottom <= call.query_one("#caller").region.y  # at the top, above every field

        clock.advance(timedelta(minutes=30))  # 13:30: the deadline, raised during the call
        looks = watch.looks
        watch.look()
        await until(pilot, lambda: watch.looks > looks)
        await until(pilot, lambda: "2 crisis reminders" in str(line.render()))
        assert "Newest: Deadline reached: Rapid for REG, Tom" in str(line.render())
        assert reminder_toasts(app) == [] and not call.query("Toast")  # nothing over the call's fields
        await pilot.press("escape", "escape")  # the finder closes; the call is left open
        await until(pilot, on_screen(app, "CaseloadScreen"))
        await until(pilot, lambda: reminder_toasts(app) == ["Deadline reached: Rapid for REG, Tom, due 13:30"])


async def test_a_crisis_raised_and_a_visit_arriving_at_another_desk_show_on_the_open_board_by_themselves(
    zone: Zone, clock: FrozenClock, other_desk: Engine
) -> None:
    day_team(zone.engine, actor(zone), clock.today)
    async with desk_open(zone) as (app, pilot):
        board = await open_board(pilot, app)
        assert board.rows == []
        crisis = raise_crisis(other_desk, actor(zone), zone.doris_id)
        await until(pilot, lambda: len(board.rows) == 1, timeout=2.0)  # within 2 seconds, no key pressed
        assert cells(app, "person") == ["PASCOE, Doris"] and cells(app, "state") == [" On time "]
        nurse = crisis.bookings[0]
        clock.advance(timedelta(minutes=40))
        with db.writing(other_desk) as session:
            escalation.move_booking(session, actor(zone), BookingMove(nurse.id, nurse.version, "arrived"))
        await until(pilot, lambda: cells(app, "state") == [" Seen "], timeout=2.0)
        assert "ARRIVED" in cells(app, "booked")[0]
        figure = app.screen.query_one("#board-figure")
        await until(pilot, lambda: "2-hour response today: 1/1 (100%)" in str(figure.render()))  # after the rows
        await pilot.press("enter")  # the person's record
        await until(pilot, on_screen(app, "PersonScreen"))


async def test_f11_again_opens_the_same_board_read_afresh_with_nothing_left_from_before(
    zone: Zone, clock: FrozenClock, other_desk: Engine
) -> None:
    """The board is made once a session: opened again, it shows what is open now, never what it held before."""
    day_team(zone.engine, actor(zone), clock.today)
    tom = register_tom(zone)
    rapid_referral(zone.engine, actor(zone), tom)
    async with desk_open(zone) as (app, pilot):
        watch = watch_of(app).scheduler
        assert watch is not None
        watch.pause()
        first = await open_board(pilot, app)
        assert cells(app, "person") == ["REG, Tom"]
        await pilot.press("a")  # every zone, on this opening only
        await until(pilot, lambda: first.all_zones and first.loaded > 0)
        await pilot.press("escape")
        await until(pilot, on_screen(app, "CaseloadScreen"))
        raise_crisis(other_desk, actor(zone), zone.doris_id, what="Fell in the garden.")
        clock.advance(timedelta(minutes=10))

        await pilot.press("f11")
        assert app.screen is first
        await until(pilot, lambda: first.settled > 0)
        assert not first.all_zones  # opened as the desk opens it
        assert cells(app, "person") == ["PASCOE, Doris", "REG, Tom"]
        assert cells(app, "left") == ["1 h 50 min", "2 h 50 min"]  # each clock as it stands now
        status = str(first.query_one("#board-status").render())
        assert "zone BXM: 1 open crisis, 1 open Rapid referral; 0 reminders to acknowledge." in status

        await pilot.press("enter")  # a record opened from the board, and back
        await until(pilot, on_screen(app, "PersonScreen"))
        await pilot.press("f11")  # the board under the record stays as it is: a second one opens on top
        await until(pilot, lambda: on_screen(app, "CrisisBoardScreen")() and board_of(app).settled > 0)
        assert app.screen is not first and first in app.screen_stack
        assert cells(app, "person") == ["PASCOE, Doris", "REG, Tom"]


async def test_many_reminders_at_once_are_counted_in_one_notification_and_the_board_lists_each(
    zone: Zone, clock: FrozenClock, other_desk: Engine
) -> None:
    tom = register_tom(zone)
    rapid_referral(zone.engine, actor(zone), tom)
    rapid_referral(zone.engine, actor(zone), zone.doris_id)
    clock.advance(timedelta(hours=4))  # four reminders fell due overnight
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: any(n.title == "Crisis reminders" for n in app._notifications))
        [summary] = [n for n in app._notifications if n.title.startswith("Crisis reminder")]
        assert summary.message.splitlines()[0] == "4 crisis reminders were raised."
        board = await open_board(pilot, app)
        assert len(board.reminders) == 4
        with db.writing(other_desk) as session:  # all four acknowledged at another desk
            for row in reminders.outstanding(session, zone_id="BXM"):
                reminders.acknowledge(session, actor(zone), Acknowledgement(row.id, row.version))
        watch_of(app).look()
        await until(pilot, lambda: board.reminders == [] and summary not in app._notifications)


async def test_f11_is_in_the_footer_the_help_and_the_palette_as_crisis_board(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        footer = app.screen.query_one("KeyFooter")
        await until(pilot, lambda: "f11 Crisis board" in footer.keys_text().plain)  # type: ignore[attr-defined]
        assert "Crisis: board" in [c.title for c in app.get_system_commands(app.screen)]
        await pilot.press("f1")
        await until(pilot, on_screen(app, "HelpScreen"))
        keys = app.screen.keys_text().plain  # type: ignore[attr-defined]
        assert "F11" in keys and "Open crises by time left" in keys
        await pilot.press("escape")
        board = await open_board(pilot, app)
        assert [b.key for b in board.BINDINGS if hasattr(b, "key")][:5] == ["escape", "enter", "k", "a", "tab"]
        await pilot.press("f11")  # again, on the board: stays the one board
        await pilot.pause()
        assert app.screen is board and len(app.screen_stack) == 3


def seen_lines(app: DeskApp) -> list[str]:
    """The board's lines as drawn now, header first, as many as are in view."""
    table = app.screen.query_one("#board", BoardTable)
    return [table.rendered_line(y) for y in range(table.size.height)]


def row_line(app: DeskApp, row: int) -> str:
    """The drawn line of the board's ``row`` (in view)."""
    table = app.screen.query_one("#board", BoardTable)
    return table.rendered_line(row - table.scroll_offset.y + 1)


async def test_a_tick_redraws_only_the_rows_whose_minute_turned_over(zone: Zone, clock: FrozenClock) -> None:
    """Tom's Rapid at 10:30:00, Doris's at 10:30:20: at 10:30:30 only Doris's clock has gone under 3 hours."""
    tom = register_tom(zone)
    rapid_referral(zone.engine, actor(zone), tom)  # due 13:30:00
    clock.advance(timedelta(seconds=20))
    rapid_referral(zone.engine, actor(zone), zone.doris_id)  # due 13:30:20
    async with desk_open(zone) as (app, pilot):
        watch = watch_of(app).scheduler
        assert watch is not None
        watch.pause()  # no reminder raised meanwhile: this is about the clocks
        board = await open_board(pilot, app)
        table = app.screen.query_one("#board", BoardTable)
        assert cells(app, "person") == ["REG, Tom", "PASCOE, Doris"]
        await pilot.pause()
        before = seen_lines(app)
        assert "2 h 59 min" in before[1] and "3 h 00 min" in before[2]
        drawn = [table.render_line(y) for y in range(table.size.height)]
        read = board.loaded

        clock.advance(timedelta(seconds=10))  # 10:30:30: Tom's 2 h 59 min 30 s, Doris's 2 h 59 min 50 s
        await until(pilot, lambda: "2 h 59 min" in row_line(app, 1))  # the clock ticks by itself
        after = seen_lines(app)
        assert [y for y, (old, new) in enumerate(zip(before, after, strict=True)) if old != new] == [2]
        assert after[2] == before[2].replace("3 h 00 min", "2 h 59 min")  # the time left, and nothing else
        assert table.render_line(1) is drawn[1] and table.render_line(0) is drawn[0]  # Tom's line not made again
        assert board.tick() == 0  # the next second: nothing turned over, nothing changes
        assert seen_lines(app) == after

        clock.advance(timedelta(minutes=2, seconds=30))  # 10:33:00: both clocks on by minutes
        await until(pilot, lambda: "2 h 57 min" in row_line(app, 0) and "2 h 57 min" in row_line(app, 1))
        assert cells(app, "left") == ["2 h 57 min", "2 h 57 min"]
        assert board.loaded == read  # all of it without reading the board again


def many_rapid_referrals(zone: Zone, count: int) -> None:
    """``count`` open Rapid referrals for Doris and Tom, received a minute apart up to now."""
    tom = register_tom(zone)
    now = desk_clock.now()
    with db.writing(zone.engine) as session:
        for n in range(count):
            received = now - timedelta(minutes=count - n)
            session.add(
                Referral(
                    person_id=(zone.doris_id, tom)[n % 2],
                    received_at=received,
                    source="Phone",
                    discipline="nursing",
                    reason=f"Need {n + 1:03}",
                    urgency=triage.RAPID,
                    due_at=triage.due_at(received, triage.RAPID),
                    response=triage.RAPID,
                )
            )


async def test_three_hundred_rows_are_drawn_and_the_keys_reach_the_first_and_the_last(
    zone: Zone, clock: FrozenClock
) -> None:
    many_rapid_referrals(zone, 300)
    async with desk_open(zone, size=(120, 45)) as (app, pilot):
        watch = watch_of(app).scheduler
        assert watch is not None
        watch.pause()
        board = await open_board(pilot, app)
        table = app.screen.query_one("#board", BoardTable)
        assert len(board.rows) == table.row_count == 300
        assert "300 open Rapid referrals" in str(app.screen.query_one("#board-status").render())
        await pilot.pause()
        lines = seen_lines(app)
        assert lines[0].split()[:3] == ["State", "Left", "Due"]
        assert "Need 001" in lines[1] and "Breached" in lines[1]  # received 300 minutes ago
        assert all(len(line) == table.size.width - 2 for line in lines)  # every line whole, none past the edge
        detail = app.screen.query_one("#board-detail")
        assert "Need 001" in str(detail.render())

        await pilot.press("end")
        assert table.cursor_row == 299
        assert "Need 300" in row_line(app, 299) and "On time" in row_line(app, 299)
        assert "Need 300" in str(detail.render())  # the highlighted row's detail follows
        await pilot.press("down")  # the last stays the last
        assert table.cursor_row == 299
        await pilot.press("pageup")
        assert 250 < table.cursor_row < 299
        assert f"Need {table.cursor_row + 1:03}" in row_line(app, table.cursor_row)
        await pilot.press("home")
        assert table.cursor_row == 0 and table.scroll_offset.y == 0
        assert "Need 001" in seen_lines(app)[1]
        await pilot.press("pagedown", "down", "up", "up")
        at = table.cursor_row
        assert 0 < at < 60
        assert f"Need {at + 1:03}" in str(detail.render())
        await pilot.press("enter")  # that row's person
        await until(pilot, on_screen(app, "PersonScreen"))
        assert app.screen.person_id == board.rows[at].person_id  # type: ignore[attr-defined]
