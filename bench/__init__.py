"""Benchmarks for the desk at the trust's scale: ``python -m bench``.

Not part of the test run. The runner seeds (or, with ``--reuse``, reuses) a
scale database, runs every registered measure, prints one table of p50, p95
and max against each target and its reference, and exits non-zero when a
target is missed.

Measures live in modules listed in :data:`MEASURE_MODULES`; each registers
itself with :func:`bench.core.measure`. A module that cannot be imported (a
screen module before the screens exist, say) is reported and skipped.
"""

MEASURE_MODULES: tuple[str, ...] = (
    "bench.service_measures",
    "bench.screen_measures",
    "bench.crisis_measures",
)
