"""Build a runnable session from a validated run config, run it, and write its artifacts."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pandas as pd

from logos.broker_modes import build_broker
from logos.config import ValidatedConfig
from logos.domain import Bar, SymbolMeta
from logos.engine import Engine, ProgressCallback, RiskHooks, SessionParts
from logos.errors import ConfigError, DataError, LogosError
from logos.feeds.base import Feed, timeframe_label
from logos.feeds.replay import ReplayFeed
from logos.metadata import metas_for_data
from logos.plugins import Registry
from logos.reports import DEFAULT_REPORTERS, Reporter
from logos.reports.dispatch import guard_reporters, write_reports
from logos.reports.prices import PriceSampler
from logos.reports.result import SessionResult
from logos.reports.warnings import SignalTally, note_data_report, session_warnings
from logos.risk import RiskGuard, RiskManager
from logos.sizing import OrderTranslator
from logos.strategies.base import Strategy
from logos.strategies.chunked import ChunkedSignals, signal_source
from logos.strategies.targets import Protection


@dataclass
class Session:
    """A built session: the engine with its parts, and the feed it reads."""

    config: ValidatedConfig
    engine: Engine
    feed: Feed
    timeframe_given: bool = True

    @property
    def reporters(self) -> list[Reporter]:
        """The reporters that write the artifacts."""
        return self.engine.parts.reporters


def _metas(feed: Feed, config: ValidatedConfig) -> dict[str, SymbolMeta]:
    """Metadata beside the replay data, then the config's own (which wins per symbol)."""
    metas: dict[str, SymbolMeta] = {}
    if isinstance(feed, ReplayFeed):
        metas.update(metas_for_data(Path(feed.params.path).expanduser()))
    metas.update(config.metas)
    return metas


def _summary(config: ValidatedConfig) -> dict[str, str]:
    run = config.run

    def params(component: object) -> str:
        values = component.params.model_dump(exclude_none=True)  # type: ignore[attr-defined]
        return ", ".join(f"{k}={v}" for k, v in values.items()) or "-"

    return {
        "mode": run.mode.value,
        "symbols": ", ".join(run.symbols),
        "timeframe": run.timeframe,
        "feed": f"{config.feed.name} ({params(config.feed)})",
        "broker": f"{config.broker.name} ({params(config.broker)})",
        "strategy": f"{config.strategy.name} ({params(config.strategy)})",
        "sizing": f"{config.sizing.name} ({params(config.sizing)})",
        "risk guards": "; ".join(f"{r.name} ({params(r)})" for r in config.risk) or "none",
        "exits": _exits_summary(run.exits),
    }


def _exits_summary(exits: Protection | None) -> str:
    """The config's ``[exits]`` as one line (``none`` without)."""
    if exits is None:
        return "none"
    parts = [
        f"{name}="
        + ", ".join(f"{k}={v}" for k, v in spec.model_dump(exclude_defaults=True).items())
        for name, spec in (
            ("stop_loss", exits.stop_loss),
            ("take_profit", exits.take_profit),
            ("trailing", exits.trailing),
        )
        if spec is not None
    ]
    return "; ".join(parts)


def build_session(
    config: ValidatedConfig,
    registry: Registry,
    *,
    timeframe_given: bool = True,
    run_dir: Path | None = None,
    environ: Mapping[str, str] | None = None,
    spool_dir: Path | None = None,
) -> Session:
    """Instantiate the feed, broker, one strategy per symbol, sizing, risk guards and
    reporters.

    ``timeframe_given=False`` (the config did not set one): a replay run takes the bar
    interval from the data instead of the default ``1m``. ``run_dir`` is the session's
    folder (where the kill switch looks for a ``KILL`` file). The broker is built for the
    config's mode (:mod:`logos.broker_modes`); a live one reads its credentials from
    ``environ`` (default: the process environment). ``spool_dir`` is where the session's
    outputs are spooled on disk while it runs (default: the system's temporary folder).
    """
    run = config.run
    feed = config.feed.build()
    if not isinstance(feed, Feed):
        raise LogosError(f"feed '{config.feed.name}' is not a Feed")
    metas = _metas(feed, config)
    missing = [s for s in run.symbols if metas and s not in metas]
    if missing:
        raise ConfigError(
            [f"symbols: no symbol metadata for {', '.join(missing)} (known: {', '.join(metas)})"]
        )
    broker = build_broker(config, metas.values(), os.environ if environ is None else environ)
    # a venue broker's own metadata (its assets, its markets) is what its orders must meet
    # (for every symbol of the run: a live feed has no metadata file of its own)
    for symbol in run.symbols:
        venue_meta = broker.symbol_meta(symbol)
        if venue_meta is not None:
            metas[symbol] = venue_meta
    strategies: dict[str, Strategy] = {}
    for symbol in run.symbols:
        strategy = config.strategy.build()
        if not isinstance(strategy, Strategy):
            raise LogosError(f"strategy '{config.strategy.name}' is not a Strategy")
        strategies[symbol] = strategy
    translator = OrderTranslator(
        config.sizing.name,
        config.sizing.params,
        metas=metas,
        session_id=run.session_id,
        strategy_name=config.strategy.name,
        symbols=run.symbols,
    )
    parts = SessionParts(
        session_id=run.session_id,
        mode=run.mode.value,
        symbols=list(run.symbols),
        strategies=strategies,
        translator=translator,
        broker=broker,
        reporters=build_reporters(config, registry),
        risk=_risk(config),
        config_summary=_summary(config),
        run_dir=run_dir,
        exits=run.exits,
        spool_dir=spool_dir,
    )
    return Session(config, Engine(parts), feed, timeframe_given)


