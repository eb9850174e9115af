"""Escalate a crisis from the call: what happened, the need, where they are, and the same-day team.

The desk proposes a nurse, a physiotherapist and an OT on duty today, each
with a time, as soon as the screen opens; a discipline with nobody on duty is
said at once and asks for the zone manager's decision. The worker can change
who goes and when, or drop a discipline with a reason. The person's crisis
plan and current package stay beside the form. Enter on the button escalates:
the crisis, its referral and the bookings are written in one transaction.
"""

from __future__ import annotations

from datetime import datetime, time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Select, Static

from desk import clock, db, triage
from desk.crisis import escalation, plans
from desk.crisis.escalation import (
    CRISIS_DISCIPLINES,
    WHEREABOUTS,
    DisciplineGap,
    Escalated,
    EscalationInput,
    TeamMember,
    TeamProposal,
)
from desk.crisis.plans import CrisisPlanView
from desk.services import people
from desk.vocabulary import DISCIPLINES
from screens.base import DeskModalScreen
from screens.key_choice import KeyChoice
from screens.person import banner
from screens.triage import need_options
from screens.widgets import FieldError

WHERE_KEYS = {"home": "h", "care_home": "c", "ambulance": "a", "a_and_e": "e", "other": "o"}
DROP = "drop"
SHORT = {"nursing": "nurse", "physiotherapy": "physio", "occupational_therapy": "ot"}
"""Widget ids for each discipline of the same-day team."""
FRESHEN_S = 5.0
"""How often a proposed time left as it was is looked at, to move it on before it is too close."""


def parse_hhmm(text: str) -> datetime | None:
    """'14:30' (or '1430') on the office clock, as UTC (the nearest: desk.clock.nearest_at); None if not a time."""
    raw = text.strip().replace(".", ":")
    if ":" not in raw and len(raw) in (3, 4) and raw.isdigit():
        raw = f"{raw[:-2]}:{raw[-2:]}"
    try:
        hh, mm = (int(x) for x in raw.split(":"))
        at = time(hh, mm)
    except ValueError:
        return None
    return clock.nearest_at(at)


def plan_text(plan: CrisisPlanView, rec: people.PersonRecord) -> Text:
    """The crisis plan and the current package, as the crisis worker reads them while escalating."""
    t = banner(rec)
    t.append("\n\nCrisis plan\n", style="bold")
    if plan.is_empty:
        t.append("None written yet (the person record, key P, adds one).\n", style="dim")
    else:
        t.append(f"Who to ring: {plan.who_to_ring or '-'}\n")
        t.append(f"What has worked: {plan.what_has_worked or '-'}\n")
        t.append(f"What they want: {plan.what_they_want or '-'}\n")
    t.append("\nCurrent package\n", style="bold")
    if rec.package:
        for p in rec.package:
            t.append(f"{p.service}: {p.detail} ({p.provider})\n")
    else:
        t.append("No package in place.\n", style="dim")
    return t


