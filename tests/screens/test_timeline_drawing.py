"""The timeline is drawn a chunk at a time: the same lines as one table, and it stops when nobody will see it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desk.services.timeline import Entry
from screens.person import TIMELINE_CHUNK, draw_timeline, timeline_table
from screens.timeline_view import render_lines

START = datetime(2026, 11, 23, 9, 5, tzinfo=UTC)


def _entries(n: int) -> list[Entry]:
    sides = ["call", "health", "social", "hospital", "record"]
    return [
        Entry(
            at=START - timedelta(hours=7 * i),
            side=sides[i % 5],
            title=f"Entry {i} " + "word " * (i % 13),
            detail=("A longer note that wraps onto more lines " * (i % 4)).strip(),
            by="Anna Venn" if i % 3 else "",
        )
        for i in range(n)
    ]


def _text(lines: list) -> list[str]:  # type: ignore[type-arg]
    return ["".join(seg.text for seg in line) for line in lines]


def test_drawn_in_chunks_the_timeline_reads_the_same_as_one_table() -> None:
    for n in (0, 1, TIMELINE_CHUNK, TIMELINE_CHUNK + 1, 3 * TIMELINE_CHUNK + 7):
        for width in (60, 96, 131):
            entries = _entries(n)
            chunked = draw_timeline(entries, width)
            assert chunked is not None
            assert _text(chunked) == _text(render_lines(timeline_table(entries), width)), (n, width)


def test_a_drawing_nobody_will_see_stops() -> None:
    asked = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 2  # the screen closes after two chunks

    assert draw_timeline(_entries(10 * TIMELINE_CHUNK), 96, cancelled) is None
    assert len(asked) == 3
