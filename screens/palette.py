"""The command palette (Ctrl+P): every action of the desk and of the screen in front, named "Noun: verb"."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

if TYPE_CHECKING:
    from screens.app import DeskApp


def desk_commands(app: DeskApp, screen: Screen[Any]) -> Iterable[SystemCommand]:
    """The desk's own actions, then the shown keys of ``screen``, each under its screen's name."""
    yield SystemCommand("Call: take a call", "Log a call by hand (F2)", app.action_take_call)
    yield SystemCommand("Call: answer the ringing line", "Answer the zone line (F6)", app.action_answer)
    if app.rings.ringing is not None:
        yield SystemCommand("Call: who is ringing", "The ringing caller in full (F12)", app.action_show_ringing)
    yield SystemCommand("Calls: today's log", "The zone's calls today (F5)", app.action_call_log)
    yield SystemCommand("Calls: unfinished", "Calls started but not finished (F7)", app.action_unfinished)
    yield SystemCommand("Crisis: board", "Open crises by time left (F11)", app.action_crisis_board)
    yield SystemCommand("Pick-up: list", "Discharges for the zone to pick up (Ctrl+Y)", app.action_pickups)
    yield SystemCommand(
        "Pick-up: acknowledge",
        "Acknowledge a pick-up (Ctrl+Y, K)",
        partial(app.action_pickups, True),
    )
    yield SystemCommand("Delays: open", "Delayed patients, delayed days counted (Ctrl+F)", app.action_delays)
    yield SystemCommand(
        "Delays: export",
        "The delays as CSV in the data directory (Ctrl+F, E)",
        partial(app.action_delays, True),
    )
    yield SystemCommand("Person: find", "Find a person on the register (F3)", app.action_find_person)
    yield SystemCommand("Person: register", "Register a new person (F4)", app.action_register_person)
    yield SystemCommand("Roster: open", "The zone's duty roster (Ctrl+O)", app.action_roster)
    yield SystemCommand("Handover: open", "The crisis handover list (Ctrl+T)", app.action_handover)
    yield SystemCommand("Reviews: open list", "Package reviews overdue, due and done (Ctrl+N)", app.action_reviews)
    yield SystemCommand(
        "Packages: waiting list", "Packages and equipment waiting on their targets (Ctrl+L)", app.action_waiting_list
    )
    yield SystemCommand("Ward: open", "The patients on your wards, for discharge (F9)", app.action_ward)
    yield SystemCommand("Help: keys", "Every key on this screen (F1)", app.action_help)
    noun = screen.__class__.__name__.replace("Screen", "")
    titles: dict[str, str] = getattr(screen, "PALETTE_TITLES", {})  # a key about one part of what the screen shows
    for binding in screen.BINDINGS:
        if not (isinstance(binding, Binding) and binding.show and binding.description):
            continue
        if screen.check_action(binding.action, ()) is False:
            continue  # not what the key does now (Escape on a call, with the finder open, closes the finder)
        yield SystemCommand(
            titles.get(binding.id or "", f"{noun}: {binding.description}"),
            binding.tooltip or binding.description,
            partial(app.run_action, binding.action, screen),
        )
