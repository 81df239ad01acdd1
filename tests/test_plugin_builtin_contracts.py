"""The built-in risk guards and reporters pass the contract suites plugin authors run."""

from __future__ import annotations

from decimal import Decimal

from logos.reports import CsvReporter, SessionMarkdownReporter
from logos.risk import MaxDrawdown, MaxGrossExposure, MaxOrderNotional, MaxRejects
from logos.testing.guards import GuardContract
from logos.testing.reporters import ReporterContract


class TestMaxOrderNotionalContract(GuardContract):
    def make_guard(self) -> MaxOrderNotional:
        return MaxOrderNotional(limit=Decimal(500))


class TestMaxGrossExposureContract(GuardContract):
    def make_guard(self) -> MaxGrossExposure:
        return MaxGrossExposure(limit=Decimal(1500), on_breach="reject")


class TestMaxDrawdownContract(GuardContract):
    def make_guard(self) -> MaxDrawdown:
        return MaxDrawdown(limit=Decimal("0.05"))


class TestMaxRejectsContract(GuardContract):
    def make_guard(self) -> MaxRejects:
        return MaxRejects(limit=2)


class TestCsvReporterContract(ReporterContract):
    def make_reporter(self) -> CsvReporter:
        return CsvReporter()


class TestSessionMarkdownReporterContract(ReporterContract):
    def make_reporter(self) -> SessionMarkdownReporter:
        return SessionMarkdownReporter()
