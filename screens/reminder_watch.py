"""Each desk's reminder watch: a scheduler that only wakes the desk to look at the reminder table.

The truth is in the database (desk.crisis.reminders); the scheduler holds
nothing but two wake-ups: a short poll, and the next known deadline. On each
wake a thread worker raises whatever has fallen due (claimed, so one desk
raises each), then reads what is raised and not yet acknowledged in the zone:
every desk shows each of those once as a notification, and takes it down when
someone, at any desk, acknowledges it. The first look runs at start-up, so a
reminder that fell due while every desk was closed is raised as the desk opens.

Package reviews ride on the same wakes (desk.crisis.reminders.poll_reviews):
a review falling due is claimed by one desk, then every desk of the zone
shows it once, as a quieter notification than a crisis reminder (no bell),
until it is recorded on the review list (Ctrl+N). The scheduler also wakes
at the next review's due time.

While a call is in front (the call screen, or a dialog over it) no reminder
comes as a toast: a toast sits at the bottom right, over the call's fields.
The call screen says the count on a line of its own instead (any screen with
a ``show_reminders`` method is told the same way), the bell still rings, and
reminders that arrived during the call come as toasts once it is left. The
toasts are short: every reminder stays on the crisis board until acknowledged.

Discharges for the zone to pick up (desk.discharge.pickups) ride on them
too: a pick-up falling due is claimed by one desk, every desk of the zone
shows it, and it is raised again (a fresh notification on every desk) until
someone acknowledges it on the pick-ups list (Ctrl+Y). A new pick-up must
show within two seconds, so the watch also reads a cheap mark of the zone's
pick-ups every second and looks as soon as it moves.

The watch is a hidden widget on the app's base screen, so it lives exactly as
long as the app: its scheduler starts on mount (it needs the running loop) and
shuts down on unmount.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from textual import work
from textual.app import App
from textual.notifications import Notification, Notify
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.worker import get_current_worker

from desk.plurals import counted, were
from screens.base import desk_of
from screens.leak_fixes import withdraw_notification

if TYPE_CHECKING:
    from collections.abc import Hashable

    from desk.crisis.reminders import ReminderRow, ReviewRow
    from desk.discharge.pickups import PickupRow

POLL_S = 15.0
"""The short poll: the longest a raised reminder takes to show on the other desks of the zone."""
SETTLE_S = 2.0
"""After a deadline wake, look again this much later: another desk may have raised it a moment before."""
TOASTS_AT_ONCE = 3
"""More reminders than this arriving at once are counted in one notification instead of one each."""
PICKUP_MARK_S = 1.0
"""How often the watch reads the zone's pick-up mark: a discharge shows on the zone's desks within two of these."""
TOAST_S = 20.0
"""How long a reminder's notification stays up: long enough to read; it stays on the crisis board until acknowledged."""
log = logging.getLogger("zone-desk")


@dataclass(frozen=True)
class Looked:
    """What one look found: the zone's outstanding reminders and when the next one falls."""

    outstanding: list[ReminderRow]
    next_due_at: datetime | None
    """The soonest of the next reminder, review and pick-up raise falling due."""
    reviews: list[ReviewRow] = field(default_factory=list)
    """The zone's reviews raised and not yet recorded."""
    pickups: list[PickupRow] = field(default_factory=list)
    """The zone's discharges to pick up not yet acknowledged."""


def sooner(*times: datetime | None) -> datetime | None:
    """The earliest of the times given that are known."""
    known = [t for t in times if t is not None]
    return min(known) if known else None


@runtime_checkable
class TakesReminders(Protocol):
    """A screen that says the zone's outstanding reminders in its own layout (the call screen), not as toasts."""

    def show_reminders(self, outstanding: list[ReminderRow]) -> None: ...


def taking_reminders(app: App[Any]) -> TakesReminders | None:
    """The screen in front that takes reminders itself, looking through any dialogs over it; else None."""
    for screen in reversed(app.screen_stack):
        if isinstance(screen, TakesReminders):
            return screen
        if not isinstance(screen, ModalScreen):
            return None
    return None


