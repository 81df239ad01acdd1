"""The results of a sweep: one CSV row per finished trial, appended as trials finish.

``results.csv`` (in the sweep folder) is append-only: a row is written, flushed and synced
to disk as soon as its trial's outcome reaches the client, in the order trials finish, with
the wall time and the worker that ran it. A sweep that is killed keeps every row written so
far; ``--resume DIR`` reads them back and runs only the trials without a row, so each trial
appears exactly once. A torn last line (killed mid-write) is cut off and its trial run again.

``table.csv`` is written at the end: the same rows sorted by fold, window and trial id,
without the wall time and the worker, so the same sweep gives a byte-identical table
whatever the number of workers; ``sweep.parquet`` (:mod:`logos.sweep.parquet`) holds the
same rows, typed, and is written with it. Floats are written with Python's shortest round-trip
``repr``; money (PnL, final equity) as the exact decimal text the backtest computed.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from logos.errors import LogosError
from logos.sweep.objectives import METRICS
from logos.sweep.parquet import PARQUET_FILE, write_parquet
from logos.sweep.trials import Outcome

RESULTS_FILE = "results.csv"
TABLE_FILE = "table.csv"
KEY_COLUMNS = ("fold", "window", "trial")
STATUS_COLUMNS = ("status", "error")
RUN_COLUMNS = ("wall_s", "worker")
WINDOW_ORDER = {"all": 0, "train": 1, "test": 2}


def columns_for(param_names: list[str]) -> list[str]:
    """The header of a results file for these swept parameters."""
    clash = [n for n in param_names if n in (*KEY_COLUMNS, *STATUS_COLUMNS, *METRICS, *RUN_COLUMNS)]
    if clash:
        raise LogosError(
            f"--param {clash[0]}: the name is also a results column; rename the parameter"
        )
    return [*KEY_COLUMNS, *param_names, *STATUS_COLUMNS, *METRICS, *RUN_COLUMNS]


def cell(value: Any) -> str:
    """A value as CSV text: None empty, floats by ``repr``, everything else by ``str``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


class ResultsFile:
    """The append-only results file of one sweep folder (see the module docstring)."""

    def __init__(
        self, folder: Path, columns: list[str], params: dict[str, Sequence[Any]] | None = None
    ) -> None:
        self.path = folder / RESULTS_FILE
        self.columns = columns
        self.params = params or {}
        """Each swept parameter's range values (the types of sweep.parquet's columns)."""
        self.rows: dict[tuple[str, str, int], dict[str, str]] = {}
        self.torn = False
        if self.path.exists():
            self._read()
        else:
            self._write_text(_line(columns), mode="x")

    def _read(self) -> None:
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            # killed mid-row: the row's trial has not been recorded; run it again
            keep = data.rfind(b"\n") + 1
            with self.path.open("r+b") as fh:
                fh.truncate(keep)
            data = data[:keep]
            self.torn = True
        reader = csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
        if reader.fieldnames != self.columns:
            raise LogosError(
                f"{self.path}: its columns are not this sweep's "
                f"({', '.join(reader.fieldnames or [])}); it belongs to another sweep"
            )
        for row in reader:
            key = (row["fold"], row["window"], int(row["trial"]))
            if key in self.rows:
                raise LogosError(f"{self.path}: trial {key} is recorded twice")
            self.rows[key] = row

    def append(self, outcome: Outcome) -> dict[str, str]:
        """Write one trial's row at the end of the file, durably; return it."""
        trial = outcome.trial
        values: dict[str, Any] = {
            "fold": trial.fold,
            "window": trial.window,
            "trial": trial.trial,
            **trial.params,
            "status": outcome.status,
            "error": outcome.error,
            **outcome.metrics,
            "wall_s": round(outcome.wall_s, 3),
            "worker": outcome.worker,
        }
        row = {column: cell(values.get(column)) for column in self.columns}
        if trial.key in self.rows:
            raise LogosError(f"{self.path}: trial {trial.key} is already recorded")
        self._write_text(_line(row[c] for c in self.columns), mode="a")
        self.rows[trial.key] = row
        return row

    def _write_text(self, text: str, mode: str) -> None:
        with self.path.open(mode, encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())

    def sorted_rows(self) -> list[dict[str, str]]:
        """Every row, by fold, window and trial id."""
        return [self.rows[k] for k in sorted(self.rows, key=sort_key)]

    def write_table(self) -> Path:
        """Write ``table.csv`` (sorted, no wall time or worker) and ``sweep.parquet`` (the
        same rows, typed) atomically; return the table's path."""
        columns = [c for c in self.columns if c not in RUN_COLUMNS]
        rows = self.sorted_rows()
        text = _line(columns) + "".join(_line(row[c] for c in columns) for row in rows)
        write_parquet(self.path.with_name(PARQUET_FILE), columns, rows, self.params)
        path = self.path.with_name(TABLE_FILE)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(text, encoding="utf-8", newline="")
        os.replace(temporary, path)
        return path


def sort_key(key: tuple[str, str, int]) -> tuple[int, int, int]:
    """Folds in number order (no fold first), train before test, then trial id."""
    fold, window, trial = key
    return (int(fold) if fold else -1, WINDOW_ORDER.get(window, 9), trial)


def _line(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(values))
    return buffer.getvalue()
