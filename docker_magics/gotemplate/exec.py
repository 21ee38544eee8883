"""The template walker: executes nodes, writes output, and runs if/with/range/template/break.

Expressions are evaluated by ``evaluate.py``; together they follow Go's text/template exec.go.
"""

from __future__ import annotations

from typing import Any

from .evaluate import eval_field_chain, eval_pipeline, set_var
from .gofmt import Printer, fmt_v, go_quote
from .nodes import (
    ActionNode,
    BreakNode,
    ContinueNode,
    IfNode,
    ListNode,
    Node,
    RangeNode,
    TemplateNode,
    TextNode,
    WithNode,
)
from .state import GO_MAX_DEPTH, MAX_DEPTH, NOFINAL, Break, Continue, ExecError, State
from .values import MISSING, ContextRow, GoFunc, GoInt, GoPtr

__all__ = ["ExecError", "execute", "execute_rows"]


def execute(text: str, trees: dict[str, ListNode], data: Any, funcs: dict[str, GoFunc],
            missing_error: bool, out: list[str]) -> None:
    """Run the main template on data, appending output to ``out`` (kept when an error is raised)."""
    s = State(text, trees, funcs, missing_error, out)
    if data is None:
        data = MISSING  # Execute(w, nil): dot is reflect.ValueOf(nil), an invalid value ({{.S}} is <no value>)
    s.vars.append(("$", data))
    try:
        walk(s, data, trees[""])
    except RecursionError:
        s.node = None
        s.error("exceeded maximum nesting depth")


def execute_rows(text: str, trees: dict[str, ListNode], rows: Any, funcs: dict[str, GoFunc],
                 out: list[str]) -> None:
    """Run the main template once per row, each followed by a newline (a list formatter's loop)."""
    s = State(text, trees, funcs, False, out)
    root = trees[""]
    try:
        for row in rows:
            s.vars = [("$", row)]
            s.name = ""
            walk(s, row, root)
            out.append("\n")
    except RecursionError:
        s.node = None
        s.error("exceeded maximum nesting depth")


# -- walking ------------------------------------------------------------------------------------
def walk(s: State, dot: Any, node: Node) -> None:
    """Execute one node, writing to s.out."""
    s.node = node
    t = type(node)
    if t is ListNode:
        for n in node.nodes:  # type: ignore[attr-defined]
            if type(n) is TextNode:
                s.out.append(n.text)
            elif type(n) is ActionNode:
                walk_action(s, dot, n)
            else:
                walk(s, dot, n)
    elif t is TextNode:
        s.out.append(node.text)  # type: ignore[attr-defined]
    elif t is ActionNode:
        walk_action(s, dot, node)  # type: ignore[arg-type]
    elif t is IfNode or t is WithNode:
        walk_if_with(s, dot, node, t is WithNode)
    elif t is RangeNode:
        walk_range(s, dot, node)  # type: ignore[arg-type]
    elif t is TemplateNode:
        walk_template(s, dot, node)  # type: ignore[arg-type]
    elif t is BreakNode:
        raise Break
    elif t is ContinueNode:
        raise Continue
    else:
        s.error(f"unknown node: {node.string()}")


def walk_action(s: State, dot: Any, node: ActionNode) -> None:
    """``{{pipeline}}``: print its value unless it declares variables."""
    s.node = node
    fast = node.fast
    if fast is not None:
        if type(dot) is ContextRow and len(fast.ident) == 1:
            v = dot.values.get(fast.ident[0])
            if type(v) is str:
                s.out.append(v)
                return
        s.node = fast
        v = eval_field_chain(s, dot, dot, fast, fast.ident, None, NOFINAL)
        if v is None:
            v = MISSING
    else:
        v = eval_pipeline(s, dot, node.pipe)
        if node.pipe.decl:
            return
    s.out.append(v if type(v) is str else print_value(s, node, v))


def print_value(s: State, node: Node, v: Any) -> str:
    """How an action prints a value: pointers followed, a missing value as ``<no value>``."""
    s.node = node
    if v is MISSING:
        return "<no value>"
    while isinstance(v, GoPtr) and v.elem is not None:
        v = v.elem
    if isinstance(v, ContextRow):
        p = Printer()
        p._print_fields(v.go_fields(), (), "v", 0)
        return p.text()
    return fmt_v(v)


