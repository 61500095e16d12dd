"""SVG geometry for the console's charts, drawn on the server (no chart library, no script):
only where bars and labels go, never what the figures mean."""

from __future__ import annotations

from datetime import date

import attrs

from estate_core.reports.queries import CollectionLine

WIDTH, HEIGHT = 640, 240
TOP, BOTTOM, LEFT, RIGHT = 24, 32, 44, 12


@attrs.frozen(kw_only=True)
class Bar:
    label: str
    x: int
    y: int
    width: int
    height: int
    caption: str


@attrs.frozen(kw_only=True)
class BarChart:
    width: int
    height: int
    baseline: int
    left: int
    right: int
    grid: list[tuple[int, str]]
    bars: list[Bar]


def collection_chart(months: list[tuple[date, CollectionLine | None]]) -> BarChart:
    """One bar per month, its height the collection rate by amount; a month without bills has
    an empty bar."""
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) // max(len(months), 1)
    bars = []
    for index, (period_start, line) in enumerate(months):
        rate = None if line is None else line.rate_by_amount
        height = 0 if rate is None else int(plot * rate)
        caption = "—" if rate is None else f"{rate * 100:.1f}%"
        bars.append(
            Bar(
                label=period_start.strftime("%Y-%m"),
                x=LEFT + index * slot + slot // 5,
                y=TOP + plot - height,
                width=slot * 3 // 5,
                height=height,
                caption=caption,
            )
        )
    grid = [(TOP + plot - plot * pct // 100, f"{pct}%") for pct in (0, 50, 100)]
    return BarChart(
        width=WIDTH,
        height=HEIGHT,
        baseline=TOP + plot,
        left=LEFT,
        right=WIDTH - RIGHT,
        grid=grid,
        bars=bars,
    )
