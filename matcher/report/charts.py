"""The report's charts, drawn with matplotlib and returned as inline SVG.

Why matplotlib: axes, ticks, legends, colour scales and a layout that keeps labels from
overlapping come from a well-kept library, not from coordinates computed by hand.
Why SVG: the report is one offline HTML file; an inline SVG keeps its text as text (searchable,
sharp when zoomed or printed) and is smaller than a bitmap of the same chart.

Every chart function takes plain values — ids, regions, counts, coordinates, never a person's
name, so ``--redact`` has nothing to hide here — and returns the markup of one ``<svg>``, or
``None`` when there is nothing to draw (the template then shows a short note instead).
Figures are :class:`matplotlib.figure.Figure` objects made here and dropped after saving: no
pyplot, no backend switch, no global state left behind. The same input gives byte-identical
markup (fixed ``svg.hashsalt``, no date in the metadata).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, PercentFormatter

BUSY_SHARE = 0.9  # coaches above this share of their capacity need attention
MAX_LOAD_BARS = 60  # more coaches than this: a histogram of utilization, not one bar each
WEEKS_OF_MONTH = 5  # days 1–7, 8–14, 15–21, 22–28, 29–31

INK, MUTED, GRID = "#1d2330", "#5b6475", "#d6dbe4"
LOAD, OVER, CAPACITY = "#3b6fb6", "#d9480f", "#e4e8ef"
EMPTY = "#f1f3f6"  # a cell with nothing in it (no candidates, no sessions)
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#637939",
    "#8c6d31",
    "#843c39",
    "#7b4173",
    "#3182bd",
)
WIDTH = 6.4  # inches; 72 pt each, so about 610 px: one column of the report's chart grid

# The look of every chart. Text stays <text> (svg.fonttype "none") and is laid out with DejaVu
# Sans, which matplotlib ships, so the labels measured here are the labels the browser draws.
STYLE = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 9.5,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#9aa3b2",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "legend.frameon": False,
    "legend.fontsize": 9,
}
# savefig's SVG metadata: no date (determinism), no creator or Dublin Core block (size, and no
# namespace URIs in an offline page)
NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}

_ID = re.compile(r'\bid="([^"]+)"')
_REF = re.compile(r'(url\(#|xlink:href="#)([^)"]+)')
_XMLNS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def svg_markup(fig: Figure, label: str, uid: str) -> str:
    """``fig`` as an ``<svg>`` element for inlining in HTML, described by ``label``.

    The XML prolog and doctype go (they are not allowed inside an HTML document), and so do
    the ``xmlns`` declarations: the HTML parser puts an inline ``<svg>`` in the SVG namespace
    and knows ``xlink:href`` by itself, so the page names no URI at all. Matplotlib numbers its
    element ids per figure (``axes_1``…), so every id — and every reference to one — gets the
    prefix ``uid-``: several charts on one page never share an id. ``uid`` also salts the ids
    matplotlib hashes, which keeps them the same from run to run. The root gets
    ``class="chart"``, ``role="img"`` and ``aria-label`` so a screen reader announces one image
    with a description instead of reading out tick labels.
    """
    buf = io.StringIO()
    with mpl.rc_context({**STYLE, "svg.hashsalt": uid}):
        fig.savefig(buf, format="svg", metadata=NO_METADATA)
    text = buf.getvalue()
    text = text[text.index("<svg") :]
    text = _ID.sub(lambda m: f'id="{uid}-{m.group(1)}"', text)
    text = _REF.sub(lambda m: f"{m.group(1)}{uid}-{m.group(2)}", text)
    head, body = text.split(">", 1)
    head = _XMLNS.sub("", head)
    label = html.escape(label, quote=True)
    return f'{head} class="chart" role="img" aria-label="{label}">{body.strip()}'


def _figure(height: float, width: float = WIDTH) -> Figure:
    """A new figure (call inside ``rc_context(STYLE)``); constrained layout keeps labels apart."""
    return Figure(figsize=(width, height), layout="constrained")


def _text_colour(rgba) -> str:
    """Dark text on light cells, white on dark ones (a plain luminance threshold)."""
    r, g, b = to_rgb(rgba)
    return "white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.5 else INK


def _text_width(labels: Iterable[str], points: float = 9) -> float:
    """Roughly how wide (inches) the longest line of ``labels`` is: to choose a layout up front."""
    longest = max((len(line) for label in labels for line in label.splitlines()), default=0)
    return longest * 0.6 * points / 72


def _count_axes(ax, peak: int, xlabel: str, ylabel: str) -> None:
    """The y axis of a histogram: whole counts, headroom for the numbers over the bars, and a
    light grid behind the bars to read them by."""
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max(peak, 1) * 1.15)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(axis="y", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def _plain(ax) -> None:
    """A light grid behind the bars to read values by, no tick marks beside the coach ids."""
    ax.grid(axis="x", color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)


# --- coach load ----------------------------------------------------------------------------------


def load_chart(loads: Sequence[Mapping]) -> str | None:
    """Each coach's load against its capacity, fullest first, coaches over 90 % in orange.

    ``loads`` holds ``coach_id``, ``load``, ``capacity`` and ``share`` per coach. Sorting by
    utilization puts the coaches who need attention at the top; past :data:`MAX_LOAD_BARS`
    coaches one bar each is unreadable, so the chart becomes :func:`utilization_histogram`.
    Bars are labelled by coach id only.
    """
    if not loads:
        return None
    if len(loads) > MAX_LOAD_BARS:
        return utilization_histogram(loads)
    with mpl.rc_context(STYLE):
        rows = sorted(loads, key=lambda c: (-c["share"], c["coach_id"]))
        busy = [c["share"] > BUSY_SHARE for c in rows]
        fig = _figure(1.0 + 0.2 * len(rows))
        ax = fig.add_subplot()
        y = np.arange(len(rows))
        caps = [c["capacity"] for c in rows]
        done = [c["load"] for c in rows]
        ax.barh(y, caps, height=0.78, color=CAPACITY, edgecolor="#9aa3b2", linewidth=0.6)
        ax.barh(y, done, height=0.46, color=[OVER if b else LOAD for b in busy])
        top = max([*caps, *done, 1])
        for i, c in enumerate(rows):
            ax.text(
                max(c["capacity"], c["load"]) + top * 0.01,
                i,
                f"{c['load']}/{c['capacity']}",
                va="center",
                fontsize=8.5,
                color=INK,
            )
        ax.set_yticks(y, [c["coach_id"] for c in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)  # fullest on top
        ax.set_xlim(0, top * 1.12)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("candidates assigned (bar) of places (box)")
        _plain(ax)
        n_busy = sum(busy)
        fig.legend(
            handles=[
                Patch(color=LOAD, label="load"),
                Patch(color=OVER, label=f"load over 90 % ({n_busy})"),
                Patch(facecolor=CAPACITY, edgecolor="#9aa3b2", label="capacity"),
            ],
            loc="outside lower center",
            ncols=3,
        )
        label = (
            f"Bar chart of the load against the capacity of {len(rows)} coaches, fullest "
            f"first; {n_busy} over 90 % of their capacity."
        )
        return svg_markup(fig, label, "chart-load")


def utilization_histogram(loads: Sequence[Mapping]) -> str:
    """How many coaches use 0–10 %, 10–20 %, … of their capacity: the load chart of a big pool.

    One bar per coach stops being readable past a few dozen coaches; the spread of utilization
    still is. Coaches over 90 % stack in orange on their bin, so the ones needing attention
    stay visible (the report lists them by id above the charts).
    """
    with mpl.rc_context(STYLE):
        normal, over = np.zeros(10, int), np.zeros(10, int)
        for c in loads:
            k = min(max(math.floor(c["share"] * 10 + 1e-9), 0), 9)
            (over if c["share"] > BUSY_SHARE else normal)[k] += 1
        fig = _figure(3.6)
        ax = fig.add_subplot()
        x = np.arange(10) * 10
        ax.bar(x, normal, width=9.2, align="edge", color=LOAD, label="coaches")
        ax.bar(
            x,
            over,
            width=9.2,
            align="edge",
            bottom=normal,
            color=OVER,
            label=f"over 90 % ({int(over.sum())})",
        )
        for k, total in enumerate(normal + over):
            if total:
                ax.text(x[k] + 4.6, total, str(total), ha="center", va="bottom", fontsize=8.5)
        ax.set_xticks(np.arange(11) * 10)
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.set_xlim(0, 100)
        _count_axes(ax, int((normal + over).max()), "share of the coach's places used", "coaches")
        fig.legend(loc="outside lower center", ncols=2)
        label = (
            f"Histogram of the utilization of {len(loads)} coaches in steps of 10 %; "
            f"{int(over.sum())} over 90 % of their capacity."
        )
        return svg_markup(fig, label, "chart-load")


# --- coverage -------------------------------------------------------------------------------------


def _steps(name: str, low: float, high: float, n: int) -> ListedColormap:
    """``n`` colours of a named colour map, without its darkest ends (annotations stay legible).

    A few steps rather than a smooth ramp: values read off the colour bar more easily, and
    matplotlib draws a colour bar of under 50 colours as vector shapes, not as a bitmap.
    """
    colours = mpl.colormaps[name](np.linspace(low, high, n))
    return ListedColormap(colours).with_extremes(bad=EMPTY)


def coverage_chart(cands: Iterable[Mapping]) -> str | None:
    """A region × role heat map: assigned of all candidates per cell, red (none) to green (all).

    ``cands`` holds ``region``, ``role`` and ``status`` per candidate. The count "assigned/all"
    is written in every cell, so the colour only guides the eye; cells without candidates stay
    grey and empty.
    """
    cands = [c for c in cands if c["region"] and c["role"]]
    if not cands:
        return None
    with mpl.rc_context(STYLE):
        regions = sorted({c["region"] for c in cands})
        roles = sorted({c["role"] for c in cands})
        total: Counter = Counter((c["region"], c["role"]) for c in cands)
        done: Counter = Counter(
            (c["region"], c["role"]) for c in cands if c["status"] == "assigned"
        )
        shares = np.ma.masked_invalid(
            [[done[r, o] / total[r, o] if total[r, o] else np.nan for o in roles] for r in regions]
        )
        fig = _figure(1.6 + 0.36 * len(regions))
        ax = fig.add_subplot()
        cmap = _steps("RdYlGn", 0.12, 0.88, 10)  # 0–10 %, 10–20 %, … assigned
        mesh = ax.pcolormesh(shares, cmap=cmap, vmin=0, vmax=1, edgecolors="white", linewidth=2)
        for i, region in enumerate(regions):
            for j, role in enumerate(roles):
                if total[region, role]:
                    ax.text(
                        j + 0.5,
                        i + 0.5,
                        f"{done[region, role]}/{total[region, role]}",
                        ha="center",
                        va="center",
                        fontsize=8.5,
                        gid=f"cell-{i}-{j}",
                        color=_text_colour(cmap(shares[i, j])),
                    )
        # long names wrap; role labels turn when the columns get narrower than the labels
        role_labels = [textwrap.fill(r.replace("_", " "), 12) for r in roles]
        region_labels = [textwrap.fill(r, 24) for r in regions]
        label_w = _text_width(region_labels)
        column = (WIDTH - label_w - 1.0) / len(roles)
        turn = _text_width(role_labels) > 0.95 * column
        ax.set_xticks(
            np.arange(len(roles)) + 0.5,
            role_labels,
            rotation=35 if turn else 0,
            ha="left" if turn else "center",
            rotation_mode="anchor",
        )
        ax.set_yticks(np.arange(len(regions)) + 0.5, region_labels)
        ax.xaxis.tick_top()
        ax.invert_yaxis()
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        bar = fig.colorbar(mesh, ax=ax, shrink=0.9, aspect=max(10, 2 * len(regions)), pad=0.02)
        bar.set_label("share assigned")
        bar.ax.yaxis.set_major_formatter(PercentFormatter(1, decimals=0))
        bar.outline.set_visible(False)
        label = (
            f"Heat map of the candidates assigned of all, by {len(regions)} regions and "
            f"{len(roles)} roles: {sum(done.values())} of {len(cands)} assigned."
        )
        return svg_markup(fig, label, "chart-coverage")


# --- travel ---------------------------------------------------------------------------------------


def travel_chart(distances: Sequence[float]) -> str | None:
    """A histogram of the assigned pairs' travel distances (km), with the median marked.

    Bin edges are round numbers (1, 2, 2.5 or 5 times a power of ten) so the axis reads
    without arithmetic; each bar carries its count.
    """
    if not distances:
        return None
    with mpl.rc_context(STYLE):
        top = max(max(distances), 1.0)
        edges = MaxNLocator(nbins=15, steps=[1, 2, 2.5, 5, 10]).tick_values(0, top)
        edges = edges[edges >= 0]
        edges = edges[: np.searchsorted(edges, top) + 1]  # up to the first edge at or past top
        counts, edges = np.histogram(distances, bins=edges)
        fig = _figure(3.2)
        ax = fig.add_subplot()
        bars = ax.bar(
            edges[:-1],
            counts,
            width=np.diff(edges),
            align="edge",
            color=LOAD,
            edgecolor="white",
            linewidth=1,
        )
        # the count over each bar, on white so the median line never runs through a number
        shown = ax.bar_label(
            bars,
            labels=[str(n) if n else "" for n in counts],
            padding=2,
            fontsize=8.5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
        )
        for k, text in enumerate(shown):
            text.set_gid(f"count-{k}")
        median = float(np.median(distances))
        ax.axvline(median, color=INK, linestyle="--", linewidth=1, label=f"median {median:.1f} km")
        ax.set_xticks(edges)
        ax.xaxis.set_major_formatter("{x:g}")
        ax.set_xlim(edges[0], edges[-1])
        _count_axes(ax, int(counts.max()), "km between coach and site", "assigned pairs")
        ax.legend(loc="upper right")
        label = (
            f"Histogram of the travel distance of {len(distances)} assigned pairs, "
            f"0 to {max(distances):.0f} km; median {median:.1f} km."
        )
        return svg_markup(fig, label, "chart-travel")


# --- map ------------------------------------------------------------------------------------------


def region_colours(regions: Iterable[str]) -> dict[str, str]:
    """One palette colour per region, in sorted order (the same region, the same colour)."""
    return {r: PALETTE[i % len(PALETTE)] for i, r in enumerate(sorted(set(regions)))}


def map_chart(points: Sequence[Mapping]) -> str | None:
    """Candidates' sites (dots) and coaches (squares) at their longitude and latitude.

    ``points`` holds ``kind`` ("candidate" or "coach"), ``lat``, ``lon`` and ``region``. No map
    tiles (the page stays offline): a scatter, coloured by region, with one degree of longitude
    drawn cos(latitude) as wide as one of latitude so distances look right.
    """
    placed = [p for p in points if p["lat"] is not None and p["lon"] is not None]
    if not placed:
        return None
    with mpl.rc_context(STYLE):
        colours = region_colours(p["region"] for p in placed if p["region"])
        lats = [p["lat"] for p in placed]
        lons = [p["lon"] for p in placed]
        squeeze = max(math.cos(math.radians((min(lats) + max(lats)) / 2)), 0.05)
        span_x = max((max(lons) - min(lons)) * squeeze, 1e-3)
        span_y = max(max(lats) - min(lats), 1e-3)
        # as many legend columns as fit the width (marker kinds in the first), at most 4
        fit = int(WIDTH // (_text_width([*colours, "candidate site"]) + 0.5))
        ncols = max(1, min(1 + math.ceil(len(colours) / 2), 4, fit))
        legend_rows = math.ceil((len(colours) + 2) / ncols)
        plot = min(max(5.6 * span_y / span_x, 2.4), 5.0)  # inches; the axes widen to fit
        height = plot + 0.8 + 0.2 * legend_rows
        fig = _figure(height)
        ax = fig.add_subplot()
        ax.set_facecolor("#fafbfd")
        for kind, marker, size in (("candidate", "o", 16), ("coach", "s", 44)):
            group = [p for p in placed if p["kind"] == kind]
            if not group:
                continue
            ax.scatter(
                [p["lon"] for p in group],
                [p["lat"] for p in group],
                s=size,
                marker=marker,
                c=[colours.get(p["region"], "#999999") for p in group],
                alpha=0.8 if kind == "candidate" else 1.0,
                edgecolors="none" if kind == "candidate" else "black",
                linewidths=0.9,
                zorder=2 if kind == "candidate" else 3,
                gid=f"{kind}s",
            )
        ax.set_aspect(1 / squeeze, adjustable="datalim")
        ax.xaxis.set_major_formatter("{x:.2f}°")
        ax.yaxis.set_major_formatter("{x:.2f}°")
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.grid(color=GRID, linewidth=0.5)
        ax.set_axisbelow(True)
        ax.set_xlabel("longitude")
        ax.set_ylabel("latitude")
        handles = [
            Line2D([], [], linestyle="", marker="o", color="#7f7f7f", label="candidate site"),
            Line2D(
                [],
                [],
                linestyle="",
                marker="s",
                color="#7f7f7f",
                markeredgecolor="black",
                label="coach",
            ),
            *(Patch(color=c, label=r) for r, c in colours.items()),
        ]
        fig.legend(handles=handles, loc="outside lower center", ncols=ncols)
        n_coaches = sum(p["kind"] == "coach" for p in placed)
        label = (
            f"Map of {len(placed) - n_coaches} candidate sites and {n_coaches} coaches by "
            f"longitude and latitude, coloured by {len(colours)} regions."
        )
        return svg_markup(fig, label, "chart-map")


# --- sessions -------------------------------------------------------------------------------------


def session_heatmap(sessions: Iterable[Mapping], months: Sequence[str] = ()) -> str | None:
    """A month × week-of-month heat map of the number of sessions, each cell annotated.

    Rows are the program's months (and any other month with sessions) in calendar order;
    a session on day d falls in week ``(d - 1) // 7 + 1`` of its month, so week 5 is the short
    days 29–31. ``None`` when no session has a readable date.
    """
    counts: Counter = Counter()
    for s in sessions:
        try:
            day = dt.date.fromisoformat((s.get("date") or "").strip())
        except ValueError:
            continue
        counts[day.strftime("%Y-%m"), (day.day - 1) // 7] += 1
    if not counts:
        return None
    with mpl.rc_context(STYLE):
        rows = sorted(set(months) | {m for m, _ in counts})
        grid = np.array([[counts[m, w] for w in range(WEEKS_OF_MONTH)] for m in rows])
        peak = int(grid.max())
        fig = _figure(1.3 + 0.3 * len(rows), width=5.2)
        ax = fig.add_subplot()
        # colour steps at round counts (0, 20, 40, …), the last one above the busiest week
        bounds = MaxNLocator(nbins=8, integer=True).tick_values(0, peak + 1)
        bounds = bounds[bounds >= 0]
        bounds = bounds[: np.searchsorted(bounds, peak, side="right") + 1]
        cmap = _steps("Blues", 0.15, 0.9, len(bounds) - 1)
        norm = BoundaryNorm(bounds, cmap.N)
        mesh = ax.pcolormesh(
            np.ma.masked_equal(grid, 0), cmap=cmap, norm=norm, edgecolors="white", linewidth=2
        )
        for i in range(len(rows)):
            for w in range(WEEKS_OF_MONTH):
                if grid[i, w]:
                    ax.text(
                        w + 0.5,
                        i + 0.5,
                        str(grid[i, w]),
                        ha="center",
                        va="center",
                        fontsize=8.5,
                        gid=f"cell-{i}-{w}",
                        color=_text_colour(cmap(norm(grid[i, w]))),
                    )
        days = ("1–7", "8–14", "15–21", "22–28", "29–31")
        ax.set_xticks(
            np.arange(WEEKS_OF_MONTH) + 0.5, [f"wk {w + 1}\n{d}" for w, d in enumerate(days)]
        )
        ax.set_yticks(np.arange(len(rows)) + 0.5, rows)
        ax.xaxis.tick_top()
        ax.invert_yaxis()
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        bar = fig.colorbar(mesh, ax=ax, shrink=0.9, aspect=15, pad=0.02)
        bar.set_label("sessions")
        bar.outline.set_visible(False)
        total = int(grid.sum())
        label = (
            f"Heat map of {total} sessions by month ({rows[0]} to {rows[-1]}) and week of the "
            f"month; the busiest week has {peak}."
        )
        return svg_markup(fig, label, "chart-sessions")
