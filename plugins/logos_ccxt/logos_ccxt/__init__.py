"""logos plugin for crypto exchanges through ccxt."""

__version__ = "0.1.0"
