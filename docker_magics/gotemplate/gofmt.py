"""Go's ``fmt`` printing rules: ``%v`` of every value kind, ``print``/``println``, and quoting.

Go and Python disagree in many small ways that show in template output: ``1e+08`` not ``100000000.0``,
``[a b]`` not ``['a', 'b']``, ``map[k:v]`` with sorted keys, structs as ``{v1 v2}``, nil slices as
``[]`` and nil interfaces as ``<nil>``. :class:`Printer` follows Go's ``pp.printArg``/``printValue``
for all verbs; ``printf.py`` drives it for format strings.
"""

from __future__ import annotations

import math
import struct
from typing import Any

from .gounicode import is_print
from .values import (
    MISSING,
    GoInt,
    GoMap,
    GoPtr,
    GoSlice,
    GoStruct,
    Uint8,
    type_name,
)

_UINT64 = (1 << 64) - 1
# The operand types Go's printArg formats without looking for methods (so %w of them is %!w(int=1)-like
# through the verb switch, not through handleMethods).
_PLAIN_TYPES = frozenset({bool, float, complex, int, str, bytes, GoInt, Uint8})

# A stand-in for pointer addresses, which Go prints inside structs and which cannot be reproduced.
FAKE_ADDRESS = 0xC000010000

_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def go_quote(s: str, quote: str = '"', ascii_only: bool = False) -> str:
    """strconv.Quote (or QuoteRune with ``quote="'"``; QuoteToASCII with ``ascii_only``)."""
    if s.isascii() and s.isprintable() and quote not in s and "\\" not in s:
        return quote + s + quote
    out = [quote]
    for ch in s:
        o = ord(ch)
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif 0xDC80 <= o <= 0xDCFF:  # a byte of invalid UTF-8 (surrogateescape)
            out.append(f"\\x{o - 0xDC00:02x}")
        elif is_print(o) and (o < 0x80 or not ascii_only):
            out.append(ch)
        elif ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\ufffd")
        elif o < 0x10000:
            out.append(f"\\u{o:04x}")
        else:
            out.append(f"\\U{o:08x}")
    out.append(quote)
    return "".join(out)


def shortest_digits(f: float) -> tuple[str, int]:
    """The shortest decimal digits that round-trip ``abs(f)`` and the decimal point position.

    The value is ``0.DIGITS * 10**dp``; this is the digit string strconv's shortest mode produces.
    """
    r = repr(abs(f))
    mant, _, e = r.partition("e")
    exp = int(e) if e else 0
    ip, _, fp = mant.partition(".")
    if fp == "0":
        fp = ""
    digits = ip + fp
    dp = len(ip) + exp
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    if not digits:
        return "0", 1
    return digits, dp


def _exp_form(digits: str, dp: int, upper: bool = False) -> str:
    exp = dp - 1
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sign = "-" if exp < 0 else "+"
    return f"{mant}{'E' if upper else 'e'}{sign}{abs(exp):02d}"


