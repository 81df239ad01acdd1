"""The live-safety validator: every rule a live run must meet, each with an id and a message.

A live session sends real orders with real money, so ``logos trade`` starts one only when
every rule below holds, and a refusal lists *all* the rules that failed (fixing them one at
a time, one run each, would be a slow way to learn the list). ``logos validate`` runs the
same rules on a live config (docs/safety.md):

- ``live-mode``: the config says ``mode = "live"`` (a config is never live by a flag alone);
- ``live-flag``: ``--live`` is on the command line (a config alone never goes live);
- ``live-broker``: the broker is a venue adapter that supports live trading;
- ``risk-limits``: the order, position and loss limits are configured
  (:data:`REQUIRED_LIMITS`), and every number of every guard is finite;
- ``kill-switch``: the ``kill_switch`` guard is configured;
- ``credentials``: every environment variable the broker reads its credentials from is set
  (credentials never come from the config; their values are never shown);
- ``known-symbols``: every symbol has venue metadata (the config's metadata, or what the
  broker knows offline, e.g. a saved assets file).

The rules are pure functions of the validated config, the command line and the
environment: nothing here connects to a venue.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from logos.config import ValidatedConfig
from logos.errors import ConfigError


@dataclass(frozen=True)
class SafetyRule:
    """A rule of the validator: its id and what it requires, in words."""

    id: str
    requires: str


RULES: tuple[SafetyRule, ...] = (
    SafetyRule("live-mode", 'the config says mode = "live"'),
    SafetyRule("live-flag", "--live is given on the command line"),
    SafetyRule("live-broker", "the broker supports live trading (a venue adapter)"),
    SafetyRule("risk-limits", "order, position and loss limits are set, every number finite"),
    SafetyRule("kill-switch", "the kill_switch guard is configured"),
    SafetyRule("credentials", "the broker's credential environment variables are set"),
    SafetyRule("known-symbols", "every symbol has venue metadata"),
)
"""Every rule, in the order a refusal lists them."""

REQUIRED_LIMITS: dict[str, str] = {
    "max_order_notional": "the largest order",
    "max_position_notional": "the largest position per symbol",
    "max_drawdown": "the largest loss before trading halts",
}
"""The guards a live config must configure, and what each limits."""

SAFETY_DOC = "docs/safety.md"


@dataclass(frozen=True)
class RuleFailure:
    """A rule that does not hold: its id and what is wrong (never a credential's value)."""

    rule: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


class LiveSafetyError(ConfigError):
    """A live run refused: the message lists every failed rule, each with its id."""

    def __init__(self, failures: list[RuleFailure], source: str | None = None) -> None:
        self.failures = failures
        lines = [str(f) for f in failures]
        lines.append(f"a live run needs every rule to hold ({SAFETY_DOC})")
        super().__init__(lines, source)


def live_failures(
    validated: ValidatedConfig,
    *,
    live_flag: bool,
    environ: Mapping[str, str],
) -> list[RuleFailure]:
    """Every rule that does not hold for a live run of ``validated``, in :data:`RULES`
    order (empty: it may go live)."""
    checks: dict[str, Callable[[], list[str]]] = {
        "live-mode": lambda: _live_mode(validated),
        "live-flag": lambda: [] if live_flag else ["give --live on the command line"],
        "live-broker": lambda: _live_broker(validated),
        "risk-limits": lambda: _risk_limits(validated),
        "kill-switch": lambda: _kill_switch(validated),
        "credentials": lambda: _credentials(validated, environ),
        "known-symbols": lambda: _known_symbols(validated),
    }
    return [RuleFailure(rule.id, m) for rule in RULES for m in checks[rule.id]()]


def check_live(
    validated: ValidatedConfig,
    *,
    live_flag: bool,
    environ: Mapping[str, str],
    source: str | None = None,
) -> None:
    """Raise :class:`LiveSafetyError` listing every failed rule; return when all hold."""
    failures = live_failures(validated, live_flag=live_flag, environ=environ)
    if failures:
        raise LiveSafetyError(failures, source)


# the rules --------------------------------------------------------------------------------


def _live_mode(validated: ValidatedConfig) -> list[str]:
    mode = validated.run.mode.value
    if mode == "live":
        return []
    return [f'mode: the config says mode = "{mode}"; a live run needs mode = "live" in it']


def _live_broker(validated: ValidatedConfig) -> list[str]:
    cls = validated.broker.cls
    if cls is not None and getattr(cls, "supports_live", False):
        return []
    return [
        f"broker.name: broker '{validated.broker.name}' does not trade live (a venue broker "
        "does: ccxt, alpaca)"
    ]


def _risk_limits(validated: ValidatedConfig) -> list[str]:
    configured = {ref.name for ref in validated.risk}
    problems = [
        f'risk: no {name} guard (it limits {what}); add [[risk]] name = "{name}"'
        for name, what in REQUIRED_LIMITS.items()
        if name not in configured
    ]
    for i, ref in enumerate(validated.risk):
        for field, value in ref.params.model_dump().items():
            if not _finite(value):
                problems.append(f"risk[{i}].params.{field}: {value} is not a finite number")
    return problems


def _finite(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite()
    if isinstance(value, float):
        return math.isfinite(value)
    return True


def _kill_switch(validated: ValidatedConfig) -> list[str]:
    if any(ref.name == "kill_switch" for ref in validated.risk):
        return []
    return ['risk: no kill_switch guard; add [[risk]] name = "kill_switch" (docs/risk.md)']


def credential_env(validated: ValidatedConfig) -> dict[str, str]:
    """What the broker reads its credentials from: role (``key``, ``secret`` ...) →
    environment variable name (``{}`` for a broker without credentials)."""
    cls = validated.broker.cls
    names = getattr(cls, "credential_env", None)
    if names is None:
        return {}
    result: dict[str, str] = names(validated.broker.params)
    return result


def _credentials(validated: ValidatedConfig, environ: Mapping[str, str]) -> list[str]:
    cls = validated.broker.cls
    if cls is None or not getattr(cls, "supports_live", False):
        return []  # live-broker says what is wrong
    missing = [
        f"{role} (environment variable {name})"
        for role, name in credential_env(validated).items()
        if not environ.get(name, "").strip()
    ]
    if not missing:
        return []
    return [
        f"broker '{validated.broker.name}': not set: {', '.join(missing)}; export them in the "
        "shell that runs logos (never in the config)"
    ]


def _known_symbols(validated: ValidatedConfig) -> list[str]:
    known: set[str] = set(validated.metas)
    cls = validated.broker.cls
    offline: Callable[[Any], Collection[str] | None] | None = getattr(cls, "known_symbols", None)
    if offline is not None:
        known.update(offline(validated.broker.params) or ())
    unknown = [s for s in validated.run.symbols if s not in known]
    if not unknown:
        return []
    return [
        f"symbols: no venue metadata for {', '.join(unknown)}; give it with metadata_file "
        "(docs/metadata.md) or the broker's saved venue metadata"
    ]
