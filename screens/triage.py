"""Triage a call that asks for help before it is finished: the desk proposes, the co-ordinator decides.

The desk proposes a response (Crisis, Rapid, Fast, Normal) and who leads
(nurse, therapist, social care) from what the call recorded. Enter accepts;
a key on either list changes it, and a change needs a short reason, kept with
the referral. For a crisis the desk first asks which urgent community
response need it is, and reminds that a life-threatening emergency is 999.
The call and its referral are written together (``finish_and_refer``).
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from desk import db, triage
from desk.crisis import referrals
from desk.crisis.referrals import CallFinish, ReferralMade, TriageChoice
from desk.errors import DeskError, InvalidForm
from desk.services.timeline import due_text
from desk.vocabulary import CALL_REASONS
from screens.base import DeskModalScreen
from screens.key_choice import KeyChoice
from screens.widgets import FieldError

NEED_KEYS = "1234567890"
RESPONSE_KEYS = {"crisis": "c", "rapid": "r", "fast": "f", "normal": "n"}
LEAD_KEYS = {"nurse": "n", "therapist": "t", "social_care": "s"}
MODAL_FIELDS = ("need", "response", "lead", "change_why")

TriageResult = ReferralMade | dict[str, str] | None
"""What the call screen gets back: the referral made, problems with the call's own fields, or nothing."""


def need_options() -> list[tuple[str, str, str]]:
    """The urgent community response needs, one digit each (0 for other)."""
    return [(k, need, label) for k, (need, label) in zip(NEED_KEYS, triage.UCR_NEEDS.items(), strict=True)]


def response_word(response: str) -> str:
    """'Crisis', 'Rapid', 'Fast' or 'Normal'."""
    return triage.RESPONSES[response].split(" (")[0]


