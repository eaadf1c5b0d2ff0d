"""The transfers between rounds as a Sankey diagram, drawn server-side as SVG (no JavaScript).

Columns are rounds; each holds a bar per continuing candidate and one for exhausted papers.
Between columns, a continuing candidate's votes flow to themself and an excluded candidate's
votes flow to whoever their papers transferred to. The same figures are on the page as
tables, so the drawing is marked decorative for screen readers (``aria-hidden``).

Every label is drawn whole: the columns are spaced, and the drawing made wide enough, for
the longest name and figure (an SVG's text does not wrap, and a fixed margin cut
"Rebecca Long-Bailey" short). The page keeps the drawing at a readable size and lets it
scroll sideways in its own box on a narrow screen (``results.css``).
"""

from __future__ import annotations

from decimal import Decimal
from html import escape
from typing import Any

EXHAUSTED = "exhausted"
HEIGHT, COLUMN, BAR, GAP = 260.0, 190.0, 14.0, 8.0
CHAR = 7.2
"""The widest a character of the 12 px labels draws, near enough, to size the margins."""
COLOURS = ("#8a0f1d", "#1d4e89", "#2f7d32", "#a35c00", "#5b2a86", "#00727a", "#6b6b6b")


def _nodes(round_: dict[str, Any]) -> dict[str, Decimal]:
    nodes = {name: Decimal(v) for name, v in round_["tallies"].items()}
    nodes[EXHAUSTED] = Decimal(round_["inactive"])
    return nodes


def _layout(nodes: dict[str, Decimal], scale: Decimal) -> dict[str, tuple[float, float]]:
    """Top and height of each bar in one column."""
    y, placed = 0.0, {}
    for name, value in nodes.items():
        height = float(value * scale)
        placed[name] = (y, height)
        y += height + GAP
    return placed


def _flows(before: dict[str, Any], after: dict[str, Decimal]) -> list[tuple[str, str, Decimal]]:
    flows = [(name, name, Decimal(v)) for name, v in before["tallies"].items() if name in after]
    flows.append((EXHAUSTED, EXHAUSTED, Decimal(before["inactive"])))
    for transfer in before["transfers"]:
        flows += [(transfer["from"], to, Decimal(v)) for to, v in transfer["to"].items()]
    return [f for f in flows if f[2] > 0 and f[1] in after]


def sankey_svg(summary: dict[str, Any]) -> str:
    """An SVG of the count's transfers; empty when there is only one round."""
    rounds = summary["rounds"]
    if len(rounds) < 2:
        return ""
    columns = [_nodes(r) for r in rounds]
    total = max(sum(c.values(), Decimal(0)) for c in columns) or Decimal(1)
    usable = HEIGHT - GAP * max(len(c) for c in columns)
    scale = Decimal(str(usable)) / total
    layouts = [_layout(c, scale) for c in columns]
    longest = max(len(f"{name} {value}") for c in columns for name, value in c.items())
    label = CHAR * longest + 8
    column = max(COLUMN, BAR + label + 40)
    colour = {n: COLOURS[i % len(COLOURS)] for i, n in enumerate(summary["candidates"])}
    colour[EXHAUSTED] = "#9e9e9e"
    parts: list[str] = []
    for i in range(len(rounds) - 1):
        out_y = {n: y for n, (y, _) in layouts[i].items()}
        in_y = {n: y for n, (y, _) in layouts[i + 1].items()}
        x0, x1 = i * column + BAR, (i + 1) * column
        for source, target, value in _flows(rounds[i], columns[i + 1]):
            h = float(value * scale)
            y0, y1 = out_y[source], in_y[target]
            out_y[source] += h
            in_y[target] += h
            mid = (x0 + x1) / 2
            parts.append(
                f'<path d="M{x0},{y0 + h / 2:.1f} C{mid},{y0 + h / 2:.1f} {mid},{y1 + h / 2:.1f} '
                f'{x1},{y1 + h / 2:.1f}" stroke="{colour.get(source, "#999")}" '
                f'stroke-opacity="0.35" stroke-width="{max(h, 1):.1f}" fill="none"/>'
            )
    for i, layout in enumerate(layouts):
        for name, (y, h) in layout.items():
            if h <= 0:
                continue
            x = i * column
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{BAR}" height="{h:.1f}" fill="{colour[name]}"/>'
                f'<text x="{x + BAR + 4}" y="{y + min(h, 24) / 2 + 4:.1f}" font-size="12" '
                'paint-order="stroke" stroke="#fff" stroke-width="3">'
                f"{escape(name)} {columns[i][name]}</text>"
            )
    width = (len(rounds) - 1) * column + BAR + label
    return (
        f'<svg class="sankey" aria-hidden="true" viewBox="-2 -2 {width + 4} {HEIGHT + 4}" '
        f'width="{width + 4:.0f}" height="{HEIGHT + 4:.0f}" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )
