"""Feed ``ccxt``: public OHLCV polling for any ccxt exchange (no credentials needed).

Each poll asks ``exchange.fetch_ohlcv(symbol, timeframe, since=ms, limit=...)`` per symbol,
``since`` being the bar after the last one delivered (so a restart resumes exactly), and
pages forward while full pages come back. Requests are spaced by ``exchange.rateLimit``
milliseconds through the feed's own (injectable) clock and sleeper; ccxt's built-in
throttle is turned off so it never sleeps behind the feed's back.

ccxt errors are classified by its own hierarchy (``ccxt/base/errors.py``): every
``NetworkError`` — ``RequestTimeout``, ``RateLimitExceeded``, ``DDoSProtection``,
``ExchangeNotAvailable`` (and ``OnMaintenance``), ``InvalidNonce`` — is retried with backoff;
everything else fails at once: every ``ExchangeError`` (``BadSymbol``, ``BadRequest``,
``AuthenticationError``, ``PermissionDenied``, ``AccountSuspended``, ``NotSupported`` ...) and
``BadResponse``/``NullResponse`` (an answer ccxt could not parse: repeating the same request
rarely helps, and a changed API should stop the feed rather than be retried for minutes).

ccxt is imported when a feed starts or classifies an error, not when the plugin loads.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import Field

from logos.domain import Bar
from logos.errors import FeedError
from logos.feeds.base import decimal_from_float, timeframe_label
from logos.feeds.polling import Clock, PollingFeed, PollingParams, Sleeper
from logos_ccxt.params import ExchangeParams

if TYPE_CHECKING:
    import ccxt


def _retryable_errors() -> tuple[type[BaseException], ...]:
    """ccxt's transient errors: NetworkError and its subclasses (timeouts, rate limits, ...)."""
    import ccxt

    return (ccxt.NetworkError,)


def __getattr__(name: str) -> Any:
    if name == "RETRYABLE":  # kept for importers; computed on first use (imports ccxt)
        return _retryable_errors()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MISSING = Decimal("NaN")


def ms(ts: datetime) -> int:
    """Milliseconds since the epoch, ccxt's time unit (integer arithmetic, no float rounding)."""
    return (ts - EPOCH) // timedelta(milliseconds=1)


def _price(value: Any) -> Decimal:
    return MISSING if value is None else decimal_from_float(value)


def row_to_bar(symbol: str, row: list[Any]) -> Bar:
    """One ccxt OHLCV row ``[ms, open, high, low, close, volume]`` as a Bar.

    ccxt's ``parse_ohlcv`` gives ``None`` for a field the exchange left out: a missing price
    becomes NaN, so the polling base skips and reports the bar; a missing volume is 0 (many
    exchanges omit it for bars without trades, as yfinance also does).
    """
    stamp, o, h, lo, c, v = row[:6]
    return Bar(
        symbol=symbol,
        ts=EPOCH + timedelta(milliseconds=int(stamp)),
        open=_price(o),
        high=_price(h),
        low=_price(lo),
        close=_price(c),
        volume=decimal_from_float(v if v is not None else 0.0),
    )


class CcxtFeed(PollingFeed):
    """Polls closed OHLCV bars from a ccxt exchange's public API.

    ``client`` (optional) is a ready ``ccxt.Exchange`` to use instead of building one from
    the ``exchange`` id (tests pass a fake subclass here).
    """

    name = "ccxt"

    class Params(ExchangeParams, PollingParams):
        limit: int = Field(500, ge=1, le=5000, description="bars per fetch_ohlcv request")
        max_pages: int = Field(20, ge=1, description="requests per symbol per poll (catch-up)")

    params: CcxtFeed.Params

    def __init__(
        self,
        params: CcxtFeed.Params | None = None,
        *,
        client: ccxt.Exchange | None = None,
        clock: Clock | None = None,
        sleep: Sleeper | None = None,
        rng: random.Random | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(params, clock=clock, sleep=sleep, rng=rng, **kwargs)
        self.exchange = client
        self._last_request: datetime | None = None

    def _on_start(self) -> None:
        import ccxt

        if self.exchange is None:
            self.exchange = getattr(ccxt, self.params.exchange)({"enableRateLimit": False})
        else:
            self.exchange.enableRateLimit = False
        self._label = timeframe_label(self.timeframe)
        supported = getattr(self.exchange, "timeframes", None) or {}
        if supported and self._label not in supported:
            raise FeedError(
                f"feed 'ccxt': {self.exchange.id} has no {self._label} candles "
                f"(it has {', '.join(supported)})"
            )
        if not self.exchange.has.get("fetchOHLCV"):
            raise FeedError(f"feed 'ccxt': {self.exchange.id} does not provide fetchOHLCV")
        super()._on_start()

    def fetch(self, symbol: str, since: datetime, now: datetime) -> list[Bar]:
        """Pages of OHLCV rows from ``since`` until a short page or the forming bar."""
        assert self.exchange is not None
        bars: list[Bar] = []
        cursor = since
        for _ in range(self.params.max_pages):
            self._throttle()
            rows = self.exchange.fetch_ohlcv(
                symbol, self._label, since=ms(cursor), limit=self.params.limit
            )
            bars.extend(row_to_bar(symbol, row) for row in rows)
            if len(rows) < self.params.limit:
                break
            newest = max(bar.ts for bar in bars)
            if newest + self.timeframe >= now or newest < cursor:
                break
            cursor = newest + timedelta(milliseconds=1)
        return bars

    def _throttle(self) -> None:
        assert self.exchange is not None
        spacing = timedelta(milliseconds=float(self.exchange.rateLimit or 0))
        if self._last_request is not None:
            wait = (self._last_request + spacing - self.clock()).total_seconds()
            if wait > 0:
                self.sleep(wait)
        self._last_request = self.clock()

    def is_retryable(self, exc: BaseException) -> bool:
        """ccxt NetworkError and its subclasses are transient; every other error is fatal."""
        return isinstance(exc, _retryable_errors()) or super().is_retryable(exc)

    def describe_error(self, exc: BaseException) -> str:
        """``binance: BadSymbol: ...`` (ccxt messages usually start with the exchange id)."""
        text = str(exc)
        exchange_id = self.exchange.id if self.exchange is not None else self.params.exchange
        prefix = "" if text.startswith(exchange_id) else f"{exchange_id}: "
        return f"{prefix}{type(exc).__name__}: {text}"
