"""The runs in a folder and their headline numbers, read back from each run's session.md
(``logos runs list``; docs/reports.md).

A run folder is a sub-folder holding a session.md or a journal (state.jsonl). The numbers
are the cells of session.md's tables as the markdown reporter wrote them (its first line
names the session and mode; the configuration and results tables give the period, return,
PnL, max drawdown, Sharpe and fills), so listing a thousand runs reads a thousand small
files and nothing else. A run with a journal but no session.md (a session killed before it
wrote its reports) is listed with ``logos report RUN_DIR`` as what to do.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

_TITLE = re.compile(r"^# Session `(?P<session>.*)` \((?P<mode>[^)]*)\)$")
_ROW = re.compile(r"^\| (?P<key>[^|]+?) \| (?P<value>.*) \|$")


@dataclass(frozen=True)
class RunSummary:
    """One run folder's headline numbers (text as session.md shows them; "" when absent)."""

    run: str
    path: str
    session: str = ""
    mode: str = ""
    period: str = ""
    total_return: str = ""
    pnl: str = ""
    max_drawdown: str = ""
    sharpe: str = ""
    fills: str = ""
    note: str = ""
    """Why there are no numbers (no session.md yet), else empty."""

    def cells(self) -> tuple[str, ...]:
        """The row of ``logos runs list``."""
        if self.note:
            return (self.run, self.session, self.mode, self.note, "", "", "", "", "")
        return (
            self.run,
            self.session,
            self.mode,
            self.period,
            self.total_return,
            self.pnl,
            self.max_drawdown,
            self.sharpe,
            self.fills,
        )

    def as_dict(self) -> dict[str, str]:
        """The summary as JSON-ready text fields."""
        return asdict(self)


def find_runs(base: Path) -> list[RunSummary]:
    """The runs directly inside ``base``, the most recently reported first (then by name)."""
    found: list[tuple[float, RunSummary]] = []
    for folder in sorted(p for p in base.iterdir() if p.is_dir() and not p.name.startswith(".")):
        report = folder / "session.md"
        if report.is_file():
            found.append((report.stat().st_mtime, read_summary(folder.name, report)))
        elif (folder / "state.jsonl").is_file():
            note = f"no session.md yet: logos report {folder}"
            summary = RunSummary(run=folder.name, path=str(folder), note=note)
            found.append(((folder / "state.jsonl").stat().st_mtime, summary))
    found.sort(key=lambda item: -item[0])
    return [summary for _, summary in found]


def read_summary(run: str, report: Path) -> RunSummary:
    """The headline numbers of one session.md."""
    session = mode = ""
    rows: dict[str, str] = {}
    for line in report.read_text(encoding="utf-8").splitlines():
        title = _TITLE.match(line)
        if title and not session:
            session, mode = title["session"], title["mode"]
            continue
        row = _ROW.match(line)
        if row and row["key"] not in rows:
            rows[row["key"]] = row["value"]
    sharpe = next((v for k, v in rows.items() if k.startswith("Sharpe")), "")
    drawdown = rows.get("max drawdown", "").split(" (", 1)[0]
    return RunSummary(
        run=run,
        path=str(report.parent),
        session=session,
        mode=mode,
        period=rows.get("period", "").replace(" .. ", " to "),
        total_return=rows.get("return", ""),
        pnl=rows.get("PnL", ""),
        max_drawdown=drawdown,
        sharpe=sharpe,
        fills=rows.get("fills", "").split(" ", 1)[0],
    )
