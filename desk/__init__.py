"""Zone Desk core: domain model, storage, rules and services. No Textual here."""

__version__ = "0.1.0"
