"""Horizontal bar charts as plain data: the template draws them as inline SVG.

No library, no JavaScript: a chart is its bars' positions, computed here, and the numbers they
stand for. Each chart's table sits beside it with the same numbers, for screen readers, print
and anyone who needs the exact value.
"""

from dataclasses import dataclass

WIDTH = 480  # viewBox units; the image scales to its column
LABEL_HEIGHT = 16  # the label sits above its bar, so long names never clip
BAR_HEIGHT = 16
GAP = 10
VALUE_SPACE = 56  # room after the longest bar for its number


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    label_y: int
    bar_y: int
    width: int  # 0 for a zero count: its number still shows
    value_x: int
    value_y: int


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    bars: list[Bar]
    width: int
    height: int

    @property
    def title_id(self) -> str:
        return f"chart-{self.key}-title"


def bar_chart(*, key: str, title: str, bars: list[tuple[str, int]]) -> BarChart:
    largest = max((value for _label, value in bars), default=0)
    span = WIDTH - VALUE_SPACE
    row = LABEL_HEIGHT + BAR_HEIGHT + GAP
    drawn = []
    for index, (label, value) in enumerate(bars):
        top = index * row
        width = round(span * value / largest) if largest else 0
        drawn.append(
            Bar(
                label=label,
                value=value,
                label_y=top + LABEL_HEIGHT - 4,
                bar_y=top + LABEL_HEIGHT,
                width=width,
                value_x=width + 6,
                value_y=top + LABEL_HEIGHT + BAR_HEIGHT - 3,
            )
        )
    return BarChart(key=key, title=title, bars=drawn, width=WIDTH, height=max(row * len(bars), row))