def _fixed_form(digits: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * -dp + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def format_float(f: float, fmt: str, prec: int) -> str:
    """strconv.FormatFloat(f, fmt, prec, 64) for fmt in ``eEfFgGxXb`` (prec -1 = shortest)."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    neg = math.copysign(1.0, f) < 0
    sign = "-" if neg else ""
    if fmt in "xX" or fmt == "b":
        bits = struct.unpack("<Q", struct.pack("<d", f))[0]
        exp, mant = (bits >> 52) & 0x7FF, bits & ((1 << 52) - 1)
        if exp == 0:
            exp = 1  # denormal: no implicit top bit
        else:
            mant |= 1 << 52
        exp -= 1023 + 52
        if fmt == "b":
            return f"{sign}{mant}p{exp:+d}"
        return sign + _hex_float(mant, exp + 52, prec, fmt)
    if prec >= 0:
        return format(f, f".{prec}{'f' if fmt == 'F' else fmt}")
    digits, dp = shortest_digits(f)
    if f == 0:
        digits, dp = "0", 1
    if fmt in "eE":
        return sign + _exp_form(digits, dp, fmt == "E")
    if fmt in "fF":
        return sign + _fixed_form(digits, dp)
    exp = dp - 1
    if exp < -4 or exp >= 6:  # shortest %g switches to %e from exponent 6 on (eprec = 6)
        return sign + _exp_form(digits, dp, fmt == "G")
    return sign + _fixed_form(digits, dp)


def _hex_float(mant: int, exp: int, prec: int, fmt: str) -> str:
    """strconv's fmtX: ``0x1.yyyp±dd`` with the mantissa normalized (denormals too) and rounded to prec."""
    if mant == 0:
        exp = 0
    mant <<= 60 - 52  # the leading 1 (if any) at bit 60
    while mant and not mant & (1 << 60):
        mant <<= 1
        exp -= 1
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > 1 << 59:  # round half to even
            mant += 1
        mant <<= 60 - shift
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    hexdigits = "0123456789ABCDEF" if fmt == "X" else "0123456789abcdef"
    out = ["0", fmt, str((mant >> 60) & 1)]
    mant = (mant << 4) & ((1 << 64) - 1)
    if prec < 0 and mant:
        out.append(".")
        while mant:
            out.append(hexdigits[mant >> 60])
            mant = (mant << 4) & ((1 << 64) - 1)
    elif prec > 0:
        out.append(".")
        for _ in range(prec):
            out.append(hexdigits[mant >> 60])
            mant = (mant << 4) & ((1 << 64) - 1)
    out.append("P" if fmt == "X" else "p")
    out.append(f"{'-' if exp < 0 else '+'}{abs(exp):02d}")
    return "".join(out)


class Printer:
    """Go's ``pp``/``fmt`` pair: one formatting state (flags, width, precision) and an output buffer."""

    __slots__ = ("buf", "erroring", "minus", "plus", "plus_v", "prec", "sharp", "sharp_v", "space",
                 "wid", "zero")

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.erroring = False
        self.clear_flags()

    def clear_flags(self) -> None:
        """Reset flags, width and precision before each verb."""
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid: int | None = None
        self.prec: int | None = None

    def text(self) -> str:
        """Everything printed so far."""
        return "".join(self.buf)

    # -- padding --------------------------------------------------------------------------------
    def pad(self, s: str) -> None:
        """Write s padded to the width (in characters), left or right, with spaces or zeros."""
        if not self.wid:
            self.buf.append(s)
            return
        n = self.wid - len(s)
        if n <= 0:
            self.buf.append(s)
        elif self.minus:
            self.buf.append(s + " " * n)
        else:
            self.buf.append(("0" if self.zero else " ") * n + s)

    # -- entry points ---------------------------------------------------------------------------
    def print_arg(self, arg: Any, verb: str) -> None:
        """pp.printArg: print one operand of print/printf."""
        if arg is None or arg is MISSING:
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb, arg)
            return
        if verb == "T":
            self.fmt_s(type_name(arg))
            return
        if verb == "p":
            self.fmt_pointer(arg, "p")
            return
        if verb == "w" and type(arg) not in _PLAIN_TYPES:
            # Go's handleMethods: %w is only for Errorf; any other operand that reaches it is a bad verb.
            self.bad_verb(verb, arg)
            return
        self.print_value(arg, verb, 0)

    def print_value(self, v: Any, verb: str, depth: int) -> None:
        """pp.printValue: print a value of any kind, recursing into composites with the same verb."""
        t = type(v)
        if t is str:
            self.fmt_string(v, verb, v)
        elif self.sharp_v and verb == "v" and hasattr(v, "go_syntax"):
            self.buf.append(v.go_syntax())
        elif not self.erroring and verb in "vsxXq" and not self.sharp_v and hasattr(v, "go_string"):
            self.fmt_string(v.go_string(), verb, v)
        elif isinstance(v, str):
            self.fmt_string(v, verb, v)
        elif t is bool:
            self.fmt_bool(v, verb)
        elif t is int or isinstance(v, int):
            self.fmt_integer(v, not isinstance(v, Uint8), verb)
        elif t is float:
            self.fmt_float(v, verb)
        elif t is complex:
            self.fmt_complex(v, verb)
        elif v is None:
            self.buf.append("interface {}(nil)" if self.sharp_v else "<nil>")
        elif v is MISSING:
            self.buf.append("<invalid reflect.Value>" if depth == 0 else "<nil>")
        elif t is bytes:
            self.fmt_bytes(v, verb)
        else:
            self._print_composite(v, verb, depth)

    def _print_composite(self, v: Any, verb: str, depth: int) -> None:
        if isinstance(v, list):
            self._print_list(v, verb, depth)
        elif isinstance(v, dict):
            self._print_map(v, verb, depth)
        elif isinstance(v, GoStruct):
            self._print_struct(v, verb, depth)
        elif isinstance(v, GoPtr):
            if depth == 0 and v.elem is not None and isinstance(v.elem, (GoStruct, list, dict)):
                self.buf.append("&")
                self.print_value(v.elem, verb, depth + 1)
            else:
                self.fmt_pointer(v, verb)
        elif hasattr(v, "go_fields"):  # a list formatter's context: a pointer to a struct
            if depth == 0:
                self.buf.append("&")
                self._print_fields(v.go_fields(), (), verb, depth)
            else:
                self.fmt_pointer(v, verb)
        else:
            self.fmt_string(str(v), verb, v)

    def _open(self, v: Any, plain: str) -> tuple[str, bool]:
        """The opening of a composite and its separator; %#v writes the Go type, or (nil)."""
        if not self.sharp_v:
            self.buf.append(plain)
            return " ", True
        self.buf.append(type_name(v))
        if isinstance(v, (GoSlice, GoMap)) and v.isnil:
            self.buf.append("(nil)")
            return "", False
        self.buf.append("{")
        return ", ", True

    def _print_list(self, v: list, verb: str, depth: int) -> None:
        if isinstance(v, GoSlice) and v.gotype.elem is not None and v.gotype.elem.name == "uint8" \
                and verb in "sqxX":
            self.fmt_bytes(bytes(v), verb)
            return
        sep, go_on = self._open(v, "[")
        if not go_on:
            return
        for i, e in enumerate(v):
            if i:
                self.buf.append(sep)
            self.print_value(e, verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def _print_map(self, v: dict, verb: str, depth: int) -> None:
        sep, go_on = self._open(v, "map[")
        if not go_on:
            return
        for i, k in enumerate(sorted(v)):
            if i:
                self.buf.append(sep)
            self.print_value(k, verb, depth + 1)
            self.buf.append(":")
            self.print_value(v[k], verb, depth + 1)
        self.buf.append("}" if self.sharp_v else "]")

    def _print_struct(self, v: GoStruct, verb: str, depth: int) -> None:
        names = tuple(f.name for f in v.gotype.fields) if self.plus_v or self.sharp_v else ()
        if self.sharp_v:
            self.buf.append(type_name(v))
        self._print_fields(v.vals, names, verb, depth)

    def _print_fields(self, vals: Any, names: tuple[str, ...], verb: str, depth: int) -> None:
        self.buf.append("{")
        for i, fv in enumerate(vals):
            if i:
                self.buf.append(", " if self.sharp_v else " ")
            if names:
                self.buf.append(names[i] + ":")
            self.print_value(fv, verb, depth + 1)
        self.buf.append("}")

    # -- verbs per kind -------------------------------------------------------------------------
    def bad_verb(self, verb: str, arg: Any) -> None:
        """``%!verb(type=value)``, the marker Go prints for a verb that does not fit the value."""
        self.erroring = True
        self.buf.append("%!" + verb + "(")
        if arg is None or arg is MISSING:
            self.buf.append("<nil>")
        else:
            self.buf.append(type_name(arg) + "=")
            self.print_arg(arg, "v")
        self.buf.append(")")
        self.erroring = False

    def fmt_bool(self, v: bool, verb: str) -> None:
        """%t and %v of a bool."""
        if verb in "tv":
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb, v)

    def fmt_s(self, s: str) -> None:
        """Go's fmtS: a string cut to the precision (in characters), then padded."""
        self.pad(s if self.prec is None else s[:self.prec])

    def fmt_string(self, s: str, verb: str, arg: Any) -> None:
        """%v %s %q %x %X of a string."""
        if verb in "vs":
            if self.sharp_v and verb == "v":
                self.pad(go_quote(s if self.prec is None else s[:self.prec]))
                return
            self.fmt_s(s)
        elif verb == "q":
            s = s if self.prec is None else s[:self.prec]
            if self.sharp and can_backquote(s):
                self.pad("`" + s + "`")
            else:
                self.pad(go_quote(s, ascii_only=self.plus))
        elif verb in "xX":
            data = s.encode("utf-8", "surrogateescape")
            self.fmt_hex_bytes(data if self.prec is None else data[:self.prec], verb)
        else:
            self.bad_verb(verb, arg)

    def fmt_bytes(self, data: bytes, verb: str) -> None:
        """[]byte: as a string for %s %q %x %X, as a list of numbers otherwise."""
        if verb in "sq":
            self.fmt_string(data.decode("utf-8", "surrogateescape"), verb, data)
        elif verb in "xX":
            self.fmt_hex_bytes(data, verb)
        else:
            self._print_list(list(map(Uint8, data)), verb, 1)

    def fmt_hex_bytes(self, data: bytes, verb: str) -> None:
        """Go's fmtSbx: hex digits per byte, with ``% x`` spacing and ``%#x`` prefixes."""
        digits = data.hex()
        if verb == "X":
            digits = digits.upper()
        prefix = ("0X" if verb == "X" else "0x") if self.sharp else ""
        if self.space:
            parts = [prefix + digits[i:i + 2] for i in range(0, len(digits), 2)]
            text = " ".join(parts)
        else:
            text = prefix + digits if digits else ""
        self.pad(text)

    def fmt_integer(self, v: int, signed: bool, verb: str) -> None:
        """%v %d %b %o %O %x %X %c %q %U of an integer."""
        if verb == "v" and self.sharp_v and not signed:
            self.sharp = True
            self._integer(int(v), 16, "x")
            self.sharp = False
        elif verb in "vd":
            self._integer(int(v), 10, verb)
        elif verb in "boOxX":
            self._integer(int(v), {"b": 2, "o": 8, "O": 8, "x": 16, "X": 16}[verb], verb)
        elif verb == "c":
            self.pad(_rune(int(v)))
        elif verb == "q":
            self.pad(go_quote(_rune(int(v)), "'", self.plus))
        elif verb == "U":
            u = int(v) & _UINT64  # Go formats the operand as a uint64: -1 is U+FFFFFFFFFFFFFFFF
            digits = max(4, self.prec or 0)
            text = f"U+{u:0{digits}X}"
            if self.sharp and u <= 0x10FFFF and is_print(u):
                text += " '" + chr(u) + "'"
            zero, self.zero = self.zero, False
            self.pad(text)
            self.zero = zero
        else:
            self.bad_verb(verb, v)

    def _integer(self, v: int, base: int, verb: str) -> None:
        """Go's fmtInteger: zeros from the precision (or from the width with the 0 flag), then prefixes."""
        neg = v < 0
        u = -v if neg else v
        if self.prec is not None and self.prec == 0 and u == 0:
            zero, self.zero = self.zero, False
            self.pad("")
            self.zero = zero
            return
        digits = {2: "b", 8: "o", 10: "d", 16: "x"}[base]
        text = format(u, digits)
        if verb == "X":
            text = text.upper()
        width = self.prec
        if width is None and self.zero and not self.minus and self.wid:
            # The 0 flag pads the digits to the width less the sign; a 0x prefix comes on top (%#05x).
            width = self.wid - (1 if neg or self.plus or self.space else 0)
        if width is not None and len(text) < width:
            text = "0" * (width - len(text)) + text
        text = self._int_prefix(base, verb, text) + text
        if neg:
            text = "-" + text
        elif self.plus:
            text = "+" + text
        elif self.space:
            text = " " + text
        zero, self.zero = self.zero, False
        self.pad(text)
        self.zero = zero

    def _int_prefix(self, base: int, verb: str, digits: str) -> str:
        prefix = ""
        if self.sharp:
            if base == 16:
                prefix = "0X" if verb == "X" else "0x"
            elif base == 8 and not digits.startswith("0"):
                prefix = "0"
            elif base == 2:
                prefix = "0b"
        # %O adds 0o in front of whatever # added: %#O of 8 is 0o010.
        return "0o" + prefix if verb == "O" else prefix

    def fmt_float(self, v: float, verb: str) -> None:
        """%v %e %E %f %F %g %G %x %X %b of a float."""
        if verb == "v":
            self._float(v, "g", -1)
        elif verb in "bgGxX":
            self._float(v, verb, -1)
        elif verb in "eEfF":
            self._float(v, verb, 6)
        else:
            self.bad_verb(verb, v)

    def _float(self, v: float, verb: str, prec: int) -> None:
        if self.prec is not None:
            prec = self.prec
        num = format_float(v, verb, prec)
        if num[0] not in "+-":
            num = "+" + num
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            zero, self.zero = self.zero, False
            self.pad(num)
            self.zero = zero
            return
        if self.sharp and verb != "b":
            num = _sharp_float(num, verb, prec)
        if self.plus or num[0] != "+":
            if self.zero and not self.minus and self.wid and self.wid > len(num):
                self.buf.append(num[0] + "0" * (self.wid - len(num)) + num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    def fmt_complex(self, v: complex, verb: str) -> None:
        """Complex numbers print as ``(re+imi)``."""
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb, v)
            return
        plus = self.plus
        self.buf.append("(")
        self.fmt_float(v.real, verb)  # the width applies to each part: (    0   +1i)
        self.plus = True
        self.fmt_float(v.imag, verb)
        self.buf.append("i)")
        self.plus = plus

    def fmt_pointer(self, v: Any, verb: str) -> None:
        """%p and %v of a pointer: ``<nil>`` or an address (a stand-in; real addresses vary)."""
        if not isinstance(v, (GoPtr, list, dict)) and not hasattr(v, "go_fields"):
            self.bad_verb(verb, v)  # Go's fmtPointer takes pointers, maps and slices only
            return
        nil = (isinstance(v, GoPtr) and v.elem is None) or (isinstance(v, (GoSlice, GoMap)) and v.isnil)
        addr = 0 if nil else FAKE_ADDRESS
        if verb == "v" and nil:
            self.pad("<nil>")
        elif verb in "vp":
            # fmt0x64: hex digits with flags, width and precision, 0x unless # asked for no prefix.
            sharp, self.sharp = self.sharp, not self.sharp
            self._integer(addr, 16, "x")
            self.sharp = sharp
        elif verb in "bodxX":
            self._integer(addr, {"b": 2, "o": 8, "d": 10, "x": 16, "X": 16}[verb], verb)
        else:
            self.bad_verb(verb, v)