class TriageScreen(DeskModalScreen[TriageResult]):
    """The response and lead for a call asking for help, confirmed or changed, then the call is finished."""

    BINDINGS = [
        Binding("f10", "accept", "Accept", id="accept", tooltip="Make the referral and finish the call"),
        Binding("escape", "cancel", "Back to the call", id="cancel", tooltip="The call stays open, nothing is lost"),
    ]

    DEFAULT_CSS = """
    TriageScreen { align: center middle; }
    #triage { width: 100; height: auto; max-height: 95%; border: thick $accent; background: $surface; padding: 1 2; }
    #triage-proposal { margin-bottom: 1; text-style: bold; }
    #triage-emergency { color: $error; text-style: bold; }
    #triage-lists { height: auto; }
    #triage-lists > Vertical { width: 1fr; height: auto; }
    #accept-button { margin-top: 1; }
    """

    def __init__(self, finish: CallFinish) -> None:
        super().__init__()
        self.finish = finish
        self.is_crisis = finish.reason == "crisis"
        self.proposal = triage.propose(finish.reason)

    def compose(self) -> ComposeResult:
        with Vertical(id="triage"):
            yield Label(
                f"Triage: {CALL_REASONS[self.finish.reason]} call, before it is finished", classes="dialog-title"
            )
            yield Static("", id="form-message", classes="form-message")
            yield Static("", id="triage-proposal")
            if self.is_crisis:
                yield Label("Which urgent community response need is it? (a digit)")
                yield Static(triage.EMERGENCY_REMINDER, id="triage-emergency")
                yield KeyChoice(need_options(), id="need")
                yield FieldError(id="need-error")
            with Horizontal(id="triage-lists"):
                with Vertical():
                    yield Label("Response (c, r, f, n)")
                    yield KeyChoice(
                        [(RESPONSE_KEYS[r], r, response_word(r)) for r in triage.RESPONSES],
                        value=self.proposal.response,
                        id="response",
                    )
                    yield FieldError(id="response-error")
                with Vertical():
                    yield Label("Who leads (n, t, s)")
                    yield KeyChoice(
                        [(LEAD_KEYS[k], k, label) for k, label in triage.LEADS.items()],
                        value=self.proposal.lead,
                        id="lead",
                    )
                    yield FieldError(id="lead-error")
            with Horizontal(classes="field"):
                yield Label("Why changed", classes="field-label")
                yield Input(placeholder="Only when you change the desk's proposal: a few words", id="change_why")
            yield FieldError(id="change_why-error")
            yield Button("Accept: make the referral and finish the call (Enter)", id="accept-button", variant="primary")

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self._show_proposal()
        for choice in self.query(KeyChoice):
            choice.then = self._chosen
        if self.is_crisis:
            self.query_one("#need").focus()
        else:
            self.query_one("#accept-button").focus()

    def _show_proposal(self) -> None:
        p = self.proposal
        line = f"The desk proposes: {triage.RESPONSES[p.response]}, {triage.LEADS[p.lead].lower()} leading ({p.why})."
        if self.is_crisis and self._need() is None:
            line = "Choose the need first: the desk proposes who leads from it."
        self.query_one("#triage-proposal", Static).update(line + "  Enter accepts; a key on a list changes it.")

    def _need(self) -> str | None:
        return self.query_one("#need", KeyChoice).value if self.is_crisis else None

    def _choice(self) -> TriageChoice:
        return TriageChoice(
            response=self.query_one("#response", KeyChoice).value or "",
            lead=self.query_one("#lead", KeyChoice).value or "",
            need=self._need(),
            change_why=self.query_one("#change_why", Input).value,
        )

    def _changed(self) -> bool:
        c = self._choice()
        return (c.response, c.lead) != (self.proposal.response, self.proposal.lead)

    def _chosen(self, choice: KeyChoice, value: str) -> None:
        """Straight after a choice (before the next key is read): the proposal follows the need, the focus moves on."""
        if choice.id == "need":
            self.proposal = triage.propose(self.finish.reason, value)
            self.query_one("#response", KeyChoice).choose(self.proposal.response, announce=False)
            self.query_one("#lead", KeyChoice).choose(self.proposal.lead, announce=False)
            self.query_one("#need-error", FieldError).show(None)
            self._show_proposal()
        if self._changed():
            self.set_focus(self.query_one("#change_why", Input))
        else:
            self.set_focus(self.query_one("#accept-button"))

    @on(Input.Submitted, "#change_why")
    @on(Button.Pressed, "#accept-button")
    def _accept_pressed(self) -> None:
        self.action_accept()

    def action_accept(self) -> None:
        """Check what the screen can, then write the call and its referral in a worker."""
        if self.is_crisis and self._need() is None:
            self.show_problems({"need": "Say which need it is (a digit). " + triage.EMERGENCY_REMINDER})
            return
        if self._changed() and not self.query_one("#change_why", Input).value.strip():
            c = self._choice()
            self.show_problems(
                {
                    "change_why": f"The desk proposed {response_word(self.proposal.response)}, "
                    f"{triage.LEADS[self.proposal.lead].lower()} leading; you chose {response_word(c.response)}, "
                    f"{triage.LEADS[c.lead].lower()}: say briefly why."
                }
            )
            return
        self.refer(self._choice())

    @work(thread=True, exclusive=True, group="triage", exit_on_error=False)
    def refer(self, choice: TriageChoice) -> None:
        app = self.desk
        try:
            with db.writing(app.engine) as session:
                made = referrals.finish_and_refer(session, app.actor, self.finish, choice)
        except InvalidForm as exc:
            app.call_from_thread(self._refused, exc.problems)
            return
        except DeskError as exc:
            app.call_from_thread(self.notify, exc.message, severity="error", timeout=10)
            return
        app.call_from_thread(self.dismiss, made)

    def _refused(self, problems: dict[str, str]) -> None:
        mine = {k: v for k, v in problems.items() if k in MODAL_FIELDS}
        if len(mine) < len(problems):
            self.dismiss({k: v for k, v in problems.items() if k not in MODAL_FIELDS})  # the call's own fields
            return
        self.show_problems(mine)

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; the first bad field gets the focus; nothing chosen is undone."""
        for err in self.query(FieldError):
            err.show(problems.get((err.id or "").removesuffix("-error")))
        message = self.query_one("#form-message", Static)
        message.update("Not finished yet: put right what is said below." if problems else "")
        message.display = bool(problems)
        for key in MODAL_FIELDS:
            if key in problems:
                self.query_one(f"#{key}").focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(None)


def referral_said(made: ReferralMade) -> str:
    """What the desk says once the referral is made: the response, who leads, when it is due."""
    return (
        f"Call logged; referral made: {response_word(made.response)}, {triage.LEADS[made.lead].lower()} leading, "
        f"due {due_text(made.due_at, made.response)}."
    )
