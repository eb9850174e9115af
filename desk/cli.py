"""The ``desk`` command's core: its options, and the commands that need no terminal.

``desk ring`` (the phone system's hook) and ``desk seed`` run from here. Opening
the desk itself is the front end's (screens.launcher, the console script),
which hands :func:`main` the way to open it, so the core never imports Textual;
what the front end needs before it opens (the settings, a database ready for
the ordinary way in) is here too.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from desk import __version__, settings
from desk.errors import DeskError

if TYPE_CHECKING:
    from sqlalchemy import Engine

OpenDesk = Callable[[argparse.Namespace], int]
"""Opens the desk in the terminal for the parsed options; the exit status."""


def parser() -> argparse.ArgumentParser:
    """The ``desk`` command's options and subcommands."""
    p = argparse.ArgumentParser(
        prog="desk",
        description="Zone Desk: the front desk of an integrated health and social care zone.",
        epilog="Database: an SQLite file in your data directory unless DESK_DATABASE_URL or --db says otherwise "
        "(e.g. postgresql+psycopg://user@host/db for an office of several desks).",
    )
    p.add_argument("--version", action="version", version=f"desk {__version__}")
    p.add_argument("--db", metavar="URL", help="database URL (overrides DESK_DATABASE_URL)")
    p.add_argument(
        "--demo",
        action="store_true",
        help="open the separate demo database (seeded on first use); with --db, seed that empty database",
    )
    p.add_argument("--zone", metavar="ZONE", help="the zone line this desk answers (e.g. BXM)")
    p.add_argument("--desk-name", metavar="NAME", help="this desk's name in the history")
    p.add_argument("--staff", metavar="ID", type=int, help="who is at the desk (staff id), skipping the question")
    p.add_argument("--all-zones", action="store_true", help="open on every zone's caseload (key a switches back)")
    sub = p.add_subparsers(dest="command")
    r = sub.add_parser("ring", help="the phone system's hook: the zone line is ringing from NUMBER")
    r.add_argument(
        "number",
        nargs="+",
        help="the caller's number as the phone shows it, spaces and all (0113 496 0113); '' when withheld",
    )
    r.add_argument("--zone", dest="ring_zone", metavar="ZONE", help="which zone's line rang (default DESK_ZONE)")
    r.add_argument("--db", dest="ring_db", metavar="URL", help="database URL")
    r.add_argument("--demo", dest="ring_demo", action="store_true", help="ring the demo database's desks")
    s = sub.add_parser(
        "seed",
        help="fill an empty database with a synthetic trust at scale (for benchmarks)",
        description="Synthetic only: 999 NHS numbers, drama-range phone numbers. "
        "Without --db, a separate file (scale.db) in the data directory, never the desk's own.",
    )
    s.add_argument("--people", type=int, default=380_000, help="people on the register (default 380,000)")
    s.add_argument("--caseload", type=int, default=40_000, help="of whom on the zones' caseloads (default 40,000)")
    s.add_argument("--calls", type=int, default=100_000, help="calls over the past year (default 100,000)")
    s.add_argument("--seed", type=int, default=380, help="the same seed gives the same trust (default 380)")
    s.add_argument("--db", dest="seed_db", metavar="URL", help="an empty database to fill")
    return p


def main(argv: Sequence[str] | None = None, open_desk: OpenDesk | None = None) -> int:
    """Run the ``desk`` command; ``open_desk`` opens the desk itself (the front end passes it)."""
    args = parser().parse_args(argv)
    try:
        if args.command == "ring":
            return _ring(args)
        if args.command == "seed":
            return _seed(args)
        if open_desk is None:
            print("desk: the desk opens in a terminal with the `desk` command.", file=sys.stderr)
            return 2
        return open_desk(args)
    except DeskError as exc:
        print(f"desk: {exc.message}", file=sys.stderr)
        return 2


def _ring(args: argparse.Namespace) -> int:
    from desk import db
    from desk.services import reference, rings

    cfg = settings.load(
        database_url=args.ring_db or args.db, demo=args.ring_demo or args.demo or None, zone=args.ring_zone or args.zone
    )
    if not cfg.zone:
        print("desk ring: say which zone line rang: --zone ZONE (or set DESK_ZONE).", file=sys.stderr)
        return 2
    engine = db.make_engine(cfg.resolved_url())
    db.migrate(engine)
    with db.writing(engine) as session:
        reference.load(session)  # the line may ring before any desk has opened this database
        number = " ".join(args.number).strip()  # typed unquoted, the shell splits it at its spaces
        r = rings.ring(session, cfg.zone, number)
        print(f"ringing {r.zone_id} from {number or 'withheld'} (ring {r.id})")
    return 0


def _seed(args: argparse.Namespace) -> int:
    import time

    from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from desk import db
    from desk.scale import seed_scale

    url = args.seed_db or args.db or settings.sqlite_url("scale.db")
    engine = db.make_engine(url)
    db.migrate(engine)
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description:<10}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn()
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=max(total, 1))
            bar.update(tasks[stage], completed=done, total=max(total, 1))

        counts = seed_scale(
            engine, people=args.people, caseload=args.caseload, calls=args.calls, seed=args.seed, progress=report
        )
    shown = ", ".join(f"{counts[k]:,} {k}" for k in ("people", "caseload", "calls", "referrals", "visits"))
    print(f"Seeded {url} in {time.perf_counter() - started:.0f} s: {shown}.")
    return 0


def settings_for(args: argparse.Namespace) -> settings.Settings:
    """The settings the desk opens with: config file and environment, then these options."""
    return settings.load(
        database_url=args.db,
        demo=args.demo or None,
        zone=args.zone,
        desk_name=args.desk_name,
        demo_url=args.db if args.demo else None,
        all_zones=args.all_zones or None,
    )


def prepare(cfg: settings.Settings) -> Engine:
    """The ordinary way in: an engine on a database migrated and loaded (the demo seeded on first use)."""
    from desk import db

    engine = db.make_engine(cfg.resolved_url())
    if cfg.demo:
        from desk.demo import ensure_demo

        print("Opening the demo zone (synthetic people only)...", file=sys.stderr)
        ensure_demo(engine)
    else:
        db.migrate(engine)
        from desk.services import reference

        with db.writing(engine) as session:
            reference.load(session)
    return engine


def log_to_file() -> None:
    """Send the desk's log (the raw text behind every plain message) to its file in the data directory."""
    path = settings.log_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(process)d %(message)s"))
    logger = logging.getLogger("zone-desk")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # never to the terminal the desk is drawn on


if __name__ == "__main__":
    raise SystemExit(main())
