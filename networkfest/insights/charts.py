"""Horizontal bar charts laid out on the server, drawn as inline SVG by the template.

Geometry only: the template adds `role="img"`, `<title>`, `<desc>` and a data table, and
CSS classes colour the bars, so no script, no style attribute and no chart library. Every
chart says what it shows (`description`, one sentence), every value carries its unit, and a
chart with nothing to show yet says what will appear and when (`empty`) instead of bars.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LABEL_WIDTH = 210
BAR_AREA = 330
VALUE_WIDTH = 80
ROW_HEIGHT = 30
BAR_HEIGHT = 20
TOP = 10


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str
    y: int
    width: int
    css_class: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    unit: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT
    row_height: int = ROW_HEIGHT
    empty: str = ""
    zero_is_data: bool = False

    @property
    def value_x(self) -> int:
        return self.label_width + BAR_AREA + 8

    @property
    def has_data(self) -> bool:
        """Something to show: a bar with a value (above zero, unless a zero says something,
        as "no one started late" does; a count of nobody does not)."""
        return any(
            bar.value is not None and (self.zero_is_data or bar.value > 0) for bar in self.bars
        )


def bar_chart(
    chart_id: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, float | None, str]],
    *,
    unit: str,
    unit_one: str | None = None,
    scale_max: float | None = None,
    empty: str = "",
    zero_is_data: bool = False,
    none_text: str = "no data",
) -> BarChart:
    """`items` are (label, value, css class); a missing value draws no bar and says so.

    `unit` follows each value (" people"), `unit_one` replaces it after exactly 1
    (" person"); `none_text` stands for a missing value ("not yet"); `empty` is what the
    page says while no bar has a value.
    """
    values = [value for _, value, _ in items if value is not None]
    top = scale_max if scale_max is not None else max(values, default=0)
    bars = []
    for index, (label, value, css_class) in enumerate(items):
        width = round(BAR_AREA * value / top) if value is not None and top > 0 else 0
        bars.append(
            Bar(
                label=label,
                value=value,
                text=none_text if value is None else _text(value, unit, unit_one),
                y=TOP + index * ROW_HEIGHT,
                width=max(width, 0),
                css_class=css_class,
            )
        )
    return BarChart(
        id=chart_id,
        title=title,
        description=description,
        unit=unit,
        bars=bars,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=TOP * 2 + max(len(bars), 1) * ROW_HEIGHT,
        empty=empty,
        zero_is_data=zero_is_data,
    )


def _text(value: float, unit: str, unit_one: str | None) -> str:
    suffix = unit_one if unit_one is not None and value == 1 else unit
    return f"{_number(value)}{suffix}"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