def start(app: App[Any]) -> ReminderWatch:
    """Start the desk's reminder watch for the rest of the app's life (once someone is at the desk)."""
    base = app.screen_stack[0]
    running = base.query(ReminderWatch)
    if running:
        return running.first()
    watch = ReminderWatch(id="reminder-watch")
    base.mount(watch)
    return watch


def wake_delay(next_due_at: datetime, now: datetime) -> timedelta:
    """How long until a deadline by the desk's clock (never negative), for the scheduler's own clock."""
    return max(timedelta(0), next_due_at - now)


class ReminderWatch(Widget):
    """Wakes the desk to raise and show reminders; never holds a deadline itself."""

    DEFAULT_CSS = "ReminderWatch { display: none; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scheduler: AsyncIOScheduler | None = None
        self.shown: dict[int, Notification] = {}
        """Reminders this desk has shown, by id: each once, until acknowledged anywhere."""
        self.looks = 0
        self.outstanding: list[ReminderRow] = []
        """What the last look found outstanding in the zone."""
        self.rung: set[int] = set()
        """Reminders the bell has rung for, by id: once each, toast or not."""
        self._next_due_at: datetime | None = None
        self.reviews: list[ReviewRow] = []
        """What the last look found raised and not yet recorded of the zone's package reviews."""
        self.shown_reviews: dict[int, Notification] = {}
        """Reviews this desk has shown, by id: each once, until recorded anywhere."""
        self.pickups: list[PickupRow] = []
        """What the last look found of the zone's pick-ups not yet acknowledged."""
        self.shown_pickups: dict[int, tuple[int, Notification]] = {}
        """Pick-ups this desk has shown, by id, with the raise shown: once per raise, until acknowledged anywhere."""
        self._pickup_mark: Hashable | None = None
        self._reading_mark = False

    def on_mount(self) -> None:
        scheduler = AsyncIOScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )  # the in-memory job store: nothing the scheduler holds needs to survive it
        scheduler.add_job(self._wake, "interval", seconds=POLL_S, id="reminder-poll")
        scheduler.add_job(self._check_pickups, "interval", seconds=PICKUP_MARK_S, id="pickup-mark")
        scheduler.start()
        self.scheduler = scheduler
        self.look()  # at start-up: catch up on whatever fell due while the desk was closed

    def on_unmount(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.scheduler = None

    async def _wake(self) -> None:
        """A scheduler job: wake the desk to look (the looking is a worker's)."""
        self.look()

    async def _check_pickups(self) -> None:
        """A scheduler job: read the zone's pick-up mark (a worker's), unless the last read is still going."""
        if not self._reading_mark and desk_of(self).database.ready:
            self._reading_mark = True
            self._read_pickup_mark()

    @work(thread=True, exit_on_error=False, group="pickup-mark")
    def _read_pickup_mark(self) -> None:
        """Look now if the zone's pick-ups moved since the last read (a discharge or acknowledgement anywhere)."""
        from desk import db
        from desk.discharge import pickups

        app = desk_of(self)
        try:
            with db.reading(app.engine) as session:
                value = pickups.mark(session, getattr(app, "zone_id", "") or None)
        except Exception:  # a busy or unreachable database: the next second tries again, never a message each time
            log.warning("reminder watch could not read the pick-up mark", exc_info=True)
            return
        finally:
            self._reading_mark = False
        moved, self._pickup_mark = value != self._pickup_mark, value
        if moved:
            app.call_from_thread(self.look)

    @work(thread=True, exclusive=True, group="reminder-watch", exit_on_error=False)
    def look(self) -> None:
        """Raise what has fallen due, then read what the zone has outstanding and when the next one falls."""
        from desk import db
        from desk.crisis import reminders
        from desk.discharge import pickups

        app = desk_of(self)
        zone_id: str = getattr(app, "zone_id", "") or ""
        engine = app.engine
        zone = zone_id or None
        with db.writing(engine) as session:
            reminders.poll(session, app.actor, zone_id=zone)
            reminders.poll_reviews(session, app.actor, zone_id=zone)
            reminders.poll_pickups(session, app.actor, zone_id=zone)
        with db.reading(engine) as session:
            looked = Looked(
                reminders.outstanding(session, zone_id=zone),
                sooner(
                    reminders.next_wake_at(session, zone_id=zone),
                    reminders.next_review_wake_at(session, zone_id=zone),
                    reminders.next_pickup_wake_at(session, zone_id=zone),
                ),
                reminders.outstanding_reviews(session, zone_id=zone),
                pickups.outstanding(session, zone),
            )
        if not get_current_worker().is_cancelled:  # a newer look is under way: its snapshot wins
            app.call_from_thread(self.show, looked)

    def show(self, looked: Looked) -> None:
        """Notify each outstanding reminder not yet shown here; take down those acknowledged anywhere.

        A handful arriving at once get a notification each; more (a desk
        opening after a long night) get one that counts them, so the screen
        is not buried; the crisis board lists every one.
        """
        self.looks += 1
        self.outstanding = looked.outstanding
        self.reviews = looked.reviews
        self.pickups = looked.pickups
        in_call = taking_reminders(self.app) is not None
        self._show_reviews(looked.reviews, toast=not in_call)
        self._show_pickups(looked.pickups, toast=not in_call)
        still = {r.id for r in looked.outstanding}
        self.rung &= still
        if any(row.id not in self.rung for row in looked.outstanding):
            self.app.bell()
            self.rung |= still
        gone = [rid for rid in self.shown if rid not in still]
        maybe_done = {id(self.shown[rid]): self.shown.pop(rid) for rid in gone}
        in_use = {id(toast) for toast in self.shown.values()}
        for key, toast in maybe_done.items():
            if key not in in_use:
                withdraw_notification(self.app, toast)
        taker = taking_reminders(self.app)
        if taker is not None:  # a call in front: said in its own layout; the toasts come once it is left
            self.take_toasts_down()
            taker.show_reminders(looked.outstanding)
            self._plan_wake(looked.next_due_at)
            return
        new = [row for row in looked.outstanding if row.id not in self.shown]
        if len(new) > TOASTS_AT_ONCE:
            summary = Notification(
                f"{counted(len(new), 'crisis reminder')} {were(len(new))} raised.\n"
                "Acknowledge them on the crisis board (F11; on a call, F11 escalates instead).",
                "Crisis reminders",
                "error",
                TOAST_S,
            )
            self.shown.update({row.id: summary for row in new})
            self.app.post_message(Notify(summary))
        else:
            for row in new:
                toast = Notification(
                    f"{row.message}\nAcknowledge it on the crisis board (F11; on a call, F11 escalates instead).",
                    "Crisis reminder",
                    "warning" if row.kind == "before" else "error",
                    TOAST_S,
                )
                self.shown[row.id] = toast
                self.app.post_message(Notify(toast))
        self._plan_wake(looked.next_due_at)

    def _show_reviews(self, raised: list[ReviewRow], *, toast: bool) -> None:
        """Notify each raised review not yet shown here (not over a call); take down those recorded anywhere."""
        still = {r.id for r in raised}
        gone = [self.shown_reviews.pop(rid) for rid in list(self.shown_reviews) if rid not in still]
        in_use = {id(note) for note in self.shown_reviews.values()}
        for note in gone:  # a count of several goes once none of them is outstanding
            if id(note) not in in_use:
                withdraw_notification(self.app, note)
        if not toast:
            return
        new = [row for row in raised if row.id not in self.shown_reviews]
        if len(new) > TOASTS_AT_ONCE:
            summary = Notification(
                f"{counted(len(new), 'package review')} {were(len(new))} due.\n"
                "Record them on the review list (Ctrl+N).",
                "Package reviews",
                "warning",
                TOAST_S,
            )
            self.shown_reviews.update({row.id: summary for row in new})
            self.app.post_message(Notify(summary))
            return
        for row in new:
            note = Notification(
                f"{row.message}\nRecord it on the review list (Ctrl+N).", "Package review", "warning", TOAST_S
            )
            self.shown_reviews[row.id] = note
            self.app.post_message(Notify(note))

    def _show_pickups(self, waiting: list[PickupRow], *, toast: bool) -> None:
        """Notify each pick-up raised since this desk last showed it (not over a call); take down the acknowledged.

        A pick-up is shown when it first appears (its first raise may be
        another desk's a moment later: not shown twice for that), and again
        each time the reminders raise it after that, until acknowledged.
        """
        still = {r.pickup_id for r in waiting}
        gone = [self.shown_pickups.pop(pid)[1] for pid in list(self.shown_pickups) if pid not in still]
        in_use = {id(note) for _, note in self.shown_pickups.values()}
        for note in gone:
            if id(note) not in in_use:
                withdraw_notification(self.app, note)
        if not toast:
            return
        new = [r for r in waiting if r.pickup_id not in self.shown_pickups]
        again = [
            r
            for r in waiting
            if r.pickup_id in self.shown_pickups and r.raised_count > self.shown_pickups[r.pickup_id][0]
        ]
        fresh = new + again
        if len(fresh) > TOASTS_AT_ONCE:
            summary = Notification(
                f"{counted(len(fresh), 'discharge')} for the zone to pick up.\n"
                "Acknowledge them on the pick-ups list (Ctrl+Y).",
                "Pick-ups",
                "warning",
                TOAST_S,
            )
            self.shown_pickups.update({r.pickup_id: (max(r.raised_count, 1), summary) for r in fresh})
            self.app.post_message(Notify(summary))
            return
        for r in fresh:
            note = Notification(pickup_message(r), "Discharge to pick up", "warning", TOAST_S)
            self.shown_pickups[r.pickup_id] = (max(r.raised_count, 1), note)
            self.app.post_message(Notify(note))

    def take_toasts_down(self) -> None:
        """Withdraw the reminder toasts still up (a call came in front); each stays shown, on the crisis board."""
        for toast in {id(t): t for t in self.shown.values()}.values():
            withdraw_notification(self.app, toast)

    def in_front(self, screen: TakesReminders) -> None:
        """A screen that takes reminders came in front: its line says them now, and no toast covers it."""
        taker = taking_reminders(self.app)
        if taker is screen:
            self.take_toasts_down()
            screen.show_reminders(self.outstanding)

    def _plan_wake(self, next_due_at: datetime | None) -> None:
        """Sleep until the next known deadline (as well as the short poll); moved when it changes."""
        if self.scheduler is None or next_due_at == self._next_due_at:
            return
        self._next_due_at = next_due_at
        if next_due_at is None:
            if self.scheduler.get_job("reminder-deadline") is not None:
                self.scheduler.remove_job("reminder-deadline")
            return
        from desk import clock

        at = datetime.now(UTC) + wake_delay(next_due_at, clock.now())  # the scheduler keeps real time
        self.scheduler.add_job(self._wake, "date", run_date=at, id="reminder-deadline", replace_existing=True)
        settle = at + timedelta(seconds=SETTLE_S)  # each deadline's own: a later plan must not drop it
        self.scheduler.add_job(
            self._wake, "date", run_date=settle, id=f"reminder-settle-{settle.timestamp()}", replace_existing=True
        )


def pickup_message(row: PickupRow) -> str:
    """A pick-up's notification: who came home from where, what was put in place, who to ring."""
    from desk import clock

    again = f" (raised {row.raised_count} times)" if row.raised_count > 1 else ""
    return (
        f"{row.name} discharged from {row.ward.split(',')[0]} {clock.local(row.discharged_at):%a %H:%M}{again}.\n"
        f"Put in place: {row.put_in_place or 'nothing recorded'}\n"
        f"Ring: {row.who_to_ring or 'not recorded'}\n"
        "Acknowledge it on the pick-ups list (Ctrl+Y)."
    )


def watch_of(app: App[Any]) -> ReminderWatch | None:
    """The desk's reminder watch, if it is running."""
    if not app.screen_stack:
        return None
    running = app.screen_stack[0].query(ReminderWatch)
    return running.first() if running else None


def look_again(app: App[Any]) -> None:
    """Ask the desk's watch to look now (after this desk acknowledged something), if it is running."""
    for watch in app.screen_stack[0].query(ReminderWatch) if app.screen_stack else []:
        watch.look()
