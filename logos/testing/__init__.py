"""What plugin authors test with (docs/plugins.md, "Testing").

Contract suites, one module per kind, each a class to subclass in your own tests:
``logos.testing.brokers.BrokerContract``, ``logos.testing.feeds.FeedContract``,
``logos.testing.strategies.StrategyContract``, ``logos.testing.guards.GuardContract`` and
``logos.testing.reporters.ReporterContract``. Each starts with the registration rules
(``logos.testing.components``), so what passes its suite also registers.

Helpers: ``logos.testing.run`` (``run_backtest`` / ``run_session``: a whole run with its
artifacts in memory) and ``logos.testing.data`` (the shipped sample bars, a manual clock).
The fixtures and the assertion rewriting for these modules come from logos' pytest plugin,
``logos.pytest_plugin``, which pytest loads through logos' ``pytest11`` entry point.

Nothing is imported here: importing one suite never imports another's dependencies, and
pytest can rewrite the assertions of each module when it is first imported.
"""