def _sharp_float(num: str, verb: str, prec: int) -> str:
    """The # flag on a float (fmtFloat): keep a decimal point and restore trailing zeros of %g/%x."""
    digits = (6 if prec == -1 else prec) if verb in "vgGx" else 0
    tail = ""
    has_point = saw_nonzero = False
    i = 1
    while i < len(num):
        c = num[i]
        if c == ".":
            has_point = True
        elif c in "pP" or (c in "eE" and verb not in "xX"):
            num, tail = num[:i], num[i:]
            break
        else:
            if c != "0":
                saw_nonzero = True
            if saw_nonzero:
                digits -= 1
        i += 1
    if not has_point:
        if len(num) == 2 and num[1] == "0":
            digits -= 1
        num += "."
    return num + "0" * max(digits, 0) + tail


def can_backquote(s: str) -> bool:
    """strconv.CanBackquote: no backquote, no control character but tab, no BOM, valid UTF-8."""
    for ch in s:
        o = ord(ch)
        if (o < 0x20 and ch != "\t") or ch in "`\x7f\ufeff" or 0xD800 <= o <= 0xDFFF:
            return False
    return True


def _rune(v: int) -> str:
    try:
        return chr(v) if not 0xD800 <= v <= 0xDFFF else "\ufffd"
    except (ValueError, OverflowError):
        return "\ufffd"


def fmt_v(v: Any) -> str:
    """``fmt.Sprint(v)`` for one value, with fast paths for the common scalar kinds."""
    t = type(v)
    if t is str:
        return v
    if t is int:
        return str(v)
    if t is bool:
        return "true" if v else "false"
    if t is float:
        return format_float(v, "g", -1)
    p = Printer()
    p.print_arg(v, "v")
    return p.text()


def sprint(args: list[Any]) -> str:
    """fmt.Sprint: spaces only between two operands that are both not strings."""
    p = Printer()
    prev_string = False
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            p.buf.append(" ")
        p.print_arg(arg, "v")
        prev_string = is_string
    return p.text()


def sprintln(args: list[Any]) -> str:
    """fmt.Sprintln: operands always separated by spaces, then a newline."""
    p = Printer()
    for i, arg in enumerate(args):
        if i:
            p.buf.append(" ")
        p.print_arg(arg, "v")
    p.buf.append("\n")
    return p.text()
