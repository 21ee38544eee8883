"""Template functions: Go's builtins, Docker's ``basicFunctions`` and the header-pass replacements.

Each function carries its Go signature, so the evaluator checks arguments like Go does
(``join`` wants a ``[]string``, ``truncate`` a literal integer, ``upper`` a string). Strings are
measured and cut in UTF-8 bytes where Go does (``len``, ``index``, ``slice``, ``truncate``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote_plus

from . import gojson
from .gofmt import go_quote, sprint, sprintln
from .gounicode import is_digit, is_letter, is_print, is_space, to_lower, to_title, to_upper
from .printf import sprintf
from .values import (
    BOOL_K,
    COMPLEX_K,
    INT_K,
    INVALID_K,
    MISSING,
    STRING_K,
    T_ANY,
    T_INT,
    T_STR_SLICE,
    T_STRING,
    T_VALUE,
    UINT_K,
    ContextRow,
    FuncError,
    GoFunc,
    GoInt,
    GoMap,
    GoPtr,
    GoSlice,
    JsonNumber,
    Uint8,
    basic_kind,
    is_nil,
    type_name,
    zero,
)


def _deref(v: Any) -> Any:
    """Go's indirectInterface: a nil interface becomes "no value"."""
    return MISSING if v is None else v


def _b(s: str) -> bytes:
    return s.encode("utf-8", "surrogateescape")


def _s(b: bytes) -> str:
    return b.decode("utf-8", "surrogateescape")


# -- len, index, slice ----------------------------------------------------------------------------
def go_len(item: Any) -> GoInt:
    """len: bytes of a string, elements of a slice or map."""
    if item is None or (isinstance(item, GoPtr) and item.elem is None):
        raise FuncError("len of nil pointer")
    if item is MISSING:
        raise FuncError("reflect: call of reflect.Value.Type on zero Value")
    while isinstance(item, GoPtr):
        item = item.elem
    if isinstance(item, str):
        return GoInt(len(item) if item.isascii() else len(_b(item)))
    if isinstance(item, (list, dict, bytes)):
        return GoInt(len(item))
    raise FuncError(f"len of type {type_name(item)}")


def _index_arg(index: Any, cap: int) -> int:
    index = _deref(index)
    if isinstance(index, int) and not isinstance(index, bool):
        x = int(index)
    elif index is MISSING:
        raise FuncError("cannot index slice/array with nil")
    else:
        raise FuncError(f"cannot index slice/array with type {type_name(index)}")
    if x < 0 or x > cap:
        raise FuncError(f"index out of range: {x}")
    return x


def go_index(item: Any, *indexes: Any) -> Any:
    """index x 1 2: x[1][2] on slices, strings (a byte) and maps (missing key: zero value)."""
    v = _deref(item)
    if v is MISSING:
        raise FuncError("index of untyped nil")
    for ix in indexes:
        while isinstance(v, GoPtr) and v.elem is not None:
            v = v.elem
        if v is None or (isinstance(v, GoPtr) and v.elem is None):
            raise FuncError("index of nil pointer")
        if isinstance(v, (list, str, bytes)):
            seq = _b(v) if isinstance(v, str) else v
            x = _index_arg(ix, len(seq))
            if x == len(seq):
                raise FuncError(f"reflect: {'string' if isinstance(v, str) else 'slice'} index out of range")
            v = Uint8(seq[x]) if isinstance(v, (str, bytes)) else seq[x]
        elif isinstance(v, dict):
            key = _deref(ix)
            if key is MISSING:  # prepareArg: a string key cannot be nil
                raise FuncError("value is nil; should be of type string")
            if type(key) is not str:
                raise FuncError(f"value has type {type_name(key)}; should be string")
            v = v[key] if key in v else (zero(v.gotype.elem) if isinstance(v, GoMap) else None)
        else:
            raise FuncError(f"can't index item of type {type_name(v)}")
    return v


def go_slice(item: Any, *indexes: Any) -> Any:
    """slice x 1 2: x[1:2] on strings (bytes) and slices."""
    v = _deref(item)
    if v is MISSING:
        raise FuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise FuncError(f"too many slice indexes: {len(indexes)}")
    if isinstance(v, str):
        if len(indexes) == 3:
            raise FuncError("cannot 3-index slice a string")
        seq: Any = _b(v)
    elif isinstance(v, list):
        seq = v
    else:
        raise FuncError(f"can't slice item of type {type_name(v)}")
    idx = [0, len(seq), len(seq)]
    for i, ix in enumerate(indexes):
        idx[i] = _index_arg(ix, len(seq))
    if idx[0] > idx[1]:
        raise FuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise FuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    part = seq[idx[0]:idx[1]]
    if isinstance(v, str):
        return _s(part)
    if isinstance(v, GoSlice):
        return GoSlice(v.gotype, part, isnil=v.isnil and not part)
    return part


