"""A sweep's definition and its folder: what ``--resume DIR`` reads back.

``sweep.json`` holds everything that decides which trials run and what they compute (the
merged config with absolute paths, the ranges, the constraint, the search, the objective,
the walk-forward windows). It is written once, when the sweep starts; a resumed sweep runs
exactly that definition, so the trials it adds belong to the same table. Where it runs
(``--workers``, ``--scheduler``, ``--batch``) is not part of it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from logos.errors import LogosError

SPEC_FILE = "sweep.json"
OWN_FILES = (
    SPEC_FILE,
    "results.csv",
    "table.csv",
    "sweep.parquet",
    "heatmap.png",
    "optuna.db",
    "sweep.md",
    "walk_forward.csv",
    "oos_equity.csv",
)
OWN_FOLDERS = ("oos", "trials")


class SweepSpec(BaseModel):
    """The definition of one sweep (see the module docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    config: dict[str, Any]
    source: str
    timeframe_given: bool
    params: list[str]
    where: str | None = None
    search: str = "grid"
    trials: int | None = None
    seed: int = 0
    objective: str = "sharpe"
    min_trades: int = 0
    walk_forward: str | None = None
    keep_artifacts: bool = False


def create_folder(folder: Path, spec: SweepSpec, *, force: bool) -> None:
    """Start a new sweep in ``folder``. A folder that already holds a sweep is refused
    (``--resume`` continues it; ``--force`` replaces the sweep's own files, others kept)."""
    if folder.exists() and not folder.is_dir():
        raise LogosError(f"--out {folder}: is a file, not a folder")
    if (folder / SPEC_FILE).exists():
        if not force:
            raise LogosError(
                f"--out {folder}: holds a sweep already; continue it with --resume {folder}, "
                "or replace it with --force"
            )
        for name in OWN_FILES:
            (folder / name).unlink(missing_ok=True)
        for name in OWN_FOLDERS:
            shutil.rmtree(folder / name, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / SPEC_FILE).open("x", encoding="utf-8") as fh:
        fh.write(spec.model_dump_json(indent=2) + "\n")


def read_spec(folder: Path) -> SweepSpec:
    """The definition of the sweep in ``folder`` (``--resume``)."""
    path = folder / SPEC_FILE
    if not path.is_file():
        raise LogosError(f"--resume {folder}: no sweep there (no {SPEC_FILE})")
    try:
        return SweepSpec.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise LogosError(f"{path}: {where}: {first['msg']}") from None
