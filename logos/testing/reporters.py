"""The reporter contract: subclass :class:`ReporterContract` in your plugin's tests.

Override :meth:`ReporterContract.make_reporter`. The suite runs one backtest of the shipped
sample bars (:func:`logos.testing.run.run_backtest`), then checks the registration rules,
that ``on_slice`` takes every account of the run and ``on_fill`` and ``on_guard_trip`` every
fill and guard record, and that ``write`` writes only inside the
folder it is given, returns the paths it wrote (all existing), and writes byte-identical
files for the same session (docs/plugins.md)::

    from logos.testing.reporters import ReporterContract

    class TestJsonSummaryContract(ReporterContract):
        def make_reporter(self):
            return JsonSummary()
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import ClassVar

from logos.components import Component, ComponentKind
from logos.domain import Account
from logos.reports import Reporter
from logos.reports.result import SessionResult
from logos.testing.components import ComponentContract
from logos.testing.run import run_backtest


@cache
def sample_result() -> SessionResult:
    """The result of a backtest of the NVIDIA sample bars (``buy_and_hold``, paper broker),
    made once per test process."""
    return run_backtest().result


class ReporterContract(ComponentContract):
    """Behaviour every reporter must have. Subclass it; override :meth:`make_reporter`."""

    kind: ClassVar[ComponentKind] = ComponentKind.REPORTER

    def make_reporter(self) -> Reporter:
        """A fresh reporter with the params to check (override)."""
        raise NotImplementedError("override make_reporter() in your ReporterContract subclass")

    def component_class(self) -> type[Component]:
        """The class of :meth:`make_reporter`'s reporter."""
        return type(self.make_reporter())

    def make_result(self) -> SessionResult:
        """The session to report on (override to use your own run)."""
        return sample_result()

    def test_is_a_reporter(self) -> None:
        reporter = self.make_reporter()
        assert isinstance(reporter, Reporter), f"{type(reporter).__mro__} lacks Reporter"

    def test_on_slice_takes_every_account(self) -> None:
        reporter = self.make_reporter()
        result = self.make_result()
        peak = result.starting_cash
        for ts, values in result.account.rows():
            fields = {k: v for k, v in values.items() if k in Account._fields}
            peak = max(peak, fields["equity"])  # the history keeps the drawdown, not the peak
            account = Account(ts=ts, currency=result.currency, peak_equity=peak, **fields)
            reporter.on_slice(ts, account)

    def test_on_fill_and_on_guard_trip_take_every_event(self) -> None:
        reporter = self.make_reporter()
        result = self.make_result()
        for fill in result.fills:
            reporter.on_fill(fill)
        for trip in result.guard_trips:
            reporter.on_guard_trip(trip)

    def test_writes_what_it_returns_inside_the_folder(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        out.mkdir()
        paths = self.make_reporter().write(self.make_result(), out)
        assert isinstance(paths, list), paths
        for path in paths:
            assert Path(path).exists(), f"write() returned {path}, which does not exist"
            assert Path(path).resolve().is_relative_to(out.resolve()), f"{path} is outside {out}"
        written = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
        returned = sorted(Path(p).resolve().relative_to(out.resolve()) for p in paths)
        assert written == returned, "write() must return every file it wrote"

    def test_same_session_same_bytes(self, tmp_path: Path) -> None:
        contents = []
        for name in ("a", "b"):
            out = tmp_path / name
            out.mkdir()
            paths = self.make_reporter().write(self.make_result(), out)
            contents.append({Path(p).name: Path(p).read_bytes() for p in paths})
        assert contents[0].keys() == contents[1].keys()
        for name in contents[0]:
            assert contents[0][name] == contents[1][name], f"{name} differs between two writes"
