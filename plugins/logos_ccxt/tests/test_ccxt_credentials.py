"""ccxt credentials: ``LOGOS_CCXT_<EXCHANGE>_*`` variables named from the exchange's
``requiredCredentials``, checked locally and (``online``) with one ``fetch_balance``, whose
failure is reported without ever showing a value."""

from __future__ import annotations

from typing import Any, ClassVar

import ccxt
from logos_ccxt import credentials
from logos_ccxt.broker import CcxtBroker


def test_variables_follow_the_exchanges_required_credentials() -> None:
    assert CcxtBroker.credential_env({"exchange": "binance"}) == {
        "apiKey": "LOGOS_CCXT_BINANCE_API_KEY",
        "secret": "LOGOS_CCXT_BINANCE_SECRET",
    }
    assert CcxtBroker.credential_env({"exchange": "okx"}) == {
        "apiKey": "LOGOS_CCXT_OKX_API_KEY",
        "secret": "LOGOS_CCXT_OKX_SECRET",
        "password": "LOGOS_CCXT_OKX_PASSWORD",
    }
    assert credentials.env_prefix("binanceusdm") == "LOGOS_CCXT_BINANCEUSDM_"


def test_missing_variables_are_named() -> None:
    environ = {"LOGOS_CCXT_OKX_API_KEY": "k-123", "LOGOS_CCXT_OKX_SECRET": ""}
    assert CcxtBroker.check_credentials({"exchange": "okx"}, environ, False) == [
        "LOGOS_CCXT_OKX_SECRET is not set (okx needs its secret; docs/brokers/ccxt.md)",
        "LOGOS_CCXT_OKX_PASSWORD is not set (okx needs its password; docs/brokers/ccxt.md)",
    ]


ENV = {
    "LOGOS_CCXT_KRAKEN_API_KEY": "key-abcdef123456",
    "LOGOS_CCXT_KRAKEN_SECRET": "c2VjcmV0LXZhbHVl",
}


class Kraken(ccxt.kraken):
    """Real ccxt kraken; ``fetch_balance`` answers from ``answer`` (an exception is raised)."""

    answer: ClassVar[Any] = None
    seen: ClassVar[dict[str, Any]] = {}

    def fetch_balance(self, params: Any = None) -> Any:
        type(self).seen = {"apiKey": self.apiKey, "secret": self.secret}
        if isinstance(self.answer, Exception):
            raise self.answer
        return {"total": {"USD": 10.0}}


def test_online_makes_one_balance_call_with_the_credentials() -> None:
    Kraken.answer = None
    problems = credentials.check_credentials(
        "kraken", ENV, online=True, make_exchange=lambda c: Kraken(c)
    )
    assert problems == []
    assert Kraken.seen == {"apiKey": "key-abcdef123456", "secret": "c2VjcmV0LXZhbHVl"}


def test_an_online_failure_is_reported_without_the_values() -> None:
    Kraken.answer = ccxt.AuthenticationError(
        'kraken {"error":["EAPI:Invalid key"]} key=key-abcdef123456'
    )
    [problem] = credentials.check_credentials(
        "kraken", ENV, online=True, make_exchange=lambda c: Kraken(c)
    )
    assert problem.startswith(
        "kraken: fetch_balance with the credentials failed: AuthenticationError"
    )
    assert "EAPI:Invalid key" in problem
    assert "key-abcdef123456" not in problem and "c2VjcmV0LXZhbHVl" not in problem


def test_online_is_not_tried_while_a_variable_is_missing() -> None:
    Kraken.seen = {}
    problems = credentials.check_credentials(
        "kraken", {}, online=True, make_exchange=lambda c: Kraken(c)
    )
    assert len(problems) == 2 and Kraken.seen == {}
