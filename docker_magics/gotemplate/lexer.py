"""The template lexer: Go's text/template/parse state machine, producing the whole token list at once.

Positions are character offsets; error messages convert them to Go's byte columns. A lexical error
becomes an ``ERROR`` token at the point where Go's lexer would emit it, so the parser reports it
exactly when Go's would (a parse error earlier in the text still wins).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from .gofmt import go_quote

# Token types. Keywords come after KEYWORD so "is a keyword" is a comparison, as in Go.
(ERROR, BOOL, CHAR, CHAR_CONSTANT, COMPLEX, ASSIGN, DECLARE, EOF, FIELD, IDENTIFIER, LEFT_DELIM,
 LEFT_PAREN, NUMBER, PIPE, RAW_STRING, RIGHT_DELIM, RIGHT_PAREN, SPACE, STRING, TEXT, VARIABLE,
 KEYWORD, BLOCK, BREAK, CONTINUE, DOT, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH) = range(34)

KEYWORDS = {".": DOT, "block": BLOCK, "break": BREAK, "continue": CONTINUE, "define": DEFINE,
            "else": ELSE, "end": END, "if": IF, "range": RANGE, "nil": NIL, "template": TEMPLATE,
            "with": WITH}

SPACE_CHARS = " \t\r\n"
StateFn = Callable[[], Any]  # a lexer state: scans something and returns the next state (or None)
LEFT, RIGHT = "{{", "}}"


class Item(NamedTuple):
    """A token: type, position, text and line (1-based)."""

    typ: int
    pos: int
    val: str
    line: int

    def describe(self) -> str:
        """How Go's parser names the token in an error (item.String())."""
        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ > KEYWORD:
            return f"<{self.val}>"
        if len(self.val) > 10:
            return go_quote(self.val[:10]) + "..."
        return go_quote(self.val)


def is_alnum(c: str) -> bool:
    """Go's isAlphaNumeric: underscore, Unicode letter or decimal digit."""
    return c == "_" or c.isalpha() or c.isdecimal()


def describe_rune(c: str) -> str:
    """Go's ``%#U``: ``U+0029 ')'``."""
    if not c:
        return "U+FFFFFFFFFFFFFFFF"  # Go prints eof (-1) this way
    text = f"U+{ord(c):04X}"
    return text + f" '{c}'" if c.isprintable() else text


def _left_trim(s: str, i: int) -> bool:
    return i + 1 < len(s) and s[i] == "-" and s[i + 1] in SPACE_CHARS


def _right_trim(s: str, i: int) -> bool:
    return i + 1 < len(s) and s[i] in SPACE_CHARS and s[i + 1] == "-"


