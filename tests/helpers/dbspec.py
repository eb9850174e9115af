"""Where one test's database lives, in a form a worker process can be handed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from desk import db


@dataclass(frozen=True)
class DbSpec:
    """A picklable recipe for an engine: the URL and, on PostgreSQL, the test's own schema."""

    url: str
    schema: str | None = None

    @property
    def backend(self) -> str:
        return "postgresql" if self.schema else "sqlite"

    def engine(self, **kwargs: Any) -> Engine:
        """A new engine on this database, configured exactly as the desk configures its own."""
        if self.schema:
            kwargs.setdefault("connect_args", {"options": f"-csearch_path={self.schema}"})
        return db.make_engine(self.url, **kwargs)

    def cli_url(self) -> str:
        """The URL to give ``desk --db`` so a subprocess lands in the same schema."""
        if self.schema:
            return f"{self.url}?options=-csearch_path%3D{self.schema}"
        return self.url
