"""Listening to the zone line: poll for rings, show one toast per ring, answer one.

The phone system's hook (``desk ring``) writes a ring to the database; every
desk on that zone polls for waiting rings each second, rings its bell and shows
a toast for a new one, and takes the toast down once the ring is answered
(here or at another desk) or rings off. The header says the line is ringing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message
from textual.notifications import Notification, Notify

from screens.leak_fixes import withdraw_notification

if TYPE_CHECKING:
    from desk.services.rings import Incoming
    from screens.app import DeskApp

RING_POLL_S = 1.0


class RingsPolled(Message):
    """What is waiting on the line now (posted from the polling worker)."""

    def __init__(self, waiting: list[Incoming]) -> None:
        super().__init__()
        self.waiting = waiting


class RingAnswered(Message):
    """This desk claimed a ring and started its call (posted from the answering worker)."""

    def __init__(self, ring_id: int, call_id: int) -> None:
        super().__init__()
        self.ring_id = ring_id
        self.call_id = call_id


class RingWatch:
    """The zone line as one desk hears it. Its state changes only on the app's thread, from the messages above."""

    def __init__(self, app: DeskApp) -> None:
        self.app = app
        self.last_ring_id = 0
        """The newest ring already announced here: older ones ring no bell."""
        self.waiting: list[Incoming] = []
        """Rings not yet answered anywhere, oldest first."""
        self._toasts: dict[int, Notification] = {}
        self.listening = False

    def listen(self, last_ring_id: int) -> None:
        """Start polling; rings up to ``last_ring_id`` (already there when the desk opened) are not announced."""
        if self.listening:
            return
        self.listening = True
        self.last_ring_id = last_ring_id
        self.app.set_interval(RING_POLL_S, self.poll, name="ring-poll")

    def poll(self) -> None:
        """Ask the database what is ringing, in a worker (one at a time)."""
        self.app.run_worker(
            self._poll, thread=True, exclusive=True, group="ring-poll", name="ring-poll", exit_on_error=False
        )

    def _poll(self) -> None:
        from desk import db
        from desk.services import rings

        with db.reading(self.app.engine) as session:
            waiting = rings.waiting(session, self.app.zone_id, 0)
        self.app.post_message(RingsPolled(waiting))

    def polled(self, waiting: list[Incoming]) -> None:
        """Ring the bell for a new ring, take down toasts of rings no longer waiting, update the header."""
        from desk.services import rings

        new = [r for r in waiting if r.ring_id > self.last_ring_id]
        self.waiting = waiting
        self._withdraw_all_but({r.ring_id for r in waiting})  # answered at another desk, or rang off
        if new:
            self.last_ring_id = max(r.ring_id for r in new)
            latest = new[-1]
            self.app.bell()
            toast = Notification(
                f"{latest.recognition.headline}\nPress F6 to answer.",
                f"Zone line ringing: {latest.number or 'withheld'}",
                "warning",
                rings.RING_FRESH_FOR.total_seconds(),
            )
            self._toasts[latest.ring_id] = toast
            self.app.post_message(Notify(toast))
        self.app.refresh_title()

    @property
    def ringing(self) -> Incoming | None:
        """The newest ring waiting, if the line is ringing."""
        return self.waiting[-1] if self.waiting else None

    def answer(self, incoming: Incoming) -> None:
        """Claim the ring and start its call, in a worker; another desk may have been quicker."""
        self.app.run_worker(lambda: self._answer(incoming), thread=True, exit_on_error=False, name="answer-ring")

    def _answer(self, incoming: Incoming) -> None:
        from desk import db
        from desk.services import calls, rings

        with db.writing(self.app.engine) as session:
            if not rings.claim(session, incoming.ring_id, self.app.desk_name):
                self.app.notify("Another desk answered that call.", severity="warning")  # thread-safe
                return
            call = calls.start(session, self.app.actor, self.app.zone_id, number=incoming.number, typed=False)
            assert call.id is not None
            rings.attach_call(session, incoming.ring_id, call.id)
            call_id = call.id
        self.app.post_message(RingAnswered(incoming.ring_id, call_id))

    def answered(self, ring_id: int) -> None:
        """This desk took the ring: it is no longer waiting, and its toast comes down."""
        self.waiting = [r for r in self.waiting if r.ring_id != ring_id]
        self._withdraw_all_but({r.ring_id for r in self.waiting})

    def _withdraw_all_but(self, still_waiting: set[int]) -> None:
        for ring_id in [i for i in self._toasts if i not in still_waiting]:
            toast = self._toasts.pop(ring_id)
            withdraw_notification(self.app, toast)
