"""logos plugin for Yahoo Finance minute bars through yfinance."""

__version__ = "0.1.0"
