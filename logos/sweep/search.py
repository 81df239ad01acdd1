"""Which points a sweep runs: ``grid``, ``random`` or ``optuna`` (docs/sweeps.md).

- grid: every combination of the ranges (the first ``--param`` varies slowest) that satisfies
  ``--where``; trial ids number them in that order.
- random: ``--trials N`` distinct points of that grid drawn with ``random.Random(seed)``; trial
  ids number them in the order drawn. Grid and random depend on nothing but their inputs, so
  the table is the same whatever the number of workers.
- optuna: Optuna's ask-and-tell interface (TPE sampler seeded with ``--seed``) over the same
  ranges (integer ranges as integer distributions with their step, everything else as a
  categorical choice of the listed values), its study in ``optuna.db`` in the sweep folder
  (Optuna's own RDB storage), so it can be inspected with Optuna and resumed. Points that
  break ``--where`` are told to Optuna as pruned and marked ``infeasible``, and do not count
  as trials. With several workers, what TPE asks next depends on which trials finished
  first; with one worker and ``--batch 1`` it is reproducible.

A source hands out batches of :class:`~logos.sweep.trials.Trial` and is told each outcome.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from logos.errors import ConfigError, LogosError
from logos.sweep.constraint import Constraint
from logos.sweep.objectives import OBJECTIVES, score
from logos.sweep.params import ParamRange
from logos.sweep.trials import Outcome, Trial

if TYPE_CHECKING:
    import optuna

MAX_INFEASIBLE_ASKS = 1000
"""Optuna points in a row that break ``--where`` before the sweep gives up: the constraint
leaves (almost) nothing to search."""
SEARCHES = ("grid", "random", "optuna")

Point = dict[str, Any]
MakeTrial = Callable[[int, Point], Trial]


class TrialSource(Protocol):
    """Hands out trials to run and learns their outcomes."""

    def next_batch(self, size: int) -> list[Trial]:
        """Up to ``size`` trials to run now (none: wait for outcomes, or finished)."""
        ...

    def tell(self, outcome: Outcome) -> None:
        """An outcome of a trial this source handed out."""
        ...

    @property
    def total(self) -> int:
        """How many trials this source runs in all, the recorded ones included."""
        ...


def grid_points(ranges: list[ParamRange], constraint: Constraint | None) -> list[Point]:
    """Every point of the grid that satisfies the constraint, in grid order."""
    names = [r.name for r in ranges]
    points = [
        dict(zip(names, values, strict=True))
        for values in itertools.product(*(r.values for r in ranges))
    ]
    kept = [p for p in points if constraint is None or constraint.holds(p)]
    if not kept:
        why = f' satisfies --where "{constraint.text}"' if constraint else " was given"
        raise ConfigError(
            [f"the grid is empty: none of its {len(points):,} point(s){why}"],
            source="command line",
        )
    return kept


def random_points(points: list[Point], trials: int, seed: int) -> list[Point]:
    """``trials`` distinct points of ``points`` (all of them when fewer), seeded."""
    picked = random.Random(seed).sample(range(len(points)), k=min(trials, len(points)))
    return [points[i] for i in picked]


class ListSource:
    """Grid and random searches: a fixed list of trials, minus those already recorded."""

    def __init__(self, trials: list[Trial], recorded: set[tuple[str, str, int]]) -> None:
        self.pending = [t for t in trials if t.key not in recorded]
        self._total = len(trials)

    @property
    def total(self) -> int:
        return self._total

    def next_batch(self, size: int) -> list[Trial]:
        batch, self.pending = self.pending[:size], self.pending[size:]
        return batch

    def tell(self, outcome: Outcome) -> None:
        """Nothing to learn: the points are fixed."""


class OptunaSource:
    """Optuna's ask-and-tell over a study in an SQLite file (see the module docstring)."""

    def __init__(
        self,
        *,
        storage_path: str,
        study_name: str,
        ranges: list[ParamRange],
        constraint: Constraint | None,
        objective: str,
        min_trades: int,
        trials: int,
        seed: int,
        make_trial: MakeTrial,
        recorded: dict[tuple[str, str, int], dict[str, str]],
        fold: str = "",
    ) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.WARNING)
        self.optuna = optuna
        self.ranges = ranges
        self.constraint = constraint
        self.objective = objective
        self.min_trades = min_trades
        self._total = trials
        self.make_trial = make_trial
        self.distributions = {r.name: _distribution(optuna, r) for r in ranges}
        storage = optuna.storages.RDBStorage(f"sqlite:///{storage_path}")
        direction = "minimize" if OBJECTIVES[objective] == "min" else "maximize"
        self.study = optuna.create_study(
            storage=storage,
            study_name=study_name,
            direction=direction,
            sampler=optuna.samplers.TPESampler(seed=seed),
            load_if_exists=True,
        )
        self.fold = fold
        self.pending: list[Trial] = []
        self._resume(recorded)

    @property
    def total(self) -> int:
        return self._total

    def _resume(self, recorded: dict[tuple[str, str, int], dict[str, str]]) -> None:
        """Trials of the study without a recorded row (the sweep was killed before the row
        was written) run again with the params Optuna gave them; trials asked but never
        told are told from their row when there is one."""
        states = self.optuna.trial.TrialState
        self.already_told: set[int] = set()
        for frozen in self.study.get_trials(deepcopy=False):
            if frozen.user_attrs.get("infeasible"):
                continue
            trial = self.make_trial(frozen.number, dict(frozen.params))
            row = recorded.get(trial.key)
            if frozen.state.is_finished():
                self.already_told.add(frozen.number)
                if row is None:
                    self.pending.append(trial)
            elif frozen.state == states.RUNNING:
                if row is None:
                    self.pending.append(trial)
                else:
                    self._tell(frozen.number, row.get("status") == "ok", _row_metrics(row))

    def _feasible_count(self) -> int:
        return sum(
            1 for t in self.study.get_trials(deepcopy=False) if not t.user_attrs.get("infeasible")
        )

    def next_batch(self, size: int) -> list[Trial]:
        batch, self.pending = self.pending[:size], self.pending[size:]
        room = self._total - self._feasible_count()
        infeasible = 0
        while len(batch) < size and room > 0:
            asked = self.study.ask(self.distributions)
            point = {r.name: asked.params[r.name] for r in self.ranges}
            if self.constraint is not None and not self.constraint.holds(point):
                asked.set_user_attr("infeasible", True)
                self.study.tell(asked, state=self.optuna.trial.TrialState.PRUNED)
                infeasible += 1
                if infeasible >= MAX_INFEASIBLE_ASKS:
                    raise LogosError(
                        f'--where "{self.constraint.text}": {MAX_INFEASIBLE_ASKS} points in a '
                        "row asked by Optuna break it; widen the ranges or the constraint"
                    )
                continue
            batch.append(self.make_trial(asked.number, point))
            room -= 1
        return batch

    def tell(self, outcome: Outcome) -> None:
        if outcome.trial.trial not in self.already_told:
            self._tell(outcome.trial.trial, outcome.status == "ok", outcome.metrics)

    def _tell(self, number: int, ok: bool, metrics: dict[str, Any]) -> None:
        states = self.optuna.trial.TrialState
        if not ok:
            self.study.tell(number, state=states.FAIL)
        elif score(metrics, self.objective, self.min_trades) is None:
            self.study.tell(number, state=states.PRUNED)  # too few trades, or undefined
        else:
            self.study.tell(number, float(metrics[self.objective]))


