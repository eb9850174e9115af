"""Write or change a person's crisis plan: who to ring, what has worked before, what they want.

Every change says why and goes into the history (``plans.save_plan``); a plan
saved at another desk meanwhile is not overwritten.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from desk.crisis import plans
from desk.crisis.plans import CrisisPlanInput, CrisisPlanView
from screens.base import DeskModalScreen
from screens.form import show_beside_fields
from screens.widgets import FieldError

FIELDS = (
    ("who_to_ring", "Who to ring", "e.g. daughter Jean 07700 900123, then the GP"),
    ("what_has_worked", "What has worked", "e.g. a calm voice, her own chair, tea"),
    ("what_they_want", "What they want", "e.g. to stay at home; not to go to hospital if it can be helped"),
    ("why", "Why the change", "e.g. agreed with Doris and her daughter"),
)


class CrisisPlanForm(DeskModalScreen[CrisisPlanView | None]):
    """The crisis plan, as it stands, to change and save with a reason."""

    BINDINGS = [
        Binding("f10", "save", "Save", id="save", tooltip="Save the plan (kept in the history)"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without saving"),
    ]

    DEFAULT_CSS = """
    CrisisPlanForm { align: center middle; }
    #crisis-plan { width: 110; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    #crisis-plan .field-label { width: 18; }
    """

    def __init__(self, plan: CrisisPlanView) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        with Vertical(id="crisis-plan"):
            yield Label("What to do in a crisis", classes="dialog-title")
            yield Static("", id="form-message", classes="form-message")
            for key, label, hint in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label, classes="field-label")
                    yield Input(str(getattr(self.plan, key, "")), placeholder=hint, id=key)
                yield FieldError(id=f"{key}-error")
            yield Label("Enter moves on; F10 (or Enter on the last line) saves.", classes="field-label-wide")

    def on_mount(self) -> None:
        for err in self.query(FieldError):
            err.show(None)
        self.query_one("#form-message").display = False
        self.query_one("#who_to_ring").focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == "why":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        v = {key: self.query_one(f"#{key}", Input).value for key, _, _ in FIELDS}
        self.save(
            CrisisPlanInput(
                person_id=self.plan.person_id,
                who_to_ring=v["who_to_ring"],
                what_has_worked=v["what_has_worked"],
                what_they_want=v["what_they_want"],
                expected_version=self.plan.version,
                why=v["why"],
            )
        )

    @work(thread=True, exclusive=True, group="crisis-plan", exit_on_error=False)
    def save(self, data: CrisisPlanInput) -> None:
        actor = self.desk.actor
        self.write_then_close(lambda session: plans.save_plan(session, actor, data))

    def show_problems(self, problems: dict[str, str]) -> None:
        """Each message beside its field; nothing typed is cleared."""
        show_beside_fields(self, problems, problems.get("person") or "Not saved: put right what is said below.")
        for key, _, _ in FIELDS:
            if key in problems:
                self.query_one(f"#{key}").focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(None)
