"""logos plugin stub for Interactive Brokers: registered and documented, not implemented."""

__version__ = "0.1.0"
