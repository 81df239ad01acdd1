"""Benchmark ``logos sweep``: trials per second on 1 and 2 local workers, and the per-trial
overhead over a bare backtest of the same size.

    python bench/bench_sweep.py                                # 400-point grid, 100,000 bars
    python bench/bench_sweep.py --bars 20000 --fast 5:50:5 --slow 20:200:20   # 90 points

The grid is ``sma_cross`` over ``--fast`` × ``--slow`` with ``fast < slow`` (default
5:100:5 × 110:300:10, 400 points) on one symbol of ``--bars`` deterministic one-minute bars
(bench/generate_bars.py), fixed_qty 1, fee 10 bps. Each worker count runs the real console
script (``logos sweep ... --workers N --no-progress``) in a subprocess; its wall time
includes starting the interpreter and the cluster. The bare backtests are the same trials
run one after the other in this process with the bars already read: what they cost with no
Dask around them. Overhead per trial = (wall time on one worker − bare time) ÷ trials, split
into the time inside trials (results.csv's ``wall_s``, measured on the worker) and the time
outside them (starting the interpreter and the cluster, scheduling, recording).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
LOGOS = Path(sys.executable).with_name("logos")
CONFIG = """\
symbols = ["SYM"]
[feed]
name = "replay"
params = {{ path = "{data}" }}
[broker]
name = "paper"
params = {{ cash = "100000", fee_bps = "10", slippage_bps = "0" }}
[strategy]
name = "sma_cross"
params = {{ fast = 10, slow = 30 }}
[sizing]
name = "fixed_qty"
params = {{ qty = "1" }}
"""


def bare_backtests_s(config: Path, points: list[dict[str, int]]) -> float:
    """The same backtests one after the other in this process, no Dask, bars read once
    beforehand: their total wall time."""
    from logos.config import anchor_paths, read_config_file
    from logos.sweep.trials import SweepBase, Trial, run_trial

    raw = read_config_file(config)
    anchor_paths(raw, config.parent)
    base = SweepBase(raw, str(config), False)
    run_trial(base, Trial(0, points[0]))  # reads the bars
    started = time.perf_counter()
    for number, point in enumerate(points):
        outcome = run_trial(base, Trial(number, point))
        assert outcome.status == "ok", outcome.error
    return time.perf_counter() - started


def sweep_s(config: Path, workers: int, fast: str, slow: str, work: Path) -> tuple[float, float]:
    """Wall time of the whole ``logos sweep`` command, and the time spent inside trials
    (the sum of results.csv's ``wall_s``)."""
    out = work / f"sweep-{workers}"
    shutil.rmtree(out, ignore_errors=True)
    argv = [str(LOGOS), "sweep", str(config), "--param", f"fast={fast}", "--param",
            f"slow={slow}", "--where", "fast < slow", "--workers", str(workers),
            "--no-progress", "--out", str(out)]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    with (out / "results.csv").open(newline="") as fh:
        inside = sum(float(row["wall_s"]) for row in csv.DictReader(fh))
    return wall, inside


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=100_000)
    parser.add_argument("--fast", default="5:100:5")
    parser.add_argument("--slow", default="110:300:10")
    args = parser.parse_args()
    from logos.sweep.constraint import parse_constraint
    from logos.sweep.params import parse_params
    from logos.sweep.search import grid_points

    ranges = parse_params([f"fast={args.fast}", f"slow={args.slow}"])
    points = grid_points(ranges, parse_constraint("fast < slow", ["fast", "slow"]))
    trials = len(points)
    data = HERE / "out" / f"one_{args.bars}.csv"
    if not data.exists():
        data.parent.mkdir(exist_ok=True)
        generate = [sys.executable, str(HERE / "generate_bars.py"), str(data)]
        subprocess.run([*generate, "--bars", str(args.bars)], check=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        config = work / "sweep.toml"
        config.write_text(CONFIG.format(data=data))
        runs = {n: sweep_s(config, n, args.fast, args.slow, work) for n in (1, 2)}
        bare = bare_backtests_s(config, points)
    print(f"{trials} trials of sma_cross on {args.bars:,} bars")
    print(f"  bare backtests, one process, no Dask: {bare:.1f} s, {trials / bare:.2f} trials/s")
    for workers, (wall, inside) in runs.items():
        print(
            f"  {workers} worker(s): {wall:.1f} s, {trials / wall:.2f} trials/s "
            f"({inside:.1f} s inside trials, summed over workers)"
        )
    print(f"  speed-up 2 vs 1 worker: {runs[1][0] / runs[2][0]:.2f}x")
    wall, inside = runs[1]
    print(
        f"  1 worker vs bare: {(wall - bare) / trials:+.3f} s a trial in all; "
        f"{(inside - bare) / trials:+.3f} s inside trials, {wall - inside:.1f} s outside them"
    )


if __name__ == "__main__":
    main()
