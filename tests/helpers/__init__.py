"""Shared test helpers: synthetic data, database specs and two-process workers.

A package (not conftest) so test modules and spawned worker processes can
import it as ``tests.helpers``: ``tests`` is a package, so pytest puts the
project's root on ``sys.path``.
"""
