"""One patient's stay on the ward: the plan, what stands before the door, whom to tell, and every delayed day.

Opened from the ward screen (Enter). It shows the discharge plan from the
ward's multidisciplinary meeting (the discharge ready date, the pathway, the
patient's and family's involvement, the day the package must be ready, the
care home for pathway 3), the tasks before the door with owner and state,
the providers to tell of the package's suspension, each delayed day with the
reason it had, the package before admission and now, the contacts and the
key worker. Each action is a key: P the plan, T the highlighted task, O the
highlighted provider told, R today's delay reason and who is acting, W a
ward assessment, M the package changed on it, D the discharge. The screen
is read again whenever anything is saved about the person, at any desk.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from sqlalchemy import Engine
from sqlmodel import Session, select
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from desk import clock, db
from desk.discharge import stays
from desk.discharge.stays import StayView, TaskRow
from desk.errors import DeskError
from desk.models import Organisation
from desk.packages import arrange
from desk.packages.arrange import STATES, NoticeRow
from desk.plurals import counted
from desk.services import changes
from desk.vocabulary import DISCHARGE_TASKS, PATHWAYS, TASK_STATES
from screens.base import DeskScreen
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.live import LiveWatch
from screens.package import notice_prompt
from screens.ward import day_text, stale_words, who_to_ring


@dataclass(frozen=True)
class StayRead:
    """A stay as the screen shows it: the desk's view of it and the care homes a placement can be made in."""

    view: StayView
    care_homes: list[tuple[int, str]]


def care_homes(session: Session) -> list[tuple[int, str]]:
    """The care homes a pathway 3 placement can be made in, by name."""
    found = session.exec(
        select(Organisation.id, Organisation.name).where(Organisation.kind == "care_home").order_by(Organisation.name)
    )
    return [(oid, name) for oid, name in found if oid is not None]


def read_stay(engine: Engine, admission_id: int, watch: LiveWatch | None = None) -> StayRead:
    """Everything the stay screen shows, read in one go (from a worker)."""
    with db.reading(engine) as session:
        view = stays.stay(session, admission_id)
        if watch is not None:
            watch.seen_as(changes.mark(session, person_id=view.person_id))
        return StayRead(view, care_homes(session))


def banner_text(v: StayView) -> Text:
    """Who, where, since when; the key worker and the contacts."""
    out = Text()
    out.append(f"{v.name}", style="bold")
    out.append(f"  NHS {v.nhs_display}  zone {v.zone_id}  {v.ward}\n")
    out.append(f"In since {clock.local(v.admitted_at):%d-%b-%Y %H:%M} ({counted(v.days_in, 'day')})")
    if v.reason:
        out.append(f": {v.reason}")
    out.append(f"\nKey worker: {v.key_worker or 'none'}   Contacts: {v.contacts or 'none recorded'}")
    return out


def plan_text(v: StayView) -> Text:
    """The plan from the multidisciplinary meeting, or what is still to be set."""
    out = Text("The plan\n", style="bold underline")
    out.append("  Discharge ready date: ")
    out.append(
        f"{v.ready_on:%a %d-%b-%Y}\n" if v.ready_on else "not set (P sets it)\n", style="" if v.ready_on else "bold red"
    )
    out.append("  Pathway: " + (PATHWAYS.get(v.pathway, v.pathway) if v.pathway else "not set") + "\n")
    involved = "yes" if v.involved else "not yet"
    out.append(
        f"  Patient and family involved: {involved}" + (f" ({v.involved_note})" if v.involved_note else "") + "\n"
    )
    out.append(f"  Package must be ready by: {day_text(v.going_home_on)}\n")
    if v.pathway == "3" or v.placement_id:
        home = v.placement or "none chosen"
        out.append(f"  Care home placement: {home}" + (f" ({v.placement_note})" if v.placement_note else "") + "\n")
    if v.delayed_days:
        out.append(
            f"  Delayed: {counted(v.delayed_days, 'day')}; today: "
            f"{v.delay_reason or 'reason MISSING'}" + (f" (acting: {v.delay_owner})" if v.delay_owner else "") + "\n",
            style="" if v.delay_reason else "bold red",
        )
    return out


