"""Feed ``yfinance``: polls 1-minute (or longer) equity bars through the yfinance library.

Each poll calls ``yfinance.Ticker(symbol).history(interval=..., start=since, end=now + tf,
auto_adjust=False, actions=False, prepost=...)`` per symbol. ``Ticker.history`` is used
rather than ``yfinance.download`` because ``download`` catches every error (rate limit,
unknown ticker) and returns an empty frame, so a feed could not tell "no new bar" from
"retry" from "give up". yfinance normally logs errors and returns empty frames too; the
feed turns that off for its own calls (``yfinance.config.debug.hide_exceptions = False``,
restored afterwards — the switch ``Ticker.history`` reads; the deprecated
``raise_errors=True`` argument does the same) so the real exceptions reach the retry logic:

* retried: ``YFRateLimitError``, network errors — curl_cffi's (or, in yfinance's
  fallback, requests') ``ConnectionError``, ``Timeout``, ``ChunkedEncodingError``, Python's
  ``ConnectionError``/``TimeoutError`` — an ``HTTPError`` without a 4xx status (HTTP/2
  stream resets, partial reads, 5xx; 429 too), and Yahoo's "currently down"
  ``YFDataException``. Not retried: an ``HTTPError`` with a 4xx status (yfinance reaches
  Yahoo's quote API for an unknown symbol's timezone: 404), a failed certificate check, a
  malformed URL (curl_cffi ``CertificateVerifyError``, ``InvalidURL``...): not weather;
* an empty answer: ``YFPricesMissingError`` (no trades in the range, e.g. market closed);
* fatal: everything else — ``YFTzMissingError`` / ``YFTickerMissingError`` (unknown or
  delisted symbol), ``YFInvalidPeriodError``, ``ValueError`` ...

Yahoo keeps 1-minute history for a short time and serves at most about a week per request:
a start older than ``HISTORY_LIMITS`` allows is moved forward (a ``history_limited`` event;
the bars before it are a reported gap, never invented).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import Field

from logos.domain import Bar
from logos.errors import FeedError
from logos.feeds.base import FeedEvent, timeframe_label
from logos.feeds.polling import PollingFeed, PollingParams
from logos.timeutil import isoformat_utc
from logos_yf.frames import frame_to_bars

if TYPE_CHECKING:
    import yfinance

INTERVALS = {"1m": "1m", "2m": "2m", "5m": "5m", "15m": "15m", "30m": "30m", "1h": "1h"}
INTERVALS |= {"90m": "90m", "1d": "1d", "5d": "5d", "1w": "1wk"}
"""logos timeframe label → yfinance interval."""

HISTORY_LIMITS = {
    "1m": timedelta(days=7),
    "2m": timedelta(days=59),
    "5m": timedelta(days=59),
    "15m": timedelta(days=59),
    "30m": timedelta(days=59),
    "90m": timedelta(days=59),
    "1h": timedelta(days=729),
}
"""How far back Yahoo serves intraday bars per request (1-minute: 7 days)."""

ErrorClasses = tuple[type[BaseException], ...]


@functools.cache
def _error_classes() -> tuple[ErrorClasses, ErrorClasses, ErrorClasses]:
    """(retryable, HTTP errors, never retried): yfinance's and its HTTP clients' exceptions.

    Imported on first use, not when the plugin loads (yfinance takes ~0.1 s to import).
    """
    from yfinance.exceptions import YFRateLimitError

    retryable: ErrorClasses = (YFRateLimitError, ConnectionError, TimeoutError)
    http_errors: ErrorClasses = ()
    not_retryable: ErrorClasses = ()
    with contextlib.suppress(ImportError):  # yfinance's HTTP client (1.x)
        from curl_cffi.requests import exceptions as curl_errors

        retryable += (
            curl_errors.ConnectionError,
            curl_errors.Timeout,
            curl_errors.ChunkedEncodingError,
        )
        http_errors += (curl_errors.HTTPError,)
        not_retryable += (curl_errors.CertificateVerifyError,)
    with contextlib.suppress(ImportError):  # yfinance's fallback client (YF_DISABLE_CURL_CFFI)
        import requests

        retryable += (
            requests.exceptions.ConnectionError,
            requests.exceptions.Timeout,
            requests.exceptions.ChunkedEncodingError,
        )
        http_errors += (requests.exceptions.HTTPError,)
    return retryable, http_errors, not_retryable


_ERROR_CONSTANTS = {"RETRYABLE": 0, "HTTP_ERRORS": 1, "NOT_RETRYABLE": 2}


def __getattr__(name: str) -> Any:
    if name in _ERROR_CONSTANTS:  # kept for importers; computed on first use
        return _error_classes()[_ERROR_CONSTANTS[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_transient_http_error(exc: BaseException) -> bool:
    """False for a 4xx answer other than 429 (asking again gives the same answer)."""
    status = getattr(getattr(exc, "response", None), "status_code", None)
    return not isinstance(status, int) or not 400 <= status < 500 or status == 429


@contextlib.contextmanager
def yfinance_raises() -> Iterator[None]:
    """Let yfinance raise its exceptions instead of logging them and returning empty frames."""
    import yfinance

    before = yfinance.config.debug.hide_exceptions
    yfinance.config.debug.hide_exceptions = False
    try:
        yield
    finally:
        yfinance.config.debug.hide_exceptions = before


class YFinanceFeed(PollingFeed):
    """Polls closed 1-minute bars for equities from Yahoo Finance."""

    name = "yfinance"

    class Params(PollingParams):
        poll_interval: float = Field(30.0, gt=0, description="seconds between polls")
        prepost: bool = Field(False, description="include pre- and post-market bars")
        timeout: float = Field(10.0, gt=0, description="HTTP timeout per request, seconds")

    params: YFinanceFeed.Params

    def _on_start(self) -> None:
        label = timeframe_label(self.timeframe)
        if label not in INTERVALS:
            raise FeedError(
                f"feed 'yfinance': Yahoo has no {label} bars (it has {', '.join(INTERVALS)})"
            )
        self._interval = INTERVALS[label]
        self._tickers: dict[str, yfinance.Ticker] = {}
        self._history_limit = HISTORY_LIMITS.get(label)
        super()._on_start()

    def fetch(self, symbol: str, since: datetime, now: datetime) -> list[Bar]:
        """One ``Ticker.history`` call from ``since`` (clamped to Yahoo's limit) to now."""
        import yfinance
        from yfinance.exceptions import YFPricesMissingError

        start = since
        if self._history_limit is not None and now - since > self._history_limit:
            start = now - self._history_limit
            data = {
                "symbol": symbol,
                "requested": isoformat_utc(since),
                "used": isoformat_utc(start),
            }
            self._emit(FeedEvent("history_limited", now, data))
        ticker = self._tickers.get(symbol) or self._tickers.setdefault(
            symbol, yfinance.Ticker(symbol)
        )
        try:
            with yfinance_raises():
                frame = ticker.history(
                    interval=self._interval,
                    start=start,
                    end=now + self.timeframe,
                    prepost=self.params.prepost,
                    actions=False,
                    auto_adjust=False,
                    timeout=self.params.timeout,
                )
        except YFPricesMissingError:
            return []
        return frame_to_bars(frame, symbol)

    def is_retryable(self, exc: BaseException) -> bool:
        """Rate limits, network errors and Yahoo being down are transient."""
        from yfinance.exceptions import YFDataException

        if isinstance(exc, YFDataException) and "CURRENTLY DOWN" in str(exc):
            return True
        retryable, http_errors, not_retryable = _error_classes()
        if isinstance(exc, not_retryable):
            return False
        if isinstance(exc, http_errors):
            return is_transient_http_error(exc)
        return isinstance(exc, retryable) or super().is_retryable(exc)
