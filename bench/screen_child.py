"""A child process that opens an app under a real pseudo-terminal and reports its first frame.

``python -m bench.screen_child MODE REPORT.json [options]``, started by
:mod:`bench.terminal` on a pty of 160x45, so Textual's real Linux driver
writes real frames. It records ``time.time()`` at the first frame that shows
what the mode waits for, its own resident memory then (and after paging),
writes the report and exits. The parent subtracts the time it launched us.

Modes:

- ``bare``: a minimal Textual app; its first frame at all.
- ``datatable URL``: Textual's built-in DataTable holding every caseload row
  (selected as plain tuples), loaded the obvious way, in ``on_mount``.
- ``desk [--all-zones] [--pages N] -- DESK ARGS``: the real ``desk`` command
  (``screens.launcher.main``); the first frame of the caseload screen with rows in its
  table. ``--all-zones`` opens the whole-trust view (the desk has it, behind
  the ``a`` key, but no start-up option, so the screen's constructor is
  wrapped to start there).

Only the standard library is imported before the clock starts.
"""

from __future__ import annotations

import time

STARTED = time.time()  # before any other import: the launch is timed from the parent's clock

import argparse
import asyncio
import importlib.abc
import importlib.util
import json
import sys
import traceback
from collections.abc import Callable
from importlib.machinery import ModuleSpec
from types import ModuleType
from typing import Any


def _wall_ns() -> int:
    return time.time_ns()


