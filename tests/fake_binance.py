"""ccxt's real ``binance`` class with only its HTTP call (``Exchange.fetch``) faked: it answers
``GET /api/v3/klines`` like binance does, from bars made up to a :class:`ManualClock`, so a
live polling session runs offline over simulated minutes.

Every other part is ccxt's own: it builds the klines request, parses the JSON rows (prices as
strings) with ``parse_ohlcv``, and maps symbols through the markets loaded from the ccxt
plugin's recorded binance markets (so no ``exchangeInfo`` request is made).

One symbol can be **stalled**: while the clock is in ``[stall_from, stall_to)`` the exchange
answers for it only the bars that opened before ``stall_from`` (its candles stop updating);
from ``stall_to`` on it answers every bar again, the withheld ones included.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

import ccxt

from logos.testing.feeds import ManualClock

PLUGIN_TESTS = Path(__file__).parents[1] / "plugins" / "logos_ccxt" / "tests"
MARKETS = PLUGIN_TESTS / "data" / "markets" / "binance.json"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE_MS = 60_000
WAVE = (0, 3, 6, 9, 12, 9, 6, 3)
"""Close offsets in ticks over an 8-minute cycle: rises and falls, so a fast/slow moving
average cross trades both ways every cycle."""
BASES = {"BTCUSDT": 62000, "ETHUSDT": 3400}


def millis(ts: datetime) -> int:
    """Milliseconds since the epoch (binance's and ccxt's unit)."""
    return (ts - EPOCH) // timedelta(milliseconds=1)


def kline(market_id: str, open_ms: int) -> list[Any]:
    """One binance /api/v3/klines row for ``market_id``'s 1-minute bar opening at ``open_ms``:
    open time, OHLCV as strings, close time, and binance's extra fields."""
    base = BASES[market_id]
    close = base + WAVE[(open_ms // MINUTE_MS) % len(WAVE)]
    prices = [f"{base + 6}.00", f"{base + 13}.00", f"{base - 1}.00", f"{close}.00"]
    extras = [open_ms + MINUTE_MS - 1, "155000.0", 42, "1.2", "74400.0", "0"]
    return [open_ms, *prices, "2.50000000", *extras]


class FakeBinance(ccxt.binance):
    """Real ``ccxt.binance``; ``fetch`` (its HTTP layer) answers klines up to ``clock``.

    Configure the class (the session builds its own instance by exchange id):
    ``clock``, and the stalled ``stall_market`` with its ``stall_from``/``stall_to``.
    """

    clock: ManualClock
    stall_market: str | None = None
    stall_from: datetime | None = None
    stall_to: datetime | None = None
    requests: ClassVar[list[dict[str, list[str]]]] = []
    """Every klines query ccxt sent (reset by whoever configures the class)."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        super().__init__(config or {})
        self.set_markets(list(json.loads(MARKETS.read_text()).values()))

    def fetch(self, url: str, method: str = "GET", headers: Any = None, body: Any = None) -> Any:
        parsed = urlparse(url)
        if method != "GET" or parsed.path != "/api/v3/klines":
            raise ccxt.BadRequest(f"binance {method} {parsed.path}: not faked")
        query = parse_qs(parsed.query)
        type(self).requests.append(query)
        now = self.clock()
        market_id = query["symbol"][0]
        newest = millis(now)  # the forming bar too, as binance answers
        if market_id == self.stall_market and self.stall_from <= now < self.stall_to:
            newest = millis(self.stall_from) - MINUTE_MS
        start = int(query["startTime"][0])
        first = -(-start // MINUTE_MS) * MINUTE_MS
        opens = range(first, newest + 1, MINUTE_MS)
        return [kline(market_id, ms) for ms in opens][: int(query["limit"][0])]
