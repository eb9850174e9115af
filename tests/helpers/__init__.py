"""Shared test helpers: synthetic data, database specs and two-process workers.

A package (not conftest) so test modules and spawned worker processes can
import it: ``tests/`` is on ``sys.path`` because ``tests/conftest.py`` lives there.
"""
