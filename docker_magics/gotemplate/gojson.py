"""Go's ``encoding/json`` output: what Docker's ``json`` template function and inspect dumps produce.

Differences from Python's ``json.dumps`` that show: floats (``1e+21``, ``1e-7``,
``100000000000000000000``), U+2028/U+2029 always escaped, ``<>&`` escaped only when HTML escaping
is on, struct field order with ``omitempty``, nil slices and maps as ``null``, ``[]byte`` as
base64, ``time.Time`` as RFC 3339 with nanoseconds.
"""

from __future__ import annotations

import base64
import json
import math
import re
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any

from .gofmt import shortest_digits
from .gotime import GoTime
from .values import (
    _SURROGATE,
    MISSING,
    FuncError,
    GoMap,
    GoPtr,
    GoSlice,
    GoStruct,
    JsonNumber,
    escape_html,
    type_name,
)

_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$")


def quote(s: str) -> str:
    """A JSON string as Go writes it with HTML escaping off."""
    out = encode_basestring(s)
    if "\u2028" in out or "\u2029" in out:
        out = out.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if _SURROGATE.search(out):  # bytes of invalid UTF-8 become U+FFFD
        out = _SURROGATE.sub("\\\\ufffd", out)
    return out


def go_float(f: float) -> str:
    """A float64 as encoding/json writes it."""
    if math.isnan(f) or math.isinf(f):
        raise FuncError(f"json: unsupported value: {'NaN' if math.isnan(f) else ('+Inf' if f > 0 else '-Inf')}")
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    digits, dp = shortest_digits(f)
    sign = "-" if f < 0 else ""
    a = abs(f)
    if a < 1e-6 or a >= 1e21:
        exp = dp - 1
        mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mant}e{'-' if exp < 0 else '+'}{abs(exp)}"
    if dp <= 0:
        return f"{sign}0.{'0' * -dp}{digits}"
    if dp >= len(digits):
        return sign + digits + "0" * (dp - len(digits))
    return f"{sign}{digits[:dp]}.{digits[dp:]}"


def encode(v: Any, html: bool = False, sort_keys: bool = True) -> str:
    """Go's json.Marshal of a template value (compact); raises FuncError as the json function would.

    ``sort_keys=False`` keeps dict order, for re-encoding raw API objects as the daemon sent them.
    """
    parts: list[str] = []
    _encode(v, parts, 0, sort_keys)
    text = "".join(parts)
    return escape_html(text) if html else text


def _encode(v: Any, out: list[str], depth: int, sort: bool) -> None:
    if depth > 1000:
        raise FuncError("json: unsupported value: encountered a cycle")
    t = type(v)
    if t is str:
        out.append(quote(v))
    elif v is None or v is MISSING:
        out.append("null")
    elif t is bool:
        out.append("true" if v else "false")
    elif t is int:
        out.append(str(v))
    elif t is float:
        out.append(go_float(v))
    elif isinstance(v, JsonNumber):
        if not _NUMBER.match(v):
            raise FuncError(f"json: invalid number literal {json.dumps(str(v))}")
        out.append(str(v))
    elif isinstance(v, str):
        out.append(quote(v))
    elif isinstance(v, int):
        out.append(str(int(v)))
    else:
        _encode_composite(v, out, depth, sort)


def _encode_composite(v: Any, out: list[str], depth: int, sort: bool) -> None:
    if isinstance(v, (list, tuple)):
        if isinstance(v, GoSlice) and v.isnil:
            out.append("null")
        elif isinstance(v, GoSlice) and v.gotype.name == "[]uint8":
            out.append('"' + base64.b64encode(bytes(v)).decode() + '"')
        else:
            out.append("[")
            for i, e in enumerate(v):
                if i:
                    out.append(",")
                _encode(e, out, depth + 1, sort)
            out.append("]")
    elif isinstance(v, dict):
        if isinstance(v, GoMap) and v.isnil:
            out.append("null")
            return
        out.append("{")
        for i, k in enumerate(sorted(v) if sort else v):
            if i:
                out.append(",")
            out.append(quote(str(k)) + ":")
            _encode(v[k], out, depth + 1, sort)
        out.append("}")
    elif isinstance(v, GoStruct):
        _encode_struct(v, out, depth, sort)
    elif isinstance(v, GoPtr):
        _encode(v.elem, out, depth + 1, sort)
    elif isinstance(v, GoTime):
        year = v.civil().year
        if not 0 <= year <= 9999:
            raise FuncError("json: error calling MarshalJSON for type time.Time: "
                            "Time.MarshalJSON: year outside of range [0,9999]")
        out.append('"' + v.rfc3339nano() + '"')
    elif isinstance(v, bytes):
        out.append('"' + base64.b64encode(v).decode() + '"')
    elif hasattr(v, "marshal_json"):
        out.append(v.marshal_json())
    else:
        raise FuncError(f"json: unsupported type: {type_name(v)}")


def _is_empty(v: Any) -> bool:
    # encoding/json's isEmptyValue, which decides omitempty.
    if v is None or v is MISSING or v is False:
        return True
    if isinstance(v, (str, list, dict, bytes, int, float)) and not isinstance(v, bool):
        return not v
    return isinstance(v, GoPtr) and v.elem is None


def _encode_struct(v: GoStruct, out: list[str], depth: int, sort: bool) -> None:
    out.append("{")
    first = True
    for name, val in _json_fields(v):
        if not first:
            out.append(",")
        first = False
        out.append(quote(name) + ":")
        _encode(val, out, depth + 1, sort)
    out.append("}")


def _json_fields(v: GoStruct) -> list[tuple[str, Any]]:
    """The (json name, value) pairs of a struct, embedded structs flattened, omitempty applied."""
    pairs: list[tuple[str, Any]] = []
    for f, val in zip(v.gotype.fields, v.vals, strict=True):
        if f.embedded and isinstance(val, GoStruct):
            pairs.extend(_json_fields(val))
        elif f.json != "-" and not (f.omitempty and _is_empty(val)):
            pairs.append((f.json, val))
    return pairs


def indent(text: str, prefix: str = "", step: str = "    ") -> str:
    """json.Indent: re-indent compact JSON text without touching its strings or numbers."""
    out: list[str] = []
    level = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "[{":
            close = "]" if c == "[" else "}"
            if i + 1 < n and text[i + 1] == close:
                out.append(c + close)
                i += 2
                continue
            level += 1
            out.append(c + "\n" + prefix + step * level)
        elif c in "]}":
            level -= 1
            out.append("\n" + prefix + step * level + c)
        elif c == ",":
            out.append(",\n" + prefix + step * level)
        elif c == ":":
            out.append(": ")
        elif c not in " \t\r\n":
            out.append(c)
        i += 1
    return "".join(out)
