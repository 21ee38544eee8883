"""Go literal syntax: string unquoting (strconv.Unquote) and number constants (parse.newNumber).

A template number can be an int, a float, a rune (``'a'`` is 97) or a complex; the evaluator picks
the type from the syntax, so ``1e3`` is a float64 that prints ``1000`` and ``1_000`` is an int.
Strings may hold ``\\x`` bytes that are not UTF-8; they are kept as surrogate escapes so that
``len`` counts them as the single bytes Go sees.
"""

from __future__ import annotations

import math

from .gofmt import go_quote
from .nodes import NumberNode

_SIMPLE = {"a": 7, "b": 8, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11, "\\": 92}
_INT64 = (-(1 << 63), (1 << 63) - 1)
_UINT64 = (1 << 64) - 1


def unquote_char(s: str, quote: str) -> tuple[int, bool, str]:
    """strconv.UnquoteChar: (value, value is a rune rather than a raw byte, rest of s)."""
    if not s:
        raise ValueError("invalid syntax")
    c = s[0]
    if c == quote and quote in "'\"":
        raise ValueError("invalid syntax")
    if c != "\\":
        return ord(c), True, s[1:]
    if len(s) < 2:
        raise ValueError("invalid syntax")
    c, rest = s[1], s[2:]
    if c in _SIMPLE:
        return _SIMPLE[c], True, rest
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        digits = rest[:n]
        if len(digits) < n or any(d not in "0123456789abcdefABCDEF" for d in digits):
            raise ValueError("invalid syntax")
        v = int(digits, 16)
        if c != "x" and (v > 0x10FFFF or 0xD800 <= v <= 0xDFFF):
            raise ValueError("invalid syntax")
        return v, c != "x", rest[n:]
    if "0" <= c <= "7":
        digits = s[1:4]
        if len(digits) < 3 or any(not "0" <= d <= "7" for d in digits):
            raise ValueError("invalid syntax")
        v = int(digits, 8)
        if v > 255:
            raise ValueError("invalid syntax")
        return v, False, s[4:]
    if c in "'\"":
        if c != quote:
            raise ValueError("invalid syntax")
        return ord(c), True, rest
    raise ValueError("invalid syntax")


def unquote(text: str) -> str:
    """strconv.Unquote of a double-quoted, single-quoted or back-quoted Go literal."""
    if len(text) < 2 or text[0] != text[-1] or text[0] not in "\"'`":
        raise ValueError("invalid syntax")
    quote, body = text[0], text[1:-1]
    if quote == "`":
        if "`" in body:
            raise ValueError("invalid syntax")
        return body.replace("\r", "")
    if "\n" in body:
        raise ValueError("invalid syntax")
    if "\\" not in body and quote not in body:
        if quote == "'" and len(body) != 1:
            raise ValueError("invalid syntax")
        return body
    out = bytearray()
    count = 0
    while body:
        v, is_rune, body = unquote_char(body, quote)
        count += 1
        if is_rune:
            out += chr(v).encode("utf-8", "surrogateescape")
        else:
            out.append(v)
    if quote == "'" and count != 1:
        raise ValueError("invalid syntax")
    return out.decode("utf-8", "surrogateescape")


def underscore_ok(s: str) -> bool:
    """strconv's rule: underscores only between digits (or after a base prefix)."""
    if s[:1] in ("+", "-"):
        s = s[1:]
    saw, i, hexa = "^", 0, False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for ch in s[i:]:
        if (ch.isdigit() and ch.isascii()) or (hexa and ch.lower() in "abcdef"):
            saw = "0"
        elif ch == "_":
            if saw != "0":
                return False
            saw = "_"
        elif saw == "_":
            return False
        else:
            saw = "!"
    return saw != "_"


def parse_go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, ...) without the range check; None on bad syntax."""
    sign, s = 1, text
    if s[:1] in ("+", "-"):
        sign, s = (-1 if s[0] == "-" else 1), s[1:]
    if not s:
        return None
    base = 10
    if s[0] == "0" and len(s) > 1:
        prefix = s[1].lower()
        if prefix in "box" and len(s) >= 3:
            base, s = {"b": 2, "o": 8, "x": 16}[prefix], s[2:]
        else:
            base, s = 8, s[1:]
    if "_" in text and not underscore_ok(text):
        return None
    digits = s.replace("_", "")
    if not digits or not all(c.isascii() and c.isalnum() for c in digits):
        return None
    try:
        return sign * int(digits, base)
    except ValueError:
        return None


def _parse_go_float(text: str) -> float | None:
    s = text
    if "_" in s:
        if not underscore_ok(s):
            return None
        s = s.replace("_", "")
    try:
        body = s.lstrip("+-")
        if body[:2].lower() == "0x":
            if "p" not in body.lower():
                return None
            f = float.fromhex(s)
        else:
            f = float(s)
    except (ValueError, OverflowError):
        return None
    return None if math.isinf(f) or math.isnan(f) else f


def _set_from_float(n: NumberNode, f: float) -> None:
    n.is_float, n.float = True, f
    if f.is_integer() and _INT64[0] <= f <= _INT64[1] and f != 2.0 ** 63:
        n.is_int, n.int = True, int(f)
    if f.is_integer() and 0 <= f < 2.0 ** 64:
        n.is_uint = True


def parse_number(pos: int, text: str, is_char: bool = False, is_complex: bool = False) -> NumberNode:
    """A NumberNode for a numeric literal, with the int/uint/float/complex views that apply."""
    n = NumberNode(pos, text)
    if is_char:
        v, _, tail = unquote_char(text[1:], "'")
        if tail != "'":
            raise ValueError(f"malformed character constant: {text}")
        n.is_int = n.is_uint = n.is_float = True
        n.int, n.float = v, float(v)
        return n
    if is_complex or text.endswith("i"):
        c = _parse_complex(text)
        if c is not None:
            n.is_complex, n.complex = True, c
            if c.imag == 0:
                _set_from_float(n, c.real)
            return n
        if is_complex:
            raise ValueError(f"illegal number syntax: {go_quote(text)}")
    as_int = parse_go_int(text)
    if as_int is not None:
        if _INT64[0] <= as_int <= _INT64[1]:
            n.is_int, n.int = True, as_int
        if 0 <= as_int <= _UINT64 and text[:1] != "-":
            n.is_uint = True
        if n.is_int or n.is_uint:
            n.is_float, n.float = True, float(as_int)
            return n
    f = _parse_go_float(text)
    if f is not None:
        if not any(c in text for c in ".eEpP"):
            raise ValueError(f"integer overflow: {go_quote(text)}")
        _set_from_float(n, f)
        return n
    raise ValueError(f"illegal number syntax: {go_quote(text)}")


def _parse_complex(text: str) -> complex | None:
    if text.endswith("i") and "+" not in text[1:] and "-" not in text[1:].replace("e-", ""):
        f = _parse_go_float(text[:-1]) if text[:-1] else None
        return complex(0, f) if f is not None else None
    try:
        return complex(text.replace("_", "").replace("i", "j"))
    except ValueError:
        return None
