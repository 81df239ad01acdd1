"""Spool and KeyedSpool: orders and fills kept in a temporary file, a batch in memory.

Items come back equal (exact Decimals, UTC datetimes, enums) across many batches, any number
of times, by index too; a keyed spool gives them back in key order across many sorted runs;
the temporary file is gone once the spool is closed or collected."""

from __future__ import annotations

import gc
import os
import pickle
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from logos.domain import (
    Bracket,
    ExitLevel,
    Fill,
    Liquidity,
    Order,
    OrderStatus,
    OrderType,
    Position,
    Side,
)
from logos.reports.spool import (
    JSON_RECORDS,
    KeyedSpool,
    ModelCodec,
    Spool,
    SpoolError,
    codec_for,
)

D = Decimal
T0 = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
ODD = [
    D("123456789012345678901234567890.123456789012345678901234567891"),
    D("1E-30"),
    D("0.50"),
    D("1E+3"),
    D("-0"),
]


def order(n: int, **changes: object) -> Order:
    fields: dict[str, object] = {
        "order_id": f"P-{n}",
        "client_order_id": f"c-{n}",
        "symbol": "BTC/USDT",
        "side": Side.BUY if n % 2 else Side.SELL,
        "type": OrderType.LIMIT,
        "qty": D("0.50") + n,
        "limit_price": ODD[n % 4].copy_abs(),
        "status": OrderStatus.FILLED,
        "filled_qty": D("0.50") + n,
        "avg_fill_price": ODD[n % 5],
        "ts_created": T0 + timedelta(minutes=n, microseconds=n % 3),
        "ts_updated": T0 + timedelta(minutes=n + 1),
        "reason": f'reason {n}, "quoted"\nnaïve ✓',
    }
    return Order(**{**fields, **changes})


def fill(n: int) -> Fill:
    return Fill(
        trade_id=f"T-{n}",
        order_id=f"P-{n}",
        client_order_id=f"c-{n}",
        ts=datetime(1600 + n % 8000, 6, 30, 12, 0, 5, n % 1_000_000, tzinfo=UTC),
        symbol="SYM",
        side=Side.SELL,
        qty=D(n + 1),
        price=ODD[n % 4].copy_abs(),
        fee=D("0.199000"),
        liquidity=Liquidity.MAKER if n % 3 else Liquidity.TAKER,
        realized_pnl=ODD[n % 5].copy_negate(),
    )