class FoldSources:
    """The searches of several walk-forward folds as one source: batches are filled from
    the first fold with trials left, and each outcome goes back to its own fold's search."""

    def __init__(self, sources: dict[str, TrialSource]) -> None:
        self.sources = sources

    @property
    def total(self) -> int:
        return sum(source.total for source in self.sources.values())

    def next_batch(self, size: int) -> list[Trial]:
        batch: list[Trial] = []
        for source in self.sources.values():
            if len(batch) >= size:
                break
            batch += source.next_batch(size - len(batch))
        return batch

    def tell(self, outcome: Outcome) -> None:
        self.sources[outcome.trial.fold].tell(outcome)


def _distribution(optuna: Any, item: ParamRange) -> optuna.distributions.BaseDistribution:
    values = item.values
    if item.kind == "linear" and all(isinstance(v, int) for v in values) and len(values) > 1:
        low, high = int(values[0]), int(values[-1])
        return optuna.distributions.IntDistribution(low, high, step=int(values[1]) - low)
    return optuna.distributions.CategoricalDistribution(list(values))


def _row_metrics(row: dict[str, str]) -> dict[str, Any]:
    """A results row's metrics back as numbers (what :func:`score` reads)."""
    metrics: dict[str, Any] = {}
    for key, text in row.items():
        if key == "trades" and text:
            metrics[key] = int(text)
        elif key in OBJECTIVES and text:
            metrics[key] = float(text)
    return metrics


def check_search(search: str, trials: int | None) -> None:
    """``--search`` is known, and random and optuna have ``--trials``."""
    if search not in SEARCHES:
        raise ConfigError(
            [f"--search: unknown search {search!r}; known: {', '.join(SEARCHES)}"],
            source="command line",
        )
    if search != "grid" and (trials is None or trials < 1):
        raise ConfigError(
            [f"--trials: --search {search} needs --trials N (N >= 1)"], source="command line"
        )
