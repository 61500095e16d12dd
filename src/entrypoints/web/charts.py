"""SVG geometry for the console's charts, drawn on the server (no chart library, no script):
only where bars and labels go, never what the figures mean."""

from __future__ import annotations

import attrs

from estate_core.billing.reports import MonthCollection

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


def collection_chart(months: list[MonthCollection]) -> BarChart:
    """One bar per month, its height the collection rate; a month without bills has no bar."""
    plot = HEIGHT - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) // max(len(months), 1)
    bars = []
    for index, month in enumerate(months):
        permille = month.rate_permille
        height = 0 if permille is None else plot * permille // 1000
        caption = "—" if permille is None else f"{permille / 10:.1f}%"
        bars.append(
            Bar(
                label=month.period_start.strftime("%Y-%m"),
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
