"""Expression evaluation: pipelines, commands, fields, variables, function calls and arguments.

It follows text/template's exec.go step by step, including which node an error is reported at
(``s.node``, Go's ``s.at``), because the CLI's messages quote it: ``template: :1:7: executing ""
at <.x>: wrong type for value; expected []string; got []interface {}``.
"""

from __future__ import annotations

from typing import Any

from .gofmt import go_quote
from .nodes import (
    BoolNode,
    ChainNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    StringNode,
    VariableNode,
)
from .state import METHODS, NOFINAL, NOMETHOD, ExecError, State
from .values import (
    MISSING,
    T_INT,
    T_INT64,
    T_STRING,
    ContextRow,
    FuncError,
    GoFunc,
    GoInt,
    GoMap,
    GoPtr,
    GoStruct,
    GoType,
    type_name,
    type_of,
    zero,
)


# -- variables ----------------------------------------------------------------------------------
def set_var(s: State, name: str, value: Any) -> None:
    """``$x = value``: overwrite the innermost variable of that name."""
    for i in range(len(s.vars) - 1, -1, -1):
        if s.vars[i][0] == name:
            s.vars[i] = (name, value)
            return
    s.error(f"undefined variable: {name}")


def var_value(s: State, name: str) -> Any:
    """The innermost value of a variable."""
    for i in range(len(s.vars) - 1, -1, -1):
        if s.vars[i][0] == name:
            return s.vars[i][1]
    return s.error(f"undefined variable: {name}")


# -- pipelines and commands ---------------------------------------------------------------------
def eval_pipeline(s: State, dot: Any, pipe: PipeNode | None) -> Any:
    """Run the commands, each one's value becoming the next one's last argument."""
    if pipe is None:
        return MISSING
    s.node = pipe
    value = NOFINAL
    for cmd in pipe.cmds:
        value = eval_command(s, dot, cmd, value)
        if value is None:  # a nil interface{} becomes "no value", as Go unwraps interfaces here
            value = MISSING
    for var in pipe.decl:
        if pipe.is_assign:
            set_var(s, var.ident[0], value)
        else:
            s.vars.append((var.ident[0], value))
    return value


def not_a_function(s: State, args: list[Node] | None, final: Any) -> None:
    """Arguments given to something that is not a function or method."""
    if (args is not None and len(args) > 1) or final is not NOFINAL:
        s.error(f"can't give argument to non-function {args[0].string() if args else ''}")


def eval_command(s: State, dot: Any, cmd: Any, final: Any) -> Any:
    """One command: a field, chain, function, parenthesized pipeline, variable or literal."""
    first = cmd.args[0]
    t = type(first)
    if t is FieldNode:
        return eval_field_node(s, dot, first, cmd.args, final)
    if t is IdentifierNode:
        return eval_function(s, dot, first, cmd, cmd.args, final)
    if t is VariableNode:
        return eval_variable_node(s, dot, first, cmd.args, final)
    if t is ChainNode:
        return eval_chain_node(s, dot, first, cmd.args, final)
    if t is PipeNode:
        not_a_function(s, cmd.args, final)
        return eval_pipeline(s, dot, first)
    s.node = first
    not_a_function(s, cmd.args, final)
    if t is BoolNode:
        return first.value
    if t is DotNode:
        return dot
    if t is NilNode:
        s.error("nil is not a command")
    if t is NumberNode:
        return ideal_constant(s, first)
    if t is StringNode:
        return first.text
    return s.error(f"can't evaluate command {go_quote(first.string())}")


def ideal_constant(s: State, n: NumberNode) -> Any:
    """A number literal with no type context: the syntax picks int, float64 or complex128."""
    s.node = n
    text = n.text
    if n.is_complex:
        return n.complex
    hex_int = len(text) > 2 and text[0] == "0" and text[1] in "xX" and "p" not in text.lower()
    if n.is_float and not hex_int and text[0] != "'" and any(c in text for c in ".eEpP"):
        return n.float
    if n.is_int:
        return GoInt(n.int)
    if n.is_uint:
        s.error(f"{text} overflows int")
    return MISSING


def eval_field_node(s: State, dot: Any, field: FieldNode, args: Any, final: Any) -> Any:
    """``.A.B`` starting from dot."""
    s.node = field
    return eval_field_chain(s, dot, dot, field, field.ident, args, final)


def eval_chain_node(s: State, dot: Any, chain: ChainNode, args: Any, final: Any) -> Any:
    """``(pipeline).A.B``."""
    s.node = chain
    if type(chain.node) is NilNode:
        s.error(f"indirection through explicit nil in {chain.string()}")
    receiver = eval_arg(s, dot, None, chain.node)
    return eval_field_chain(s, dot, receiver, chain, chain.fields, args, final)


def eval_variable_node(s: State, dot: Any, var: VariableNode, args: Any, final: Any) -> Any:
    """``$x`` or ``$x.A.B``."""
    s.node = var
    value = var_value(s, var.ident[0])
    if len(var.ident) == 1:
        not_a_function(s, args, final)
        return value
    return eval_field_chain(s, dot, value, var, var.ident[1:], args, final)


