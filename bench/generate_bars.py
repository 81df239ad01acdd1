"""Deterministic one-minute bars for the benchmark: a seeded random walk, prices with 2 decimals.

    python bench/generate_bars.py OUT.csv --bars 1000000 [--symbols 1] [--seed 42]

With ``--symbols N > 1``, OUT is a folder with one file per symbol (SYM0.csv, SYM1.csv ...).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

START = pd.Timestamp("2020-01-01T00:00:00Z")


def bars(count: int, seed: int) -> pd.DataFrame:
    """``count`` consecutive 1-minute bars of a geometric random walk starting near 100."""
    rng = np.random.default_rng(seed)
    close = np.round(100.0 * np.exp(np.cumsum(rng.normal(0.0, 0.001, count))), 2)
    close = np.maximum(close, 0.01)
    open_ = np.concatenate(([100.0], close[:-1]))
    wiggle = np.round(np.abs(rng.normal(0.0, 0.0005, (2, count))) * close, 2)
    high = np.maximum(open_, close) + wiggle[0]
    low = np.maximum(np.minimum(open_, close) - wiggle[1], 0.01)
    volume = rng.integers(1, 1000, count)
    stamps = pd.date_range(START, periods=count, freq="1min")
    return pd.DataFrame(
        {
            "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "open": open_,
            "high": np.round(high, 2),
            "low": np.round(low, 2),
            "close": close,
            "volume": volume,
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--symbols", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if args.symbols == 1:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        bars(args.bars, args.seed).to_csv(args.out, index=False)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    for i in range(args.symbols):
        bars(args.bars, args.seed + i).to_csv(args.out / f"SYM{i}.csv", index=False)


if __name__ == "__main__":
    main()
