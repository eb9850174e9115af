"""The ``desk`` command: open the desk, or tell open desks the line is ringing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from desk import __version__, db, settings
from desk.errors import DeskError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="desk",
        description="Zone Desk: the front desk of an integrated health and social care zone.",
        epilog="Database: an SQLite file in your data directory unless DESK_DATABASE_URL or --db says otherwise "
        "(e.g. postgresql+psycopg://user@host/db for an office of several desks).",
    )
    p.add_argument("--version", action="version", version=f"desk {__version__}")
    p.add_argument("--db", metavar="URL", help="database URL (overrides DESK_DATABASE_URL)")
    p.add_argument("--demo", action="store_true", help="open the separate demo database (seeded on first use)")
    p.add_argument("--zone", metavar="ZONE", help="the zone line this desk answers (e.g. BXM)")
    p.add_argument("--desk-name", metavar="NAME", help="this desk's name in the history")
    p.add_argument("--staff", metavar="ID", type=int, help="who is at the desk (staff id), skipping the question")
    sub = p.add_subparsers(dest="command")
    r = sub.add_parser("ring", help="the phone system's hook: the zone line is ringing from NUMBER")
    r.add_argument("number", help="the caller's number as the phone shows it; '' when withheld")
    r.add_argument("--zone", dest="ring_zone", metavar="ZONE", help="which zone's line rang (default DESK_ZONE)")
    r.add_argument("--db", dest="ring_db", metavar="URL", help="database URL")
    r.add_argument("--demo", dest="ring_demo", action="store_true", help="ring the demo database's desks")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "ring":
            return _ring(args)
        return _open(args)
    except DeskError as exc:
        print(f"desk: {exc.message}", file=sys.stderr)
        return 2


def _ring(args: argparse.Namespace) -> int:
    from desk.services import reference, rings

    cfg = settings.load(database_url=args.ring_db or args.db, demo=args.ring_demo or args.demo or None,
                        zone=args.ring_zone or args.zone)
    if not cfg.zone:
        print("desk ring: say which zone line rang: --zone ZONE (or set DESK_ZONE).", file=sys.stderr)
        return 2
    engine = db.make_engine(cfg.resolved_url())
    db.migrate(engine)
    with db.writing(engine) as session:
        reference.load(session)  # the line may ring before any desk has opened this database
        r = rings.ring(session, cfg.zone, args.number)
        print(f"ringing {r.zone_id} from {args.number or 'withheld'} (ring {r.id})")
    return 0


def _open(args: argparse.Namespace) -> int:
    cfg = settings.load(database_url=args.db, demo=args.demo or None, zone=args.zone, desk_name=args.desk_name)
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
    from screens.app import DeskApp  # the front end, imported only when a terminal is wanted

    DeskApp(engine=engine, settings=cfg, staff_id=args.staff).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
