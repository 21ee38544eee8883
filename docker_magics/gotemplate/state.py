"""Execution state shared by the walker and the expression evaluator, and Go's ExecError."""

from __future__ import annotations

from typing import Any

from .gofmt import go_quote
from .nodes import ListNode, Node
from .values import GoFunc

# Go allows 100000 nested {{template}} calls (text/template's maxExecDepth); Python's stack allows far fewer,
# so stop at MAX_DEPTH but say what Go says: a runaway recursion fails with Go's message, word for word. Only
# a template that recurses more than MAX_DEPTH times and then stops differs (see FORMAT notes).
MAX_DEPTH = 150
GO_MAX_DEPTH = 100_000

NOFINAL: Any = object()  # Go's missingVal: no value piped in from a previous command
NOMETHOD: Any = object()  # the receiver slot of a plain function call

# Methods callable on values, by Python class (time.Time's Format and friends, json.Number's...).
METHODS: dict[type, dict[str, GoFunc]] = {}


class ExecError(Exception):
    """An execution error; the message is Go's, e.g. ``template: :1:2: executing "" at <x>: ...``."""


class Break(Exception):
    """{{break}} unwinding to its range."""


class Continue(Exception):
    """{{continue}} unwinding to its range."""


def location(text: str, pos: int) -> tuple[int, int]:
    """(line, byte column) of a character position, as Go's ErrorContext counts them."""
    before = text[:pos]
    nl = before.rfind("\n")
    col_text = before if nl < 0 else before[nl + 1:]
    return before.count("\n") + 1, len(col_text.encode("utf-8", "surrogateescape"))


class State:
    """One execution: output, variable stack, current node (for errors) and template name."""

    __slots__ = ("depth", "funcs", "missing_error", "name", "node", "out", "text", "trees", "vars")

    def __init__(self, text: str, trees: dict[str, ListNode], funcs: dict[str, GoFunc],
                 missing_error: bool, out: list[str]) -> None:
        self.text = text
        self.trees = trees
        self.funcs = funcs
        self.missing_error = missing_error
        self.out = out
        self.vars: list[tuple[str, Any]] = []
        self.node: Node | None = None
        self.name = ""
        self.depth = 0

    def error(self, message: str) -> Any:
        """Raise Go's ExecError for the current node."""
        if self.node is None:
            raise ExecError(f"template: {self.name}: {message}")
        line, col = location(self.text, self.node.pos)
        raise ExecError(f"template: :{line}:{col}: executing {go_quote(self.name)} at "
                        f"<{self.node.string()}>: {message}")
