"""``python -m bench``: seed or reuse a scale database, measure every target, print the table.

Exit status: 0 when every target is met; 1 when one is missed, a measure fails (its row says why;
the run goes on) or the database cannot be prepared; 2 on bad use.
"""

from __future__ import annotations

import argparse
import importlib
import platform
import sys
import time
import traceback

from bench import MEASURE_MODULES
from bench.core import REGISTRY, Context, Result, Target, run_measure, table
from bench.data import DEFAULT_SCHEMA, default_url, prepare

SEED_TARGET_S = {"sqlite": 120.0, "postgresql": 240.0}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--db", metavar="URL", help="database URL (default: an SQLite file under bench/.data/)")
    p.add_argument("--schema", default=DEFAULT_SCHEMA, help=f"PostgreSQL schema to use (default {DEFAULT_SCHEMA})")
    p.add_argument("--people", type=int, default=380_000)
    p.add_argument("--caseload", type=int, default=40_000)
    p.add_argument("--calls", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=380)
    p.add_argument("--reuse", action="store_true", help="reuse the database if it already holds this many people")
    p.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke test, not a verdict)")
    p.add_argument("--once", action="store_true", help="every measure once, as small as it goes (does it measure?)")
    p.add_argument(
        "--only",
        metavar="TEXT",
        action="append",
        default=[],
        help="run only measures whose name contains TEXT (repeatable)",
    )
    p.add_argument("--list", action="store_true", help="list the measures and exit")
    return p


def _load_modules() -> list[str]:
    problems = []
    for name in MEASURE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # not written yet
            problems.append(f"{name}: {exc}")
        except Exception as exc:
            problems.append(f"{name}: {exc}")
    return problems


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    problems = _load_modules()
    for p in problems:
        print(f"bench: skipped {p}", file=sys.stderr)
    if args.list:
        for m in REGISTRY:
            print(f"{m.group:10} {m.name}")
        return 0
    url = args.db or default_url(args.people, args.caseload, args.calls, args.seed)
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    try:
        engine, counts, seed_s = prepare(
            url,
            schema=args.schema,
            people=args.people,
            caseload=args.caseload,
            calls=args.calls,
            seed=args.seed,
            reuse=args.reuse,
        )
    except Exception as exc:
        traceback.print_exc()
        print(f"\nbench: the scale database could not be prepared at {url}: {type(exc).__name__}: {exc}")
        return 1
    ctx = Context(
        engine=engine, url=url, backend=backend, counts=counts, seed=args.seed, quick=args.quick, once=args.once
    )
    results: list[Result] = []
    if seed_s is not None:
        results.append(
            Result(
                "desk seed (whole database)",
                value=seed_s,
                unit="s",
                target=Target("max", SEED_TARGET_S[backend]),
                note=f"{args.people:,} people, {args.caseload:,} caseload, {args.calls:,} calls",
            )
        )
    # references first, so everything else can be compared with them
    order = sorted(REGISTRY, key=lambda m: m.group != "reference")
    for m in order:
        if args.only and m.group != "reference" and not any(o.lower() in m.name.lower() for o in args.only):
            continue
        t0 = time.perf_counter()
        print(f"bench: {m.name} ...", file=sys.stderr, flush=True)
        results.extend(run_measure(m, ctx))
        print(f"bench: {m.name} done in {time.perf_counter() - t0:.1f}s", file=sys.stderr, flush=True)
    where = url if backend == "sqlite" else f"{url} (schema {args.schema})"
    print(f"\nZone Desk benchmarks on {backend} - {where}")
    print(
        f"{counts.get('people', 0):,} people, {counts.get('caseload', 0):,} on the caseload, "
        f"{counts.get('calls', 0):,} calls; Python {platform.python_version()}, {platform.machine()}"
        + (" (quick run: too few samples for a verdict)" if args.quick or args.once else "")
    )
    print(table(results))
    failed = [r.name for r in results if r.passed is False]
    if failed:
        print(f"\n{len(failed)} target(s) missed: " + "; ".join(failed))
        return 1
    print("\nEvery target met.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
