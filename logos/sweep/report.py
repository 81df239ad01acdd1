"""What a finished sweep says: the top trials, the best params, the walk-forward folds.

``sweep.md`` in the sweep folder holds the definition, the best parameters, the objective
over the first two parameters as ``heatmap.png`` (:mod:`logos.sweep.heatmap`) and as a
table (how sensitive the result is to them), the top
trials by the objective, the counts of trials that failed or had too few trades and, for
walk-forward sweeps, the per-fold table (in-sample vs out-of-sample) and the stitched out-of-sample
return; ``walk_forward.csv`` and ``oos_equity.csv`` hold the fold table and the stitched
curve. Everything here is computed from the recorded rows, so a resumed sweep reports the
same as one never interrupted.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from logos.sweep.heatmap import best_by_pair, write_heatmap
from logos.sweep.objectives import METRICS, OBJECTIVES
from logos.sweep.results import cell
from logos.sweep.runner import FoldReport, SweepOutcome, SweepRun

SHOWN_METRICS = (
    "total_return",
    "sharpe",
    "sortino",
    "calmar",
    "profit_factor",
    "max_drawdown",
    "trades",
)


def top_rows(run: SweepRun, count: int) -> list[dict[str, str]]:
    """The ``count`` best eligible trials (plain sweeps; walk-forward: none)."""
    return [row for _, row in run.ranked()[:count]]


def counts(run: SweepRun) -> dict[str, int]:
    """Trials by what became of them: ok and eligible, too few trades/undefined, error."""
    rows = list(run.results.rows.values())
    errors = sum(1 for row in rows if row["status"] == "error")
    eligible = sum(len(run.ranked(f, w)) for f, w in {(r["fold"], r["window"]) for r in rows})
    return {
        "trials": len(rows),
        "eligible": eligible,
        "not eligible": len(rows) - errors - eligible,
        "errors": errors,
    }


def sensitivity(run: SweepRun) -> list[str]:
    """A markdown table of the objective over the first two swept parameters (rows: the
    first, columns: the second; each cell the best eligible trial with those two values,
    whatever the other parameters): how sharply the result depends on them. Empty for a
    sweep of one parameter."""
    ranges = run.plan.ranges
    if len(ranges) < 2:
        return []
    first, second = ranges[0], ranges[1]
    best = best_by_pair(run)
    columns = [cell(v) for v in second.values]
    lines = [
        f"| {first.name} \\ {second.name} | " + " | ".join(columns) + " |",
        "|" + "---|" * (len(columns) + 1),
    ]
    for value in first.values:
        key = cell(value)
        shown = [_short(best.get((key, column))) for column in columns]
        lines.append(f"| {key} | " + " | ".join(shown) + " |")
    return lines


def _short(text: str | None) -> str:
    return "-" if not text else f"{float(text):.4g}"


def iso(ns: int) -> str:
    """An open time in ns as ISO-8601 UTC."""
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_walk_forward(folder: Path, folds: list[FoldReport], names: list[str]) -> Path:
    """``walk_forward.csv``: one row per fold."""
    path = folder / "walk_forward.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(
            ["fold", "train_start", "test_start", "test_end", "trial", *names,
             "in_sample", "out_of_sample", "in_sample_return", "out_of_sample_return"]
        )  # fmt: skip
        for item in folds:
            params = [item.params[n] if item.params else "" for n in names]
            writer.writerow(
                [item.fold.number, iso(item.fold.train_start), iso(item.fold.train_end),
                 iso(item.fold.test_end), "" if item.trial is None else item.trial, *params,
                 *(_num(v) for v in (item.in_sample, item.out_of_sample,
                                     item.in_sample_return, item.out_of_sample_return))]
            )  # fmt: skip
    return path


def write_stitched(folder: Path, stitched: list[tuple[int, float]]) -> Path:
    """``oos_equity.csv``: the stitched out-of-sample equity curve."""
    path = folder / "oos_equity.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["ts", "equity"])
        writer.writerows((iso(ts), repr(equity)) for ts, equity in stitched)
    return path


def stitched_return(stitched: list[tuple[int, float]], start: float) -> float | None:
    """Total return of the stitched out-of-sample curve."""
    if not stitched or start <= 0:
        return None
    return stitched[-1][1] / start - 1


def write_sweep_md(run: SweepRun, outcome: SweepOutcome, top: int) -> Path:
    """Write ``sweep.md`` (see the module docstring)."""
    spec, names = run.plan.spec, run.plan.names
    direction = "lowest" if OBJECTIVES[spec.objective] == "min" else "highest"
    lines = [
        "# Sweep",
        "",
        f"- config: `{spec.source}`",
        *(f"- param: `{text}`" for text in spec.params),
        f"- where: `{spec.where}`" if spec.where else "- where: none",
        f"- search: {spec.search}"
        + (f" ({spec.trials} trials, seed {spec.seed})" if spec.search != "grid" else ""),
        f"- objective: {spec.objective} ({direction} wins), at least {spec.min_trades} trades",
    ]
    if spec.walk_forward:
        lines.append(f"- walk-forward: `{spec.walk_forward}`")
    lines += ["", "| " + " | ".join(counts(run)) + " |", "|" + "---|" * 4]
    lines.append("| " + " | ".join(str(v) for v in counts(run).values()) + " |")
    if outcome.folds:
        lines += ["", "## Walk-forward", ""]
        header = ["fold", "train from", "test from", "test to", *names,
                  f"in-sample {spec.objective}", f"out-of-sample {spec.objective}",
                  "in-sample return", "out-of-sample return"]  # fmt: skip
        lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for item in outcome.folds:
            params = [str(item.params[n]) if item.params else "-" for n in names]
            lines.append(
                "| " + " | ".join(
                    [str(item.fold.number), iso(item.fold.train_start), iso(item.fold.train_end),
                     iso(item.fold.test_end), *params,
                     *(_num(v) or "-" for v in (item.in_sample, item.out_of_sample,
                                                item.in_sample_return,
                                                item.out_of_sample_return))]
                ) + " |"
            )  # fmt: skip
        total = stitched_return(outcome.stitched, run.plan.starting_cash)
        shown = "n/a" if total is None else f"{total:.4%}"
        lines += ["", f"Stitched out-of-sample return: {shown} (`oos_equity.csv`)."]
    else:
        best = run.best()
        lines += ["", "## Best", ""]
        if best is None:
            lines.append("No eligible trial (every trial failed or had too few trades).")
        else:
            lines.append(", ".join(f"{n}={best[1][n]}" for n in names) + f" (trial {best[0]})")
        table = sensitivity(run)
        heatmap = write_heatmap(run)
        if table and heatmap is not None:
            lines += ["", f"## {spec.objective} by {names[0]} and {names[1]}", ""]
            lines += [f"![{spec.objective} by {names[0]} and {names[1]}]({heatmap.name})", ""]
            lines += table
        else:
            lines += ["", "No heatmap: the sweep has one parameter (it needs two)."]
        rows = top_rows(run, top)
        if rows:
            header = ["trial", *names, *SHOWN_METRICS]
            lines += ["", f"## Top {len(rows)}", ""]
            lines += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(row[c] or "-" for c in header) + " |" for row in rows]
    if outcome.lost:
        lines += ["", f"{len(outcome.lost)} batch(es) did not finish; `--resume` runs them."]
    path = run.folder / "sweep.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _num(value: float | None) -> str:
    return "" if value is None else repr(value)


__all__ = ["METRICS", "SHOWN_METRICS", "counts", "iso", "top_rows", "write_sweep_md"]
