"""Exact money arithmetic: sums and products of Decimals that never round.

Python's default decimal context keeps 28 significant digits, so a cash balance of ten
million plus a fee of 0.000605037329999992993 would be rounded. Money in fills, positions and
accounts is exact (docs/paper_broker.md): the ledger, the FIFO lots and the fill rules add,
subtract and multiply through :data:`EXACT`, whose precision is the largest the decimal module
has, so a sum or product of finite Decimals is always exact.

Quotients are ratios, not money: average fill prices, the drawdown fraction and
cash ÷ price checks divide in the default 28-digit context, as the rest of logos does.
:data:`EXACT` must never divide (a quotient such as 1/3 has no exact decimal).
"""

from __future__ import annotations

from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, DivisionByZero, InvalidOperation

EXACT = Context(
    prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero]
)
"""The context of exact sums and products."""

add = EXACT.add
subtract = EXACT.subtract
multiply = EXACT.multiply