class Reporter:
    """Collects the child's figures and writes them once."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.data: dict[str, Any] = {"started": STARTED}
        self.written = False

    def write(self) -> None:
        self.written = True
        with open(self.path, "w", encoding="utf-8") as fh:
            json.dump(self.data, fh)


def _on_first(reporter: Reporter, predicate_for: Any, then: Any = None) -> Any:
    """An ``on_attach`` callback: wait for the first frame ``predicate_for(app)`` accepts, run ``then``, leave.

    The waiter is registered before the first frame is drawn, so even that
    frame counts; the rest runs as a task in the app's own loop.
    """
    from bench.frames import rss_mb

    def attach(watch: Any) -> None:
        shown = watch.when(predicate_for(watch.app))

        async def script() -> None:
            try:
                t = await asyncio.wait_for(shown, 120)
                reporter.data["first_paint"] = watch.frames[0] / 1e9
                reporter.data["first_frame"] = t / 1e9
                reporter.data["rss_first_mb"] = rss_mb()
                if then is not None:
                    await then(watch)
            except Exception:
                reporter.data["error"] = traceback.format_exc()
            reporter.write()
            watch.app.exit()

        asyncio.get_running_loop().create_task(script())

    return attach


def bare(reporter: Reporter) -> None:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    from bench.frames import attach_on_first_frame

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("A bare Textual app")

    attach_on_first_frame(Bare, _on_first(reporter, lambda app: lambda _: True), clock=_wall_ns)
    Bare().run()


def datatable(reporter: Reporter, url: str) -> None:
    from sqlalchemy import select
    from sqlmodel import col
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from bench.frames import attach_on_first_frame
    from desk import db
    from desk.models import CaseloadEntry

    names = (
        "display_name",
        "nhs_number",
        "date_of_birth",
        "practice_name",
        "key_worker_name",
        "health",
        "social",
        "next_due_on",
        "next_due_what",
    )
    columns = [col(getattr(CaseloadEntry, name)) for name in names]

    class TableRef(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable(cursor_type="row", zebra_stripes=True)

        def on_mount(self) -> None:
            engine = db.make_engine(url)
            with engine.connect() as conn:
                rows = conn.execute(select(*columns)).all()
            table = self.query_one(DataTable)
            table.add_columns(*names)
            table.add_rows(tuple("" if v is None else str(v) for v in row) for row in rows)
            reporter.data["rows"] = table.row_count

    def filled(app: App[None]) -> Any:
        return lambda _: app.query_one(DataTable).row_count > 0

    attach_on_first_frame(TableRef, _on_first(reporter, filled), clock=_wall_ns)
    TableRef().run()


def when_imported(name: str, then: Callable[[ModuleType], None]) -> None:
    """Run ``then(module)`` as soon as module ``name`` is imported, by whoever imports it first.

    The desk forks its first-look child before it imports Textual, so the two
    run side by side. Importing Textual here first, to watch its frames, would
    put the child's work on the path to the first frame and measure a desk
    that does not exist (on PostgreSQL, 45 ms slower than the real one).
    """

    class Hook(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname: str, path: Any, target: Any = None) -> ModuleSpec | None:
            if fullname != name:
                return None
            sys.meta_path.remove(self)
            spec = importlib.util.find_spec(fullname)
            if spec is None or spec.loader is None:
                return spec
            execute = spec.loader.exec_module

            def exec_module(module: ModuleType) -> None:
                execute(module)
                then(module)

            spec.loader.exec_module = exec_module  # type: ignore[method-assign]  # wraps this one loader only
            return spec

    sys.meta_path.insert(0, Hook())


def desk(reporter: Reporter, all_zones: bool, pages: int, desk_args: list[str]) -> None:
    """The real ``desk`` command; Textual and the screens are looked up only once the desk has imported them."""
    if all_zones:
        desk_args = [*desk_args, "--all-zones"]

    def caseload_shown(app: Any) -> Any:
        def shown(_: str) -> bool:
            # The desk may be importing the module in a worker while a frame is drawn: look it up gently.
            screen_class = getattr(sys.modules.get("screens.caseload"), "CaseloadScreen", None)
            screen = app.screen
            return (
                screen_class is not None
                and isinstance(screen, screen_class)
                and screen.all_zones == all_zones
                and screen.page is not None
                and screen.query_one("#caseload").row_count > 0
            )

        return shown

    async def page_on(watch: Any) -> None:
        """Page on at once, as an impatient co-ordinator would, while the ORM is still loading behind the screen."""
        from bench.frames import Heartbeat, post_key, rss_mb

        app = watch.app
        screen = app.screen
        step = sys.modules["screens.caseload"].PAGE_SIZE
        heartbeat = Heartbeat(clock=_wall_ns)
        heartbeat.start()
        shown_at = _wall_ns()
        for n in range(pages):
            want = screen.page.offset + step
            if want >= screen.page.total:
                break
            t = post_key(app, "]", clock=_wall_ns)
            done = await watch.until(lambda _, want=want: screen.page is not None and screen.page.offset == want)
            if n == 0:
                reporter.data["first_key_ms"] = (done - t) / 1e6
                reporter.data["orm_loaded_at_first_key"] = bool(app.database.opened.is_set())
        reporter.data["paged"] = screen.page.offset // step
        reporter.data["rss_after_mb"] = rss_mb()
        ready = app.database.opened
        while not app.database.loading.is_set() and _wall_ns() - shown_at < 20e9:
            await asyncio.sleep(0.005)
        if not ready.is_set():  # a key while the ORM loads on the other thread
            want = screen.page.offset - step
            t = post_key(app, "[", clock=_wall_ns)
            done = await watch.until(lambda _, want=want: screen.page is not None and screen.page.offset == want)
            reporter.data["key_while_loading_ms"] = (done - t) / 1e6
        while not ready.is_set() and _wall_ns() - shown_at < 20e9:
            await asyncio.sleep(0.01)
        ready_at = _wall_ns()
        reporter.data["orm_ready_ms"] = (ready_at - shown_at) / 1e6
        reporter.data["freeze_loading_ms"] = heartbeat.longest_freeze(shown_at, ready_at) / 1e6
        heartbeat.stop()

    def watch_frames(textual_app: ModuleType) -> None:
        from bench.frames import attach_on_first_frame

        attach_on_first_frame(
            textual_app.App, _on_first(reporter, caseload_shown, page_on if pages else None), clock=_wall_ns
        )

    when_imported("textual.app", watch_frames)
    from screens.launcher import main as desk_main

    desk_main(desk_args)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.screen_child")
    p.add_argument("mode", choices=("bare", "datatable", "desk"))
    p.add_argument("report")
    p.add_argument("--url", default="")
    p.add_argument("--all-zones", action="store_true")
    p.add_argument("--pages", type=int, default=0)
    return p


def main(argv: list[str]) -> int:
    cut = argv.index("--") if "--" in argv else len(argv)
    args = _parser().parse_args(argv[:cut])
    desk_args = argv[cut + 1 :]  # everything after "--" goes to the desk command (screens.launcher.main)
    reporter = Reporter(args.report)
    try:
        if args.mode == "bare":
            bare(reporter)
        elif args.mode == "datatable":
            datatable(reporter, args.url)
        else:
            desk(reporter, args.all_zones, args.pages, desk_args)
    except Exception:
        reporter.data["error"] = traceback.format_exc()
    if not reporter.written:
        reporter.data.setdefault("error", "the app closed before showing what was awaited")
        reporter.write()
    return 1 if "error" in reporter.data else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
