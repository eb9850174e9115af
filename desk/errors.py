"""Errors a user can act on: each carries a message that says what to do."""

from __future__ import annotations


class DeskError(Exception):
    """Something the user must be told about; nothing was saved."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(DeskError):
    """A field's value is wrong; ``field`` names it so the form can point at it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class InvalidForm(DeskError):
    """Several fields are wrong at once; the form shows each message beside its field."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


class StaleRecord(DeskError):
    """Another desk saved this record after we read it; our save was refused."""


class NotFound(DeskError):
    """The record asked for is not there (or no longer)."""