class Lexer:
    """Scans a template into tokens; see :func:`lex`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.start = 0
        self.items: list[Item] = []
        self.paren_depth = 0
        self._line_pos = 0
        self._line = 1

    def line_at(self, pos: int) -> int:
        """1 + newlines before pos (positions only move forward, so count incrementally)."""
        if pos < self._line_pos:
            return 1 + self.text.count("\n", 0, pos)
        self._line += self.text.count("\n", self._line_pos, pos)
        self._line_pos = pos
        return self._line

    def emit(self, typ: int) -> None:
        """Emit the text since the last emit as a token of the given type."""
        self.items.append(Item(typ, self.start, self.text[self.start:self.pos], self.line_at(self.start)))
        self.start = self.pos

    def error(self, message: str) -> None:
        """Emit an error token; the scan stops."""
        self.items.append(Item(ERROR, self.start, message, self.line_at(self.start)))

    def peek(self) -> str:
        """The next character, or "" at the end."""
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def at_right_delim(self) -> tuple[bool, bool]:
        """(at a right delimiter, with a trim marker before it)."""
        s, p = self.text, self.pos
        if _right_trim(s, p) and s.startswith(RIGHT, p + 2):
            return True, True
        return s.startswith(RIGHT, p), False

    def run(self) -> list[Item]:
        """Scan everything; the last token is EOF or ERROR."""
        state = self.lex_text
        while state is not None:
            state = state()
        return self.items

    # -- states ---------------------------------------------------------------------------------
    def lex_text(self) -> StateFn | None:
        """Text up to the next ``{{`` (trimming before ``{{- ``)."""
        s = self.text
        x = s.find(LEFT, self.pos)
        if x < 0:
            self.pos = len(s)
            if self.pos > self.start:
                self.emit(TEXT)
            self.emit(EOF)
            return None
        self.pos = x
        trim = 0
        if _left_trim(s, x + 2):
            trim = len(s[self.start:x]) - len(s[self.start:x].rstrip(SPACE_CHARS))
        self.pos -= trim
        if self.pos > self.start:
            self.emit(TEXT)
        self.pos += trim
        self.start = self.pos
        return self.lex_left_delim

    def lex_left_delim(self) -> StateFn | None:
        """``{{`` or ``{{-``, or the start of a comment."""
        s = self.text
        self.pos += len(LEFT)
        after = 2 if _left_trim(s, self.pos) else 0
        if s.startswith("/*", self.pos + after):
            self.pos += after
            self.start = self.pos
            return self.lex_comment
        self.emit(LEFT_DELIM)
        self.pos += after
        self.start = self.pos
        self.paren_depth = 0
        return self.lex_inside_action

    def lex_comment(self) -> StateFn | None:
        """``/* ... */`` followed directly by the right delimiter."""
        s = self.text
        self.pos += 2
        i = s.find("*/", self.pos)
        if i < 0:
            self.error("unclosed comment")
            return None
        self.pos = i + 2
        delim, trim = self.at_right_delim()
        if not delim:
            self.error("comment ends before closing delimiter")
            return None
        self.pos += (2 if trim else 0) + len(RIGHT)
        if trim:
            self.pos = len(s) - len(s[self.pos:].lstrip(SPACE_CHARS))
        self.start = self.pos
        return self.lex_text

    def lex_right_delim(self) -> StateFn | None:
        """``}}`` or `` -}}`` (which trims the following space)."""
        s = self.text
        trim = _right_trim(s, self.pos)
        if trim:
            self.pos += 2
            self.start = self.pos
        self.pos += len(RIGHT)
        self.emit(RIGHT_DELIM)
        if trim:
            self.pos = len(s) - len(s[self.pos:].lstrip(SPACE_CHARS))
            self.start = self.pos
        return self.lex_text

    def lex_inside_action(self) -> StateFn | None:
        """One element inside an action."""
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim
            self.error("unclosed left paren")
            return None
        r = self.peek()
        self.pos += 1
        if r == "":
            self.error("unclosed action")
            return None
        if r in SPACE_CHARS:
            self.pos -= 1
            return self.lex_space
        if r == ")" and self.paren_depth == 0:
            self.error("unexpected right paren")
            return None
        simple = {"=": ASSIGN, "|": PIPE, "(": LEFT_PAREN, ")": RIGHT_PAREN}
        if r in simple:
            self.emit(simple[r])
            self.paren_depth += {"(": 1, ")": -1}.get(r, 0)
            return self.lex_inside_action
        if r == ":":
            if self.peek() != "=":
                self.error("expected :=")
                return None
            self.pos += 1
            self.emit(DECLARE)
            return self.lex_inside_action
        return self._lex_operand_start(r)

    def _lex_operand_start(self, r: str) -> StateFn | None:
        quoted = {'"': self.lex_quote, "`": self.lex_raw_quote, "$": self.lex_variable,
                  "'": self.lex_char}
        if r in quoted:
            return quoted[r]
        if r == "." and self.pos < len(self.text) and not "0" <= self.text[self.pos] <= "9":
            return self.lex_field
        if r in "+-." or "0" <= r <= "9":
            self.pos -= 1
            return self.lex_number
        if is_alnum(r):
            self.pos -= 1
            return self.lex_identifier
        if r.isascii() and r.isprintable():
            self.emit(CHAR)
            return self.lex_inside_action
        self.error(f"unrecognized character in action: {describe_rune(r)}")
        return None

    def lex_space(self) -> StateFn | None:
        """A run of spaces; a space before ``-}}`` belongs to the delimiter."""
        s = self.text
        n = 0
        while self.pos < len(s) and s[self.pos] in SPACE_CHARS:
            self.pos += 1
            n += 1
        if _right_trim(s, self.pos - 1) and s.startswith(RIGHT, self.pos + 1):
            self.pos -= 1
            if n == 1:
                return self.lex_right_delim
        self.emit(SPACE)
        return self.lex_inside_action

    def at_terminator(self) -> bool:
        """Can an identifier end here? (``.X.Y`` splits in two; ``$x+2`` is an error.)"""
        r = self.peek()
        if r == "" or r in SPACE_CHARS or r in ".,|:)(":
            return True
        return self.text.startswith(RIGHT, self.pos)

    def lex_identifier(self) -> StateFn | None:
        """A function name, keyword or boolean."""
        s = self.text
        while self.pos < len(s) and is_alnum(s[self.pos]):
            self.pos += 1
        if not self.at_terminator():
            self.error(f"bad character {describe_rune(self.peek())}")
            return None
        word = s[self.start:self.pos]
        if word in KEYWORDS:
            self.emit(KEYWORDS[word])
        elif word in ("true", "false"):
            self.emit(BOOL)
        else:
            self.emit(IDENTIFIER)
        return self.lex_inside_action

    def lex_field(self) -> StateFn | None:
        """``.Name`` (or a lone ``.``)."""
        return self._field_or_variable(FIELD)

    def lex_variable(self) -> StateFn | None:
        """``$name`` (or a lone ``$``)."""
        return self._field_or_variable(VARIABLE)

    def _field_or_variable(self, typ: int) -> StateFn | None:
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return self.lex_inside_action
        s = self.text
        while self.pos < len(s) and is_alnum(s[self.pos]):
            self.pos += 1
        if not self.at_terminator():
            self.error(f"bad character {describe_rune(self.peek())}")
            return None
        self.emit(typ)
        return self.lex_inside_action

    def _quoted(self, quote: str, kind: int, message: str) -> StateFn | None:
        while True:
            r = self.peek()
            self.pos += 1
            if r == "\\":
                r = self.peek()
                self.pos += 1
                if r not in ("", "\n"):
                    continue
            if r in ("", "\n"):
                if r == "":
                    self.pos -= 1
                self.error(message)
                return None
            if r == quote:
                break
        self.emit(kind)
        return self.lex_inside_action

    def lex_char(self) -> StateFn | None:
        """A character constant such as ``'a'``."""
        return self._quoted("'", CHAR_CONSTANT, "unterminated character constant")

    def lex_quote(self) -> StateFn | None:
        """A double-quoted string."""
        return self._quoted('"', STRING, "unterminated quoted string")

    def lex_raw_quote(self) -> StateFn | None:
        """A back-quoted raw string (may span lines)."""
        end = self.text.find("`", self.pos)
        if end < 0:
            self.pos = len(self.text)
            self.error("unterminated raw quoted string")
            return None
        self.pos = end + 1
        self.emit(RAW_STRING)
        return self.lex_inside_action

    def lex_number(self) -> StateFn | None:
        """A number, possibly complex (``1+2i``); the parser checks its syntax."""
        if not self.scan_number():
            self.error(f"bad number syntax: {go_quote(self.text[self.start:self.pos])}")
            return None
        if self.peek() in ("+", "-"):
            if not self.scan_number() or self.text[self.pos - 1] != "i":
                self.error(f"bad number syntax: {go_quote(self.text[self.start:self.pos])}")
                return None
            self.emit(COMPLEX)
        else:
            self.emit(NUMBER)
        return self.lex_inside_action

    def _accept(self, valid: str) -> bool:
        r = self.peek()
        if r and r in valid:
            self.pos += 1
            return True
        return False

    def _accept_run(self, valid: str) -> None:
        while self._accept(valid):
            pass

    def scan_number(self) -> bool:
        """Go's scanNumber: sign, base prefix, digits, fraction, exponent, ``i``."""
        self._accept("+-")
        digits = "0123456789_"
        if self._accept("0"):
            if self._accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self._accept("oO"):
                digits = "01234567_"
            elif self._accept("bB"):
                digits = "01_"
        self._accept_run(digits)
        if self._accept("."):
            self._accept_run(digits)
        if len(digits) == 11 and self._accept("eE"):
            self._accept("+-")
            self._accept_run("0123456789_")
        if len(digits) == 23 and self._accept("pP"):
            self._accept("+-")
            self._accept_run("0123456789_")
        self._accept("i")
        if self.peek() and is_alnum(self.peek()):
            self.pos += 1
            return False
        return True


def lex(text: str) -> list[Item]:
    """Tokenize a template; the list ends with an EOF or an ERROR token."""
    return Lexer(text).run()
