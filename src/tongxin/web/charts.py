"""Charts as SVG drawn on the server with pygal: no JavaScript, nothing fetched, the same
image on a page, in an export or in a printed report."""

from __future__ import annotations

import pygal
from pygal.style import Style

_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333",
    foreground_strong="#222",
    foreground_subtle="#777",
    colors=("#b3121b", "#9aa5b1", "#e08a1e", "#2f6f9f", "#4f8a3c"),
    font_family="'Noto Sans CJK SC', 'Microsoft YaHei', 'PingFang SC', sans-serif",
    title_font_size=15,
    label_font_size=11,
    legend_font_size=12,
)


def _options(title: str, **extra) -> dict:
    return {
        "title": title,
        "style": _STYLE,
        "js": [],  # no tooltip script: the image is static
        "width": 760,
        "height": 320,
        "legend_at_bottom": True,
        "print_values": False,
        "disable_xml_declaration": True,
        **extra,
    }


def monthly_bars(title: str, series: dict[str, list[int]]) -> str:
    """Twelve months of counts, one bar series per label (e.g. this year and last)."""
    chart = pygal.Bar(**_options(title))
    chart.x_labels = [f"{m}月" for m in range(1, 13)]
    for label, values in series.items():
        chart.add(label, values)
    return chart.render(is_unicode=True)


def rate_bars(title: str, rates: list[tuple[str, float | None]]) -> str:
    """A rate (0–1) per named row, as horizontal bars in percent."""
    chart = pygal.HorizontalBar(
        **_options(title, show_legend=False, range=(0, 100), height=max(200, 26 * len(rates)))
    )
    chart.x_labels = [name for name, _ in rates]
    chart.add("达标率", [None if r is None else round(r * 100, 1) for _, r in rates])
    return chart.render(is_unicode=True)