# -- comparisons ----------------------------------------------------------------------------------
def _eq_pair(a: Any, b: Any) -> bool:
    k1, k2 = basic_kind(a), basic_kind(b)
    if k1 != k2:
        if {k1, k2} == {INT_K, UINT_K}:
            return a >= 0 and b >= 0 and int(a) == int(b)
        if a is not MISSING and b is not MISSING:
            raise FuncError("incompatible types for comparison")
        return False
    if k1 != INVALID_K:
        return str.__eq__(a, b) if isinstance(a, str) else a == b
    if a is MISSING or b is MISSING:
        return a is b
    if type_name(a) != type_name(b):
        raise FuncError(sprintf("non-comparable types %s: %v, %s: %v", [a, type_name(a), type_name(b), b]))
    if is_nil(a) or is_nil(b):
        return is_nil(a) == is_nil(b)
    if isinstance(b, (list, dict)):
        raise FuncError(sprintf("non-comparable type %s: %v", [b, type_name(b)]))
    return bool(a == b)


def go_eq(a: Any, *rest: Any) -> bool:
    """eq a b c: a == b || a == c."""
    a = _deref(a)
    if not rest:
        raise FuncError("missing argument for comparison")
    return any(_eq_pair(a, _deref(b)) for b in rest)


def go_lt(a: Any, b: Any) -> bool:
    """lt a b, for basic kinds only."""
    a, b = _deref(a), _deref(b)
    k1, k2 = basic_kind(a), basic_kind(b)
    if INVALID_K in (k1, k2):
        raise FuncError("invalid type for comparison")
    if k1 != k2:
        if {k1, k2} == {INT_K, UINT_K}:
            return int(a) < int(b)
        raise FuncError("incompatible types for comparison")
    if k1 in (BOOL_K, COMPLEX_K):
        raise FuncError("invalid type for comparison")
    if k1 == STRING_K and not (a.isascii() and b.isascii()):
        return _b(a) < _b(b)  # Go compares bytes; a bad byte (a surrogate escape) must not sort as U+DCxx
    return bool(a < b)


def go_le(a: Any, b: Any) -> bool:
    """le a b."""
    return go_lt(a, b) or go_eq(a, b)


# -- escapers ------------------------------------------------------------------------------------
def _printable_args(args: tuple[Any, ...]) -> str:
    # evalArgs: one string stays as is; otherwise values are printed as the template would.
    if len(args) == 1 and type(args[0]) is str:
        return args[0]
    vals = []
    for a in args:
        if a is None or a is MISSING:
            a = "<no value>"
        while isinstance(a, GoPtr) and a.elem is not None:
            a = a.elem
        vals.append(a)
    return sprint(vals)


_HTML = {'"': "&#34;", "'": "&#39;", "&": "&amp;", "<": "&lt;", ">": "&gt;", "\0": "\ufffd"}
_JS = {"\\": "\\\\", "'": "\\'", '"': '\\"', "<": "\\u003C", ">": "\\u003E", "&": "\\u0026",
       "=": "\\u003D"}


def go_html(*args: Any) -> str:
    """html: HTML-escape the printed arguments."""
    s = _printable_args(args)
    if not any(c in s for c in "'\"&<>\0"):
        return s
    return "".join(_HTML.get(c, c) for c in s)


def go_js(*args: Any) -> str:
    """js: JavaScript-escape the printed arguments."""
    out = []
    for c in _printable_args(args):
        if c in _JS:
            out.append(_JS[c])
        elif c < " ":
            out.append(f"\\u00{ord(c):02X}")
        elif ord(c) >= 0x80 and not is_print(ord(c)):
            out.append(f"\\u{ord(c):04X}" if not 0xDC80 <= ord(c) <= 0xDCFF else c)
        else:
            out.append(c)
    return "".join(out)


def go_urlquery(*args: Any) -> str:
    """urlquery: url.QueryEscape of the printed arguments."""
    return quote_plus(_b(_printable_args(args)), safe="")


# -- Docker's functions ----------------------------------------------------------------------------
def _title_sep(c: str) -> bool:
    if c.isascii():
        return not (c.isalnum() or c == "_")
    if is_letter(c) or is_digit(c):
        return False
    return is_space(c)


def go_title(s: str) -> str:
    """strings.Title: title-case each letter that follows a separator (bad bytes become U+FFFD)."""
    out = []
    prev = " "
    for c in s:
        if _title_sep(prev):
            out.append(to_title(c))
        else:
            out.append("\ufffd" if 0xDC80 <= ord(c) <= 0xDCFF else c)
        prev = c
    return "".join(out)


def go_upper(s: str) -> str:
    """strings.ToUpper: simple case mapping rune by rune (``ß`` stays ``ß``; bad bytes become U+FFFD)."""
    if s.isascii():
        return s.upper()
    return "".join(map(to_upper, s))


def go_lower(s: str) -> str:
    """strings.ToLower: simple case mapping rune by rune (bad bytes become U+FFFD)."""
    if s.isascii():
        return s.lower()
    return "".join(map(to_lower, s))


def go_split(s: str, sep: str) -> GoSlice:
    """strings.Split, keeping empty fields."""
    return GoSlice(T_STR_SLICE, list(s) if sep == "" else s.split(sep))


