"""logos plugin for Alpaca through alpaca-py."""

__version__ = "0.1.0"