def task_prompt(task: TaskRow) -> Text:
    """``[Outstanding] Transport  owner: ward clerk  note``."""
    out = Text(
        f"[{task.state_label or TASK_STATES.get(task.state, task.state)}] ", style="bold" if task.open else "green"
    )
    out.append(task.label or DISCHARGE_TASKS.get(task.kind, task.kind))
    out.append(f"  owner: {task.owner or 'nobody yet'}", style="dim")
    if task.note:
        out.append(f"  {task.note}", style="dim")
    return out


def delays_text(v: StayView) -> Text:
    """Each delayed day, oldest first, with the reason it had (a missing one in red)."""
    out = Text("Delayed days\n", style="bold underline")
    recorded = {d.day: d for d in v.delay_days if not d.missing}
    days = sorted({d.day for d in v.delay_days} | set(v.missing_days))
    if not days:
        out.append("  None" + (" yet." if v.ready_on else ": no discharge ready date yet.") + "\n", style="dim")
        return out
    for day in days:
        out.append(f"  {day:%a %d-%b-%Y}  ")
        d = recorded.get(day)
        if day in v.missing_days:
            out.append("REASON MISSING (R gives it)\n", style="bold red")
        elif d is None:  # after a day with a reason: it carries forward to this one
            out.append(f"{v.delay_reason}, {v.delay_owner} (carried from the day before)\n")
        else:
            carried = " (carried from the day before)" if d.carried else ""
            out.append(f"{d.reason_words}, {d.owner}{carried}\n")
    out.append(f"  {counted(len(days), 'delayed day')}\n", style="bold")
    return out


def package_text(v: StayView) -> Text:
    """The package before admission, and as it is now."""
    out = Text("The package\n", style="bold underline")
    out.append(f"  Before admission: {v.package_before or 'none'}\n")
    state = STATES.get(v.package_state, v.package_state).split(" (")[0]
    out.append(f"  Now: {v.package_now or 'none'}" + (f" [{state}]" if state else "") + "\n")
    return out


def package_unconfirmed(v: StayView) -> bool:
    """The provider's confirmation of the package still stands before the door."""
    return any(t.kind == "package" and t.open for t in v.tasks)


