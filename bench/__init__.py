"""Benchmarks for the desk at the trust's scale: ``python -m bench``.

Not part of the test run, which only checks that each screen measure still
measures (``tests/bench``). The runner seeds (or, with ``--reuse``, reuses) a
scale database, runs every registered measure, prints one table of p50, p95
and max against each target and its reference, and exits non-zero when a
target is missed or a measure fails. How each figure is taken, and the
figures so far: ``bench/README.md``.

Measures live in modules listed in :data:`MEASURE_MODULES`; each registers
itself with :func:`bench.core.measure`. A module that cannot be imported (a
screen module before the screens exist, say) is reported and skipped.
"""

MEASURE_MODULES: tuple[str, ...] = (
    "bench.service_measures",
    "bench.screen_measures",
    "bench.crisis_measures",
    "bench.crisis_screens",
    "bench.package_measures",
    "bench.package_screens",
    "bench.discharge_measures",
    "bench.discharge_screens",
)
