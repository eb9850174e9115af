"""The ``desk`` console script: the core's command (desk.cli), with the desk itself opened in the terminal.

Start-up is measured in milliseconds, so the order here matters: the
collector is off, the first screen's rows are read in a forked child (before
any thread exists), and only then is Textual imported, side by side with it.
Nothing here imports Textual or SQLAlchemy at module level.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from desk import cli
from screens import collector


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script: ``desk``, ``desk ring ...``, ``desk seed ...``."""
    return cli.main(argv, open_desk=open_desk)


def open_desk(args: argparse.Namespace) -> int:
    """Open the desk: straight onto its first screen when the database is ready, else the ordinary way."""
    collector.pause()  # until the ORM has loaded (screens.collector says why)
    cli.log_to_file()
    cfg = cli.settings_for(args)
    from desk.first_look import Prefetch

    # The first screen's rows are read in a child process while this one loads the user interface.
    prefetch = Prefetch(
        cfg.resolved_url(), zone=cfg.zone, staff_id=args.staff, all_zones=cfg.all_zones, seeded=cfg.demo
    )
    from desk.opening import DeskDatabase
    from screens.app import DeskApp

    look = prefetch.result()
    if look is not None:  # migrated and loaded: the ORM loads behind the first frame
        DeskApp(DeskDatabase(first_look=look), settings=cfg, staff_id=args.staff).run()
        return 0
    collector.resume()  # migrating or seeding the demo makes garbage
    engine = cli.prepare(cfg)
    DeskApp(DeskDatabase(engine), settings=cfg, staff_id=args.staff).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
