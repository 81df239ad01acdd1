"""The TOML run config, validated by pydantic against the registry's component ``Params``.

Validation collects *every* problem with its dotted field path (``strategy.params.fast``) so
``logos validate`` can report them all at once. CLI flags override config values through
:func:`apply_overrides` before validation, so flags and files go through the same checks.
"""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from logos.components import Component, ComponentKind
from logos.credentials import MASK, credential_keys, credential_problem, is_credential_key
from logos.domain import SymbolMeta
from logos.errors import ConfigError, DataError, LogosError
from logos.metadata import load_symbol_metas, parse_symbol_metas
from logos.plugins import Registry
from logos.sizing import SIZING_PARAMS
from logos.strategies.targets import Protection
from logos.sweep.table import SweepTable
from logos.textfile import read_text, toml_error_message


class Mode(StrEnum):
    """How a run trades: backtest, paper, dry_run or live."""

    BACKTEST = "backtest"
    PAPER = "paper"
    DRY_RUN = "dry_run"
    LIVE = "live"


class ComponentRef(BaseModel):
    """A component chosen by name, with its (not yet validated) params."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    params: dict[str, Any] = Field(default_factory=dict)


class RunConfig(BaseModel):
    """The shape of a run config file. Component params are checked separately, per component."""

    model_config = ConfigDict(extra="forbid")

    mode: Mode = Mode.BACKTEST
    session_id: str = Field("session", pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    symbols: list[str] = Field(min_length=1)
    timeframe: str = Field("1m", pattern=r"^[1-9][0-9]*[smhdw]$")
    run_dir: str = "runs"
    feed: ComponentRef
    broker: ComponentRef = ComponentRef(name="paper")
    strategy: ComponentRef
    sizing: ComponentRef = ComponentRef(name="fixed_qty", params={"qty": "1"})
    risk: list[ComponentRef] = Field(default_factory=list)
    reporters: list[ComponentRef] = Field(default_factory=list)
    metadata_file: str | None = Field(
        None, description="symbol metadata file (format: docs/metadata.md)"
    )
    metadata: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="inline symbol metadata; wins over metadata_file"
    )
    exits: Protection | None = Field(
        None,
        description="protective exits every entry arms (docs/orders.md): stop_loss, "
        "take_profit, trailing",
    )
    sweep: SweepTable | None = Field(
        None, description="logos sweep's ranges and search (docs/sweeps.md); others ignore it"
    )


@dataclass(frozen=True)
class ResolvedComponent:
    """A component class with its validated params, ready to instantiate."""

    name: str
    cls: type[Component] | None
    params: BaseModel

    def build(self) -> Component:
        """Instantiate the component with its params."""
        if self.cls is None:
            raise LogosError(f"'{self.name}' is not a component class")
        return self.cls(self.params)


@dataclass(frozen=True)
class ValidatedConfig:
    """A run config whose every component exists and whose every params block is valid."""

    run: RunConfig
    feed: ResolvedComponent
    broker: ResolvedComponent
    strategy: ResolvedComponent
    sizing: ResolvedComponent
    risk: tuple[ResolvedComponent, ...]
    reporters: tuple[ResolvedComponent, ...]
    metas: dict[str, SymbolMeta] = field(default_factory=dict)
    """Symbol metadata from ``metadata_file`` and inline ``metadata`` (empty: none given)."""


def _path(prefix: str, loc: tuple[int | str, ...]) -> str:
    parts = [prefix] if prefix else []
    for item in loc:
        parts.append(f"[{item}]" if isinstance(item, int) else str(item))
    return ".".join(parts).replace(".[", "[") or "(root)"


def _problems(
    error: ValidationError, prefix: str = "", model: type[BaseModel] | None = None
) -> list[str]:
    """One line per pydantic error: ``field.path: message (got VALUE)``; the value of a
    credential-looking field (or of a table holding one) is never repeated. An unknown key
    of ``model`` is answered with the keys it knows (a typo is then easy to see)."""
    problems = []
    for err in error.errors(include_url=False):
        where = _path(prefix, err["loc"])
        value = err.get("input")
        secret = any(is_credential_key(part) for part in err["loc"]) or any(
            True for _ in credential_keys(value)
        )
        got = "" if err["type"] == "missing" else f" (got {MASK if secret else repr(value)})"
        if err["type"] == "extra_forbidden" and model is not None and len(err["loc"]) == 1:
            got += f"; known: {', '.join(model.model_fields)}"
        problems.append(f"{where}: {_message(err)}{got}")
    return problems


PATTERN_WORDS = {
    r"^[A-Za-z0-9][A-Za-z0-9_.-]*$": (
        "letters, digits, '_', '.', '-', starting with a letter or digit"
    ),
    r"^[1-9][0-9]*[smhdw]$": "a whole number and a unit s, m, h, d or w (1m, 15m, 4h, 1d)",
    r"^[A-Za-z][A-Za-z0-9]*$": "letters and digits, starting with a letter",
}
"""The field patterns of the config and the built-in components, in words: a user is told
what to write, not a regular expression."""


def _message(err: Any) -> str:
    """pydantic's message, with a known pattern explained in words."""
    pattern = (err.get("ctx") or {}).get("pattern")
    if err["type"] == "string_pattern_mismatch" and pattern in PATTERN_WORDS:
        return f"expected {PATTERN_WORDS[pattern]}"
    return str(err["msg"])


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file; every way it can be unreadable (missing, a folder, not UTF-8, a
    syntax error) becomes one ConfigError naming the file (and the line, when there is one)."""
    path = Path(path)
    text = read_text(path, lambda message: ConfigError([message]), what="TOML config file")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([toml_error_message(path, exc, text)]) from None


def parse_override(text: str) -> tuple[str, Any]:
    """``key.path=value``; the value is read as a TOML value when it is one, else as a string."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise ConfigError([f"override {text!r} is not of the form key=value"])
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.strip(), value


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with dotted keys set (``strategy.params.fast``, ``risk.0.name``)."""

    result = copy.deepcopy(data)
    for dotted, value in overrides.items():
        node: Any = result
        parts = dotted.split(".")
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise ConfigError([f"{dotted}: no list item {part!r}"])
                if last:
                    node[int(part)] = value
                else:
                    node = node[int(part)]
            elif isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
            else:
                raise ConfigError([f"{dotted}: {'.'.join(parts[:i])} is not a table"])
    return result


def _resolve(
    registry: Registry,
    kind: ComponentKind | None,
    ref: ComponentRef,
    where: str,
    problems: list[str],
) -> ResolvedComponent | None:
    if kind is None:
        model = SIZING_PARAMS.get(ref.name)
        cls = None
        if model is None:
            installed = ", ".join(sorted(SIZING_PARAMS))
            problems.append(f"{where}.name: unknown sizing rule '{ref.name}'; known: {installed}")
            return None
    else:
        try:
            cls = registry.get(kind, ref.name)
        except LogosError as exc:
            problems.append(f"{where}.name: {exc}")
            return None
        if not getattr(cls, "available", True):  # its params would only distract ...
            problems.append(f"{where}.name: {not_available_message(cls)}")
            if getattr(cls, "checks_params", False):  # ... unless it asks (a stub's config)
                try:
                    cls.Params.model_validate(ref.params)
                except ValidationError as exc:
                    problems.extend(_problems(exc, f"{where}.params", cls.Params))
            return None
        model = cls.Params
    try:
        params = model.model_validate(ref.params)
    except ValidationError as exc:
        problems.extend(_problems(exc, f"{where}.params", model))
        return None
    return ResolvedComponent(ref.name, cls, params)


def not_available_message(cls: type[Component]) -> str:
    """What :class:`~logos.errors.NotAvailableYetError` says for a registered component whose
    behaviour has not landed yet (docs/status.md lists them)."""
    planned = getattr(cls, "planned_in", "a later release")
    return (
        f"{cls.__name__} ('{cls.name}') is registered but not available yet: it lands in "
        f"{planned} (see docs/status.md)"
    )


def _duplicate_symbols(data: dict[str, Any]) -> list[str]:
    """A symbol listed twice would get two strategies and double every order: refuse it."""
    symbols = data.get("symbols")
    if not isinstance(symbols, list):
        return []
    first: dict[object, int] = {}
    problems = []
    for i, symbol in enumerate(symbols):
        if not isinstance(symbol, str):
            continue
        if symbol in first:
            problems.append(
                f"symbols[{i}]: '{symbol}' is already listed at symbols[{first[symbol]}]; "
                "list each symbol once"
            )
        else:
            first[symbol] = i
    return problems


def validate_config(
    data: dict[str, Any], registry: Registry, source: str | None = None
) -> ValidatedConfig:
    """Validate a parsed config; raise one ConfigError listing every problem found.

    Besides the shape and every component's params, it refuses credentials in the config
    (see :mod:`logos.credentials`), a symbol listed twice, and components that are registered
    but not available yet, so ``logos validate`` fails where ``logos backtest`` would.
    """
    secrets = list(credential_keys(data))
    try:
        run = RunConfig.model_validate(data)
    except ValidationError as exc:
        problems = _problems(exc) + _duplicate_symbols(data)
        # Keep going with what is well-formed so component problems are reported too.
        partial = {k: v for k, v in data.items() if isinstance(v, dict | list)}
        _resolve_all(partial, registry, problems)
        raise ConfigError(_with_credentials(problems, secrets), source) from None
    problems = _duplicate_symbols(data)
    resolved = _resolve_all(run.model_dump(), registry, problems)
    problems.extend(_duplicate_guards(run))
    metas = _symbol_metas(run, source, problems)
    if problems or secrets:
        raise ConfigError(_with_credentials(problems, secrets), source)
    return ValidatedConfig(run=run, **resolved, metas=metas)


def _with_credentials(problems: list[str], secrets: list[str]) -> list[str]:
    """The credential refusals first, in place of any other problem at the same key (an
    "extra input" complaint about ``api_key`` would only distract from where it belongs)."""
    others = [p for p in problems if not any(p.startswith(f"{path}: ") for path in secrets)]
    return [credential_problem(path) for path in secrets] + others


def _symbol_metas(run: RunConfig, source: str | None, problems: list[str]) -> dict[str, SymbolMeta]:
    metas: dict[str, SymbolMeta] = {}
    if run.metadata_file:
        path = Path(run.metadata_file)
        if source and not path.is_absolute():
            path = Path(source).parent / path  # relative to the config file, like its data
        try:
            metas.update(load_symbol_metas(path))
        except DataError as exc:
            problems.append(f"metadata_file: {exc}")
    if run.metadata:
        try:
            metas.update(parse_symbol_metas(run.metadata, source="metadata"))
        except DataError as exc:
            problems.append(str(exc))
    return metas


def _resolve_all(data: dict[str, Any], registry: Registry, problems: list[str]) -> dict[str, Any]:
    singles = {
        "feed": ComponentKind.FEED,
        "broker": ComponentKind.BROKER,
        "strategy": ComponentKind.STRATEGY,
        "sizing": None,
    }
    lists = {"risk": ComponentKind.RISK_GUARD, "reporters": ComponentKind.REPORTER}
    resolved: dict[str, Any] = {}
    for key, kind in singles.items():
        raw = data.get(key)
        if key == "sizing" and raw is None:
            raw = RunConfig.model_fields["sizing"].default.model_dump()
        ref = _ref(raw)
        resolved[key] = ref and _resolve(registry, kind, ref, key, problems)
    for key, kind in lists.items():
        items = []
        for i, raw in enumerate(data.get(key) or []):
            ref = _ref(raw)
            items.append(ref and _resolve(registry, kind, ref, f"{key}[{i}]", problems))
        resolved[key] = tuple(items)
    return resolved


def _ref(raw: Any) -> ComponentRef | None:
    try:
        return ComponentRef.model_validate(raw)
    except ValidationError:
        return None  # the shape error is already reported by RunConfig validation


def parse_risk_flag(text: str) -> dict[str, Any]:
    """``NAME`` or ``NAME:key=value,key=value`` (``--risk``) → a ``[[risk]]`` entry; values
    are read as TOML values when they are one (``limit=0.2``), else as strings."""
    name, _, rest = text.partition(":")
    if not name.strip():
        raise ConfigError([f"--risk {text!r}: give a guard name, e.g. max_drawdown:limit=0.2"])
    params: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in rest.split(","))):
        key, sep, _ = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(
                [f"--risk {text!r}: {item!r} is not key=value (e.g. max_drawdown:limit=0.2)"]
            )
        key, value = parse_override(item)
        if key in params:
            raise ConfigError([f"--risk {text!r}: {key} is given twice"])
        params[key] = value
    return {"name": name.strip(), "params": params}


def apply_risk_flags(data: dict[str, Any], flags: list[str]) -> None:
    """Add ``--risk`` guards to ``data["risk"]``; a guard the config already lists gets the
    flag's params on top of its own (flags win)."""
    entries = data.setdefault("risk", [])
    if not isinstance(entries, list):
        return  # the shape error is reported by validation
    for flag in flags:
        entry = parse_risk_flag(flag)
        for existing in entries:
            if isinstance(existing, dict) and existing.get("name") == entry["name"]:
                params = existing.get("params") or {}
                if isinstance(params, dict):  # else validation reports the config's shape
                    existing["params"] = {**params, **entry["params"]}
                break
        else:
            entries.append(entry)


