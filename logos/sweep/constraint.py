"""``--where "fast < slow"``: a constraint on a sweep's points, parsed without running code.

The text is parsed by :mod:`ast` and only a whitelist of nodes is accepted: numbers, the
swept parameters' names, ``+ - * / // %``, comparisons (chains too: ``5 <= fast < slow``),
``and``, ``or``, ``not`` and parentheses. Anything else (a call, an attribute, a subscript,
a string, a lambda) is refused before any point is evaluated, so a constraint cannot reach
the interpreter.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from logos.errors import ConfigError

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


@dataclass(frozen=True)
class Constraint:
    """A parsed ``--where`` expression; :meth:`holds` evaluates it on one point."""

    text: str
    tree: ast.expr

    def holds(self, point: Mapping[str, Any]) -> bool:
        """Whether the point satisfies the constraint (a division by zero: it does not)."""
        try:
            return bool(_evaluate(self.tree, point))
        except ZeroDivisionError:
            return False


def parse_constraint(text: str, names: list[str] | None) -> Constraint:
    """Parse and check ``text``; a ConfigError says what is not allowed, or which name is
    unknown and which names are (``names`` None: any name, the syntax alone is checked)."""
    where = f'--where "{text}"'
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise _bad(where, f"not an expression ({exc.msg})") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if names is not None and node.id not in names:
                raise _bad(
                    where,
                    f"unknown name {node.id!r}; the swept parameters are {', '.join(names)}",
                )
        elif not _allowed(node):
            shown = ast.get_source_segment(text.strip(), node) or type(node).__name__
            raise _bad(
                where,
                f"{shown!r} is not allowed (names, numbers, + - * / // %, "
                "comparisons, and, or, not)",
            )
    return Constraint(text, tree)


def _allowed(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int | float) and not isinstance(node.value, bool)
    if isinstance(node, ast.BinOp | ast.UnaryOp | ast.BoolOp | ast.Compare):
        return True
    if isinstance(node, ast.Load | ast.And | ast.Or | ast.Not | ast.USub | ast.UAdd):
        return True
    return type(node) in _BINARY or type(node) in _COMPARE


def _evaluate(node: ast.expr, point: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return point[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_evaluate(node.left, point), _evaluate(node.right, point))
    if isinstance(node, ast.UnaryOp):
        value = _evaluate(node.operand, point)
        if isinstance(node.op, ast.Not):
            return not value
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.BoolOp):
        values = (_evaluate(v, point) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, point)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(right_node, point)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True
    raise TypeError(f"unexpected node {type(node).__name__}")  # refused by parse_constraint


def _bad(where: str, problem: str) -> ConfigError:
    return ConfigError([f"{where}: {problem}"], source="command line")
