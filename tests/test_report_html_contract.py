"""The html reporter keeps the reporter contract (it writes report.html only, inside the folder
it is given, the same bytes for the same session)."""

from __future__ import annotations

from logos.reports import HtmlReporter
from logos.testing.reporters import ReporterContract


class TestHtmlReporterContract(ReporterContract):
    def make_reporter(self) -> HtmlReporter:
        return HtmlReporter()