class StayScreen(DeskScreen[None]):
    """A patient's stay: plan, tasks, providers to tell, delays, package, contacts."""

    DEFAULT_CSS = """
    #stay-banner { height: auto; padding: 0 1; background: $boost; }
    #stay-body { height: 1fr; }
    #stay-left { width: 1fr; height: 1fr; }
    #stay-right { width: 1fr; height: 1fr; border-left: solid $accent; padding: 0 1; }
    #stay-plan { height: auto; padding: 0 1; }
    #stay-tasks { height: auto; max-height: 10; }
    #stay-notices { height: auto; max-height: 8; }
    #stay-delays { height: auto; }
    #stay-package { height: auto; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to the ward"),
        Binding(
            "p",
            "plan",
            "Plan / ready date",
            id="plan",
            tooltip="Set the discharge ready date, the pathway, involvement, package ready by, placement",
        ),
        Binding("t", "task", "Task", id="task", tooltip="Change the highlighted task's state and owner"),
        Binding("o", "told", "Told", id="told", tooltip="Tick the highlighted provider off as told"),
        Binding("r", "delay", "Delay reason", id="delay", tooltip="Set today's delay reason and who is acting"),
        Binding("w", "assess", "Ward assessment", id="assess", tooltip="Record an assessment made on the ward"),
        Binding("m", "change_package", "Change package", id="change_package", tooltip="Change the package on it"),
        Binding("d", "discharge", "Discharge", id="discharge", tooltip="Record the discharge and tell the zone"),
        Binding("c", "check", "Checked", id="check", tooltip="Mark the new admission as checked"),
        Binding("tab", "switch_list", "Tasks/providers", id="switch_list", tooltip="Between tasks and providers"),
        Binding("ctrl+r", "reload", "Refresh", id="reload", tooltip="Read the stay again"),
    ]

    def __init__(self, admission_id: int) -> None:
        super().__init__()
        self.admission_id = admission_id
        self.found: StayRead | None = None
        self.loaded = 0
        """How many times the stay has been read and shown (tests wait on it)."""
        self.live = LiveWatch(self._mark)

    def _mark(self, session: Session) -> int:
        """Anything saved about this person, at any desk."""
        person_id = self.found.view.person_id if self.found else None
        return changes.mark(session, person_id=person_id)

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Reading the stay...", id="stay-banner")
        with Horizontal(id="stay-body"):
            with VerticalScroll(id="stay-left"):
                yield Static("", id="stay-plan")
                yield Label("Before the door (T changes one)", classes="field-label-wide")
                yield OptionList(id="stay-tasks")
                yield Label("Providers to tell (O: told)", classes="field-label-wide")
                yield OptionList(id="stay-notices")
            with VerticalScroll(id="stay-right"):
                yield Static("", id="stay-delays")
                yield Static("", id="stay-package")
        yield self.live
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#stay-tasks", OptionList).focus()
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.load()

    def action_reload(self) -> None:
        self.load()

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="stay", exit_on_error=False)
    def load(self) -> None:
        found = read_stay(self.desk.engine, self.admission_id, self.live)
        self.app.call_from_thread(self.show, found)

    def show(self, found: StayRead) -> None:
        """Everything read, on screen; the highlights kept where they were."""
        if not self.is_attached:
            return
        self.found = found
        v = found.view
        self.query_one("#stay-banner", Static).update(banner_text(v))
        self.query_one("#stay-plan", Static).update(plan_text(v))
        tasks = self.query_one("#stay-tasks", OptionList)
        keep = tasks.highlighted
        tasks.clear_options()
        for t in v.tasks:
            tasks.add_option(Option(task_prompt(t), id=str(t.task_id)))
        if tasks.option_count:
            tasks.highlighted = min(keep or 0, tasks.option_count - 1)
        else:
            tasks.add_option(Option("Nothing recorded before the door.", id="none", disabled=True))
        notices = self.query_one("#stay-notices", OptionList)
        keep = notices.highlighted
        notices.clear_options()
        ordered = [n for n in v.providers if n.told_at is None] + [n for n in v.providers if n.told_at is not None]
        for n in ordered:
            notices.add_option(Option(notice_prompt(n), id=str(n.id)))
        if notices.option_count:
            notices.highlighted = min(keep or 0, notices.option_count - 1)
        else:
            notices.add_option(Option("Nobody to tell.", id="none", disabled=True))
        self.query_one("#stay-delays", Static).update(delays_text(v))
        self.query_one("#stay-package", Static).update(package_text(v))
        self.loaded += 1

    # --- what the keys act on --------------------------------------------------------

    def highlighted_task(self) -> TaskRow | None:
        """The task under the tasks list's highlight."""
        tasks = self.query_one("#stay-tasks", OptionList)
        if self.found is None or tasks.highlighted is None:
            return None
        oid = tasks.get_option_at_index(tasks.highlighted).id
        return next((t for t in self.found.view.tasks if str(t.task_id) == oid), None)

    def highlighted_notice(self) -> NoticeRow | None:
        """The provider under the providers list's highlight."""
        notices = self.query_one("#stay-notices", OptionList)
        if self.found is None or notices.highlighted is None:
            return None
        oid = notices.get_option_at_index(notices.highlighted).id
        return next((n for n in self.found.view.providers if str(n.id) == oid), None)

    def action_switch_list(self) -> None:
        """Move between the tasks and the providers to tell."""
        tasks, notices = self.query_one("#stay-tasks", OptionList), self.query_one("#stay-notices", OptionList)
        (notices if tasks.has_focus else tasks).focus()

    def _reread_after(self, saved: object | None) -> None:
        if saved is not None:
            self.load()

    def action_plan(self) -> None:
        from screens.stay_forms import PlanForm

        if self.found is not None:
            self.app.push_screen(PlanForm(self.found.view, self.found.care_homes), self._planned)

    def _planned(self, said: object) -> None:
        if isinstance(said, str):
            self.notify(said, timeout=8)
            self.load()

    def action_task(self) -> None:
        from screens.stay_forms import TaskForm

        task = self.highlighted_task()
        if task is None:
            self.notify("Highlight a task (Up/Down in the list before the door), then T.")
            return
        self.app.push_screen(TaskForm(task), self._reread_after)

    def action_delay(self) -> None:
        from screens.stay_forms import DelayForm

        if self.found is None:
            return
        v = self.found.view
        if v.ready_on is None:
            self.notify("No discharge ready date yet, so no day is delayed: P sets the plan.", severity="warning")
            return
        self.app.push_screen(DelayForm(v), self._reread_after)

    def action_told(self) -> None:
        n = self.highlighted_notice()
        if n is None or n.told_at is not None:
            self.notify("Highlight a provider still to tell (Tab, then Up/Down), then O.")
            return
        self.mark_told(n)

    @work(thread=True, exclusive=True, group="stay-write", exit_on_error=False)
    def mark_told(self, n: NoticeRow) -> None:
        app = self.desk
        try:
            with db.writing(app.engine) as session:
                arrange.mark_told(session, app.actor, n.id, n.version)
        except DeskError as exc:
            app.call_from_thread(self.notify, stale_words(exc), severity="error", timeout=8)
        else:
            app.call_from_thread(self.notify, f"{n.provider_name} ticked off as told.", timeout=4)
        app.call_from_thread(self.load)

    def action_check(self) -> None:
        if self.found is not None:
            self.check(self.found.view.admission_id, self.found.view.version)

    @work(thread=True, exclusive=True, group="stay-write", exit_on_error=False)
    def check(self, admission_id: int, version: int) -> None:
        app = self.desk
        try:
            with db.writing(app.engine) as session:
                stays.check(session, app.actor, admission_id, version)
        except DeskError as exc:
            app.call_from_thread(self.notify, stale_words(exc), severity="error", timeout=10)
        else:
            app.call_from_thread(self.notify, "Checked.", timeout=4)
        app.call_from_thread(self.load)

    # --- the package on the ward assessment --------------------------------------------

    @work(thread=True, exclusive=True, group="stay-assessment", exit_on_error=False)
    def action_assess(self) -> None:
        """The person's zone's assessors read now, then the assessment form, made on the ward."""
        from screens.assessment import read_start

        if self.found is None:
            return
        v = self.found.view
        start = read_start(self.desk.engine, v.person_id, v.zone_id)
        self.app.call_from_thread(self._ask_assessment, start)

    def _ask_assessment(self, start: object) -> None:
        from screens.stay_forms import WardAssessmentForm

        def recorded(rec: object | None) -> None:
            if rec is not None:
                self.notify(f"Assessment recorded: {getattr(rec, 'byline', '')}. M changes the package on it.")
                self.load()

        who = self.desk.staff.name if self.desk.staff else "the desk"
        self.app.push_screen(WardAssessmentForm(start, recorder=who), recorded)  # type: ignore[arg-type]

    @work(thread=True, exclusive=True, group="stay-package", exit_on_error=False)
    def action_change_package(self) -> None:
        """The person's assessments and package read now, then the change form on the latest (the ward's)."""
        from screens.package_change import read_start

        if self.found is None:
            return
        start = read_start(self.desk.engine, self.found.view.person_id)
        self.app.call_from_thread(self._ask_change, start)

    def _ask_change(self, start: object) -> None:
        from desk.packages.arrange import Arranged, Outcome, Routed
        from screens.package import OutcomeDialog
        from screens.package_change import PackageChangeForm

        if not getattr(start, "assessments", None):
            self.notify("No assessment to change the package on: W records the ward assessment first.")
            return

        def done(outcome: Outcome | None) -> None:
            if isinstance(outcome, Arranged):
                self.notify(f"Package changed: version {outcome.version.number}.", timeout=6)
                self.load()
            elif isinstance(outcome, Routed):
                self.load()
                self.app.push_screen(
                    OutcomeDialog("Not arranged: referred to a social worker", outcome.message),
                )

        self.app.push_screen(PackageChangeForm(start), done)  # type: ignore[arg-type]

    # --- leaving -----------------------------------------------------------------------

    def action_discharge(self) -> None:
        from screens.discharge import DischargeScreen, DischargeStart

        if self.found is None:
            return
        v = self.found.view
        me = self.desk.staff.name if self.desk.staff else ""
        start = DischargeStart(
            v.admission_id,
            v.version,
            v.name,
            v.ward,
            who_to_ring(me, v.ward, v.ward_phone),
            package_unconfirmed(v),
        )
        self.app.push_screen(DischargeScreen(start), self._discharged)

    def _discharged(self, said: str | None) -> None:
        if said:
            self.notify(said, title="Discharged", timeout=10)
            self.app.pop_screen()  # back to the ward, which no longer lists them