def walk_if_with(s: State, dot: Any, node: Any, is_with: bool) -> None:
    """``{{if}}`` and ``{{with}}`` (which also sets dot); variables end with the block."""
    mark = len(s.vars)
    try:
        fast = node.fast
        val = None
        if fast is not None and type(dot) is ContextRow and len(fast.ident) == 1:
            val = dot.values.get(fast.ident[0])
        if val is None:
            val = eval_pipeline(s, dot, node.pipe)
        if val:
            walk(s, val if is_with else dot, node.list)
        elif node.else_list is not None:
            walk(s, dot, node.else_list)
    finally:
        del s.vars[mark:]


def _range_items(s: State, val: Any, ndecl: int) -> Any:
    """(index, element) pairs to range over, or None for "run the else part"."""
    if isinstance(val, (list, tuple)):
        return enumerate(val) if val else None
    if isinstance(val, dict):
        return ((k, val[k]) for k in sorted(val)) if val else None
    if isinstance(val, bytes):
        return ((i, GoInt(b)) for i, b in enumerate(val)) if val else None
    if isinstance(val, int) and not isinstance(val, bool):
        if ndecl > 1:
            s.error(f"can't use {fmt_v(val)} to iterate over more than one variable")
        cls = type(val)
        return ((MISSING, cls(i)) for i in range(val)) if val > 0 else None
    if val is MISSING:
        return None
    s.error(f"range can't iterate over {fmt_v(val)}")
    return None


def walk_range(s: State, dot: Any, node: RangeNode) -> None:
    """``{{range}}`` over slices, maps (sorted keys) and integers, with break/continue/else."""
    s.node = node
    mark0 = len(s.vars)
    try:
        val = eval_pipeline(s, dot, node.pipe)
        while isinstance(val, GoPtr) and val.elem is not None:
            val = val.elem
        decl = node.pipe.decl
        items = _range_items(s, val, len(decl))
        if items is None:
            if node.else_list is not None:
                walk(s, dot, node.else_list)
            return
        mark = len(s.vars)
        if decl:
            for index, elem in items:
                _one_iteration(s, node, decl, mark, index, elem)
        elif isinstance(val, int):
            _range_int(s, val, node.list, mark)
        else:
            _range_plain(s, items, node.list, mark)
    except Break:
        pass
    finally:
        del s.vars[mark0:]


def _range_plain(s: State, items: Any, body: ListNode, mark: int) -> None:
    # oneIteration without variables, inlined: ranges over big lists and integers spend their time here.
    for _, elem in items:
        try:  # noqa: SIM105 -- contextlib.suppress costs a call per iteration
            walk(s, elem, body)
        except Continue:
            pass
        if len(s.vars) > mark:  # variables declared in the body end with each iteration
            del s.vars[mark:]


def _range_int(s: State, n: int, body: ListNode, mark: int) -> None:
    """{{range N}} without variables: a body of plain text is N copies of it, computed, not looped."""
    if all(type(x) is TextNode for x in body.nodes):
        text = "".join(x.text for x in body.nodes)  # type: ignore[attr-defined]
        if text:
            s.out.append(text * n)
        return
    cls = type(n)
    _range_plain(s, ((None, cls(i)) for i in range(n)), body, mark)


def _one_iteration(s: State, node: RangeNode, decl: list, mark: int, index: Any, elem: Any) -> None:
    if decl:
        if node.pipe.is_assign:
            set_var(s, decl[0].ident[0], index if len(decl) > 1 else elem)
            if len(decl) > 1:
                set_var(s, decl[1].ident[0], elem)
        else:
            s.vars[mark - 1] = (s.vars[mark - 1][0], elem)
            if len(decl) > 1:
                s.vars[mark - 2] = (s.vars[mark - 2][0], GoInt(index) if type(index) is int else index)
    try:
        walk(s, elem, node.list)
    except Continue:
        pass
    finally:
        del s.vars[mark:]


def walk_template(s: State, dot: Any, node: TemplateNode) -> None:
    """``{{template "name" pipeline}}``: a fresh variable scope with $ set to the new dot."""
    s.node = node
    root = s.trees.get(node.name)
    if root is None:
        s.error(f"template {go_quote(node.name)} not defined")
    if s.depth >= MAX_DEPTH:
        s.error(f"exceeded maximum template depth ({GO_MAX_DEPTH})")
    dot = eval_pipeline(s, dot, node.pipe)
    saved = (s.vars, s.name)
    s.vars, s.name = [("$", dot)], node.name
    s.depth += 1
    try:
        walk(s, dot, root)  # type: ignore[arg-type]
    finally:
        s.vars, s.name = saved
        s.depth -= 1