def spool_files(folder: Path) -> list[str]:
    """The open files of this process that live in ``folder`` (the temporary files of the
    spools made there, deleted or not)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(folder)):
            found.append(target)
    return found + os.listdir(folder)


needs_proc = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")


def test_orders_and_fills_come_back_equal_across_many_batches(tmp_path: Path) -> None:
    orders = [order(n) for n in range(23)]
    fills = [fill(n) for n in range(23)]
    with Spool(batch=4, directory=tmp_path) as spooled_orders:
        spooled_orders.extend(orders)
        assert len(spooled_orders) == 23
        back = list(spooled_orders)
        assert back == orders and list(spooled_orders) == orders  # re-iterable
    for got, want in zip(back, orders, strict=True):
        assert str(got.avg_fill_price) == str(want.avg_fill_price)  # the very digits
        assert got.ts_created.tzinfo is UTC and got.ts_created == want.ts_created
        assert got.side is want.side and got.status is OrderStatus.FILLED
    with Spool(batch=5, directory=tmp_path) as spooled_fills:
        for item in fills:
            spooled_fills.append(item)
        assert list(spooled_fills) == fills
        assert [f.liquidity for f in spooled_fills] == [f.liquidity for f in fills]
        assert [f.ts.year for f in spooled_fills] == [1600 + n for n in range(23)]


class Amended(Order):
    """A subclass: not one of the records written as JSON."""


def test_other_items_and_mixed_batches_are_pickled(tmp_path: Path) -> None:
    items = [(n, D(n) / 7, T0 + timedelta(seconds=n)) for n in range(10)]
    with Spool(batch=3, directory=tmp_path) as spool:
        spool.extend(items)
        assert list(spool) == items and spool[-1] == items[-1]
    mixed = [order(1), fill(2), Amended(**dict(order(3))), order(4), fill(5), {"x": D("1.0")}]
    with Spool(batch=2, directory=tmp_path) as spool:
        spool.extend(mixed)
        back = list(spool)
        assert back == mixed and [type(x) for x in back] == [type(x) for x in mixed]
    keyed: KeyedSpool[object] = KeyedSpool(batch=2, block=2, directory=tmp_path)
    for key, item in enumerate(mixed):
        keyed.append(-key, item)
    assert list(keyed) == mixed[::-1]
    keyed.close()


def test_records_written_as_json_have_only_precisely_typed_fields() -> None:
    # JSON gives back what was written only when every field says its type: a field typed
    # Any (or object) holding a Decimal would come back as its text
    def loose(annotation: object) -> bool:
        text = repr(annotation)
        return "Any" in text or "object" in text

    assert isinstance(codec_for([order(1), order(2)]), ModelCodec)
    assert not isinstance(codec_for([order(1), fill(2)]), ModelCodec)
    for model in (*JSON_RECORDS, Bracket, ExitLevel):
        assert not [name for name, f in model.model_fields.items() if loose(f.annotation)], model


def test_random_access_and_sequence_methods(tmp_path: Path) -> None:
    positions = [Position(symbol=f"S{n}", qty=D(n) - 5, avg_cost=ODD[n % 4]) for n in range(11)]
    with Spool(batch=3, directory=tmp_path) as spool:
        spool.extend(positions)
        assert isinstance(spool, Sequence)
        assert [spool[i] for i in (0, 10, 4, 3, 2, 9, -1, -11)] == [
            positions[i] for i in (0, 10, 4, 3, 2, 9, -1, -11)
        ]
        assert spool[2:9:3] == positions[2:9:3] and spool[-2:] == positions[-2:]
        assert list(reversed(spool)) == positions[::-1]
        assert positions[7] in spool and spool.index(positions[7]) == 7
        for bad in (11, -12):
            with pytest.raises(IndexError, match=f"spool index {bad} out of range"):
                spool[bad]


def test_an_empty_spool_and_one_that_never_fills_a_batch(tmp_path: Path) -> None:
    with Spool(directory=tmp_path) as spool:
        assert len(spool) == 0 and list(spool) == []
        with pytest.raises(IndexError):
            spool[0]
        spool.append(order(1))
        assert list(spool) == [order(1)] and spool[0] == order(1)
        assert spool_files(tmp_path) == []  # nothing written: a batch was never full


def test_appending_while_iterating_gives_the_items_there_when_it_started(tmp_path: Path) -> None:
    with Spool(batch=3, directory=tmp_path) as spool:
        spool.extend(order(n) for n in range(5))
        seen = []
        for item in spool:
            seen.append(item)
            spool.append(order(100 + len(seen)))  # fills and writes batches meanwhile
        assert seen == [order(n) for n in range(5)]
        assert list(spool) == [*seen, *(order(101 + n) for n in range(5))]


@needs_proc
def test_the_temporary_file_is_deleted_on_close_and_when_collected(tmp_path: Path) -> None:
    spool = Spool(batch=2, directory=tmp_path)
    spool.extend(fill(n) for n in range(5))
    assert len(spool_files(tmp_path)) == 1
    spool.close()
    assert spool_files(tmp_path) == []
    with pytest.raises(ValueError, match="spool is closed"):
        list(spool)
    with pytest.raises(ValueError, match="spool is closed"):
        spool.append(fill(9))
    spool.close()  # twice is fine

    spool = Spool(batch=2, directory=tmp_path)
    spool.extend(fill(n) for n in range(5))
    keyed: KeyedSpool[Fill] = KeyedSpool(batch=2, directory=tmp_path)
    for n in range(5):
        keyed.append(-n, fill(n))
    assert keyed[0] == fill(4)  # indexing writes a second file, the merged order
    assert len(spool_files(tmp_path)) == 3
    del spool, keyed
    gc.collect()
    assert spool_files(tmp_path) == []


def test_a_spool_is_not_pickled_by_accident(tmp_path: Path) -> None:
    with Spool(directory=tmp_path) as spool, pytest.raises(TypeError, match="list"):
        pickle.dumps(spool)


def test_keyed_items_come_back_in_key_order_across_many_runs(tmp_path: Path) -> None:
    # orders end mostly as they were created; every seventh rests for 40 orders longer,
    # order 3 until the very end
    created = [order(n) for n in range(200)]
    ends = sorted(
        range(200), key=lambda n: n + (40 if n % 7 == 0 else 0) + (10**6 if n == 3 else 0)
    )
    assert ends[-1] == 3 and ends[:3] == [1, 2, 4]
    with KeyedSpool(batch=16, block=3, directory=tmp_path) as spool:
        for n in ends:
            spool.append(n, created[n])
        assert len(spool) == 200
        assert list(spool) == created
        assert list(spool) == created  # re-iterable
        assert spool[3] == created[3] and spool[-1] == created[-1] and spool[5:8] == created[5:8]
        spool.append(-1, order(999))  # a later append is seen by the next reads
        assert spool[0] == order(999) and list(spool) == [order(999), *created]


def test_equal_keys_keep_the_order_they_were_appended_in(tmp_path: Path) -> None:
    with KeyedSpool(batch=4, block=2, directory=tmp_path) as spool:
        appended = [(n % 3, fill(n)) for n in range(25)]
        for key, item in appended:
            spool.append(key, item)
        expected = [item for _, item in sorted(appended, key=lambda pair: pair[0])]
        assert [f.trade_id for f in spool] == [f.trade_id for f in expected]
        assert [f.trade_id for f in expected][:3] == ["T-0", "T-3", "T-6"]


def test_an_empty_keyed_spool(tmp_path: Path) -> None:
    spool: KeyedSpool[Order] = KeyedSpool(directory=tmp_path)
    assert len(spool) == 0 and list(spool) == []
    with pytest.raises(IndexError):
        spool[-1]
    spool.close()
    with pytest.raises(ValueError, match="spool is closed"):
        list(spool)


def test_a_folder_that_cannot_hold_the_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    spool = Spool(batch=2, directory=missing)
    spool.append(fill(1))  # nothing written yet
    with pytest.raises(SpoolError, match=f"{missing}: cannot write a session's spooled outputs"):
        spool.append(fill(2))


def test_a_spool_equals_a_list_of_the_same_items(tmp_path: Path) -> None:
    fills = [fill(n) for n in range(7)]
    with Spool(batch=3, directory=tmp_path) as spool, KeyedSpool(batch=2) as keyed:
        assert spool == [] and keyed == []
        assert [] == spool  # noqa: SIM300 (a list on the left asks the spool)
        spool.extend(fills)
        for n, item in enumerate(fills):
            keyed.append(n, item)
        assert spool == fills and fills == spool and keyed == fills and spool == keyed
        assert spool != fills[:-1] and spool != [*fills[:-1], fill(99)] and spool != tuple(fills)
        with pytest.raises(TypeError, match="unhashable"):
            hash(spool)
