"""Parameter ranges of a sweep, as ``--param`` gives them (docs/sweeps.md).

One ``NAME=SPEC`` per parameter; every form expands to a finite, ordered tuple of values:

- ``fast=5:50:5``: from 5 to 50 by 5, both ends included when the step lands on them
  (``5:50`` steps by 1);
- ``fast=2:64:*2``: a log range, 2, 4, 8, ... 64 (each value the previous times 2);
- ``fast=5,10,20``: a list (one value alone is a list of one).

Numbers written as integers are ints, others floats; range points are computed in decimal
(``0.1:0.3:0.1`` is 0.1, 0.2, 0.3, never 0.30000000000000004). List items that are not
numbers are read as TOML values (``true``) or kept as words (``ema``). Every value is checked
against the strategy's own ``Params`` model by the backtest that runs it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from logos.errors import ConfigError

MAX_POINTS = 1_000_000
"""More values than this in one range is a typo (a step of 0.0001 for 0.1), not a sweep."""

Value = int | float | str | bool


@dataclass(frozen=True)
class ParamRange:
    """One swept parameter: its name, the ``--param`` text and its values, in order."""

    name: str
    spec: str
    values: tuple[Value, ...]
    kind: str = "list"
    """``linear`` (START:STOP:STEP), ``log`` (START:STOP:*FACTOR) or ``list``."""


def parse_param(text: str) -> ParamRange:
    """``NAME=SPEC`` → a :class:`ParamRange`; a ConfigError names the flag and the problem."""
    name, sep, spec = text.partition("=")
    name, spec = name.strip(), spec.strip()
    where = f"--param '{text}'"  # quoted: rich would read ":x:" in 5:x: as an emoji
    if not sep or not name or not spec:
        raise _bad(where, "expected NAME=SPEC, e.g. fast=5:50:5, fast=5,10,20 or fast=2:64:*2")
    if not name.isidentifier():
        raise _bad(where, f"{name!r} is not a parameter name (letters, digits and '_')")
    try:
        values, kind = range_values(spec)
    except RangeProblem as exc:
        raise _bad(where, str(exc)) from None
    return ParamRange(name, spec, values, kind)


class RangeProblem(ValueError):
    """What is wrong with a range's SPEC, in words (the caller says where it was given)."""


def range_values(spec: str) -> tuple[tuple[Value, ...], str]:
    """A range's SPEC (``5:50:5``, ``2:64:*2``, ``5,10,20``) → its values and its kind;
    :class:`RangeProblem` says what is wrong. ``--param`` and the config's ``[sweep]``
    table both read their ranges here, so both give the same errors."""
    kind = "list"
    if ":" in spec:
        values: tuple[Value, ...] = _range(spec)
        kind = "log" if "*" in spec else "linear"
    else:
        values = tuple(_item(item.strip()) for item in spec.split(","))
    if len(set(values)) != len(values):
        raise RangeProblem("a value is listed twice")
    return values, kind


def parse_params(texts: list[str]) -> list[ParamRange]:
    """Every ``--param``; a name given twice is an error (which one would win?)."""
    ranges = [parse_param(text) for text in texts]
    seen: set[str] = set()
    for item in ranges:
        if item.name in seen:
            raise _bad(f"--param {item.name}", "given twice; give each parameter once")
        seen.add(item.name)
    return ranges


def check_names(ranges: list[ParamRange], known: list[str], strategy: str) -> None:
    """Every swept name must be a param of the strategy (a typo would sweep nothing)."""
    for item in ranges:
        if item.name not in known:
            raise _bad(
                f"--param {item.name}",
                f"strategy '{strategy}' has no parameter {item.name!r}; "
                f"its parameters: {', '.join(known) or 'none'}",
            )


def _range(spec: str) -> tuple[Value, ...]:
    parts = [part.strip() for part in spec.split(":")]
    if len(parts) not in (2, 3) or not all(parts):
        raise RangeProblem("a range is START:STOP:STEP (or START:STOP, or START:STOP:*FACTOR)")
    geometric = len(parts) == 3 and parts[2].startswith("*")
    if geometric:
        parts[2] = parts[2][1:]
    given = (*parts[:2], parts[2] if len(parts) == 3 else "1")
    start, stop, step = (_number(p) for p in given)
    integral = all(isinstance(v, int) for v in (start, stop, step))
    lo, hi, by = (Decimal(str(v)) for v in (start, stop, step))
    if hi < lo:
        raise RangeProblem(f"the range is empty: STOP {stop} is below START {start}")
    points: list[Decimal] = []
    if geometric:
        if lo <= 0 or by <= 1:
            raise RangeProblem("a log range needs START > 0 and a factor above 1 (*2)")
        value = lo
        while value <= hi:
            points.append(value)
            value *= by
            if len(points) > MAX_POINTS:
                break
    else:
        if by <= 0:
            raise RangeProblem(f"the step must be above 0 (got {step})")
        count = int((hi - lo) / by) + 1
        points = [lo + i * by for i in range(min(count, MAX_POINTS + 1))]
    if len(points) > MAX_POINTS:
        raise RangeProblem(f"more than {MAX_POINTS:,} values; use a larger step")
    if integral:
        return tuple(int(p) for p in points)
    return tuple(float(p) for p in points)


def _number(text: str) -> int | float:
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RangeProblem(f"{text!r} is not a number") from None
    if not number.is_finite():
        raise RangeProblem(f"{text!r} is not a finite number")
    if "." not in text and "e" not in text.lower():
        return int(number)
    return float(number)


def _item(text: str) -> Value:
    if not text:
        raise RangeProblem("an empty item in the list (two commas, or one at an end)")
    try:
        value: Any = tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        value = text
    if isinstance(value, float) and value != value:  # nan
        raise RangeProblem(f"{text!r} is not a finite number")
    if not isinstance(value, int | float | str | bool):
        raise RangeProblem(f"{text!r}: give numbers, true/false or words")
    return value


def _bad(where: str, problem: str) -> ConfigError:
    return ConfigError([f"{where}: {problem}"], source="command line")
