"""A call in progress: who rang, who it is about, why, what was said and done.

Everything typed is saved to the call's draft a moment after each change, in
a worker, so typing never waits for the database and a crash loses at most
the last fraction of a second.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from desk import clock, db, triage
from desk.crisis import referrals
from desk.crisis.escalation import Escalated
from desk.crisis.referrals import CallFinish
from desk.errors import DeskError, InvalidForm
from desk.kept_notes import Draft
from desk.plurals import counted
from desk.services import calls, people
from desk.services.calls import CallState
from desk.services.recognise import CallerMatch, Recognition, recognise
from desk.vocabulary import CALL_REASONS
from screens.base import DeskScreen
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.person import banner, situation
from screens.widgets import FieldError, NotesArea, PersonFinder

if TYPE_CHECKING:
    from desk.crisis.reminders import ReminderRow

AUTOSAVE_S = 0.4
SERVICE_KINDS = {"emergency", "nhs_111", "service"}
SOMEONE_ELSE = "someone-else"
REASON_KEYS: dict[str, str] = {
    "a": "advice",
    "r": "new_referral",
    "n": "change_in_need",
    "c": "crisis",
    "d": "discharge",
    "p": "professional_update",
    "o": "other",
}
"""With the reason focused, one letter picks it (shown beside each reason)."""
_KEY_OF_REASON = {reason: key for key, reason in REASON_KEYS.items()}


class CallScreen(DeskScreen[None]):
    """The call screen for one call on the zone line."""

    BINDINGS = [
        Binding(
            "f10",
            "finish",
            "Finish call",
            id="finish",
            tooltip="Check and log the call (triaged first if it asks for help)",
        ),
        Binding("f11", "escalate", "Escalate crisis", id="escalate", tooltip="Raise a crisis with its same-day team"),
        Binding("f3", "find", "Find person", id="find", tooltip="Search the register for who the call is about"),
        Binding("f4", "register", "Register", id="register", tooltip="Register the person this call is about"),
        Binding("f8", "open_record", "Record", id="open_record", tooltip="Open the chosen person's record"),
        Binding("f9", "clear_person", "Not about them", id="clear_person", tooltip="Unset who the call is about"),
        Binding(
            "escape",
            "close_finder",
            "Close finder",
            id="close_finder",
            tooltip="While the person finder is open: close it, back to the call",
        ),
        Binding(
            "escape",
            "skip_caller_choice",
            "Not now: find person",
            id="skip_caller_choice",
            tooltip="While asked who is calling: leave the caller as it is and find who the call is about",
        ),
        Binding("escape", "leave", "Leave open", id="leave", tooltip="Back; the call stays open with its notes"),
        *[
            Binding(k, f"pick_reason({k!r})", f"Reason: {CALL_REASONS[r]}", show=False, priority=True)
            for k, r in REASON_KEYS.items()
        ],
        Binding("tab", "notes_done", "Notes: on to the outcome", show=False, priority=True),
    ]

    def __init__(self, call_id: int) -> None:
        super().__init__()
        self.call_id = call_id
        self.call: CallState | None = None
        self.person_id: int | None = None
        self._dirty = False
        self._loaded = False
        self.saved_at: datetime | None = None
        self.recognition: Recognition | None = None
        self._choices: list[CallerMatch] = []
        self.referred = False  # a referral is made from this call (escalated): finishing needs no triage

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        with VerticalScroll(id="call"):
            with Horizontal(id="call-top"):
                yield Static("", id="call-clock")
                yield Static("", id="call-saved")
            yield Static("", id="call-reminders")
            yield Static("", id="call-message", classes="form-message")
            yield Static("", id="caller")
            yield Static("", id="caller-warning")
            with Vertical(id="caller-choice"):
                yield Label("", id="caller-choice-title")
                yield OptionList(id="caller-options")
            yield Static("Nobody chosen yet: F3 to find them, F4 to register them.", id="about")
            yield FieldError(id="person-error")
            yield PersonFinder(id="finder")
            with Horizontal(classes="field"):
                yield Label("Why they rang", classes="field-label")
                yield Select(
                    [(f"{label} ({_KEY_OF_REASON[key]})", key) for key, label in CALL_REASONS.items()],
                    id="reason",
                    prompt="Choose (a letter)",
                )
            yield FieldError(id="reason-error")
            yield Label("Notes (saved as you type)", classes="field-label-wide")
            yield NotesArea(id="notes", tab_behavior="focus", soft_wrap=True)
            with Horizontal(classes="field"):
                yield Label("Outcome", classes="field-label")
                yield Input(
                    placeholder="What was done: advice given, nurse visit booked, referral to OT...", id="outcome"
                )
            yield FieldError(id="outcome-error")
            yield FieldError(id="triage-error")
        yield KeyFooter()

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#call-message").display = False
        self.query_one("#call-reminders").display = False
        self.query_one("#finder").display = False
        self.query_one("#caller-choice").display = False
        self.query_one("#caller-warning").display = False
        self.load()
        self.set_interval(1.0, self._tick)
        self.set_interval(AUTOSAVE_S, self._autosave)
        self._reminders_in_front()

    # --- crisis reminders, on a line of the call's own ---------------------------

    def show_reminders(self, outstanding: list[ReminderRow]) -> None:
        """The zone's reminders to acknowledge, on one line at the top: never a toast over a field on a call."""
        line = self.query_one("#call-reminders", Static)
        line.display = bool(outstanding)
        if not outstanding:
            return
        newest = max(outstanding, key=lambda r: (r.raised_at or r.due_at, r.id))
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"{counted(len(outstanding), 'crisis reminder')} to acknowledge", style="bold")
        text.append(f" on the crisis board (F11 once the call is done). Newest: {newest.message}")
        line.update(text)

    def _reminders_in_front(self) -> None:
        from screens import reminder_watch  # loaded with the watch, once someone is at the desk

        watch = reminder_watch.watch_of(self.app)
        if watch is not None:
            watch.in_front(self)

    def on_screen_resume(self) -> None:
        self._reminders_in_front()

    def on_screen_suspend(self) -> None:
        self._look_again()

    def on_unmount(self) -> None:
        self._look_again()

    def _look_again(self) -> None:
        """The call went from the front: reminders that came meanwhile come as toasts now, not at the next poll."""
        from screens import reminder_watch

        reminder_watch.look_again(self.app)

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        with db.reading(self.desk.engine) as session:
            state = calls.state(session, self.call_id)
            rec = people.record(session, state.person_id) if state.person_id else None
            heard = recognise(session, state.caller_raw) if state.caller_raw else None
            referred = referrals.referral_for_call(session, self.call_id) is not None
        self.app.call_from_thread(self._loaded_state, state, rec, heard, referred)

    def _loaded_state(
        self, state: CallState, rec: people.PersonRecord | None, heard: Recognition | None, referred: bool
    ) -> None:
        self.call = state
        self.referred = referred
        self.recognition = heard
        self._show_caller(state)
        warning = self.query_one("#caller-warning", Static)
        warning.update(heard.warning if heard and heard.warning else "")
        warning.display = bool(heard and heard.warning)
        self._set_person(state.person_id, rec, mark_dirty=False)
        if state.reason:
            self.query_one("#reason", Select).value = state.reason
        self.query_one("#notes", TextArea).text = state.notes
        self.query_one("#outcome", Input).value = state.outcome
        self._loaded = True
        self._dirty = False
        self._tick()
        if heard is not None and heard.shared and state.caller_kind == "unknown":
            self._ask_who_is_calling(heard.matches)
        elif state.person_id is None:
            self.action_find()
        else:
            self.query_one("#reason", Select).focus()

    def _show_caller(self, state: CallState) -> None:
        """Who rang, as plainly as the desk knows it."""
        number = state.caller_raw
        if state.caller_kind in SERVICE_KINDS:
            text = f"Caller: {state.caller_name}"  # 'Emergency services (ambulance control) on 999'
        elif state.caller_name:
            kind = f" [{state.caller_kind.replace('_', ' ')}]"
            text = f"Caller: {state.caller_name}{kind}" + (f" on {number}" if number else "")
        elif state.caller_kind == "unlisted":
            text = f"Caller: {number}, none of those on record for this number"
        else:
            text = f"Caller: {number or 'Withheld number'}"
        caller = self.query_one("#caller", Static)
        caller.update(Text(text))  # plain: '[carer]' is words here, not markup
        caller.set_class(state.caller_kind == "emergency", "emergency")

    # --- a number several records share -------------------------------------

    def _ask_who_is_calling(self, matches: list[CallerMatch]) -> None:
        """Every record on the number, for the co-ordinator to choose from: the desk never guesses."""
        self._choices = list(matches)
        self.query_one("#caller-choice-title", Label).update(
            f"This number is on record for {len(matches)} callers. Ask who is calling, then choose (Enter):"
        )
        options = self.query_one("#caller-options", OptionList)
        options.clear_options()
        options.add_options([Option(m.summary, id=str(i)) for i, m in enumerate(matches)])
        options.add_option(Option("Someone else: none of these", id=SOMEONE_ELSE))
        self._show_panel("#caller-choice", True)
        options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected, "#caller-options")
    def _caller_chosen(self, event: OptionList.OptionSelected) -> None:
        if self.call is None:
            return
        chosen = None if event.option_id == SOMEONE_ELSE else self._choices[int(event.option_id or 0)]
        self._show_panel("#caller-choice", False)
        self.choose_caller(chosen, self.call.version)

    @work(thread=True, exclusive=True, group="choose-caller", exit_on_error=False)
    def choose_caller(self, match: CallerMatch | None, version: int) -> None:
        app = self.desk
        with db.writing(app.engine) as session:
            state = calls.choose_caller(session, app.actor, self.call_id, match, expected_version=version)
        app.call_from_thread(self._caller_recorded, state, match)

    def _caller_recorded(self, state: CallState, match: CallerMatch | None) -> None:
        self.call = state
        self._show_caller(state)
        if match is not None and match.person_id is not None:
            self.choose_person(match.person_id)
            self.query_one("#reason", Select).focus()
        elif self.person_id is None:
            self.action_find()

    def _tick(self) -> None:
        if self.call is None:
            return
        started = clock.local(self.call.started_at)
        secs = int((clock.now() - self.call.started_at).total_seconds())
        self.query_one("#call-clock", Static).update(
            f"Call started {started:%H:%M:%S}   {secs // 60:02d}:{secs % 60:02d}"
        )

    # --- who the call is about ----------------------------------------------

    def _set_person(self, person_id: int | None, rec: people.PersonRecord | None, *, mark_dirty: bool = True) -> None:
        self.person_id = person_id
        about = self.query_one("#about", Static)
        if person_id is None or rec is None:
            about.update("About: nobody chosen yet. F3 finds them, F4 registers them.")
            about.set_classes("")
        else:
            text = banner(rec)
            text.append("\n\n")
            text.append(situation(rec))
            text.append("F8 opens the whole record.", style="dim")
            about.update(text)
            about.set_classes("chosen")
        if mark_dirty:
            self._dirty = True

    def action_find(self) -> None:
        self._show_panel("#finder", True)
        self.query_one("#finder", PersonFinder).focus_input()

    @on(PersonFinder.Chosen)
    def _person_chosen(self, event: PersonFinder.Chosen) -> None:
        self._show_panel("#finder", False)
        self.choose_person(event.person_id)
        self.query_one("#reason", Select).focus()

    @work(thread=True, exit_on_error=False)
    def choose_person(self, person_id: int) -> None:
        with db.reading(self.desk.engine) as session:
            rec = people.record(session, person_id)
        self.app.call_from_thread(self._set_person, person_id, rec)

    def action_clear_person(self) -> None:
        self._set_person(None, None)

    def action_register(self) -> None:
        from screens.register import PersonForm

        def registered(person_id: int | None) -> None:
            if person_id is not None:
                self.choose_person(person_id)

        self.app.push_screen(PersonForm(), registered)

    def action_open_record(self) -> None:
        if self.person_id is None:
            self.notify("Choose who the call is about first (F3).")
            return
        self.save_now()
        self.desk.open_person(self.person_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pick_reason":  # a letter is the reason's only while the reason has the focus
            reason = self.query_one("#reason", Select)
            return reason.has_focus and not reason.expanded
        if action == "notes_done":  # Tab leaves the notes for the outcome; elsewhere it is the usual Tab
            return self.focused is self.query_one("#notes", TextArea)
        if action in ("close_finder", "skip_caller_choice", "leave"):  # Escape does one thing, the one shown
            return action == self._escape_does()
        return super().check_action(action, parameters)

    def _escape_does(self) -> str:
        """What Escape does now: close the caller choice or the finder that is open, else leave the call."""
        if self.query_one("#caller-choice").display:
            return "skip_caller_choice"
        if self.query_one("#finder").display:
            return "close_finder"
        return "leave"

    def _show_panel(self, selector: str, shown: bool) -> None:
        """Show or hide the caller choice or the finder; the footer then says what Escape does."""
        self.query_one(selector).display = shown
        self.refresh_bindings()

    def action_notes_done(self) -> None:
        """Tab from the notes: the outcome takes the focus at once, so words typed ahead land there."""
        self.set_focus(self.query_one("#outcome", Input))

    def action_pick_reason(self, key: str) -> None:
        """With the reason focused (its list closed), a letter picks it and the notes come next, at once."""
        self.query_one("#reason", Select).value = REASON_KEYS[key]
        self.set_focus(self.query_one("#notes", TextArea))

    # --- saving as they type --------------------------------------------------

    @on(TextArea.Changed)
    @on(Input.Changed, "#outcome")
    @on(Select.Changed, "#reason")
    def _changed(self) -> None:
        if self._loaded:
            self._dirty = True
            if any(err.display for err in self.query(FieldError)):
                self._recheck()

    def _recheck(self) -> None:
        """A problem shown beside a field goes as soon as the field is put right."""
        problems = calls.validate_finish(self._values())
        still: dict[str, str] = {}
        for err in self.query(FieldError):
            if err.display:
                key = (err.id or "").removesuffix("-error")
                err.show(problems.get(key))
                if key in problems:
                    still[key] = problems[key]
        self._summarise(still)

    def _values(self) -> calls.CallDetails:
        reason = self.query_one("#reason", Select).value
        return calls.CallDetails(
            person_id=self.person_id,
            reason="" if reason is Select.NULL else str(reason),
            notes=self.query_one("#notes", TextArea).text,
            outcome=self.query_one("#outcome", Input).value,
        )

    def _autosave(self) -> None:
        if self._dirty and self.call is not None and self.call.status == "open":
            self.save_now()

    def save_now(self) -> None:
        """Send what is on screen to the draft, in a worker."""
        self._dirty = False
        self.save_draft(self._values())

    @work(thread=True, exclusive=False, group="draft", exit_on_error=False)
    def save_draft(self, values: calls.CallDetails) -> None:
        self.desk.database.save_draft(Draft.from_screen(self.call_id, values))  # kept here if the database is away
        self.app.call_from_thread(self._saved)

    def _saved(self) -> None:
        self.saved_at = clock.now()
        self.query_one("#call-saved", Static).update(f"Notes saved {clock.local(self.saved_at):%H:%M:%S}")

    # --- finishing -------------------------------------------------------------

    def action_finish(self) -> None:
        if self.call is None:
            return
        values = self._values()
        problems = calls.validate_finish(values)
        needs_triage = values.reason in triage.TRIAGED_REASONS and not self.referred
        if needs_triage and values.person_id is None:
            problems["person"] = (
                "A call asking for help becomes a referral: find (F3) or register (F4) who it is about."
            )
        if problems:
            self.show_problems(problems)
            return
        if needs_triage:
            self.triage(values, self.call.version)
            return
        self.finish(values, self.call.version)

    def triage(self, values: calls.CallDetails, version: int) -> None:
        """The response and lead confirmed or changed; the triage screen writes the call and its referral."""
        from screens.triage import TriageResult, TriageScreen, referral_said

        assert values.person_id is not None
        finish = CallFinish(self.call_id, values.person_id, values.reason, values.notes, values.outcome, version)

        def triaged(result: TriageResult) -> None:
            if isinstance(result, dict):
                self.show_problems(result)
            elif result is not None:
                self.call = None
                self.app.notify(referral_said(result), timeout=6)
                self.dismiss()

        self.app.push_screen(TriageScreen(finish), triaged)

    # --- escalating a crisis ----------------------------------------------------

    def action_escalate(self) -> None:
        """One key: the crisis raised from what the call holds, with the same-day team proposed at once."""
        from screens.escalate import EscalateScreen

        if self.call is None:
            return
        if self.person_id is None:
            self.show_problems({"person": "Find (F3) or register (F4) who it is about, then escalate (F11)."})
            return
        if self.referred:
            self.notify("This call has already been made a referral: the crisis board follows it.")
            return
        self.save_now()

        def escalated(result: Escalated | None) -> None:
            if result is not None:
                self._escalated(result)

        self.app.push_screen(
            EscalateScreen(
                call_id=self.call_id,
                zone_id=self.call.zone_id,
                person_id=self.person_id,
                caller=self.call.caller_name or self.call.caller_raw,
                what_happened=" ".join(self.query_one("#notes", TextArea).text.split()),
            ),
            escalated,
        )

    def _escalated(self, done: Escalated) -> None:
        """The crisis is raised: the call is about a crisis, its outcome says who is booked; F10 finishes it."""
        self.referred = True
        self.query_one("#reason", Select).value = "crisis"
        outcome = self.query_one("#outcome", Input)
        if not outcome.value.strip():
            team = ", ".join(f"{b.staff_name} {clock.local(b.visit_at):%H:%M}" for b in done.bookings)
            outcome.value = f"Crisis escalated: {team} booked." if team else "Crisis escalated."
        self._dirty = True
        self.notify("Crisis escalated, team booked. F10 finishes the call.", timeout=6)
        self.query_one("#outcome", Input).focus()

    @work(thread=True, exclusive=True, group="finish", exit_on_error=False)
    def finish(self, values: calls.CallDetails, version: int) -> None:
        app = self.desk
        try:
            with db.writing(app.engine) as session:
                calls.finish(session, app.actor, self.call_id, values, expected_version=version)
        except InvalidForm as exc:
            app.call_from_thread(self.show_problems, exc.problems)
            return
        except DeskError as exc:
            app.call_from_thread(self.notify, exc.message, severity="error", timeout=10)
            return
        app.call_from_thread(self._finished)

    def _finished(self) -> None:
        if self.call is not None:
            self.call = None
        self.app.notify("Call logged.", timeout=3)
        self.dismiss()

    def show_problems(self, problems: dict[str, str]) -> None:
        for err in self.query(FieldError):
            err.show(problems.get((err.id or "").removesuffix("-error")))
        first = next(iter(problems))
        target = {"reason": "#reason", "outcome": "#outcome"}.get(first)
        if target:
            self.query_one(target).focus()
        self._summarise(problems)

    def _summarise(self, problems: dict[str, str]) -> None:
        """At the top, never over a field: whether the call is logged, and how much is left to say."""
        message = self.query_one("#call-message", Static)
        message.update(f"Not logged yet: {counted(len(problems), 'thing')} to put right below." if problems else "")
        message.display = bool(problems)

    def action_skip_caller_choice(self) -> None:
        """Escape while asked who is calling: the caller stays as recorded; find who the call is about."""
        if self.query_one("#caller-choice").display:
            self._show_panel("#caller-choice", False)
            self.action_find()

    def action_close_finder(self) -> None:
        """Escape while the finder is open: it closes and the call goes on from why they rang."""
        if self.query_one("#finder").display:
            self._show_panel("#finder", False)
            self.query_one("#reason", Select).focus()

    def action_leave(self) -> None:
        if self.call is not None:
            self.save_now()
            self.notify("The call stays open with its notes: F7 picks it up again.", timeout=5)
        self.dismiss()
