"""Sweep ranges, the --where constraint, the grid and random points, walk-forward folds:
each checked against values written out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from logos.errors import ConfigError
from logos.sweep.constraint import parse_constraint
from logos.sweep.params import check_names, parse_param, parse_params
from logos.sweep.search import grid_points, random_points
from logos.sweep.walk_forward import folds, parse_walk_forward, stitch


def test_a_linear_range_includes_both_ends_when_the_step_lands_on_them() -> None:
    assert parse_param("fast=5:50:5").values == (5, 10, 15, 20, 25, 30, 35, 40, 45, 50)
    assert parse_param("fast=5:12:5").values == (5, 10)
    assert parse_param("fast=3:6").values == (3, 4, 5, 6)


def test_a_float_range_is_computed_in_decimal() -> None:
    assert parse_param("x=0.1:0.3:0.1").values == (0.1, 0.2, 0.3)


def test_a_log_range_multiplies_by_its_factor() -> None:
    item = parse_param("fast=2:64:*2")
    assert item.values == (2, 4, 8, 16, 32, 64)
    assert item.kind == "log"


def test_a_list_keeps_its_order_and_types() -> None:
    assert parse_param("fast=20,5,10").values == (20, 5, 10)
    assert parse_param("mode=ema,sma").values == ("ema", "sma")
    assert parse_param("fast=7").values == (7,)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("fast", "expected NAME=SPEC"),
        ("fast=", "expected NAME=SPEC"),
        ("fast=a:10", "'a' is not a number"),
        ("fast=5:50:0", "the step must be above 0"),
        ("fast=50:5", "STOP 5 is below START 50"),
        ("fast=1:2:3:4", "a range is START:STOP:STEP"),
        ("fast=0:64:*2", "a log range needs START > 0"),
        ("fast=5,,6", "an empty item"),
        ("fast=5,5", "listed twice"),
        ("fast=0:1:0.0000001", "more than 1,000,000 values"),
    ],
)
def test_a_bad_range_is_one_error_naming_the_flag(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_param(text)
    message = str(caught.value)
    assert "\n" not in message
    assert f"--param '{text}'" in message and says in message


def test_a_parameter_given_twice_is_refused() -> None:
    with pytest.raises(ConfigError, match="given twice"):
        parse_params(["fast=1,2", "fast=3"])


def test_an_unknown_parameter_names_the_strategys_parameters() -> None:
    with pytest.raises(ConfigError) as caught:
        check_names(parse_params(["fats=1,2"]), ["fast", "slow"], "sma_cross")
    assert "strategy 'sma_cross' has no parameter 'fats'; its parameters: fast, slow" in str(
        caught.value
    )


def test_a_constraint_compares_chains_and_combines() -> None:
    rule = parse_constraint("5 <= fast < slow and not slow % 20 == 0", ["fast", "slow"])
    assert rule.holds({"fast": 5, "slow": 30})
    assert not rule.holds({"fast": 4, "slow": 30})
    assert not rule.holds({"fast": 5, "slow": 40})
    assert not rule.holds({"fast": 30, "slow": 30})
    assert parse_constraint("slow / fast >= 2 or fast == 1", ["fast", "slow"]).holds(
        {"fast": 1, "slow": 1}
    )


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "fast.__class__",
        "[fast][0] < slow",
        "'a' < 'b'",
        "(lambda: 1)() < fast",
        "fast ** 999999 > 1",
    ],
)
def test_a_constraint_that_is_not_plain_arithmetic_is_refused(text: str) -> None:
    with pytest.raises(ConfigError, match=r"is not allowed|unknown name"):
        parse_constraint(text, ["fast", "slow"])


def test_a_constraint_naming_an_unknown_parameter_lists_the_swept_ones() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_constraint("fast < slwo", ["fast", "slow"])
    assert "unknown name 'slwo'; the swept parameters are fast, slow" in str(caught.value)


def test_the_grid_is_the_product_filtered_by_the_constraint_first_param_slowest() -> None:
    ranges = parse_params(["fast=1:3", "slow=2,3"])
    rule = parse_constraint("fast < slow", ["fast", "slow"])
    assert grid_points(ranges, rule) == [
        {"fast": 1, "slow": 2},
        {"fast": 1, "slow": 3},
        {"fast": 2, "slow": 3},
    ]


def test_an_empty_grid_is_one_error() -> None:
    ranges = parse_params(["fast=10,20", "slow=5"])
    with pytest.raises(ConfigError, match=r"the grid is empty: none of its 2 point\(s\)"):
        grid_points(ranges, parse_constraint("fast < slow", ["fast", "slow"]))


def test_random_points_are_distinct_seeded_and_capped_by_the_grid() -> None:
    points = [{"x": i} for i in range(10)]
    drawn = random_points(points, 4, seed=7)
    assert len({p["x"] for p in drawn}) == 4
    assert drawn == random_points(points, 4, seed=7)
    assert drawn != random_points(points, 4, seed=8)
    assert sorted(p["x"] for p in random_points(points, 50, seed=1)) == list(range(10))


def ns(day: int) -> int:
    return int(datetime(2024, 1, day, tzinfo=UTC).timestamp()) * 1_000_000_000


def test_walk_forward_folds_on_twenty_daily_bars() -> None:
    # bars open 2024-01-01 .. 2024-01-20; the data ends at 01-21 (last open + one day)
    walk = parse_walk_forward("train=10d,test=3d")
    assert walk.step == timedelta(days=3)
    got = [(f.train_start, f.train_end, f.test_end) for f in folds(walk, ns(1), ns(21))]
    assert got == [(ns(1), ns(11), ns(14)), (ns(4), ns(14), ns(17)), (ns(7), ns(17), ns(20))]
    stepped = folds(parse_walk_forward("train=10d,test=3d,step=5d"), ns(1), ns(21))
    assert [(f.train_start, f.test_end) for f in stepped] == [(ns(1), ns(14)), (ns(6), ns(19))]


def test_walk_forward_on_too_little_data_is_one_error() -> None:
    with pytest.raises(ConfigError, match="shorter than one training plus one test window"):
        folds(parse_walk_forward("train=10d,test=3d"), ns(1), ns(12))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("train=10d", "give test"),
        ("train=10x,test=1d", "a duration is like 30d"),
        ("train=1d,test=1d,train=2d", "train is given twice"),
        ("size=1d", "expected train=DURATION"),
    ],
)
def test_a_bad_walk_forward_spec_is_one_error(text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        parse_walk_forward(text)


def test_stitching_scales_each_window_to_start_where_the_last_ended() -> None:
    first = [(1, 100.0), (2, 110.0)]
    second = [(3, 100.0), (4, 90.0)]
    assert stitch([first, second], 100.0) == [(1, 100.0), (2, 110.0), (3, 110.0), (4, 99.0)]