def build_reporters(config: ValidatedConfig, registry: Registry) -> list[Reporter]:
    """The config's reporters, or the default ones (CSV artifacts and session.md), each
    guarded: one that raises is reported and disabled (:mod:`logos.reports.dispatch`)."""
    if not config.reporters:
        return default_reporters(registry)
    reporters: list[Reporter] = []
    for ref in config.reporters:
        reporter = ref.build()
        if not isinstance(reporter, Reporter):
            raise LogosError(f"reporter '{getattr(ref, 'name', ref)}' is not a Reporter")
        reporters.append(reporter)
    return guard_reporters(reporters)


def _risk(config: ValidatedConfig) -> RiskHooks:
    """The configured guards in a :class:`RiskManager` (the no-op base when none)."""
    guards: list[RiskGuard] = []
    for ref in config.risk:
        guard = ref.build()
        if not isinstance(guard, RiskGuard):
            raise LogosError(f"risk guard '{ref.name}' is not a RiskGuard")
        guards.append(guard)
    return RiskManager(guards) if guards else RiskHooks()


def default_reporters(registry: Registry) -> list[Reporter]:
    """The reporters a config without ``[[reporters]]`` gets (CSV artifacts, session.md)."""
    reporters: list[Reporter] = []
    for name in DEFAULT_REPORTERS:
        reporter = registry.get("reporter", name)()
        if not isinstance(reporter, Reporter):
            raise LogosError(f"reporter '{name}' is not a Reporter")
        reporters.append(reporter)
    return guard_reporters(reporters)


def run_session(
    session: Session,
    *,
    stepwise: bool = False,
    progress: ProgressCallback | None = None,
    restore: Callable[[Engine], None] | None = None,
    feed_wrapper: Callable[[Feed], Feed] | None = None,
) -> SessionResult:
    """Run the session through the engine's one loop.

    Over a replay feed, the data is first scanned (validated, its timeframe, gaps and number
    of slices found) and then streamed chunk by chunk (docs/feeds.md): a backtest computes
    each strategy's signals with ``signals()`` on each chunk as it is read
    (:mod:`logos.strategies.chunked`) unless ``stepwise`` asks for them bar by bar
    (``update()``), as a paper or live session computes them; the orders, fills and account
    rows come from the same loop and broker either way. What the reports need of the bars
    (a bounded sample of each symbol's closes, the signal tallies behind the warnings) is
    gathered from the same chunks, so memory does not grow with the data (beyond the chunks a
    replay feed's scan keeps for the run, at most :data:`~logos.feeds.replay.KEEP_BYTES`). A restart
    (:mod:`logos.state.resume`) passes ``restore`` to the engine and wraps the feed with
    ``feed_wrapper`` (the journaled slices come first).
    """
    engine, feed, run = session.engine, session.feed, session.config.run
    strategies = engine.parts.strategies
    timeframe: str | timedelta = run.timeframe
    signals: dict[str, Callable[[Bar], float]] | None = None
    total: int | None = None
    sampler: PriceSampler | None = None
    tally: SignalTally | None = None
    if isinstance(feed, ReplayFeed):
        report = feed.scan(run.symbols, run.timeframe if session.timeframe_given else None)
        if not any(report.bars.get(symbol) for symbol in run.symbols):
            raise DataError(f"{feed.params.path}: no bars for {', '.join(run.symbols)}")
        timeframe = report.timeframe or run.timeframe
        if not session.timeframe_given and isinstance(timeframe, timedelta):
            engine.parts.config_summary["timeframe"] = (
                f"{timeframe_label(timeframe)} (from the data)"
            )
        total = report.slices
        # a restart warms the strategies up on its journaled bars before the feed reads any
        # chunk: it asks them bar by bar (the same numbers, by the strategy contract)
        if not stepwise and restore is None:
            signals = {s: signal_source(s, strategies[s]) for s in run.symbols}
            tallied = signals
        else:  # asked bar by bar: a second instance computes what the warnings need
            tallied = {s: signal_source(s, session.config.strategy.build()) for s in run.symbols}
        sampler, tally = PriceSampler(run.symbols), SignalTally(run.symbols)
        feed.add_chunk_listener(_chunk_listener(signals, tallied, sampler, tally))
    run_feed = feed_wrapper(feed) if feed_wrapper is not None else feed
    if progress is not None:
        progress(0, total)
    result = engine.run(
        run_feed, timeframe, signals=signals, progress=progress, total=total, restore=restore
    )
    if isinstance(feed, ReplayFeed):
        note_data_report(result, feed.report)
    if sampler is not None:
        result.prices = sampler.series()
    result.warnings = session_warnings(result, strategies, tally)
    return result


def _chunk_listener(
    signals: Mapping[str, Callable[[Bar], float]] | None,
    tallied: Mapping[str, Callable[[Bar], float]],
    sampler: PriceSampler,
    tally: SignalTally,
) -> Callable[[str, pd.DataFrame], None]:
    """What each chunk of bars the replay feed reads goes to: the symbol's signals (when
    the run takes them from the series; else ``tallied`` computes them for the tally
    only), the price sample for the charts, the signal tally behind the warnings."""

    def on_chunk(symbol: str, frame: pd.DataFrame) -> None:
        source = tallied.get(symbol)
        values = None
        if isinstance(source, ChunkedSignals):
            used = signals is not None and signals.get(symbol) is source
            values = source.add(frame) if used else source.compute(frame)
        sampler.add(symbol, frame)
        tally.add(symbol, frame, values)

    return on_chunk


def write_artifacts(session: Session, result: SessionResult, out_dir: Path) -> list[Path]:
    """Every reporter writes into ``out_dir`` (created if needed)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return write_reports(session.reporters, result, out_dir)
