"""logos: write a strategy once; backtest, paper trade, dry-run and go live with the same code."""

from logos.hookspecs import hookimpl

__version__ = "0.1.0"

__all__ = ["__version__", "hookimpl"]
