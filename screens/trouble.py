"""One handler for everything a worker fails with: plain words on the screen, the raw text in the desk's log.

A failure is classified in the core (desk.errors.classify). While the
database is away (not answering, read-only, its disk full) the desk says so
once, however many saves and polls fail meanwhile; call notes are kept on the
desk (desk.kept_notes); the desk tries the database every few seconds, saves
the kept notes as soon as it takes them, and says once that it is back.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from textual.message import Message
from textual.notifications import Notification, Notify
from textual.timer import Timer

from desk.errors import BACK_MESSAGE, Problem, Trouble, classify
from screens.leak_fixes import withdraw_notification

if TYPE_CHECKING:
    from screens.app import DeskApp

PROBE_EVERY_S = 3.0
"""While the database is away, how often the desk tries it again."""
AWAY_TOAST_S = 60.0
log = logging.getLogger("zone-desk")


class DatabaseBack(Message):
    """The database took changes again; ``saved`` calls' kept notes went in (posted from the probing worker)."""

    def __init__(self, saved: int) -> None:
        super().__init__()
        self.saved = saved


class KeptNotesSaved(Message):
    """Notes kept on this desk by an earlier session were saved when it opened (posted from a worker)."""

    def __init__(self, saved: int) -> None:
        super().__init__()
        self.saved = saved


class TroubleDesk:
    """Turns workers' failures into messages a co-ordinator understands, once each."""

    def __init__(self, app: DeskApp) -> None:
        self.app = app
        self.away: Problem | None = None
        """The outage under way, if the database is away."""
        self._away_toast: Notification | None = None
        self._probe: Timer | None = None
        self._showing: dict[str, Notification] = {}

    def report(self, worker_name: str, error: BaseException) -> None:
        """A worker failed: log the raw text, show the plain words (once while the database is away)."""
        problem = classify(error)
        if problem.outage and self.away is not None:
            log.info("worker %s: still %s", worker_name, problem.kind)  # the first failure's text is in the log
        elif problem.kind is Trouble.DESK:
            log.info("worker %s: %s", worker_name, problem.detail)
        elif problem.kind is Trouble.UNKNOWN:
            log.error("worker %s failed", worker_name, exc_info=error)
        else:
            log.warning("worker %s: %s (%s)", worker_name, problem.kind, problem.detail)
        if problem.outage:
            self._gone(problem)
        else:
            self._say(problem)

    def _gone(self, problem: Problem) -> None:
        if self.away is not None:
            return  # said already: not once per autosave or poll
        self.away = problem
        self._away_toast = Notification(problem.message, "Database away", "error", AWAY_TOAST_S)
        self.app.post_message(Notify(self._away_toast))
        self._probe = self.app.set_interval(PROBE_EVERY_S, self.probe, name="database-probe")
        self.app.refresh_title()

    def _say(self, problem: Problem) -> None:
        """Show a message, unless the very same one is still on screen."""
        shown = self._showing.get(problem.message)
        if shown is not None and not shown.has_expired:
            return
        toast = Notification(problem.message, "", "error", 10)
        self._showing[problem.message] = toast
        self.app.post_message(Notify(toast))

    def probe(self) -> None:
        """Try the database again, in a worker: save the notes kept meanwhile, then check it answers."""
        self.app.run_worker(self._try_database, thread=True, exclusive=True, group="database-probe")

    def _try_database(self) -> None:
        from sqlalchemy import text

        from desk import db

        database = self.app.database
        try:
            saved = database.save_kept()
            with db.writing(database.engine) as session:
                session.execute(text("SELECT 1"))
        except Exception as exc:  # still away: said once already; the log has each try
            log.info("database still away: %s", classify(exc).detail)
            return
        self.app.post_message(DatabaseBack(saved))

    def back(self, saved: int) -> None:
        """The database is back: say so once, and stop trying."""
        if self.away is None:
            return
        self.away = None
        if self._probe is not None:
            self._probe.stop()
            self._probe = None
        if self._away_toast is not None:
            withdraw_notification(self.app, self._away_toast)
            self._away_toast = None
        log.warning("database back; %d call(s) of kept notes saved", saved)
        self.app.notify(BACK_MESSAGE, title="Database back", severity="information", timeout=10)
        self.app.refresh_title()

    def save_left_over(self) -> None:
        """Save notes an earlier desk session kept while the database was away (it closed before they went in)."""
        self.app.run_worker(self._save_left_over, thread=True, exit_on_error=False, name="save-kept-notes")

    def _save_left_over(self) -> None:
        saved = self.app.database.save_kept()
        if saved:
            self.app.post_message(KeptNotesSaved(saved))