class EscalateScreen(DeskModalScreen[Escalated | None]):
    """The crisis and its same-day team, proposed at once and booked with one key."""

    BINDINGS = [
        Binding("f10", "escalate", "Escalate", id="escalate", tooltip="Raise the crisis and book the team"),
        Binding("escape", "cancel", "Back to the call", id="cancel", tooltip="Nothing is raised; the call stays open"),
        Binding("enter", "move_on", "Next field", id="move_on", show=False, priority=True),
    ]

    DEFAULT_CSS = """
    EscalateScreen { align: center middle; }
    #escalate { width: 156; height: 95%; border: thick $error; background: $surface; padding: 0 1; }
    #escalate-body { height: 1fr; }
    #escalate-form { width: 2fr; height: auto; }
    #escalate-plan { width: 1fr; padding: 0 1; border-left: solid $accent; height: auto; }
    #escalate-emergency { color: $error; text-style: bold; }
    .team-row { height: 3; }
    .team-row Label { width: 22; padding-top: 1; }
    .team-row Select { width: 40; }
    .team-row .team-time { width: 12; }
    .team-row .team-why { width: 1fr; }
    #escalate-lists { height: auto; }
    #escalate-lists > Vertical { width: 1fr; height: auto; }
    """

    def __init__(self, *, call_id: int | None, zone_id: str, person_id: int, caller: str, what_happened: str) -> None:
        super().__init__()
        self.call_id = call_id
        self.zone_id = zone_id
        self.person_id = person_id
        self.caller = caller
        self.what_happened = what_happened
        self.proposal: TeamProposal | None = None
        self.proposed: dict[str, datetime] = {}
        """Each discipline's proposed time, by widget id: while its box still shows it, the desk moves it on."""

    def compose(self) -> ComposeResult:
        with Vertical(id="escalate"):
            yield Label("Escalate a crisis: same-day assessment", classes="dialog-title")
            yield Static("", id="form-message", classes="form-message")
            with Horizontal(id="escalate-body"):
                with VerticalScroll(id="escalate-form"):
                    yield Static(f"Caller: {self.caller or 'not known'}", id="escalate-caller")
                    with Horizontal(classes="field"):
                        yield Label("What happened", classes="field-label")
                        yield Input(
                            self.what_happened, placeholder="In a few words (Enter moves on)", id="what_happened"
                        )
                    yield FieldError(id="what_happened-error")
                    yield Static(triage.EMERGENCY_REMINDER, id="escalate-emergency")
                    with Horizontal(id="escalate-lists"):
                        with Vertical():
                            yield Label("The need (a digit)")
                            yield KeyChoice(need_options(), id="need")
                            yield FieldError(id="need-error")
                        with Vertical():
                            yield Label("Where they are now (a letter)")
                            yield KeyChoice(
                                [(WHERE_KEYS[k], k, label) for k, label in WHEREABOUTS.items()], id="whereabouts"
                            )
                            yield FieldError(id="whereabouts-error")
                    yield Label("Same-day team (who, what time, or why nobody goes)", classes="field-label-wide")
                    yield Static("Looking at today's roster...", id="team-status")
                    for discipline in CRISIS_DISCIPLINES:
                        short = SHORT[discipline]
                        with Horizontal(classes="team-row"):
                            yield Label(DISCIPLINES[discipline][0])
                            yield Select[str]([], id=f"who-{short}", prompt="Nobody on duty", allow_blank=True)
                            yield Input(placeholder="HH:MM", id=f"time-{short}", classes="team-time")
                            yield Input(placeholder="Why nobody goes", id=f"why-{short}", classes="team-why")
                        yield FieldError(id=f"team-{discipline}-error")
                    yield FieldError(id="team-error")
                    yield Button("Escalate and book the team (Enter)", id="escalate-button", variant="error")
                yield Static("", id="escalate-plan")

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        for choice in self.query(KeyChoice):
            choice.then = self._chosen
        self.query_one("#what_happened", Input).focus()
        self.set_interval(FRESHEN_S, self.freshen, name="escalate-freshen")
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        with db.reading(self.desk.engine) as session:
            proposal = escalation.propose_team(session, self.zone_id)
            plan = plans.plan_for(session, self.person_id)
            rec = people.record(session, self.person_id)
        self.app.call_from_thread(self._loaded, proposal, plan, rec)

    def _loaded(self, proposal: TeamProposal, plan: CrisisPlanView, rec: people.PersonRecord) -> None:
        self.proposal = proposal
        self.query_one("#escalate-plan", Static).update(plan_text(plan, rec))
        by_discipline = {v.discipline: v for v in proposal.visits}
        for discipline in CRISIS_DISCIPLINES:
            short = SHORT[discipline]
            who = self.query_one(f"#who-{short}", Select)
            at = self.query_one(f"#time-{short}", Input)
            why = self.query_one(f"#why-{short}", Input)
            visit = by_discipline.get(discipline)
            if visit is None:
                who.disabled = True
                at.disabled = True
                why.placeholder = "Zone manager's decision (nobody on duty today)"
                self.query_one(f"#team-{discipline}-error", FieldError).show(
                    f"Nobody is on duty for {DISCIPLINES[discipline][0].lower()} today: "
                    "ring the zone manager and record their decision."
                )
                continue
            options = [(f"{visit.name} ({visit.visits_today} today)", str(visit.staff_id))]
            options += [(f"{o.name} ({o.visits_today} today)", str(o.staff_id)) for o in visit.others]
            options.append(("Nobody: not needed (say why)", DROP))
            who.set_options(options)
            who.value = str(visit.staff_id)
            at.value = f"{clock.local(visit.visit_at):%H:%M}"
            self.proposed[short] = visit.visit_at
        nobody = [DISCIPLINES[d][0].lower() for d in proposal.nobody_on_duty]
        status = "Proposed from today's roster, fewest visits first."
        if nobody:
            status += f" Nobody on duty for {', '.join(nobody)}: the zone manager's decision is needed."
        self.query_one("#team-status", Static).update(status)

    def freshen(self) -> list[str]:
        """Move on each proposed time left untouched that is now too close to keep; returns the new times.

        A time the worker typed is theirs: it is never moved, and one in the
        past is refused when escalating, with its message.
        """
        if self.proposal is None:
            return []
        now = clock.now()
        moved: list[str] = []
        for visit in self.proposal.visits:
            short = SHORT[visit.discipline]
            at = self.query_one(f"#time-{short}", Input)
            was = self.proposed.get(short)
            if was is None or at.value != f"{clock.local(was):%H:%M}":
                continue  # typed over: the worker's own time
            if not escalation.proposal_gone_stale(was, now):
                continue
            who = self.query_one(f"#who-{short}", Select).value
            staff_id = int(str(who)) if isinstance(who, str) and who.isdigit() else visit.staff_id
            again = visit.again_at(staff_id, now)
            if again == was:
                continue
            self.proposed[short] = again
            at.value = f"{clock.local(again):%H:%M}"
            moved.append(f"{DISCIPLINES[visit.discipline][0].lower()} {at.value}")
        if moved:
            self.query_one("#team-status", Static).update(
                f"Proposed times moved on, the earlier ones being too close: {', '.join(moved)}."
            )
        return moved

    # --- moving through the form at speed ------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "move_on":  # Enter moves on only from what happened; elsewhere it is the widget's
            return self.focused is not None and self.focused.id == "what_happened"
        return super().check_action(action, parameters)

    def action_move_on(self) -> None:
        """Enter after what happened: on to the need, at once, so keys typed ahead land there."""
        self.set_focus(self.query_one("#need"))

    def _chosen(self, choice: KeyChoice, value: str) -> None:
        """Straight after a choice (before the next key is read): its message goes, the focus moves on."""
        self.query_one(f"#{choice.id}-error", FieldError).show(None)
        self.set_focus(self.query_one("#whereabouts" if choice.id == "need" else "#escalate-button"))

    @on(Button.Pressed, "#escalate-button")
    def _pressed(self) -> None:
        self.action_escalate()

    # --- escalating -----------------------------------------------------------

    def gather(self) -> tuple[EscalationInput | None, dict[str, str]]:
        """What the form holds as the desk's input, or the problems the screen itself can see."""
        problems: dict[str, str] = {}
        team: list[TeamMember] = []
        gaps: list[DisciplineGap] = []
        nobody = set(self.proposal.nobody_on_duty) if self.proposal else set()
        for discipline in CRISIS_DISCIPLINES:
            short = SHORT[discipline]
            why = self.query_one(f"#why-{short}", Input).value
            if discipline in nobody:
                gaps.append(DisciplineGap(discipline, "nobody_on_duty", why))
                continue
            who = self.query_one(f"#who-{short}", Select).value
            if who == DROP:
                gaps.append(DisciplineGap(discipline, "dropped", why))
                continue
            if who is Select.NULL:
                continue
            at = parse_hhmm(self.query_one(f"#time-{short}", Input).value)
            if at is None:
                problems[f"team.{discipline}"] = "Give the visit time as HH:MM, e.g. 14:30."
                continue
            team.append(TeamMember(discipline, int(str(who)), at))
        data = EscalationInput(
            zone_id=self.zone_id,
            person_id=self.person_id,
            caller=self.caller,
            what_happened=self.query_one("#what_happened", Input).value,
            need=self.query_one("#need", KeyChoice).value or "",
            whereabouts=self.query_one("#whereabouts", KeyChoice).value or "",
            team=tuple(team),
            gaps=tuple(gaps),
            call_id=self.call_id,
        )
        return (None if problems else data), problems

    def action_escalate(self) -> None:
        if self.proposal is None:
            return  # the roster is still being read
        self.freshen()  # a proposed time gone by while the form was open is moved on, not refused
        data, problems = self.gather()
        if data is None:
            self.show_problems(problems)
            return
        self.escalate(data)

    @work(thread=True, exclusive=True, group="escalate", exit_on_error=False)
    def escalate(self, data: EscalationInput) -> None:
        actor = self.desk.actor
        self.write_then_close(lambda session: escalation.escalate(session, actor, data))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field (a team member's beside their row); nothing typed is cleared."""
        shown = {k.replace("gap.", "team-").replace("team.", "team-"): v for k, v in problems.items()}
        for err in self.query(FieldError):
            key = (err.id or "").removesuffix("-error")
            if key.startswith("team-") and key in shown:
                err.show(shown[key])
            elif key.startswith("team-") and self.proposal and key[5:] in self.proposal.nobody_on_duty:
                continue  # the nobody-on-duty line stays until the decision is recorded
            else:
                err.show(problems.get(key))
        message = self.query_one("#form-message", Static)
        general = problems.get("person") or problems.get("zone_id") or problems.get("call")
        message.update(general or "Not escalated yet: put right what is said below. Nothing has been booked.")
        message.display = bool(problems)
        first = self.first_to_put_right(problems)
        if first is not None:
            self.set_focus(first)

    def first_to_put_right(self, problems: dict[str, str]) -> Widget | None:
        """The first field, in the form's order, whose problem is said: what the worker types next goes there."""
        order: list[tuple[str, str]] = [
            ("what_happened", "#what_happened"),
            ("need", "#need"),
            ("whereabouts", "#whereabouts"),
        ]
        for discipline in CRISIS_DISCIPLINES:
            short = SHORT[discipline]
            who = self.query_one(f"#who-{short}", Select)
            if f"gap.{discipline}" in problems:
                order.append((f"gap.{discipline}", f"#why-{short}"))
            elif f"team.{discipline}" in problems:
                at_fault = "who" if who.value is Select.NULL or who.disabled else "time"
                order.append((f"team.{discipline}", f"#{at_fault}-{short}"))
        order.append(("team", f"#who-{SHORT[CRISIS_DISCIPLINES[0]]}"))
        for key, selector in order:
            if key in problems:
                widget = self.query_one(selector)
                return widget if widget.focusable else None
        return None

    @on(Input.Submitted, ".team-time, .team-why")
    def _team_field_done(self, event: Input.Submitted) -> None:
        """Enter in a team row's time or reason escalates, as the button says: no reach for F10 after a decision."""
        event.stop()
        self.action_escalate()

    def action_cancel(self) -> None:
        self.dismiss(None)