def _duplicate_guards(run: RunConfig) -> list[str]:
    """A guard listed twice would run twice with two sets of limits: say which to keep."""
    seen: dict[str, int] = {}
    problems = []
    for i, ref in enumerate(run.risk):
        if ref.name in seen:
            problems.append(
                f"risk[{i}].name: guard '{ref.name}' is already listed at risk[{seen[ref.name]}]"
                "; list each guard once"
            )
        else:
            seen[ref.name] = i
    return problems


def anchor_paths(raw: dict[str, Any], folder: Path) -> None:
    """Make the relative paths of a config file relative to that file, so a config runs the
    same from any working directory: ``feed.params.path``, ``run_dir``, the broker's
    ``*_file`` params and a strategy given as ``file.py:Class``. (``metadata_file`` is
    anchored by ``logos.config`` the same way.) Flags and ``--set`` values are applied
    afterwards and stay relative to the working directory."""
    feed = raw.get("feed")
    params = feed.get("params") if isinstance(feed, dict) else None
    if isinstance(params, dict) and "path" in params:
        params["path"] = _anchored(params["path"], folder)
    if "run_dir" in raw:
        raw["run_dir"] = _anchored(raw["run_dir"], folder)
    broker = raw.get("broker")
    broker_params = broker.get("params") if isinstance(broker, dict) else None
    if isinstance(broker_params, dict):  # a venue's saved metadata (alpaca's assets_file)
        for key in [k for k in broker_params if isinstance(k, str) and k.endswith("_file")]:
            broker_params[key] = _anchored(broker_params[key], folder)
    strategy = raw.get("strategy")
    name = strategy.get("name") if isinstance(strategy, dict) else None
    if isinstance(name, str) and ".py:" in name:
        where, _, attr = name.rpartition(":")
        strategy["name"] = f"{_anchored(where, folder)}:{attr}"


def _anchored(value: Any, folder: Path) -> Any:
    """``folder / value`` for a relative path string; anything else unchanged (validation
    reports a value of the wrong type)."""
    if isinstance(value, str) and value and not Path(value).expanduser().is_absolute():
        return str(folder / value)
    return value


def load_config(
    path: str | Path,
    registry: Registry,
    overrides: dict[str, Any] | None = None,
    risk_flags: list[str] | None = None,
) -> ValidatedConfig:
    """Read, anchor its paths, override (``--set``, then ``--risk`` flags) and validate a
    run config file, as ``logos backtest CONFIG`` reads it (a ``file.py:Class`` strategy
    included)."""
    from logos.strategies.loading import with_strategy_class

    raw = read_config_file(path)
    anchor_paths(raw, Path(path).parent)
    data = apply_overrides(raw, overrides or {})
    if risk_flags:
        apply_risk_flags(data, risk_flags)
    source = str(path)
    return validate_config(data, with_strategy_class(registry, data, source), source=source)
