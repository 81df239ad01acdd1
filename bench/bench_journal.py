"""Benchmark the session journal: ``JsonlJournal`` write throughput and a whole ``logos trade``.

    python bench/bench_journal.py [--events 100000] [--fsync-events 5000] [--bars 100000]
    python bench/bench_journal.py --only write            # the journal alone, seconds
    python bench/bench_journal.py --only trade --repeat 3 # trade vs backtest
    python bench/bench_journal.py --only trade --profile  # + one trade run under cProfile
    python bench/bench_journal.py --only encoder --events 30000 --repeat 5  # json vs orjson

``write``: one :class:`logos.state.journal.JsonlJournal` per case in ``--work``, fed the same
record over and over (an ``order`` transition with its 13-field order, a ``slice`` of 10 bars
as strings, an ``account`` of 9 decimal strings, and the three in turn, as a session makes
them), with ``sync_every`` 1 (an ``fsync`` per record; ``--fsync-events`` records, since each
waits for the disk), 256 and 4096 (``--events`` records); events/s = records ÷ the time from
the first ``write`` to ``close`` (which syncs). Each case runs ``--repeat`` times, median
reported.

``trade``: the real console script on 10 symbols × ``--bars`` one-minute bars
(bench/generate_bars.py), ``sma_cross`` fast 10 slow 30, fixed_qty 1, fee 10 bps:
``logos trade ... --run-dir DIR`` (journal, snapshots, artifacts) alternating with
``logos backtest ... --out DIR`` (the same loop and signals, no journal), ``--repeat`` times
each (the machine's speed drifts; alternate and compare medians). Slice-symbols/s =
10 × ``--bars`` ÷ wall time of the whole command. Each run folder is deleted first: logos
never overwrites a run, and ``trade`` would resume one. ``--profile`` then runs one ``trade``
under cProfile and prints the top functions by cumulative and by own time, and the own time
summed per area (journal/keeper/snapshot, engine, broker, strategy, ...).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench_backtest import GUARDS, LOGOS, generate, measure

from logos.state.journal import JsonlJournal

HERE = Path(__file__).resolve().parent
SYMBOLS = 10
REASON = "sma_cross signal 1.0 for SYM0; fixed_qty: 1 × qty 1 = 1; position 0, working 0 → order 1"


def records() -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """The records of each ``write`` case, as the engine makes them (strings, not Decimals)."""
    ts = "2020-01-01T00:29:00Z"
    order = {
        "order_id": "P-000001", "client_order_id": "session-31", "symbol": "SYM0",
        "side": "buy", "type": "market", "qty": "1", "limit_price": None,
        "time_in_force": "gtc", "status": "NEW", "filled_qty": "0", "avg_fill_price": None,
        "ts_created": ts, "ts_updated": ts, "reason": REASON,
    }  # fmt: skip
    order_record = {
        "order_id": "P-000001", "client_order_id": "session-31", "old": None, "new": "NEW",
        "reason": REASON, "ts": ts, "order": order,
    }  # fmt: skip
    bars = [
        [f"SYM{i}", "100.03", "100.11", "99.94", "100.05", f"{688 + i}.0"] for i in range(SYMBOLS)
    ]
    slice_record = {"bars": bars, "feed_events": []}
    account_record = {
        "cash": "99899.95", "equity": "99999.98", "gross_exposure": "100.03",
        "net_exposure": "100.03", "realized_pnl": "-0.07", "unrealized_pnl": "-0.02",
        "fees": "0.10", "drawdown": "0.0000012000000144000001728", "peak_equity": "100000.10",
    }  # fmt: skip
    one = {
        "order": ("order", order_record),
        "slice": ("slice", slice_record),
        "account": ("account", account_record),
    }
    cases = {name: [rec] for name, rec in one.items()}
    cases["mix"] = [one["slice"], one["order"], one["account"]]
    return cases


def write_rate(path: Path, cycle: list[tuple[str, dict[str, Any]]], n: int, every: int) -> float:
    """Events/s of ``n`` writes (cycling through ``cycle``) with ``sync_every=every``."""
    path.unlink(missing_ok=True)
    journal = JsonlJournal(path, sync_every=every)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    stamps = [start + timedelta(minutes=i) for i in range(n)]
    k = len(cycle)
    t = time.perf_counter()
    for i in range(n):
        type_, data = cycle[i % k]
        journal.write(type_, stamps[i], data)
    journal.close()
    wall = time.perf_counter() - t
    path.unlink()
    return n / wall


def bench_write(args: argparse.Namespace) -> dict[str, Any]:
    """Every record case × sync_every, medians of ``--repeat``."""
    path = args.work / "journal_bench.jsonl"
    results: dict[str, Any] = {}
    cases = records()
    for every in (1, 256, 4096):
        n = args.fsync_events if every == 1 else args.events
        for name, cycle in cases.items():
            rates = sorted(write_rate(path, cycle, n, every) for _ in range(max(1, args.repeat)))
            line = sum(len(json.dumps(d, separators=(",", ":"))) + 60 for _, d in cycle) / len(
                cycle
            )
            label = f"{name:7s} sync_every={every:<5d}"
            results[label] = {"events_per_s": statistics.median(rates), "min": rates[0]}
            results[label].update(max=rates[-1], events=n, approx_line_bytes=line)
            print(
                f"{label}  {statistics.median(rates):10,.0f} events/s (median of {len(rates)}: "
                f"{rates[0]:,.0f}-{rates[-1]:,.0f})   {n:,} events, ~{line:.0f} B/line"
            )
    return results


def bench_encoder(args: argparse.Namespace) -> dict[str, Any]:
    """The line encoder alone, A/B in one process: the standard library's ``json`` (what the
    journal used before orjson) against the journal's own, alternating, ``--repeat`` rounds
    of ``--events`` ``mix`` records through a real :class:`JsonlJournal` (sync_every 4096)."""
    import logos.state.journal as journal_module

    encoder = json.JSONEncoder(separators=(",", ":"), default=journal_module._text)

    def stdlib_line(seq: int, type: str, ts: str, data: dict[str, Any]) -> bytes:
        line = {"v": journal_module.SCHEMA_VERSION, "seq": seq, "type": type, "ts": ts}
        return (encoder.encode({**line, "data": data}) + "\n").encode()

    encoders = {"json": stdlib_line, "orjson": journal_module._line}
    mix = records()["mix"]
    ts = datetime(2020, 1, 1, tzinfo=UTC)
    times: dict[str, list[float]] = {name: [] for name in encoders}
    try:
        for round_ in range(max(1, args.repeat)):
            for name, line in encoders.items():
                journal_module._line = line
                path = args.work / f"encoder_{name}_{round_}.jsonl"
                path.unlink(missing_ok=True)
                journal = JsonlJournal(path, sync_every=4096)
                start = time.perf_counter()
                for i in range(args.events):
                    type, data = mix[i % len(mix)]
                    journal.write(type, ts, data)
                journal.close()
                times[name].append(time.perf_counter() - start)
                path.unlink()
    finally:
        journal_module._line = encoders["orjson"]
    results = {}
    for name, walls in times.items():
        wall = statistics.median(walls)
        results[name] = {
            "records_per_s": args.events / wall,
            "us_per_record": wall / args.events * 1e6,
        }
        print(
            f"encoder {name:7s} {args.events / wall:10,.0f} records/s "
            f"({wall / args.events * 1e6:.1f} µs/record; median of {len(walls)}, "
            f"{min(walls):.3f}-{max(walls):.3f} s)"
        )
    return results


def trade_commands(data: Path, guards: bool = False) -> tuple[list[str], list[str]]:
    """``logos trade`` (journal on) and ``logos backtest`` on the same run (with the risk
    guards of bench_backtest's ``GUARDS`` when ``guards``)."""
    common = ["--data", str(data)]
    if guards:
        common += GUARDS
    common += [a for i in range(SYMBOLS) for a in ("--symbol", f"SYM{i}")]
    common += ["--strategy", "sma_cross", "--param", "fast=10", "--param", "slow=30"]
    common += ["--sizing", "fixed_qty", "--qty", "1", "--fee-bps", "10", "--slippage-bps", "0"]
    common += ["--cash", "100000", "--timeframe", "1m"]
    trade = [str(LOGOS), "trade", *common]
    backtest = [str(LOGOS), "backtest", *common, "--no-progress"]
    return trade, backtest


def journal_counts(path: Path) -> Counter[str]:
    """Records per type in a journal."""
    counts: Counter[str] = Counter()
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            counts[line[line.index('"type":"') + 8 :].split('"', 1)[0]] += 1
    return counts


def bench_trade(args: argparse.Namespace, data: Path) -> dict[str, Any]:
    """Alternate trade and backtest; medians, journal size and record counts."""
    trade, backtest = trade_commands(data, args.guards)
    outs = {"trade": args.work / "trade_run", "backtest": args.work / "stepwise_run"}
    argvs = {
        "trade": [*trade, "--run-dir", str(outs["trade"])],
        "backtest": [*backtest, "--out", str(outs["backtest"])],
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in argvs}
    for _ in range(max(1, args.repeat)):
        for name, argv in argvs.items():
            shutil.rmtree(outs[name], ignore_errors=True)  # never overwritten; trade would resume
            runs[name].append(measure(argv))
    work = SYMBOLS * args.bars
    results: dict[str, Any] = {}
    for name, measured in runs.items():
        walls = sorted(r["wall_s"] for r in measured)
        wall = statistics.median(walls)
        result = {"wall_s": wall, "wall_min_s": walls[0], "wall_max_s": walls[-1]}
        result["peak_rss_mb"] = max(r["peak_rss_mb"] for r in measured)
        result["slice_symbols_per_s"] = work / wall
        result["fills"] = sum(1 for _ in (outs[name] / "trades.csv").open()) - 1
        results[name] = result
        print(
            f"{name:20s} wall {wall:6.2f} s (median of {len(walls)}: {walls[0]:.2f}-"
            f"{walls[-1]:.2f})   peak {result['peak_rss_mb']:5.0f} MB   "
            f"{result['slice_symbols_per_s']:8,.0f} slice-symbols/s   {result['fills']:,} fills"
        )
    journal = outs["trade"] / "state.jsonl"
    counts = journal_counts(journal)
    results["journal"] = {
        "bytes": journal.stat().st_size,
        "snapshot_bytes": (outs["trade"] / "state.json").stat().st_size,
        "records": dict(counts),
    }
    print(
        f"journal {journal.stat().st_size / 1e6:,.1f} MB, {sum(counts.values()):,} records "
        f"({', '.join(f'{k} {v:,}' for k, v in counts.most_common())}); last snapshot "
        f"{results['journal']['snapshot_bytes'] / 1e6:,.1f} MB"
    )
    return results


AREAS = [
    ("journal/keeper/snapshot", ("logos/state/",)),
    ("json (encoder)", ("json/",)),
    ("engine", ("logos/engine",)),
    ("broker/ledger/lifecycle", ("logos/brokers/", "logos/ledger", "logos/lifecycle")),
    ("strategy/sizing/signals", ("logos/strateg", "logos/sizing", "logos/signals")),
    ("feed", ("logos/feeds/",)),
    ("pydantic", ("pydantic",)),
    ("pandas/numpy/pyarrow", ("pandas/", "numpy/", "pyarrow/")),
]


def area(filename: str, name: str) -> str:
    """The area a profiled function belongs to (by its file; builtins by their name)."""
    where = filename if filename != "~" else name
    for label, needles in AREAS:
        if any(n in where for n in needles):
            return label
    if "fsync" in name or ("replace" in name and filename == "~"):
        return "os (fsync, rename)"
    if "logos/" in where:
        return "logos, other"
    return "other (builtins, stdlib)"


def bench_profile(args: argparse.Namespace, data: Path) -> None:
    """One ``logos trade`` in this process under cProfile: top functions and time per area."""
    from logos.cli.app import app  # the console script's entry point

    trade, _ = trade_commands(data)
    run_dir = args.work / "trade_profile"
    shutil.rmtree(run_dir, ignore_errors=True)
    argv = [*trade[1:], "--run-dir", str(run_dir)]
    profile = cProfile.Profile()
    saved, sys.stdout = sys.stdout, io.StringIO()
    try:
        profile.runcall(app, argv, standalone_mode=False)
    finally:
        sys.stdout = saved
    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    for key in ("cumulative", "tottime"):
        print(f"\n--- top {args.top} by {key} (profiled total {total:.1f} s) ---")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(key).print_stats(args.top)
        print(out.getvalue().split("ncalls", 1)[-1].rstrip())
    own: Counter[str] = Counter()
    for (filename, _, name), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        own[area(filename, name)] += tottime
    print(f"\n--- own time per area (profiled total {total:.1f} s) ---")
    for label, seconds in own.most_common():
        print(f"{label:28s} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    if args.profile_out:
        stats.dump_stats(str(args.profile_out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000, help="records per batched case")
    parser.add_argument("--fsync-events", type=int, default=5_000, help="records, sync_every=1")
    parser.add_argument("--bars", type=int, default=100_000, help="bars per symbol (trade)")
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median reported)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--only", choices=["write", "trade", "encoder"], help="run one measurement only"
    )
    parser.add_argument("--profile", action="store_true", help="also profile one trade run")
    parser.add_argument("--guards", action="store_true", help="trade and backtest with guards")
    parser.add_argument("--top", type=int, default=25, help="functions listed per profile")
    parser.add_argument("--profile-out", type=Path, help="also dump the profile (pstats)")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    if args.only in (None, "write"):
        results["write"] = bench_write(args)
    if args.only == "encoder":
        results["encoder"] = bench_encoder(args)
    if args.only in (None, "trade"):
        data = args.work / f"ten_{args.bars}"
        generate(data, args.bars, SYMBOLS)
        results["trade"] = bench_trade(args, data)
        if args.profile:
            bench_profile(args, data)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
