"""Run a sweep from its definition: check it, hand its trials to the cluster, record them.

Everything a user can get wrong (a range, a name, the constraint, an empty grid, the config,
the walk-forward windows) is checked by :func:`plan` before any cluster starts. The trials
then run through :func:`logos.sweep.cluster.run_trials`; each outcome is appended to
``results.csv`` the moment it arrives. Walk-forward sweeps run the training trials of every
fold together, then each fold's winner on its test window.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from logos.errors import ConfigError, DataError, LogosError
from logos.sweep.constraint import Constraint, parse_constraint
from logos.sweep.objectives import check_objective, score
from logos.sweep.params import ParamRange, check_names, parse_params
from logos.sweep.results import ResultsFile, cell, columns_for
from logos.sweep.search import (
    FoldSources,
    ListSource,
    OptunaSource,
    TrialSource,
    check_search,
    grid_points,
    random_points,
)
from logos.sweep.spec import SweepSpec
from logos.sweep.trials import Outcome, SweepBase, Trial
from logos.sweep.walk_forward import Fold, folds, parse_walk_forward, stitch

Point = dict[str, Any]


@dataclass
class Plan:
    """A checked sweep definition: what the trials are made of."""

    spec: SweepSpec
    base: SweepBase
    ranges: list[ParamRange]
    constraint: Constraint | None
    points: list[Point]
    starting_cash: float
    folds: list[Fold] | None = None

    @property
    def names(self) -> list[str]:
        """The swept parameters, in ``--param`` order."""
        return [r.name for r in self.ranges]

    def trials_per_search(self) -> int:
        """Trials one search runs (the whole sweep, or one fold's training)."""
        if self.spec.search == "grid":
            return len(self.points)
        assert self.spec.trials is not None
        if self.spec.search == "random":
            return min(self.spec.trials, len(self.points))
        return self.spec.trials

    def total_trials(self) -> int:
        """Trials of the whole sweep (walk-forward: every fold's training and test)."""
        if self.folds is None:
            return self.trials_per_search()
        return len(self.folds) * (self.trials_per_search() + 1)


def plan(spec: SweepSpec, folder: Path) -> Plan:
    """Check every part of ``spec`` (one LogosError at the first problem) and build the plan."""
    from logos.config import validate_config
    from logos.plugins import get_registry
    from logos.strategies.loading import with_strategy_class

    if not spec.params:
        raise ConfigError(
            ["--param: give at least one range, e.g. --param fast=5:50:5 (or a [sweep] table "
             "with params = { fast = \"5:50:5\" } in the config)"]
        )  # fmt: skip
    check_search(spec.search, spec.trials)
    check_objective(spec.objective)
    if spec.min_trades < 0:
        raise ConfigError(["--min-trades: give 0 or more"], source="command line")
    if spec.config.get("mode", "backtest") != "backtest":
        raise ConfigError([f"mode: logos sweep runs mode 'backtest', not {spec.config['mode']!r}"])
    registry = with_strategy_class(get_registry(), spec.config, spec.source)
    validated = validate_config(spec.config, registry, source=spec.source)
    ranges = parse_params(spec.params)
    strategy = validated.strategy
    known = list(strategy.cls.Params.model_fields) if strategy.cls is not None else []
    check_names(ranges, known, strategy.name)
    names = [r.name for r in ranges]
    columns_for(names)
    constraint = parse_constraint(spec.where, names) if spec.where else None
    points = grid_points(ranges, constraint)
    keep = str(folder / "trials") if spec.keep_artifacts else None
    base = SweepBase(spec.config, spec.source, spec.timeframe_given, keep)
    cash = float(getattr(validated.broker.params, "cash", 0) or 0)
    result = Plan(spec, base, ranges, constraint, points, cash)
    if spec.walk_forward is not None:
        walk = parse_walk_forward(spec.walk_forward)
        first, end = _data_span(validated, spec.timeframe_given)
        result.folds = folds(walk, first, end)
    return result


def _data_span(validated: Any, timeframe_given: bool) -> tuple[int, int]:
    """First bar's open time and the data's end (last open time plus one bar), in ns."""
    from logos.feeds.base import parse_timeframe
    from logos.feeds.replay import ReplayFeed

    feed = validated.feed.build()
    if not isinstance(feed, ReplayFeed):
        raise ConfigError(["feed.name: --walk-forward needs the replay feed (bars from files)"])
    run = validated.run
    frames = feed.load_frames(run.symbols, run.timeframe if timeframe_given else None)
    stamps = [int(f.index.asi8[i]) for f in frames.values() if len(f) for i in (0, -1)]
    if not stamps:
        raise DataError(f"{feed.params.path}: no bars")
    bar = parse_timeframe(feed.report.timeframe or run.timeframe)
    return min(stamps), max(stamps) + int(bar.total_seconds() * 1_000_000_000)


@dataclass
class FoldReport:
    """One walk-forward fold: its windows, its winner and the winner's in/out-of-sample
    objective values and returns (None: no eligible trial, or the test failed)."""

    fold: Fold
    params: Point | None
    trial: int | None
    in_sample: float | None
    out_of_sample: float | None
    in_sample_return: float | None
    out_of_sample_return: float | None


@dataclass
class SweepOutcome:
    """What a sweep run leaves for the report."""

    lost: list[str] = field(default_factory=list)
    folds: list[FoldReport] = field(default_factory=list)
    stitched: list[tuple[int, float]] = field(default_factory=list)


RunTrials = Callable[[TrialSource, Callable[[Outcome], None]], list[str]]
"""Runs a source's trials on the cluster, calling back with each outcome; returns what was
lost (see :func:`logos.sweep.cluster.run_trials`)."""


class SweepRun:
    """One sweep folder being filled: its results file and its searches."""

    def __init__(self, folder: Path, the_plan: Plan) -> None:
        self.folder = folder
        self.plan = the_plan
        values = {r.name: r.values for r in the_plan.ranges}
        self.results = ResultsFile(folder, columns_for(the_plan.names), values)

    @property
    def recorded(self) -> int:
        """Trials already recorded (a resumed sweep skips them)."""
        return len(self.results.rows)

    def run(self, run_trials: RunTrials, on_outcome: Callable[[Outcome], None]) -> SweepOutcome:
        """Run every trial not yet recorded; record each as it finishes."""

        def record(outcome: Outcome) -> None:
            if outcome.trial.want_equity:
                self._write_equity(outcome)
            self.results.append(outcome)
            on_outcome(outcome)

        outcome = SweepOutcome()
        if self.plan.folds is None:
            outcome.lost = run_trials(self._source(lambda n, p: Trial(n, p), "sweep"), record)
            self.results.write_table()
            return outcome
        # every fold's training at once, then every fold's winner on its test window: the
        # workers stay busy across fold boundaries
        sources = {
            str(f.number): self._source(self._maker(f), f"fold-{f.number}") for f in self.plan.folds
        }
        outcome.lost += run_trials(FoldSources(sources), record)
        tests = [t for t in map(self._test_trial, self.plan.folds) if t is not None]
        outcome.lost += run_trials(ListSource(tests, set(self.results.rows)), record)
        outcome.folds = [self._fold_report(fold) for fold in self.plan.folds]
        curves = [self._read_equity(fold.number) for fold in self.plan.folds]
        outcome.stitched = stitch(curves, self.plan.starting_cash)
        self.results.write_table()
        return outcome

    @staticmethod
    def _maker(fold: Fold) -> Callable[[int, Point], Trial]:
        def make(number: int, point: Point) -> Trial:
            return Trial(number, point, str(fold.number), "train", fold.train_start, fold.train_end)

        return make

    def _source(self, make: Callable[[int, Point], Trial], study: str) -> TrialSource:
        spec, points = self.plan.spec, self.plan.points
        if spec.search == "optuna":
            assert spec.trials is not None
            return OptunaSource(
                storage_path=str(self.folder / "optuna.db"),
                study_name=study,
                ranges=self.plan.ranges,
                constraint=self.plan.constraint,
                objective=spec.objective,
                min_trades=spec.min_trades,
                trials=spec.trials,
                seed=spec.seed,
                make_trial=make,
                recorded=self.results.rows,
            )
        if spec.search == "random":
            assert spec.trials is not None
            points = random_points(points, spec.trials, spec.seed)
        trials = [make(i, point) for i, point in enumerate(points)]
        return ListSource(trials, set(self.results.rows))

    def _test_trial(self, fold: Fold) -> Trial | None:
        """The fold's best training trial on its test window (None: no eligible trial)."""
        best = self.best(fold=str(fold.number), window="train")
        if best is None:
            return None
        trial_id, row = best
        params = self._params_of(row)
        return Trial(
            trial_id, params, str(fold.number), "test", fold.train_end, fold.test_end, True
        )

    def _fold_report(self, fold: Fold) -> FoldReport:
        report = FoldReport(fold, None, None, None, None, None, None)
        test = self._test_trial(fold)
        if test is None:
            return report
        row = self.results.rows[(test.fold, "train", test.trial)]
        objective = self.plan.spec.objective
        report.params, report.trial = test.params, test.trial
        report.in_sample = _float(row.get(objective))
        report.in_sample_return = _float(row.get("total_return"))
        tested = self.results.rows.get(test.key)
        if tested is not None and tested["status"] == "ok":
            report.out_of_sample = _float(tested.get(objective))
            report.out_of_sample_return = _float(tested.get("total_return"))
        return report

    def best(self, fold: str = "", window: str = "all") -> tuple[int, dict[str, str]] | None:
        """The eligible trial with the best objective (ties: the lowest trial id)."""
        ranked = self.ranked(fold, window)
        return ranked[0] if ranked else None

    def ranked(self, fold: str = "", window: str = "all") -> list[tuple[int, dict[str, str]]]:
        """Eligible trials of a fold's window, best first (ties: lower trial id first)."""
        spec = self.plan.spec
        scored = []
        for (f, w, trial), row in self.results.rows.items():
            if f != fold or w != window or row["status"] != "ok":
                continue
            metrics = {"trades": int(row["trades"]), spec.objective: _float(row[spec.objective])}
            value = score(metrics, spec.objective, spec.min_trades)
            if value is not None:
                scored.append((-value, trial, row))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [(trial, row) for _, trial, row in scored]

    def _params_of(self, row: dict[str, str]) -> Point:
        """A row's params as the typed values of their ranges."""
        point: Point = {}
        for item in self.plan.ranges:
            matches = [v for v in item.values if cell(v) == row[item.name]]
            if not matches:
                raise LogosError(
                    f"{self.results.path}: {item.name}={row[item.name]} is not in its range "
                    f"({item.spec}); the file belongs to another sweep"
                )
            point[item.name] = matches[0]
        return point

    def _equity_path(self, fold: int) -> Path:
        return self.folder / "oos" / f"fold-{fold}.csv"

    def _write_equity(self, outcome: Outcome) -> None:
        path = self._equity_path(int(outcome.trial.fold))
        path.parent.mkdir(exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            writer.writerow(["ts_ns", "equity"])
            writer.writerows((ts, repr(equity)) for ts, equity in outcome.equity)
        temporary.replace(path)

    def _read_equity(self, fold: int) -> list[tuple[int, float]]:
        path = self._equity_path(fold)
        if not path.exists():
            return []
        with path.open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))[1:]
        return [(int(ts), float(equity)) for ts, equity in rows]


def _float(text: str | None) -> float | None:
    return float(text) if text else None
