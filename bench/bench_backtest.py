"""Benchmark ``logos backtest``: wall time, peak memory and bars/s of the whole command.

    python bench/bench_backtest.py [--bars 1000000] [--symbols-bars 100000] [--work DIR]
    python bench/bench_backtest.py --checkout /tmp/old --checkout .   # A/B, alternating

Each case runs ``--repeat`` times (default 3); the median wall time is reported with the
range. Generates the bars deterministically (bench/generate_bars.py, seeded), then runs the real
console script in a subprocess per case and reads that child's peak RSS from
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` (each case in a fresh measuring process,
so peaks do not carry over). Cases: 1 symbol × ``--bars`` and 10 symbols × ``--symbols-bars``,
both ``sma_cross`` (fast 10, slow 30), fixed_qty 1, fee 10 bps.

``--checkout DIR`` (repeatable) runs the ``logos`` package of that checkout (put first on
``PYTHONPATH``) instead of the installed one; with several, the runs alternate between them
(A, B, A, B, ...) so that both see the same machine, and each gets its own median.
``--guards`` adds, for each checkout, a run with the risk guards of :data:`GUARDS` on,
alternating with the runs without them (the guards' cost). ``--only one`` (or ``ten``) runs
one case. ``--only scale`` runs a universe of 50 symbols (one account) at each of
``--scale-bars`` bars per symbol (default 20,000, 100,000 and 525,600: 1M, 5M and 26.3M bars,
a year of minutes): the peak memory must stay flat as the bars grow.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOGOS = Path(sys.executable).with_name("logos")
GUARDS = [
    "--risk", "max_drawdown:limit=0.5",
    "--risk", "max_gross_exposure:equity_multiple=1",
    "--risk", "kill_switch",
]  # fmt: skip
"""The guards of ``--guards``: loose enough that none trips on the bench data, so every
slice and order pays for being checked."""
SCALE_SYMBOLS = 50
"""Symbols of the ``--only scale`` cases (a universe: one account, cash shared)."""


def generate(out: Path, bars: int, symbols: int) -> None:
    """Write the bench data once (skipped when it is already there)."""
    marker = out.with_name(out.name + f".{bars}x{symbols}.done")
    if marker.exists():
        return
    cmd = [sys.executable, str(HERE / "generate_bars.py"), str(out), "--bars", str(bars)]
    subprocess.run([*cmd, "--symbols", str(symbols)], check=True)
    marker.touch()


def measure(argv: list[str], checkout: Path | None = None) -> dict[str, float]:
    """Run ``argv`` in a child that reports its own child's wall time and peak RSS."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "wall = time.perf_counter() - t\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(wall, rss)\n"
    )
    env = dict(os.environ)
    if checkout is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(checkout.resolve()), *filter(None, [env.get("PYTHONPATH")])]
        )
    done = subprocess.run(
        [sys.executable, "-c", probe, *argv], check=True, capture_output=True, text=True, env=env
    )
    wall, rss_kb = done.stdout.split()
    return {"wall_s": float(wall), "peak_rss_mb": int(rss_kb) / 1024}


def summarize(runs: list[dict[str, float]], bars: int, out: Path) -> dict[str, float]:
    """Median wall time with its range, the largest peak RSS, bars/s and fills of one case."""
    walls = sorted(r["wall_s"] for r in runs)
    result = {
        "wall_s": statistics.median(walls),
        "wall_min_s": walls[0],
        "wall_max_s": walls[-1],
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "runs": len(runs),
    }
    result["bars_per_s"] = bars / result["wall_s"]
    result["fills"] = sum(1 for _ in (out / "trades.csv").open()) - 1
    return result


def report(label: str, result: dict[str, float]) -> str:
    """One line of the bench's output."""
    return (
        f"{label:32s} wall {result['wall_s']:6.2f} s (median of {result['runs']:.0f}: "
        f"{result['wall_min_s']:.2f}-{result['wall_max_s']:.2f})   "
        f"peak {result['peak_rss_mb']:7.0f} MB   {result['bars_per_s']:10,.0f} bars/s   "
        f"{result['fills']:,.0f} fills"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--symbols-bars", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median reported)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--checkout",
        type=Path,
        action="append",
        help="run this checkout's logos (repeat to alternate between several)",
    )
    parser.add_argument("--guards", action="store_true", help="also run with risk guards on")
    parser.add_argument(
        "--only",
        choices=["one", "ten", "scale"],
        help="run one case only (scale: the 50-symbol cases of --scale-bars)",
    )
    parser.add_argument(
        "--scale-bars",
        type=int,
        nargs="+",
        default=[20_000, 100_000, 525_600],
        help="bars per symbol of the 50-symbol cases run by --only scale",
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    single = args.work / f"one_{args.bars}.csv"
    multi = args.work / f"ten_{args.symbols_bars}"
    if args.only in (None, "one"):
        generate(single, args.bars, 1)
    if args.only in (None, "ten"):
        generate(multi, args.symbols_bars, 10)
    common = ["--strategy", "sma_cross", "--param", "fast=10", "--param", "slow=30"]
    common += ["--sizing", "fixed_qty", "--qty", "1", "--fee-bps", "10", "--slippage-bps", "0"]
    common += ["--cash", "100000", "--no-progress"]
    cases = {
        f"1 symbol x {args.bars:,} bars": (
            [str(LOGOS), "backtest", "--data", str(single), "--symbol", "SYM", *common],
            args.bars,
        ),
        f"10 symbols x {args.symbols_bars:,} bars": (
            [str(LOGOS), "backtest", "--data", str(multi)]
            + [a for i in range(10) for a in ("--symbol", f"SYM{i}")]
            + common,
            10 * args.symbols_bars,
        ),
    }
    if args.only == "scale":
        cases = {}
        for per_symbol in args.scale_bars:
            folder = args.work / f"fifty_{per_symbol}"
            generate(folder, per_symbol, SCALE_SYMBOLS)
            symbols = [a for i in range(SCALE_SYMBOLS) for a in ("--symbol", f"SYM{i}")]
            cases[f"{SCALE_SYMBOLS} symbols x {per_symbol:,} bars"] = (
                [str(LOGOS), "backtest", "--data", str(folder), *symbols, *common],
                SCALE_SYMBOLS * per_symbol,
            )
    elif args.only is not None:
        cases = {
            k: v for k, v in cases.items() if k.startswith("1 " if args.only == "one" else "10 ")
        }
    checkouts: list[Path | None] = list(args.checkout or [None])
    variants = [(c, False) for c in checkouts] + [(c, True) for c in checkouts if args.guards]
    results = {}
    for case, (name, (argv, bars)) in enumerate(cases.items()):
        runs: dict[tuple[Path | None, bool], list[dict[str, float]]] = {v: [] for v in variants}
        outs = {v: args.work / f"out_{case}_{i}" for i, v in enumerate(variants)}
        for _ in range(max(1, args.repeat)):
            for variant in variants:
                checkout, guards = variant
                command = [*argv, *(GUARDS if guards else []), "--out", str(outs[variant])]
                shutil.rmtree(outs[variant], ignore_errors=True)  # logos never overwrites a run
                runs[variant].append(measure(command, checkout))
        for (checkout, guards), measured in runs.items():
            label = name + (", guards on" if guards else "")
            label += "" if checkout is None else f" [{checkout}]"
            results[label] = summarize(measured, bars, outs[(checkout, guards)])
            print(report(label, results[label]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
