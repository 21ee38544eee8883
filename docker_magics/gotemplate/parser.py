"""The template parser: tokens to a tree set, with Go's parse-time checks and error messages.

Like Go it checks at parse time that functions exist, that variables are in scope (a variable
declared inside ``range`` is gone after ``end``), that ``break``/``continue`` sit inside ``range``,
and it reports ``template: :LINE: MESSAGE``.
"""

from __future__ import annotations

from collections.abc import Collection

from . import lexer as L
from .gofmt import go_quote as _q
from .literals import parse_number, unquote
from .nodes import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    ContinueNode,
    DotNode,
    ElseNode,
    EndNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    VariableNode,
    WithNode,
    is_empty_tree,
)


class ParseError(Exception):
    """A template that does not parse; the message is Go's (``template: :1: ...``)."""


_OPERAND_START = {L.BOOL, L.CHAR_CONSTANT, L.COMPLEX, L.DOT, L.FIELD, L.IDENTIFIER, L.NUMBER, L.NIL,
                  L.RAW_STRING, L.STRING, L.VARIABLE, L.LEFT_PAREN}
_LITERAL_NODES = (BoolNode, DotNode, NilNode, NumberNode, StringNode)


class Parser:
    """Parses one template text into ``trees`` (name -> root list), ``""`` being the main one."""

    def __init__(self, text: str, funcs: Collection[str]) -> None:
        self.text = text
        self.funcs = funcs
        self.items = L.lex(text)
        self.i = 0
        self.furthest = 0  # index of the newest token read: its line is the error line, as in Go
        self.trees: dict[str, ListNode] = {}
        self.vars: list[str] = ["$"]
        self.range_depth = 0
        self.action_line = 0

    # -- token stream ---------------------------------------------------------------------------
    def next(self) -> L.Item:
        """Consume a token."""
        item = self.items[min(self.i, len(self.items) - 1)]
        self.i += 1
        self.furthest = max(self.furthest, self.i - 1)
        return item

    def backup(self, n: int = 1) -> None:
        """Push back n tokens."""
        self.i -= n

    def peek(self) -> L.Item:
        """The next token, not consumed."""
        item = self.next()
        self.backup()
        return item

    def next_non_space(self) -> L.Item:
        """Consume the next token that is not a space."""
        while True:
            item = self.next()
            if item.typ != L.SPACE:
                return item

    def peek_non_space(self) -> L.Item:
        """The next token that is not a space, not consumed (the spaces are)."""
        item = self.next_non_space()
        self.backup()
        return item

    # -- errors ---------------------------------------------------------------------------------
    def errorf(self, message: str) -> None:
        """Raise Go's parse error for the current line."""
        line = self.items[min(self.furthest, len(self.items) - 1)].line
        raise ParseError(f"template: :{line}: {message}")

    def unexpected(self, item: L.Item, context: str) -> None:
        """Complain about a token (a lexical error token reports itself)."""
        if item.typ == L.ERROR:
            extra = ""
            if self.action_line and self.action_line != item.line:
                extra = f" in action started at :{self.action_line}"
                if item.val.endswith(" action"):
                    extra = extra[len(" in action"):]
            self.errorf(item.val + extra)
        self.errorf(f"unexpected {item.describe()} in {context}")

    def expect(self, typ: int, context: str) -> L.Item:
        """Consume a token that must be of the given type."""
        item = self.next_non_space()
        if item.typ != typ:
            self.unexpected(item, context)
        return item

    # -- top level ------------------------------------------------------------------------------
    def parse(self) -> dict[str, ListNode]:
        """Parse the whole text; returns the tree set."""
        root = ListNode(self.peek().pos)
        while self.peek().typ != L.EOF:
            if self.peek().typ == L.LEFT_DELIM:
                mark = self.i
                self.next()
                if self.next_non_space().typ == L.DEFINE:
                    self.parse_definition()
                    continue
                self.i = mark
            n = self.text_or_action()
            if isinstance(n, (EndNode, ElseNode)):
                self.errorf(f"unexpected {n.string()}")
            root.nodes.append(n)
        self.add("", root)
        return self.trees

    def add(self, name: str, root: ListNode) -> None:
        """Record a template; a non-empty redefinition is an error."""
        old = self.trees.get(name)
        if old is None or is_empty_tree(old):
            self.trees[name] = root
        elif not is_empty_tree(root):
            self.errorf(f"template: multiple definition of template {_q(name)}")

    def parse_definition(self) -> None:
        """``{{define "name"}} ... {{end}}``; the define keyword has been read."""
        context = "define clause"
        item = self.next_non_space()
        if item.typ not in (L.STRING, L.RAW_STRING):
            self.unexpected(item, context)
        name = self._unquote(item.val)
        self.expect(L.RIGHT_DELIM, context)
        self._named_body(name, context)

    def item_list(self) -> tuple[ListNode, Node]:
        """Nodes up to an ``{{end}}`` or ``{{else}}``, which is returned separately."""
        lst = ListNode(self.peek_non_space().pos)
        while self.peek_non_space().typ != L.EOF:
            n = self.text_or_action()
            if isinstance(n, (EndNode, ElseNode)):
                return lst, n
            lst.nodes.append(n)
        self.errorf("unexpected EOF")
        raise AssertionError  # not reached

    def text_or_action(self) -> Node:
        """Text, or an action after its left delimiter."""
        item = self.next_non_space()
        if item.typ == L.TEXT:
            return TextNode(item.pos, item.val)
        if item.typ == L.LEFT_DELIM:
            self.action_line = item.line
            try:
                return self.action()
            finally:
                self.action_line = 0
        self.unexpected(item, "input")
        raise AssertionError  # not reached

    def action(self) -> Node:
        """A control structure or a pipeline to print."""
        item = self.next_non_space()
        control = {L.BLOCK: self.block_control, L.ELSE: self.else_control, L.END: self.end_control,
                   L.IF: self.if_control, L.RANGE: self.range_control,
                   L.TEMPLATE: self.template_control, L.WITH: self.with_control}
        if item.typ in control:
            return control[item.typ]()
        if item.typ in (L.BREAK, L.CONTINUE):
            return self.loop_control(item)
        self.backup()
        start = self.peek()
        return ActionNode(start.pos, self.pipeline("command", L.RIGHT_DELIM))

    def loop_control(self, item: L.Item) -> Node:
        """``{{break}}`` or ``{{continue}}``, only inside range."""
        word = "{{" + item.val + "}}"
        nxt = self.next_non_space()
        if nxt.typ != L.RIGHT_DELIM:
            self.unexpected(nxt, word)
        if self.range_depth == 0:
            self.errorf(f"{word} outside {{{{range}}}}")
        return BreakNode(item.pos) if item.typ == L.BREAK else ContinueNode(item.pos)

    # -- pipelines ------------------------------------------------------------------------------
    def pipeline(self, context: str, end: int) -> PipeNode:
        """Optional declarations, then commands, up to the end token (consumed)."""
        start = self.peek_non_space()
        pipe = PipeNode(start.pos, start.line)
        self._declarations(pipe, context)
        while True:
            item = self.next_non_space()
            if item.typ == end:
                self._check_pipeline(pipe, context)
                return pipe
            if item.typ in _OPERAND_START:
                self.backup()
                pipe.cmds.append(self.command())
            else:
                self.unexpected(item, context)

    def _declarations(self, pipe: PipeNode, context: str) -> None:
        while True:
            v = self.peek_non_space()
            if v.typ != L.VARIABLE:
                return
            mark = self.i
            self.next()
            nxt = self.peek_non_space()
            if nxt.typ in (L.ASSIGN, L.DECLARE):
                pipe.is_assign = nxt.typ == L.ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val))
                self.vars.append(v.val)
                return
            if nxt.typ == L.CHAR and nxt.val == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v.pos, v.val))
                self.vars.append(v.val)
                if context == "range" and len(pipe.decl) < 2:
                    if self.peek_non_space().typ in (L.VARIABLE, L.RIGHT_DELIM, L.RIGHT_PAREN):
                        continue
                    self.errorf("range can only initialize variables")
                self.errorf(f"too many declarations in {context}")
            self.i = mark
            return

    def _check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            self.errorf(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            if isinstance(c.args[0], _LITERAL_NODES):
                self.errorf(f"non executable command in pipeline stage {i + 2}")

    def command(self) -> CommandNode:
        """Space-separated operands up to ``|`` (consumed) or a closing delimiter (not consumed)."""
        cmd = CommandNode(self.peek_non_space().pos)
        while True:
            self.peek_non_space()
            operand = self.operand()
            if operand is not None:
                cmd.args.append(operand)
            item = self.next()
            if item.typ == L.SPACE:
                continue
            if item.typ in (L.RIGHT_DELIM, L.RIGHT_PAREN):
                self.backup()
            elif item.typ != L.PIPE:
                self.unexpected(item, "operand")
            break
        if not cmd.args:
            self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        """A term possibly followed by ``.Field`` accesses."""
        node = self.term()
        if node is None or self.peek().typ != L.FIELD:
            return node
        chain = ChainNode(self.peek().pos, node)
        while self.peek().typ == L.FIELD:
            chain.fields.append(self.next().val[1:])
        if isinstance(node, FieldNode):
            return FieldNode(chain.pos, chain.string())
        if isinstance(node, VariableNode):
            return VariableNode(chain.pos, chain.string())
        if isinstance(node, _LITERAL_NODES):
            self.errorf(f"unexpected . after term {_q(node.string())}")
        return chain

    def term(self) -> Node | None:
        """A literal, function name, ``.``, field, variable or parenthesized pipeline."""
        item = self.next_non_space()
        typ = item.typ
        if typ == L.IDENTIFIER:
            if item.val not in self.funcs:
                self.errorf(f"function {_q(item.val)} not defined")
            return IdentifierNode(item.pos, item.val)
        if typ == L.DOT:
            return DotNode(item.pos)
        if typ == L.NIL:
            return NilNode(item.pos)
        if typ == L.VARIABLE:
            return self.use_var(item)
        if typ == L.FIELD:
            return FieldNode(item.pos, item.val)
        if typ == L.BOOL:
            return BoolNode(item.pos, item.val == "true")
        if typ in (L.CHAR_CONSTANT, L.COMPLEX, L.NUMBER):
            try:
                return parse_number(item.pos, item.val, typ == L.CHAR_CONSTANT, typ == L.COMPLEX)
            except ValueError as e:
                self.errorf(str(e))
        if typ == L.LEFT_PAREN:
            return self.pipeline("parenthesized pipeline", L.RIGHT_PAREN)
        if typ in (L.STRING, L.RAW_STRING):
            return StringNode(item.pos, item.val, self._unquote(item.val))
        self.backup()
        return None

    def use_var(self, item: L.Item) -> Node:
        """A variable reference, which must be in scope."""
        v = VariableNode(item.pos, item.val)
        if v.ident[0] not in self.vars:
            self.errorf(f"undefined variable {_q(v.ident[0])}")
        return v

    def _unquote(self, quoted: str) -> str:
        try:
            return unquote(quoted)
        except ValueError as e:
            self.errorf(str(e))
            raise AssertionError from e  # not reached

    # -- control structures ---------------------------------------------------------------------
    def parse_control(self, context: str) -> tuple[int, PipeNode, ListNode, ListNode | None]:
        """The pipeline, body and optional else part of if/range/with (variables scoped to it)."""
        mark = len(self.vars)
        try:
            pipe = self.pipeline(context, L.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            try:
                lst, nxt = self.item_list()
            finally:
                if context == "range":
                    self.range_depth -= 1
            else_list = None
            if isinstance(nxt, ElseNode):
                else_list = self._else_part(context, nxt)
            return pipe.pos, pipe, lst, else_list
        finally:
            del self.vars[mark:]

    def _else_part(self, context: str, else_node: Node) -> ListNode:
        # "{{else if}}" and (Go 1.23+) "{{else with}}" nest a new if/with needing no extra {{end}}.
        chained = {"if": (L.IF, self.if_control), "with": (L.WITH, self.with_control)}.get(context)
        if chained and self.peek().typ == chained[0]:
            self.next()
            lst = ListNode(else_node.pos)
            lst.nodes.append(chained[1]())
            return lst
        lst, nxt = self.item_list()
        if not isinstance(nxt, EndNode):
            self.errorf(f"expected end; found {nxt.string()}")
        return lst

    def if_control(self) -> Node:
        """``{{if}}``."""
        return IfNode(*self.parse_control("if"))

    def range_control(self) -> Node:
        """``{{range}}``."""
        return RangeNode(*self.parse_control("range"))

    def with_control(self) -> Node:
        """``{{with}}``."""
        return WithNode(*self.parse_control("with"))

    def end_control(self) -> Node:
        """``{{end}}``."""
        return EndNode(self.expect(L.RIGHT_DELIM, "end").pos)

    def else_control(self) -> Node:
        """``{{else}}``, or the start of ``{{else if ...}}`` / ``{{else with ...}}``."""
        peek = self.peek_non_space()
        if peek.typ in (L.IF, L.WITH):
            return ElseNode(peek.pos)
        return ElseNode(self.expect(L.RIGHT_DELIM, "else").pos)

    def block_control(self) -> Node:
        """``{{block "name" pipeline}} body {{end}}``: define and invoke in one."""
        context = "block clause"
        item = self.next_non_space()
        name = self._template_name(item, context)
        pipe = self.pipeline(context, L.RIGHT_DELIM)
        self._named_body(name, context)
        return TemplateNode(item.pos, name, pipe)

    def _named_body(self, name: str, context: str) -> None:
        """Parse a ``define``/``block`` body up to ``{{end}}`` in a fresh scope (only ``$``) and add it."""
        saved = (self.vars, self.range_depth)
        self.vars, self.range_depth = ["$"], 0
        try:
            root, end = self.item_list()
        finally:
            self.vars, self.range_depth = saved
        if not isinstance(end, EndNode):
            self.errorf(f"unexpected {end.string()} in {context}")
        self.add(name, root)

    def template_control(self) -> Node:
        """``{{template "name"}}`` or ``{{template "name" pipeline}}``."""
        context = "template clause"
        item = self.next_non_space()
        name = self._template_name(item, context)
        pipe = None
        if self.next_non_space().typ != L.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, L.RIGHT_DELIM)
        return TemplateNode(item.pos, name, pipe)

    def _template_name(self, item: L.Item, context: str) -> str:
        if item.typ not in (L.STRING, L.RAW_STRING):
            self.unexpected(item, context)
        return self._unquote(item.val)


def parse_trees(text: str, funcs: Collection[str]) -> dict[str, ListNode]:
    """Parse a template text; raises :class:`ParseError` with Go's message."""
    return Parser(text, funcs).parse()
