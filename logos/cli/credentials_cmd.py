"""``logos check-credentials``: are a venue broker's credentials set (and, ``--online``, taken
by the venue)? Generic: it asks the broker class (``check_credentials``); never prints a
credential's value (docs/safety.md)."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.markup import escape

from logos.cli.app import app, out


@app.command("check-credentials")
def check_credentials(
    broker: Annotated[
        str,
        typer.Option("--broker", metavar="NAME", help="Venue broker: alpaca, ccxt."),
    ],
    exchange: Annotated[
        str | None,
        typer.Option("--exchange", metavar="ID", help="ccxt: the exchange id (binance ...)."),
    ] = None,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Also make one read-only call to the venue (alpaca: the account's status and "
            "buying power; ccxt: the balance).",
        ),
    ] = False,
    set_: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="A broker param (repeatable): paper=false, key_env=MY_KEY_VAR ...",
        ),
    ] = None,
) -> None:
    """Check that a venue broker's credentials are set in the environment (their names are
    printed, never their values); with --online, that the venue takes them. Exit 1 when they
    are not. alpaca reads APCA_API_KEY_ID and APCA_API_SECRET_KEY (docs/brokers/alpaca.md);
    docs/safety.md has the rest."""
    from logos.config import parse_override
    from logos.credentials import redact
    from logos.errors import ConfigError, LogosError
    from logos.plugins import get_registry

    cls = get_registry().get("broker", broker)
    if not hasattr(cls, "check_credentials"):
        raise LogosError(f"broker '{broker}' reads no credentials (venue brokers do: alpaca, ccxt)")
    values: dict[str, Any] = dict(parse_override(item) for item in set_ or [])
    if exchange is not None:
        values["exchange"] = exchange
    params = _params(cls, values, broker)
    names: dict[str, str] = cls.credential_env(params)
    for role, variable in names.items():
        state = "set" if os.environ.get(variable) else "NOT SET"
        out.print(f"{escape(role)}: {escape(variable)} {state}", highlight=False)
    report = getattr(cls, "credential_report", None)
    if report is not None:
        problems, facts = report(params, os.environ, online)
    else:
        problems, facts = cls.check_credentials(params, os.environ, online), []
    for fact in facts:
        out.print(escape(redact(fact)), highlight=False, soft_wrap=True)
    if problems:
        raise ConfigError([redact(p) for p in problems], source=f"broker '{broker}'")
    checked = "set, and taken by the venue" if online else "set (not tried: add --online)"
    out.print(f"[green]ok[/green]: the credentials of broker '{escape(broker)}' are {checked}")


def _params(cls: Any, values: dict[str, Any], broker: str) -> Any:
    from pydantic import ValidationError

    from logos.errors import ConfigError

    try:
        return cls.Params.model_validate(values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            where = ".".join(str(p) for p in error["loc"]) or "params"
            flag = "--exchange" if where == "exchange" else f"--set {where}=..."
            problems.append(f"{flag}: {error['msg']}")
        raise ConfigError(problems, source=f"broker '{broker}'") from None
