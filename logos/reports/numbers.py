"""Exact decimal columns and the one text form every artifact uses for numbers and timestamps.

Artifacts write a Decimal as ``format(d, "f")`` with trailing fractional zeros removed
(``150000``, ``99949.95``, ``-0.5``): a form that depends only on the *value*, never on the
exponent Decimal arithmetic happened to keep, so a vectorized backtest and the bar-by-bar loop
write byte-identical files. Columns of millions of values are kept as unscaled integers with one
scale (:class:`ScaledColumn`) and turned into text by pyarrow in C++.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from logos.errors import DataError
from logos.timeutil import isoformat_utc

_INT64_MAX = np.iinfo(np.int64).max
_MAX_DIGITS = 38  # decimal128
_DECIMAL64_DIGITS = 18
_FAST_SCALE = 18  # fractional digits of format_decimal_values' vectorized path
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


def format_decimal(value: Decimal) -> str:
    """``value`` as plain text: no exponent, no trailing fractional zeros, never ``-0``."""
    if not value.is_finite():
        raise DataError(f"cannot write non-finite number {value}")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_optional(value: Decimal | None) -> str:
    """:func:`format_decimal`, or an empty field for ``None``."""
    return "" if value is None else format_decimal(value)


def format_ts(ts: datetime) -> str:
    """ISO-8601 UTC with ``Z``."""
    if ts.tzinfo is UTC:
        return ts.isoformat().removesuffix("+00:00") + "Z"
    return isoformat_utc(ts)


def _unscaled(value: int, scale: int) -> Decimal:
    """``value / 10**scale`` exactly (``scaleb`` would round to the context's 28 digits)."""
    return Decimal(value).scaleb(-scale, _EXACT)


def _scale_of(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True)
class ScaledColumn:
    """Exact decimals ``values[i] / 10**scale``; ``values`` is int64, or object (Python ints)."""

    values: np.ndarray
    scale: int

    @classmethod
    def from_decimals(cls, decimals: Sequence[Decimal]) -> ScaledColumn:
        """The exact column of ``decimals`` (scale = the most fractional digits any value needs)."""
        scale = max((_scale_of(d) for d in decimals), default=0)
        ints = [int(d.scaleb(scale)) for d in decimals]
        return cls.from_ints(ints, scale)

    @classmethod
    def from_ints(cls, ints: Sequence[int] | np.ndarray, scale: int) -> ScaledColumn:
        """A column of unscaled integers; int64 when every value fits, Python ints otherwise."""
        if isinstance(ints, np.ndarray) and ints.dtype == np.int64:
            return cls(ints, scale)
        try:
            array = np.asarray(ints, dtype=np.int64)
        except OverflowError:
            array = np.array(list(ints), dtype=object)
        return cls(array, scale)

    def __len__(self) -> int:
        return len(self.values)

    def decimal_at(self, index: int) -> Decimal:
        """One value as an exact Decimal."""
        return _unscaled(int(self.values[index]), self.scale)

    def to_float(self) -> np.ndarray:
        """float64 approximations (for metrics and charts, never for money)."""
        return self.values.astype(np.float64) / (10.0**self.scale)

    def to_text(self) -> pa.Array:
        """Every value in the artifact text form, as a pyarrow string array.

        Account columns are mostly runs of one value (cash between fills), so runs are
        formatted once and repeated.
        """
        values = self.values
        if len(values) > 1:
            change = np.concatenate(([True], values[1:] != values[:-1]))
            starts = np.flatnonzero(change)
            if len(starts) * 2 < len(values):
                run_text = ScaledColumn(values[starts], self.scale)._format()
                return pc.take(run_text, pa.array(np.cumsum(change) - 1))
        return self._format()

    def _format(self) -> pa.Array:
        if self.values.dtype == object or self.scale > _MAX_DIGITS:
            ints = [int(v) for v in self.values]
            decimals = [_unscaled(v, self.scale) for v in ints]
            if self.scale > _MAX_DIGITS or any(abs(v) >= 10**_MAX_DIGITS for v in ints):
                # beyond decimal128(38, scale): formatted one by one
                return pa.array([format_decimal(d) for d in decimals], pa.string())
            array = pa.array(decimals, pa.decimal128(_MAX_DIGITS, self.scale))
        elif self.scale <= _DECIMAL64_DIGITS and _within(self.values, 10**_DECIMAL64_DIGITS):
            # decimal64 reads the int64 values in place and formats them ~1.5x faster than
            # decimal128 (64-bit instead of 128-bit division).
            array = pa.Array.from_buffers(
                pa.decimal64(_DECIMAL64_DIGITS, self.scale),
                len(self.values),
                [None, pa.py_buffer(np.ascontiguousarray(self.values))],
            )
        else:
            pairs = np.empty((len(self.values), 2), dtype=np.int64)
            pairs[:, 0] = self.values
            pairs[:, 1] = self.values >> 63  # two's-complement high word of a 128-bit int
            array = pa.Array.from_buffers(
                pa.decimal128(_MAX_DIGITS, self.scale),
                len(self.values),
                [None, pa.py_buffer(pairs)],
            )
        return decimal_array_text(array)


def _within(values: np.ndarray, bound: int) -> bool:
    """Whether every value v of an int64 array has |v| < bound."""
    return len(values) == 0 or (int(values.min()) > -bound and int(values.max()) < bound)


def decimal_array_text(array: pa.Array) -> pa.Array:
    """A pyarrow decimal64/decimal128 array (scale >= 0) in the artifact text form, nulls
    staying null: in C++ but for the rare values Arrow writes in scientific notation."""
    scale = array.type.scale
    text = pc.cast(array, pa.string())
    if scale > 0:
        text = pc.utf8_rtrim(pc.utf8_rtrim(text, characters="0"), characters=".")
    if scale <= 6:
        return text
    # Arrow writes |value| < 1e-6 in scientific notation ("0E-18", "5E-7"): zero is
    # common and replaced at once, the other few are formatted one by one.
    zero = pa.scalar(Decimal(0), array.type)
    text = pc.if_else(pc.fill_null(pc.equal(array, zero), False), "0", text)
    bound, negative_bound = (pa.scalar(Decimal(b), array.type) for b in ("1E-6", "-1E-6"))
    tiny = pc.and_(pc.less(array, bound), pc.greater(array, negative_bound))
    tiny = pc.and_(pc.fill_null(tiny, False), pc.not_equal(text, "0"))
    if pc.any(tiny).as_py():
        rows = np.flatnonzero(tiny.to_numpy(zero_copy_only=False)).tolist()
        plain = [format_decimal(array[i].as_py()) for i in rows]
        text = pc.replace_with_mask(text, tiny, pa.array(plain, pa.string()))
    return text


def format_decimal_values(values: Sequence[Decimal | None]) -> pa.Array:
    """:func:`format_optional` of every value, as a pyarrow string array (``""`` for None).

    Values go through a decimal128 array with 18 fractional digits (pyarrow refuses any
    value that does not fit exactly); anything else is formatted one by one.
    """
    try:
        array = pa.array(values, pa.decimal128(_MAX_DIGITS, _FAST_SCALE))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array([format_optional(v) for v in values], pa.string())
    return pc.fill_null(decimal_array_text(array), "")


def format_ts_values(values: Sequence[datetime]) -> pa.Array:
    """:func:`format_ts` of every value, as a pyarrow string array."""
    if not all(ts.tzinfo is UTC for ts in values):
        return pa.array([format_ts(ts) for ts in values], pa.string())
    micros = pa.array(values, pa.timestamp("us", "UTC")).cast(pa.int64()).to_numpy()
    if not _within(micros, _INT64_MAX // 1000):  # beyond 1677..2262: ns would wrap around
        return pa.array([format_ts(ts) for ts in values], pa.string())
    return format_ts_column(micros * 1000)


@dataclass(frozen=True)
class DecimalColumn:
    """A column of Decimal objects (an object array), for values with too many digits for a
    common integer scale, such as drawdown fractions of 28 significant digits."""

    values: np.ndarray

    @classmethod
    def from_list(cls, values: Sequence[Decimal]) -> DecimalColumn:
        """Wrap a list of Decimals."""
        array = np.empty(len(values), dtype=object)
        array[:] = list(values)
        return cls(array)

    def __len__(self) -> int:
        return len(self.values)

    def decimal_at(self, index: int) -> Decimal:
        """One value."""
        return self.values[index]

    def to_float(self) -> np.ndarray:
        """float64 approximations."""
        return self.values.astype(np.float64)

    def to_text(self) -> pa.Array:
        """Every value in the artifact text form; each run of one value is formatted once."""
        values = self.values
        if len(values) == 0:
            return pa.array([], pa.string())
        change = np.ones(len(values), dtype=bool)
        change[1:] = values[1:] != values[:-1]
        starts = np.flatnonzero(change)
        run_text = pa.array([format_decimal(v) for v in values[starts].tolist()], pa.string())
        return pc.take(run_text, pa.array(np.cumsum(change) - 1))


@dataclass(frozen=True)
class TextColumn:
    """A column already in artifact text form, with float approximations beside it."""

    text: pa.Array
    floats: np.ndarray

    def __len__(self) -> int:
        return len(self.text)

    def decimal_at(self, index: int) -> Decimal:
        """One value as a Decimal (parsed from its exact text)."""
        return Decimal(self.text[index].as_py())

    def to_float(self) -> np.ndarray:
        """float64 approximations."""
        return self.floats

    def to_text(self) -> pa.Array:
        """The text."""
        return self.text


def format_ts_column(ts_ns: np.ndarray) -> pa.Array:
    """ISO-8601 ``...Z`` text for UTC nanosecond timestamps (int64), fast on long series.

    Whole-second timestamps are built from distinct dates and distinct times of day, which
    a series of bars repeats; anything else falls back to per-value formatting.
    """
    ts_ns = np.asarray(ts_ns, dtype=np.int64)
    if len(ts_ns) == 0:
        return pa.array([], pa.string())
    if np.any(ts_ns % 1_000_000_000):
        epoch = datetime.fromtimestamp(0, UTC)
        return pa.array(
            [format_ts(epoch + timedelta(microseconds=int(v) // 1000)) for v in ts_ns.tolist()],
            pa.string(),
        )
    seconds = ts_ns // 1_000_000_000
    days, second_of_day = np.divmod(seconds, 86_400)
    day_values, day_index = _sorted_unique(days)
    seen = np.zeros(86_400, dtype=bool)
    seen[second_of_day] = True
    sod_values = np.flatnonzero(seen)
    position = np.zeros(86_400, dtype=np.int64)
    position[sod_values] = np.arange(len(sod_values))
    sod_index = position[second_of_day]
    # Every text is 20 bytes ("YYYY-MM-DD" + "Thh:mm:ssZ"), so the column is assembled as
    # fixed-width bytes in numpy: half the cost of taking and joining two string columns.
    epoch = date(1970, 1, 1)
    days_text = "".join((epoch + timedelta(days=d)).isoformat() for d in day_values.tolist())
    sods_text = "".join(
        f"T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}Z" for s in sod_values.tolist()
    )
    chars = np.empty((len(ts_ns), 2), dtype="V10")
    chars[:, 0] = np.frombuffer(days_text.encode(), dtype="V10")[day_index]
    chars[:, 1] = np.frombuffer(sods_text.encode(), dtype="V10")[sod_index]
    size = 20 * len(ts_ns)
    large = size > np.iinfo(np.int32).max
    offsets = np.arange(0, size + 1, 20, dtype=np.int64 if large else np.int32)
    return pa.Array.from_buffers(
        pa.large_string() if large else pa.string(),
        len(ts_ns),
        [None, pa.py_buffer(offsets), pa.py_buffer(chars)],
    )


def _sorted_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and each value's index among them (``np.unique``; cheap when sorted)."""
    if len(values) > 1 and np.all(values[1:] >= values[:-1]):
        change = np.concatenate(([True], values[1:] != values[:-1]))
        return values[change], np.cumsum(change) - 1
    return np.unique(values, return_inverse=True)