_MAX_PAD = 1 << 24


def go_pad(s: str, prefix: int, suffix: int) -> str:
    """Docker's pad: spaces around a non-empty string."""
    if s == "":
        return s
    if prefix < 0 or suffix < 0:
        raise FuncError("strings: negative Repeat count")
    if prefix + suffix > _MAX_PAD:  # Go would try and run out of memory; a notebook must not
        raise FuncError("strings: Repeat output length overflow")
    return " " * prefix + s + " " * suffix


def go_truncate(s: str, n: int) -> str:
    """Docker's truncate: the first n bytes (a UTF-8 character may be cut in half)."""
    data = _b(s)
    if len(data) < n:
        return s
    if n < 0:
        raise FuncError(f"runtime error: slice bounds out of range [:{n}]")
    return _s(data[:n])


def go_json(v: Any) -> str:
    """Docker's json: encoding/json without HTML escaping, trailing newline dropped.

    Raises:
        FuncError: what Encode refuses (a complex number such as the literal ``1i``, NaN, a cycle): the Docker
            CLI 28 panics with Encode's error there, which text/template reports as ``error calling json: ...``
            (measured: ``docker images --format '{{json 1i}}'`` fails with ``json: unsupported type: complex128``).
    """
    if type(v) is ContextRow:  # the common {{json .}} of list formats
        return v.marshal_json()
    return gojson.encode(v).strip()


def go_call(callee: str, fn: Any, *args: Any) -> Any:
    """call: templates here never hold function values (callee is how the template names it)."""
    fn = _deref(fn)
    if fn is MISSING:
        raise FuncError("call of nil")
    raise FuncError(f"non-function {callee} of type {type_name(fn)}")


def _f(name: str, params: tuple, impl: Any, variadic: bool = False) -> GoFunc:
    return GoFunc(name, params, impl, variadic)


V, A, S, N = T_VALUE, T_ANY, T_STRING, T_INT

BUILTINS: dict[str, GoFunc] = {
    "and": _f("and", (V, V), None, True),
    "or": _f("or", (V, V), None, True),
    "not": _f("not", (V,), lambda v: not v),
    "len": _f("len", (V,), go_len),
    "index": _f("index", (V, V), go_index, True),
    "slice": _f("slice", (V, V), go_slice, True),
    "print": _f("print", (A,), lambda *a: sprint(list(a)), True),
    "printf": _f("printf", (S, A), lambda f, *a: sprintf(f, list(a)), True),
    "println": _f("println", (A,), lambda *a: sprintln(list(a)), True),
    "html": _f("html", (A,), go_html, True),
    "js": _f("js", (A,), go_js, True),
    "urlquery": _f("urlquery", (A,), go_urlquery, True),
    "call": _f("call", (V, V), go_call, True),
    "eq": _f("eq", (V, V), go_eq, True),
    "ne": _f("ne", (V, V), lambda a, b: not go_eq(a, b)),
    "lt": _f("lt", (V, V), go_lt),
    "le": _f("le", (V, V), go_le),
    "gt": _f("gt", (V, V), lambda a, b: not go_le(a, b)),
    "ge": _f("ge", (V, V), lambda a, b: not go_lt(a, b)),
}

DOCKER_FUNCS: dict[str, GoFunc] = {
    "json": _f("json", (A,), go_json),
    "split": _f("split", (S, S), go_split),
    "join": _f("join", (T_STR_SLICE, S), lambda elems, sep: sep.join(elems)),
    "title": _f("title", (S,), go_title),
    "lower": _f("lower", (S,), go_lower),
    "upper": _f("upper", (S,), go_upper),
    "pad": _f("pad", (S, N, N), go_pad),
    "truncate": _f("truncate", (S, N), go_truncate),
}

# The header pass of table formats swaps these in so headers stay as they are (pad is kept).
HEADER_FUNCS: dict[str, GoFunc] = {
    "json": _f("json", (S,), lambda v: v),
    "split": _f("split", (S, S), lambda v, _sep: v),
    "join": _f("join", (S, S), lambda v, _sep: v),
    "title": _f("title", (S,), lambda v: v),
    "lower": _f("lower", (S,), lambda v: v),
    "upper": _f("upper", (S,), lambda v: v),
    "truncate": _f("truncate", (S, N), lambda v, _n: v),
}

FUNCS: dict[str, GoFunc] = {**BUILTINS, **DOCKER_FUNCS}
HEADER_PASS_FUNCS: dict[str, GoFunc] = {**FUNCS, **HEADER_FUNCS}
FUNC_NAMES = frozenset(FUNCS)


def _number_int64(n: JsonNumber) -> int:
    try:
        return int(str(n), 10)
    except ValueError:
        raise FuncError(f"strconv.ParseInt: parsing {go_quote(str(n))}: invalid syntax") from None


NUMBER_METHODS: dict[str, GoFunc] = {
    "String": _f("String", (), str),
    "Int64": _f("Int64", (), _number_int64),
    "Float64": _f("Float64", (), lambda n: float(str(n))),
}