def eval_field_chain(s: State, dot: Any, receiver: Any, node: Node, ident: Any, args: Any,
                     final: Any) -> Any:
    """Walk ``.X.Y.Z``; only the last element gets the arguments (if it is a method)."""
    for name in ident[:-1]:
        receiver = eval_field(s, dot, name, node, None, NOFINAL, receiver)
    return eval_field(s, dot, ident[-1], node, args, final, receiver)


def eval_field(s: State, dot: Any, name: str, node: Node, args: Any, final: Any, receiver: Any) -> Any:
    """One ``.Name`` step: a map key, a struct field, a method, or a list context's value."""
    rt = type(receiver)
    if rt is dict or rt is GoMap:
        if (args is not None and len(args) > 1) or final is not NOFINAL:
            s.error(f"{name} is not a method but has arguments")
        v = receiver.get(name, MISSING)
        if v is MISSING and s.missing_error:
            s.error(f"map has no entry for key {go_quote(name)}")
        return v
    if receiver is MISSING:
        if s.missing_error:
            s.error(f"nil data; no entry for key {go_quote(name)}")
        return MISSING
    if rt is ContextRow:
        v = receiver.lookup(name)
        if v is not MISSING:
            if (args is not None and len(args) > 1) or final is not NOFINAL:
                n = (len(args) - 1 if args else 0) + (final is not NOFINAL)
                s.error(f"wrong number of args for {name}: want 0 got {n}")
            return v
        return s.error(f"can't evaluate field {name} in type {receiver.gotype.name}")
    return _eval_field_slow(s, dot, name, node, args, final, receiver)


def _eval_field_slow(s: State, dot: Any, name: str, node: Node, args: Any, final: Any,
                     receiver: Any) -> Any:
    typ = type_name(receiver)
    if receiver is None:
        s.error(f"nil pointer evaluating interface {{}}.{name}")
    if isinstance(receiver, GoPtr):
        ptr_type = receiver.gotype
        while isinstance(receiver, GoPtr) and receiver.elem is not None:
            receiver = receiver.elem
        if isinstance(receiver, GoPtr):  # nil pointer
            elem = ptr_type.elem
            if elem is not None and elem.kind == "struct" and name not in elem.lookup:
                s.error(f"can't evaluate field {name} in type {typ}")
            s.error(f"nil pointer evaluating {typ}.{name}")
    methods = METHODS.get(type(receiver))
    if methods is not None and name in methods:
        return eval_call(s, dot, methods[name], receiver, node, name, args, final)
    if isinstance(receiver, GoStruct):
        v = receiver.field(name)
        if v is not MISSING:
            if (args is not None and len(args) > 1) or final is not NOFINAL:
                s.error(f"{name} has arguments but cannot be invoked as function")
            return v
    elif isinstance(receiver, (dict, ContextRow)):
        return eval_field(s, dot, name, node, args, final, receiver)
    return s.error(f"can't evaluate field {name} in type {typ}")


# -- calls --------------------------------------------------------------------------------------
def eval_function(s: State, dot: Any, node: IdentifierNode, cmd: Node, args: Any, final: Any) -> Any:
    """Call a function from the function map."""
    s.node = node
    fn = s.funcs.get(node.ident)
    if fn is None:
        s.error(f"{go_quote(node.ident)} is not a defined function")
    return eval_call(s, dot, fn, NOMETHOD, cmd, node.ident, args, final)


def eval_call(s: State, dot: Any, fn: GoFunc, recv: Any, node: Node, name: str, args: Any,
              final: Any) -> Any:
    """Check the argument count, convert the arguments to the parameter types and call."""
    argn = args[1:] if args is not None else []
    num_in = len(argn) + (final is not NOFINAL)
    params = fn.params
    num_fixed = len(argn)
    if fn.variadic:
        num_fixed = len(params) - 1
        if num_in < num_fixed:
            s.error(f"wrong number of args for {name}: want at least {num_fixed} got {len(argn)}")
    elif num_in != len(params):
        s.error(f"wrong number of args for {name}: want {len(params)} got {num_in}")
    if fn.impl is None:
        return _and_or(s, dot, fn, name, argn, final)
    argv = [eval_arg(s, dot, params[i], a) for i, a in enumerate(argn[:num_fixed])]
    if name == "call" and recv is NOMETHOD and argn:
        argv.insert(0, argn[0].string())  # Go passes call the callee's name for its errors
    if fn.variadic:
        argv.extend(eval_arg(s, dot, params[-1], a) for a in argn[num_fixed:])
    if final is not NOFINAL:
        t = params[-1]
        if fn.variadic and num_in - 1 < num_fixed:
            t = params[num_in - 1]
        argv.append(validate_type(s, final, t))
    try:
        return fn.impl(*argv) if recv is NOMETHOD else fn.impl(recv, *argv)
    except (ExecError, RecursionError):
        raise
    except FuncError as e:
        s.node = node
        return s.error(f"error calling {name}: {e}")
    except Exception as e:  # a Go panic inside a function is reported the same way
        s.node = node
        return s.error(f"error calling {name}: {e}")


