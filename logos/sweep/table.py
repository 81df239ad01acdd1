"""The ``[sweep]`` table of a run config: a sweep's ranges and search kept with the config.

```toml
[sweep]
params = { fast = "5:50:5", slow = [20, 30, 50] }
where = "fast < slow"
search = "grid"
objective = "sharpe"
min_trades = 5
```

A range is the text ``--param`` takes (``"5:50:5"``, ``"2:64:*2"``, ``"5,10,20"``), a TOML
list of values or one value. :class:`SweepTable` is part of the run config model, so
``logos validate`` checks the table (a bad range is an error naming ``sweep.params.fast``)
and every other command accepts and ignores it. :func:`merge` combines it with the flags of
``logos sweep``: a ``--param`` replaces the table's range of the same name (other names are
kept), every other flag given replaces the table's value. The user's guide is
docs/sweeps.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from logos.errors import ConfigError
from logos.sweep.params import RangeProblem, range_values

RangeValue = int | float | bool | str


def spec_text(value: RangeValue | list[RangeValue]) -> str:
    """A table range as the SPEC text ``--param NAME=SPEC`` takes (a list: ``5,10,20``)."""
    if isinstance(value, list):
        return ",".join(_item_text(item) for item in value)
    return _item_text(value)


def _item_text(value: RangeValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _checked_range(value: RangeValue | list[RangeValue]) -> RangeValue | list[RangeValue]:
    if isinstance(value, list):
        if not value:
            raise PydanticCustomError("sweep_range", "an empty list; give at least one value")
        for item in value:
            if isinstance(item, str) and ("," in item or not item.strip()):
                raise PydanticCustomError(
                    "sweep_range", "{item}: a list item is one value, without commas",
                    {"item": repr(item)},
                )  # fmt: skip
    try:
        range_values(spec_text(value).strip())
    except RangeProblem as exc:
        raise PydanticCustomError("sweep_range", "{problem}", {"problem": str(exc)}) from None
    return value


Range = Annotated[RangeValue | list[RangeValue], AfterValidator(_checked_range)]


class SweepTable(BaseModel):
    """The ``[sweep]`` table (see the module docstring); every field is optional."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, Range] = Field(
        default_factory=dict, description="strategy param -> range (as --param takes it)"
    )
    where: str | None = Field(None, description='constraint over the params, "fast < slow"')
    search: Literal["grid", "random", "optuna"] | None = None
    trials: int | None = Field(None, ge=1)
    seed: int | None = None
    objective: str | None = None
    min_trades: int | None = Field(None, ge=0)

    @field_validator("params")
    @classmethod
    def _names(cls, params: dict[str, Any]) -> dict[str, Any]:
        for name in params:
            if not name.isidentifier():
                raise PydanticCustomError(
                    "sweep_param_name", "{name} is not a parameter name (letters, digits and _)",
                    {"name": repr(name)},
                )  # fmt: skip
        return params

    @field_validator("where")
    @classmethod
    def _where(cls, text: str | None) -> str | None:
        from logos.sweep.constraint import parse_constraint

        if text is not None:
            try:  # the names are checked against the swept params when the sweep runs
                parse_constraint(text, None)
            except ConfigError as exc:
                raise PydanticCustomError(
                    "sweep_where", "{problem}", {"problem": _problem(exc, f'--where "{text}"')}
                ) from None
        return text

    @field_validator("objective")
    @classmethod
    def _objective(cls, name: str | None) -> str | None:
        from logos.sweep.objectives import OBJECTIVES

        if name is not None and name not in OBJECTIVES:
            raise PydanticCustomError(
                "sweep_objective", "unknown objective {name}; known: {known}",
                {"name": repr(name), "known": ", ".join(OBJECTIVES)},
            )  # fmt: skip
        return name


def _problem(exc: ConfigError, prefix: str) -> str:
    """A sweep check's one problem without the flag it names (the caller names the key)."""
    text = exc.problems[0]
    return text.removeprefix(f"{prefix}: ")


@dataclass
class SweepSettings:
    """The effective sweep definition: the flags over the ``[sweep]`` table over defaults."""

    params: list[str]
    where: str | None
    search: str
    trials: int | None
    seed: int
    objective: str
    min_trades: int
    from_table: set[str]
    """The settings that came from the table (``params.NAME`` for a range)."""


def merge(table: dict[str, Any] | None, flags: dict[str, Any]) -> SweepSettings:
    """The flags (``None``: not given; ``params``: the ``--param`` texts) over a validated
    ``[sweep]`` table (``None``: the config has none)."""
    given = SweepTable.model_validate(table or {})
    flagged = {text.partition("=")[0].strip() for text in flags.get("params") or []}
    params = [
        f"{name}={spec_text(value)}" for name, value in given.params.items() if name not in flagged
    ]
    from_table = {f"params.{name}" for name in given.params if name not in flagged}
    params += list(flags.get("params") or [])
    values: dict[str, Any] = {}
    defaults = {"where": None, "search": "grid", "trials": None, "seed": 0,
                "objective": "sharpe", "min_trades": 0}  # fmt: skip
    for key, default in defaults.items():
        if flags.get(key) is not None:
            values[key] = flags[key]
        elif getattr(given, key) is not None:
            values[key] = getattr(given, key)
            from_table.add(key)
        else:
            values[key] = default
    return SweepSettings(params=params, from_table=from_table, **values)


def check_table_settings(
    settings: SweepSettings, strategy: str, known: list[str], source: str
) -> None:
    """The checks that need the strategy and every swept name, for the settings that came
    from the table: one ConfigError naming the config file and the key (``sweep.where``).
    Those that came from flags are checked (naming the flag) when the sweep is planned."""
    from logos.sweep.constraint import parse_constraint

    names = [text.partition("=")[0].strip() for text in settings.params]
    for name in names:
        if f"params.{name}" in settings.from_table and name not in known:
            raise ConfigError(
                [f"sweep.params.{name}: strategy '{strategy}' has no parameter {name!r}; "
                 f"its parameters: {', '.join(known) or 'none'}"],
                source=source,
            )  # fmt: skip
    if settings.where is not None and "where" in settings.from_table:
        try:
            parse_constraint(settings.where, names)
        except ConfigError as exc:
            problem = _problem(exc, f'--where "{settings.where}"')
            raise ConfigError([f"sweep.where: {problem}"], source=source) from None
    if settings.search != "grid" and settings.trials is None and "search" in settings.from_table:
        raise ConfigError(
            [f"sweep.search: search {settings.search!r} needs trials = N (or --trials N)"],
            source=source,
        )
