"""Contract test suites for plugin authors: subclass one class in your own tests.

Each suite lives in its own module (``logos.testing.brokers``, ``logos.testing.feeds``,
``logos.testing.strategies``) so importing one never imports pytest fixtures of another.
"""