def _and_or(s: State, dot: Any, fn: GoFunc, name: str, argn: list, final: Any) -> Any:
    # and/or evaluate their arguments lazily and return the deciding one.
    v = MISSING
    want = name == "or"
    for a in argn:
        v = eval_arg(s, dot, fn.params[0], a)
        if bool(v) == want:
            return v
    if final is not NOFINAL:
        v = validate_type(s, final, fn.params[0])
    return v


def _can_be_nil(t: GoType) -> bool:
    return t.kind in ("interface", "map", "slice", "ptr", "value")


def assignable(v: Any, t: GoType) -> bool:
    """Go's AssignableTo for the parameter types template functions use."""
    k = t.kind
    if k == "string":
        return type(v) is str if t is T_STRING else getattr(v, "gotype", None) is t
    if k == "int":
        if t is T_INT or t is T_INT64:
            return type(v) is (GoInt if t is T_INT else int)
        return getattr(v, "gotype", None) is t
    if k == "float":
        return type(v) is float
    if k == "bool":
        return type(v) is bool
    vt = type_of(v)
    if vt is t:
        return True
    if k in ("slice", "map") and vt.kind == k and vt.elem is not None and t.elem is not None:
        # Identical underlying types with one side unnamed: []string takes a strslice.StrSlice.
        unnamed = vt.name.startswith(("[]", "map[")) or t.name.startswith(("[]", "map["))
        return unnamed and vt.elem.name == t.elem.name
    return False


def validate_type(s: State, value: Any, typ: GoType | None) -> Any:
    """Check that a value fits a parameter type (Go's validateType), or fail with Go's message."""
    if value is MISSING:
        if typ is None:
            return MISSING
        if _can_be_nil(typ):
            return zero(typ)
        return s.error(f"invalid value; expected {typ.name}")
    if typ is None or typ.kind in ("value", "interface") or assignable(value, typ):
        return value
    if isinstance(value, GoPtr) and value.gotype.elem is not None and value.gotype.elem.name == typ.name:
        if value.elem is None:
            s.error(f"dereference of nil pointer of type {typ.name}")
        return value.elem
    return s.error(f"wrong type for value; expected {typ.name}; got {type_name(value)}")


def eval_arg(s: State, dot: Any, typ: GoType | None, n: Node) -> Any:
    """Evaluate an argument for a parameter of the given type."""
    s.node = n
    t = type(n)
    if t is FieldNode:
        return validate_type(s, eval_field_node(s, dot, n, [n], NOFINAL), typ)  # type: ignore[arg-type]
    if t is DotNode:
        return validate_type(s, dot, typ)
    if t is VariableNode:
        return validate_type(s, eval_variable_node(s, dot, n, None, NOFINAL), typ)  # type: ignore[arg-type]
    if t is PipeNode:
        return validate_type(s, eval_pipeline(s, dot, n), typ)  # type: ignore[arg-type]
    if t is IdentifierNode:
        return validate_type(s, eval_function(s, dot, n, n, None, NOFINAL), typ)  # type: ignore[arg-type]
    if t is ChainNode:
        return validate_type(s, eval_chain_node(s, dot, n, None, NOFINAL), typ)  # type: ignore[arg-type]
    if t is NilNode:
        if typ is not None and _can_be_nil(typ):
            return zero(typ)
        return s.error(f"cannot assign nil to {typ.name if typ else 'nil'}")
    return _literal_arg(s, dot, typ, n)


def _literal_arg(s: State, dot: Any, typ: GoType | None, n: Node) -> Any:
    kind = typ.kind if typ is not None else "interface"
    if kind in ("interface", "value"):
        return eval_empty_interface(s, dot, n)
    if kind == "string" and type(n) is StringNode:
        return n.text if typ.name == "string" else typ.py(n.text)  # type: ignore[union-attr,misc]
    if kind == "int" and type(n) is NumberNode and n.is_int:
        return GoInt(n.int) if typ is T_INT else n.int
    if kind == "uint" and type(n) is NumberNode and n.is_uint:
        return n.int if n.is_int else int(n.float)
    if kind == "float" and type(n) is NumberNode and n.is_float:
        return n.float
    if kind == "bool" and type(n) is BoolNode:
        return n.value
    expected = {"string": "string", "int": "integer", "uint": "unsigned integer", "float": "float",
                "bool": "bool"}.get(kind)
    if expected:
        return s.error(f"expected {expected}; found {n.string()}")
    return s.error(f"can't handle {n.string()} for arg of type {typ.name if typ else 'nil'}")


def eval_empty_interface(s: State, dot: Any, n: Node) -> Any:
    """A literal passed where any value is accepted."""
    s.node = n
    t = type(n)
    if t is BoolNode:
        return n.value  # type: ignore[attr-defined]
    if t is NumberNode:
        return ideal_constant(s, n)  # type: ignore[arg-type]
    if t is StringNode:
        return n.text  # type: ignore[attr-defined]
    return s.error(f"can't handle assignment of {n.string()} to empty interface argument")
