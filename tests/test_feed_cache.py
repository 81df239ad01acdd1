"""Bar cache: recorded bars replay exactly through the replay feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from logos.domain import Bar
from logos.errors import DataError
from logos.feeds import ReplayFeed
from logos.feeds.cache import BarCache

MIDNIGHT = datetime(2024, 3, 2, 0, 0, tzinfo=UTC)


def bar(symbol: str, minute: int, close: str) -> Bar:
    c = Decimal(close)
    return Bar(symbol, MIDNIGHT + timedelta(minutes=minute), c, c, c, c, Decimal("0.5"))


def session() -> list[list[Bar]]:
    """Slices as a live feed would deliver them: across midnight, a gap, tiny prices."""
    return [
        [bar("BTC/USDT", -2, "61999.5"), bar("XRP/ETH", -2, "0.00001234")],
        [bar("BTC/USDT", -1, "62000.25")],
        [bar("BTC/USDT", 0, "62001"), bar("XRP/ETH", 0, "1E-8")],
        [bar("BTC/USDT", 3, "62002.125"), bar("XRP/ETH", 3, "0.00001240")],
    ]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_recorded_session_replays_exactly(tmp_path: Path, fmt: str) -> None:
    cache = BarCache(tmp_path, fmt)  # type: ignore[arg-type]
    for bars in session():
        cache.write(bars)
    cache.close()
    assert [p.relative_to(tmp_path).as_posix() for p in cache.files()] == [
        f"BTC_USDT/2024-03-01.{fmt}",
        f"BTC_USDT/2024-03-02.{fmt}",
        f"XRP_ETH/2024-03-01.{fmt}",
        f"XRP_ETH/2024-03-02.{fmt}",
    ]
    feed = ReplayFeed(path=str(tmp_path))
    feed.start(["BTC/USDT", "XRP/ETH"], "1m")
    assert list(feed.slices()) == session()
    assert [(g.symbol, g.missing) for g in feed.health().gaps] == [
        ("XRP/ETH", 1),
        ("BTC/USDT", 2),
        ("XRP/ETH", 2),
    ]


def test_csv_text_is_plain_decimal_with_utc_timestamps(tmp_path: Path) -> None:
    cache = BarCache(tmp_path)
    cache.write([bar("XRP/ETH", 0, "1E-8")])
    assert (tmp_path / "XRP_ETH" / "2024-03-02.csv").read_text() == (
        "timestamp,open,high,low,close,volume\n"
        "2024-03-02T00:00:00Z,0.00000001,0.00000001,0.00000001,0.00000001,0.5\n"
    )


def test_a_bar_is_never_cached_twice_even_by_a_new_recorder(tmp_path: Path) -> None:
    BarCache(tmp_path).write([bar("BTC/USDT", 0, "1"), bar("BTC/USDT", 1, "1")])
    again = BarCache(tmp_path)
    with pytest.raises(DataError, match="BTC/USDT bar 2024-03-02T00:01:00Z is not after the last"):
        again.write([bar("BTC/USDT", 1, "1")])
    again.write([bar("BTC/USDT", 2, "1")])
    assert again.written == {"BTC/USDT": 1}


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cache format must be csv or parquet, not 'json'"):
        BarCache(tmp_path, "json")  # type: ignore[arg-type]
