"""Where the desk's data lives and which desk this is: one settings object.

Read in this order, later winning: defaults, the config file
(``config.toml`` in the user config directory), environment variables
(``DESK_*``), then command-line options.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

APP = "zone-desk"


def data_dir() -> Path:
    """Where SQLite files live by default (``DESK_DATA_DIR`` overrides)."""
    override = os.environ.get("DESK_DATA_DIR")
    if override:
        return Path(override)
    if sys.platform.startswith(
        "linux"
    ):  # what platformdirs answers here, without its 14 ms import before the first frame
        return Path(os.environ.get("XDG_DATA_HOME", "").strip() or "~/.local/share").expanduser() / APP
    import platformdirs

    return platformdirs.user_data_path(APP)


def log_file() -> Path:
    """The desk's log: the raw text of every failure the screen put in plain words (in the data directory)."""
    return data_dir() / "desk.log"


def config_file() -> Path:
    """The optional config file (``DESK_CONFIG`` overrides)."""
    override = os.environ.get("DESK_CONFIG")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_config_path(APP) / "config.toml"


def sqlite_url(name: str) -> str:
    """An SQLite URL for a file in the data directory, creating the directory."""
    folder = data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / name}"


@dataclass(frozen=True)
class Settings:
    """Everything the desk needs to know before it opens."""

    database_url: str = ""
    """SQLAlchemy URL; empty means the default SQLite file."""
    desk_name: str = ""
    """This desk's name in the history and on answered rings (``DESK_NAME``); see :func:`default_desk_name`."""
    zone: str = ""
    """The zone line this desk answers (``DESK_ZONE``); empty: the signed-in staff member's zone."""
    demo: bool = False
    """Open the separate demo database, seeded with synthetic people."""
    all_zones: bool = False
    """Open on every zone's caseload (``--all-zones``): ward discharge co-ordinators serve the whole trust."""
    demo_url: str = ""
    """With ``--demo --db URL``: put the demo zone in that (empty) database instead of demo.db.

    Only ever from the command line, never from DESK_DATABASE_URL, so a real
    database cannot be filled with demo people by accident.
    """

    def resolved_url(self) -> str:
        if self.demo:
            return self.demo_url or sqlite_url("demo.db")
        return self.database_url or sqlite_url("desk.db")

    def resolved_desk_name(self) -> str:
        """The name this desk signs its changes and answered rings with."""
        return self.desk_name or default_desk_name()


def terminal_name() -> str:
    """The terminal the desk runs in, without ``/dev/`` (``pts/3``); empty when it has none."""
    for fd in (0, 1, 2):
        try:
            return os.ttyname(fd).removeprefix("/dev/")
        except OSError:
            continue
    return ""


def default_desk_name() -> str:
    """``desk@<host>:<terminal>`` (``desk@reception:pts/3``), so two desks on one machine are told apart.

    A terminal keeps its name while it is open, so the name stays the same
    across restarts of a desk in the same window. Without a terminal (a
    service, a script) the process id stands in for it. ``DESK_NAME`` or
    ``--desk-name`` give a desk a name of the office's choosing instead.
    """
    where = terminal_name() or f"pid{os.getpid()}"
    return f"desk@{socket.gethostname()}:{where}"


def config_tables() -> dict[str, Any]:
    """The whole config file as read (empty when there is none): sections other services read for themselves."""
    path = config_file()
    if not path.is_file():
        return {}
    import tomllib

    with path.open("rb") as fh:
        return tomllib.load(fh)


def load(
    *,
    database_url: str | None = None,
    desk_name: str | None = None,
    zone: str | None = None,
    demo: bool | None = None,
    all_zones: bool | None = None,
    demo_url: str | None = None,
) -> Settings:
    """Settings from the config file and environment, then the options given here that are not None."""
    found: dict[str, str] = {}
    path = config_file()
    if path.is_file():
        import tomllib

        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        for key in ("database_url", "desk_name", "zone"):
            if key in raw:
                found[key] = str(raw[key])
    env = {"database_url": "DESK_DATABASE_URL", "desk_name": "DESK_NAME", "zone": "DESK_ZONE"}
    for key, var in env.items():
        if os.environ.get(var):
            found[key] = os.environ[var]
    return Settings(
        database_url=found.get("database_url", "") if database_url is None else database_url,
        desk_name=found.get("desk_name", "") if desk_name is None else desk_name,
        zone=found.get("zone", "") if zone is None else zone,
        demo=bool(demo),
        all_zones=bool(all_zones),
        demo_url=demo_url or "",
    )
