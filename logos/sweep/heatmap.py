"""``heatmap.png``: the objective over the first two swept parameters (matplotlib, Agg).

Rows are the first parameter's values, columns the second's, in their ranges' order; a cell
is the objective of the best eligible trial with those two values, whatever the other
parameters (the same cells as sweep.md's table). A cell with no eligible trial (every point
constrained out by ``--where``, failed, or with too few trades) is left blank (NaN, drawn
grey). The brighter a cell, the better: the colour scale is reversed for an objective that
is minimised. A sharp peak among dark neighbours is a fitted optimum; a broad bright
plateau is a robust one.

The figure is drawn on matplotlib's Agg canvas without pyplot (no global state, nothing
opens a window), always HEIGHT_PX × WIDTH_PX pixels, and written without the PNG's
``Software`` entry, so the same trials give the same bytes.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

from logos.sweep.objectives import OBJECTIVES
from logos.sweep.results import cell

if TYPE_CHECKING:
    from logos.sweep.runner import SweepRun

HEATMAP_FILE = "heatmap.png"
WIDTH_PX, HEIGHT_PX, DPI = 800, 600, 100
NO_TRIAL = "#d9d9d9"
"""The colour of a cell without an eligible trial."""
MAX_TICKS = 20
"""More values than this on an axis: every k-th is labelled (the labels would overlap)."""


def best_by_pair(run: SweepRun) -> dict[tuple[str, str], str]:
    """The objective (text, as recorded) of the best eligible trial for each pair of values
    of the first two swept parameters (their cells' text as keys); empty below two."""
    ranges = run.plan.ranges
    if len(ranges) < 2:
        return {}
    first, second = ranges[0].name, ranges[1].name
    best: dict[tuple[str, str], str] = {}
    for _, row in reversed(run.ranked()):  # the best trial of a cell is written last
        best[(row[first], row[second])] = row[run.plan.spec.objective]
    return best


def write_heatmap(run: SweepRun) -> Path | None:
    """Write ``heatmap.png`` in the sweep folder; None (nothing written) for a sweep of
    fewer than two parameters."""
    import matplotlib
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    ranges = run.plan.ranges
    if len(ranges) < 2:
        return None
    first, second = ranges[0], ranges[1]
    objective = run.plan.spec.objective
    best = best_by_pair(run)
    rows, columns = [cell(v) for v in first.values], [cell(v) for v in second.values]
    grid = np.full((len(rows), len(columns)), np.nan)
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            text = best.get((row, column))
            if text:
                grid[i, j] = float(text)
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    minimised = OBJECTIVES[objective] == "min"
    cmap = matplotlib.colormaps["viridis_r" if minimised else "viridis"].with_extremes(bad=NO_TRIAL)
    image = axes.imshow(
        np.ma.masked_invalid(grid), cmap=cmap, aspect="auto", origin="lower",
        interpolation="nearest",
    )  # fmt: skip
    xs, ys = _ticks(columns), _ticks(rows)
    axes.set_xticks(xs, [columns[i] for i in xs])
    axes.set_yticks(ys, [rows[i] for i in ys])
    axes.set_xlabel(second.name)
    axes.set_ylabel(first.name)
    axes.set_title(f"{objective} by {first.name} and {second.name} (grey: no eligible trial)")
    bar = figure.colorbar(image, ax=axes)
    bar.set_label(f"{objective} ({'lower' if minimised else 'higher'} is better)")
    path = run.folder / HEATMAP_FILE
    temporary = path.with_name(path.name + ".tmp")
    figure.savefig(temporary, format="png", dpi=DPI, metadata={"Software": None})
    temporary.replace(path)
    return path


def _ticks(labels: list[str]) -> list[int]:
    """The positions labelled on an axis: all of them, or every k-th beyond MAX_TICKS."""
    return list(range(0, len(labels), max(1, math.ceil(len(labels) / MAX_TICKS))))
