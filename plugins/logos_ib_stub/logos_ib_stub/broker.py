"""Broker ``ib``: a documented stub. Interactive Brokers support is future work.

The stub registers the name and params so an IB config can be written and validated
(host, a TWS or IB Gateway port, client id, account); it never trades: constructing it
raises ``NotAvailableYetError`` pointing to docs/brokers/ib.md, which lists what a full
adapter needs (an ``ib_async`` connection, contract resolution, ``whatIfOrder`` for dry-run,
reconciliation). It is the one honest stub the project keeps.
"""

from __future__ import annotations

from typing import Any, ClassVar, Self

from pydantic import BaseModel, Field, field_validator, model_validator

from logos.components import NotAvailableYet, Params
from logos.errors import NotAvailableYetError

IB_PORTS: dict[int, str] = {
    7497: "TWS, paper",
    7496: "TWS, live",
    4002: "IB Gateway, paper",
    4001: "IB Gateway, live",
}
"""The API ports TWS and IB Gateway listen on by default."""
PAPER_PORTS = frozenset({7497, 4002})
DOC = "docs/brokers/ib.md"


class IbParams(Params):
    """Where TWS / IB Gateway listens and which account to trade."""

    host: str = Field("127.0.0.1", min_length=1, description="TWS / IB Gateway host")
    port: int = Field(
        7497,
        ge=1,
        le=65535,
        description="7497 TWS paper, 7496 TWS live, 4002 IB Gateway paper, 4001 IB Gateway live",
    )
    client_id: int = Field(
        1, ge=0, le=2**31 - 1, description="API client id (unique per connection)"
    )
    account: str | None = Field(
        None,
        pattern=r"^[A-Z]{1,3}[0-9]+$",
        description="IB account id (DU1234567 paper, U1234567 live); default: the only one",
    )

    @field_validator("port")
    @classmethod
    def _an_ib_port(cls, port: int) -> int:
        if port not in IB_PORTS:
            known = ", ".join(f"{p} ({what})" for p, what in IB_PORTS.items())
            raise ValueError(f"not an IB API port; TWS and IB Gateway listen on {known}")
        return port

    @model_validator(mode="after")
    def _account_matches_the_port(self) -> Self:
        if self.account is None:
            return self
        paper_account = self.account.startswith("D")
        if paper_account != self.paper:
            port = f"port {self.port} is {IB_PORTS[self.port]}"
            kind = "a paper" if paper_account else "a live"
            raise ValueError(f"{port} but account {self.account} is {kind} account")
        return self

    @property
    def paper(self) -> bool:
        """True for the paper-trading ports (7497, 4002)."""
        return self.port in PAPER_PORTS


class IbBroker(NotAvailableYet):
    """Interactive Brokers through TWS / IB Gateway (stub: validates its config, never
    trades; docs/brokers/ib.md)."""

    name = "ib"
    planned_in = f"no release: it is a documented stub ({DOC} lists what an adapter needs)"
    checks_params: ClassVar[bool] = True
    """Config validation checks these params although the broker cannot run."""
    Params: ClassVar[type[BaseModel]] = IbParams

    def __init__(self, params: BaseModel | None = None, **kwargs: Any) -> None:
        raise NotAvailableYetError(
            "broker 'ib' is a documented stub and does not trade: Interactive Brokers "
            f"support needs an adapter that does not exist yet ({DOC} says what it needs); "
            "trade through alpaca or ccxt, or paper-trade with broker paper"
        )
