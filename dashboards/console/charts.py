"""Inline SVG line charts, drawn here (no chart library, nothing to download). Text is escaped."""

from __future__ import annotations

import datetime as dt
from html import escape

from markupsafe import Markup

__all__ = ["line_chart", "PALETTE"]

PALETTE = ["#2f6fdf", "#e0563b", "#2a9d6a", "#9b59b6", "#d99a1e", "#17a2b8"]
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 190, 54, 10, 10, 22


def _fmt(v: float) -> str:
    if v == 0:
        return "0"
    a = abs(v)
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if a >= div:
            return f"{v / div:.3g}{unit}"
    return f"{v:.3g}"


def _time(t: int, step: int) -> str:
    d = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    return d.strftime("%m-%d %H:%M" if step >= 3600 else "%H:%M")


def line_chart(title: str, buckets: list[int], series: list[tuple[str, list[float | None]]], unit: str = "",
               chart_id: str = "") -> Markup:
    """A multi-series line chart over time buckets; ``None`` values leave gaps."""
    values = [v for _, vs in series for v in vs if v is not None]
    step = buckets[1] - buckets[0] if len(buckets) > 1 else 60
    out = [f'<figure class="chart" data-chart="{escape(chart_id)}"><figcaption>{escape(title)}'
           f'{" (" + escape(unit) + ")" if unit else ""}</figcaption>']
    if not values or not buckets:
        out.append('<div class="chart-empty">no data in this range</div></figure>')
        return Markup("".join(out))
    top = max(values) or 1.0
    n = max(1, len(buckets) - 1)
    pw, ph = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(i: int) -> float:
        return PAD_L + pw * i / n

    def y(v: float) -> float:
        return PAD_T + ph * (1 - v / top)

    svg = [f'<svg viewBox="0 0 {W} {H}" role="img" aria-label="{escape(title)}" preserveAspectRatio="none">']
    for frac in (0, 0.5, 1):
        yy = PAD_T + ph * (1 - frac)
        svg.append(f'<line class="grid" x1="{PAD_L}" x2="{W - PAD_R}" y1="{yy:.1f}" y2="{yy:.1f}"/>'
                   f'<text class="axis" x="{PAD_L - 4}" y="{yy + 4:.1f}" text-anchor="end">{_fmt(top * frac)}</text>')
    for i in (0, len(buckets) // 2, len(buckets) - 1):
        svg.append(f'<text class="axis" x="{x(i):.1f}" y="{H - 6}" text-anchor="middle">'
                   f'{escape(_time(buckets[i], step))}</text>')
    for k, (name, vs) in enumerate(series):
        color = PALETTE[k % len(PALETTE)]
        segments, cur = [], []
        for i, v in enumerate(vs):
            if v is None:
                if cur:
                    segments.append(cur)
                cur = []
            else:
                cur.append((x(i), y(v)))
        if cur:
            segments.append(cur)
        for seg in segments:
            if len(seg) == 1:
                svg.append(f'<circle cx="{seg[0][0]:.1f}" cy="{seg[0][1]:.1f}" r="2.5" fill="{color}"/>')
            else:
                pts = " ".join(f"{a:.1f},{b:.1f}" for a, b in seg)
                svg.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.8" points="{pts}"/>')
    svg.append("</svg>")
    out.append("".join(svg))
    out.append('<div class="legend">' + "".join(
        f'<span><i style="background:{PALETTE[k % len(PALETTE)]}"></i>{escape(name)}</span>'
        for k, (name, _) in enumerate(series)) + "</div></figure>")
    return Markup("".join(out))
