"""``fmt.Sprintf`` for the ``printf`` builtin: flags, width, precision, ``*``, ``[n]`` and Go's error markers.

Go never fails on a bad format; it prints markers instead: ``%!s(MISSING)`` for a verb without an
operand, ``%!(EXTRA string=b)`` for operands left over, ``%!d(string=x)`` for a verb that does not
fit, ``%!(NOVERB)``, ``%!(BADWIDTH)``, ``%!(BADPREC)`` and ``%!v(BADINDEX)``.
"""

from __future__ import annotations

from typing import Any

from .gofmt import Printer
from .values import type_name

_TOO_LARGE = 1_000_000


def _parse_num(s: str, i: int, end: int) -> tuple[int | None, int]:
    """Digits at s[i:end] as a number (None if there are none or it is absurdly large)."""
    num, start = 0, i
    while i < end and "0" <= s[i] <= "9":
        if num > _TOO_LARGE:
            return None, end
        num = num * 10 + ord(s[i]) - 48
        i += 1
    return (num if i > start else None), i


def _int_arg(args: list[Any], n: int) -> tuple[int | None, int]:
    """An operand used as ``*`` width or precision: it must be an integer."""
    if n >= len(args):
        return None, n
    v = args[n]
    if isinstance(v, int) and not isinstance(v, bool) and abs(v) <= _TOO_LARGE:
        return int(v), n + 1
    return None, n + 1


class _State:
    """Progress through one format string."""

    __slots__ = ("arg", "args", "fmt", "good_arg", "i", "p", "reordered")

    def __init__(self, fmt: str, args: list[Any]) -> None:
        self.fmt = fmt
        self.args = args
        self.p = Printer()
        self.i = 0
        self.arg = 0
        self.reordered = False
        self.good_arg = True

    def arg_number(self) -> bool:
        """An explicit ``[n]`` operand index at the current position; True when one was read."""
        s, i = self.fmt, self.i
        if i >= len(s) or s[i] != "[":
            return False
        self.reordered = True
        close = s.find("]", i + 1)
        if close < 0:
            self.good_arg = False
            self.i = i + 1
            return False
        num, after = _parse_num(s, i + 1, close)
        self.i = close + 1
        if num is None or after != close or not 1 <= num <= len(self.args):
            self.good_arg = False
            return num is not None and after == close
        self.arg = num - 1
        return True

    def flags(self) -> None:
        """Read the flag characters ``#0+- `` after a ``%``."""
        p, s = self.p, self.fmt
        while self.i < len(s):
            c = s[self.i]
            if c == "#":
                p.sharp = True
            elif c == "0":
                p.zero = not p.minus
            elif c == "+":
                p.plus = True
            elif c == "-":
                p.minus, p.zero = True, False
            elif c == " ":
                p.space = True
            else:
                return
            self.i += 1

    def width(self, after_index: bool) -> bool:
        """Read a width (digits or ``*``); returns the updated after-index state."""
        p, s = self.p, self.fmt
        if self.i < len(s) and s[self.i] == "*":
            self.i += 1
            p.wid, self.arg = _int_arg(self.args, self.arg)
            if p.wid is None:
                p.buf.append("%!(BADWIDTH)")
            elif p.wid < 0:
                p.wid, p.minus, p.zero = -p.wid, True, False
            return False
        p.wid, self.i = _parse_num(s, self.i, len(s))
        if after_index and p.wid is not None:
            self.good_arg = False
        return after_index

    def precision(self, after_index: bool) -> bool:
        """Read ``.prec`` (digits or ``*``); returns the updated after-index state."""
        p, s = self.p, self.fmt
        if not (self.i + 1 < len(s) and s[self.i] == "."):
            return after_index
        self.i += 1
        if after_index:
            self.good_arg = False
        after_index = self.arg_number()
        if self.i < len(s) and s[self.i] == "*":
            self.i += 1
            p.prec, self.arg = _int_arg(self.args, self.arg)
            if p.prec is not None and p.prec < 0:
                p.prec = None
            if p.prec is None:
                p.buf.append("%!(BADPREC)")
            return False
        p.prec, self.i = _parse_num(s, self.i, len(s))
        if p.prec is None:
            p.prec = 0
        return after_index


def sprintf(fmt: str, args: list[Any]) -> str:
    """Go's fmt.Sprintf(fmt, args...)."""
    st = _State(fmt, args)
    p, end = st.p, len(fmt)
    while st.i < end:
        st.good_arg = True
        j = fmt.find("%", st.i)
        if j < 0:
            p.buf.append(fmt[st.i:])
            break
        if j > st.i:
            p.buf.append(fmt[st.i:j])
        st.i = j + 1
        p.clear_flags()
        st.flags()
        after_index = st.arg_number()
        after_index = st.width(after_index)
        after_index = st.precision(after_index)
        if not after_index:
            st.arg_number()
        if st.i >= end:
            p.buf.append("%!(NOVERB)")
            break
        verb = fmt[st.i]
        st.i += 1
        _one_verb(st, verb)
    if not st.reordered and st.arg < len(args):
        _extra(p, args[st.arg:])
    return p.text()


def _one_verb(st: _State, verb: str) -> None:
    p = st.p
    if verb == "%":
        p.buf.append("%")
    elif not st.good_arg:
        p.buf.append(f"%!{verb}(BADINDEX)")
    elif st.arg >= len(st.args):
        p.buf.append(f"%!{verb}(MISSING)")
    else:
        if verb in "vw":  # doPrintf treats %w as %v for the flags: %#w of a string quotes it
            p.sharp_v, p.sharp = p.sharp, False
            p.plus_v, p.plus = p.plus, False
        p.print_arg(st.args[st.arg], verb)
        st.arg += 1


def _extra(p: Printer, rest: list[Any]) -> None:
    p.clear_flags()
    p.buf.append("%!(EXTRA ")
    for k, arg in enumerate(rest):
        if k:
            p.buf.append(", ")
        if arg is None:
            p.buf.append("<nil>")
        else:
            p.buf.append(type_name(arg) + "=")
            p.print_arg(arg, "v")
    p.buf.append(")")

