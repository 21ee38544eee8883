"""Parse-tree nodes, mirroring Go's text/template/parse node types.

Every node keeps its position (a character offset into the template text) and can print itself
the way Go's ``Node.String()`` does, because execution errors quote the node they happened at:
``template: :1:17: executing "" at <19>: expected string; found 19``.
"""

from __future__ import annotations

from typing import Any

from .gofmt import go_quote


class Node:
    """Base class: a position in the template text."""

    __slots__ = ("pos",)

    def __init__(self, pos: int) -> None:
        self.pos = pos

    def string(self) -> str:
        """Go's Node.String()."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.string()!r}>"


class TextNode(Node):
    """Plain text between actions."""

    __slots__ = ("text",)

    def __init__(self, pos: int, text: str) -> None:
        super().__init__(pos)
        self.text = text

    def string(self) -> str:
        return self.text


class ListNode(Node):
    """A sequence of nodes."""

    __slots__ = ("nodes",)

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.nodes: list[Node] = []

    def string(self) -> str:
        return "".join(n.string() for n in self.nodes)


class DotNode(Node):
    """The cursor, ``.``."""

    __slots__ = ()

    def string(self) -> str:
        return "."


class NilNode(Node):
    """The untyped ``nil`` constant."""

    __slots__ = ()

    def string(self) -> str:
        return "nil"


class BoolNode(Node):
    """``true`` or ``false``."""

    __slots__ = ("value",)

    def __init__(self, pos: int, value: bool) -> None:
        super().__init__(pos)
        self.value = value

    def string(self) -> str:
        return "true" if self.value else "false"


class NumberNode(Node):
    """A number or character constant, with every Go type it can stand for."""

    __slots__ = ("complex", "float", "int", "is_complex", "is_float", "is_int", "is_uint", "text")

    def __init__(self, pos: int, text: str) -> None:
        super().__init__(pos)
        self.text = text
        self.is_int = self.is_uint = self.is_float = self.is_complex = False
        self.int = 0
        self.float = 0.0
        self.complex = 0j

    def string(self) -> str:
        return self.text


class StringNode(Node):
    """A string constant: ``quoted`` as written, ``text`` unquoted."""

    __slots__ = ("quoted", "text")

    def __init__(self, pos: int, quoted: str, text: str) -> None:
        super().__init__(pos)
        self.quoted = quoted
        self.text = text

    def string(self) -> str:
        return self.quoted


class IdentifierNode(Node):
    """A function name."""

    __slots__ = ("ident",)

    def __init__(self, pos: int, ident: str) -> None:
        super().__init__(pos)
        self.ident = ident

    def string(self) -> str:
        return self.ident


class FieldNode(Node):
    """``.Field1.Field2``."""

    __slots__ = ("ident",)

    def __init__(self, pos: int, text: str) -> None:
        super().__init__(pos)
        self.ident = tuple(text[1:].split("."))

    def string(self) -> str:
        return "".join("." + i for i in self.ident)


class VariableNode(Node):
    """``$x`` or ``$x.Field``."""

    __slots__ = ("ident",)

    def __init__(self, pos: int, text: str) -> None:
        super().__init__(pos)
        self.ident = tuple(text.split("."))

    def string(self) -> str:
        return ".".join(self.ident)


class ChainNode(Node):
    """A term followed by fields: ``(pipeline).Field`` or ``$x.Field`` built by the parser."""

    __slots__ = ("fields", "node")

    def __init__(self, pos: int, node: Node) -> None:
        super().__init__(pos)
        self.node = node
        self.fields: list[str] = []

    def string(self) -> str:
        base = self.node.string()
        if isinstance(self.node, PipeNode):
            base = "(" + base + ")"
        return base + "".join("." + f for f in self.fields)


class CommandNode(Node):
    """One command of a pipeline: a function, field or value with its arguments."""

    __slots__ = ("args",)

    def __init__(self, pos: int) -> None:
        super().__init__(pos)
        self.args: list[Node] = []

    def string(self) -> str:
        return " ".join("(" + a.string() + ")" if isinstance(a, PipeNode) else a.string()
                        for a in self.args)


class PipeNode(Node):
    """Optional variable declarations, then commands separated by ``|``."""

    __slots__ = ("cmds", "decl", "is_assign", "line")

    def __init__(self, pos: int, line: int) -> None:
        super().__init__(pos)
        self.line = line
        self.is_assign = False
        self.decl: list[VariableNode] = []
        self.cmds: list[CommandNode] = []

    def string(self) -> str:
        head = ""
        if self.decl:
            head = ", ".join(v.string() for v in self.decl) + (" = " if self.is_assign else " := ")
        return head + " | ".join(c.string() for c in self.cmds)


def lone_field(pipe: PipeNode) -> FieldNode | None:
    """The field of a pipeline that is just ``.Name`` (the evaluator has a fast path for it)."""
    if not pipe.decl and len(pipe.cmds) == 1 and len(pipe.cmds[0].args) == 1:
        arg = pipe.cmds[0].args[0]
        if type(arg) is FieldNode:
            return arg
    return None


class ActionNode(Node):
    """``{{pipeline}}``; ``fast`` is its lone field reference, if that is all it is."""

    __slots__ = ("fast", "pipe")

    def __init__(self, pos: int, pipe: PipeNode) -> None:
        super().__init__(pos)
        self.pipe = pipe
        self.fast = lone_field(pipe)

    def string(self) -> str:
        return "{{" + self.pipe.string() + "}}"


class BranchNode(Node):
    """The shared shape of if, range and with."""

    __slots__ = ("else_list", "fast", "list", "pipe")
    keyword = ""

    def __init__(self, pos: int, pipe: PipeNode, list_: ListNode, else_list: ListNode | None) -> None:
        super().__init__(pos)
        self.pipe = pipe
        self.list = list_
        self.else_list = else_list
        self.fast = lone_field(pipe)

    def string(self) -> str:
        text = "{{" + self.keyword + " " + self.pipe.string() + "}}" + self.list.string()
        if self.else_list is not None:
            text += "{{else}}" + self.else_list.string()
        return text + "{{end}}"


class IfNode(BranchNode):
    """``{{if}}``."""

    __slots__ = ()
    keyword = "if"


class RangeNode(BranchNode):
    """``{{range}}``."""

    __slots__ = ()
    keyword = "range"


class WithNode(BranchNode):
    """``{{with}}``."""

    __slots__ = ()
    keyword = "with"


class TemplateNode(Node):
    """``{{template "name" pipeline}}`` (also what ``{{block}}`` leaves in place)."""

    __slots__ = ("name", "pipe")

    def __init__(self, pos: int, name: str, pipe: PipeNode | None) -> None:
        super().__init__(pos)
        self.name = name
        self.pipe = pipe

    def string(self) -> str:
        if self.pipe is None:
            return "{{template " + go_quote(self.name) + "}}"
        return "{{template " + go_quote(self.name) + " " + self.pipe.string() + "}}"


class BreakNode(Node):
    """``{{break}}``."""

    __slots__ = ()

    def string(self) -> str:
        return "{{break}}"


class ContinueNode(Node):
    """``{{continue}}``."""

    __slots__ = ()

    def string(self) -> str:
        return "{{continue}}"


class EndNode(Node):
    """``{{end}}``: only seen by the parser."""

    __slots__ = ()

    def string(self) -> str:
        return "{{end}}"


class ElseNode(Node):
    """``{{else}}``: only seen by the parser."""

    __slots__ = ()

    def string(self) -> str:
        return "{{else}}"


def is_empty_tree(n: Any) -> bool:
    """Go's IsEmptyTree: nothing but space (a later definition may replace such a template)."""
    if n is None:
        return True
    if isinstance(n, ListNode):
        return all(is_empty_tree(c) for c in n.nodes)
    if isinstance(n, TextNode):
        return not n.text.strip(" \t\n\v\f\r\x85\xa0")
    return False
