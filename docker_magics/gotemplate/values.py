"""Go values as Python objects: the small type model shared by the evaluator, printers and encoder.

Go's template engine works on typed values, and what it prints depends on the type: a nil
``[]string`` prints ``[]`` while a JSON ``null`` reached through ``map[string]interface{}`` prints
``<no value>``; ``printf "%s" 1`` says ``%!s(int=1)`` for a literal but ``%!s(int64=1)`` for an API
integer. Plain Python values cover the common, untyped case cheaply:

=====================  =====================================
Python                 Go
=====================  =====================================
``str``                ``string``
``bool``               ``bool``
``int``                ``int64`` (what JSON integers are)
``float``              ``float64``
``None``               a nil ``interface{}``
``list`` / ``dict``    ``[]interface {}`` / ``map[string]interface {}``
``MISSING``            an invalid ``reflect.Value`` (missing key, no value)
=====================  =====================================

Everything typed carries its :class:`GoType` in a ``gotype`` attribute: :class:`GoInt` (Go ``int``),
:class:`GoSlice`, :class:`GoMap`, :class:`GoStruct`, :class:`GoPtr`, :class:`JsonNumber` and the
named types made by :func:`named_str`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, NamedTuple


class GoType:
    """A Go type: its kind, its printed name and, for composites, element type or struct fields."""

    __slots__ = ("elem", "fields", "kind", "lookup", "name", "py")

    def __init__(self, kind: str, name: str, elem: GoType | None = None,
                 fields: tuple[StructField, ...] = (), py: Callable[[], Any] | None = None) -> None:
        self.kind = kind
        self.name = name
        self.elem = elem
        self.fields = fields
        self.py = py
        # Field name -> index path, promoted fields of embedded structs included (Go's FieldByName).
        self.lookup: dict[str, tuple[int, ...]] = _field_paths(fields) if kind == "struct" else {}

    def __repr__(self) -> str:
        return f"GoType({self.name})"


class StructField(NamedTuple):
    """One field of a Go struct, with what encoding/json needs to know about it."""

    name: str
    type: GoType
    json: str
    omitempty: bool = False
    embedded: bool = False


def _field_paths(fields: tuple[StructField, ...]) -> dict[str, tuple[int, ...]]:
    # Direct fields win over promoted ones, shallower promotions over deeper ones (Go's rule,
    # ignoring the ambiguity case, which the Docker types never hit).
    paths: dict[str, tuple[int, ...]] = {}
    for i, f in enumerate(fields):
        paths[f.name] = (i,)
    for i, f in enumerate(fields):
        if f.embedded and f.type.kind == "struct":
            for name, sub in f.type.lookup.items():
                paths.setdefault(name, (i, *sub))
    return paths


class _Missing:
    """Go's invalid reflect.Value: a missing map key or an absent value. Falsy, prints ``<no value>``."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class GoInt(int):
    """A Go ``int`` (template literals, ``len`` results, range indexes) as opposed to an ``int64``."""

    __slots__ = ()
    gotype: GoType


class Uint8(int):
    """A Go ``byte``: what ``index`` of a string returns."""

    __slots__ = ()
    gotype: GoType


class JsonNumber(str):
    """``encoding/json.Number``: the raw inspect pass decodes numbers into it, so they print as written."""

    __slots__ = ()
    gotype: GoType


class GoSlice(list):
    """A typed Go slice; ``isnil`` tells a nil slice (prints ``[]``, marshals ``null``) from an empty one."""

    __slots__ = ("gotype", "isnil")

    def __init__(self, gotype: GoType, items: Any = (), isnil: bool = False) -> None:
        super().__init__(items)
        self.gotype = gotype
        self.isnil = isnil


class GoMap(dict):
    """A typed Go map with string keys; ``isnil`` as for :class:`GoSlice`."""

    __slots__ = ("gotype", "isnil")

    def __init__(self, gotype: GoType, items: Any = (), isnil: bool = False) -> None:
        super().__init__(items)
        self.gotype = gotype
        self.isnil = isnil


class GoStruct:
    """A Go struct value: field values in declaration order (embedded structs as nested GoStructs)."""

    __slots__ = ("gotype", "vals")

    def __init__(self, gotype: GoType, vals: list[Any]) -> None:
        self.gotype = gotype
        self.vals = vals

    def field(self, name: str) -> Any:
        """The value of a (possibly promoted) field, or MISSING when the type has no such field."""
        path = self.gotype.lookup.get(name)
        if path is None:
            return MISSING
        v: Any = self
        for i in path:
            v = v.vals[i]
        return v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoStruct) and other.gotype is self.gotype and other.vals == self.vals

    __hash__ = None  # type: ignore[assignment]


class GoPtr:
    """A Go pointer; ``elem is None`` is a typed nil pointer (prints ``<nil>``, marshals ``null``)."""

    __slots__ = ("elem", "gotype")

    def __init__(self, gotype: GoType, elem: Any = None) -> None:
        self.gotype = gotype
        self.elem = elem

    def __bool__(self) -> bool:
        return self.elem is not None


class ContextType:
    """The Go type of a list formatter's rows (``*formatter.imageContext``) and its header map.

    ``json_view`` rewrites a row's values for ``{{json .}}`` (search shows ``IsOfficial`` as
    ``[OK]`` in templates but ``true`` in JSON).
    """

    __slots__ = ("gotype", "header", "json_view")

    def __init__(self, name: str, header: dict[str, str],
                 json_view: Callable[[dict[str, str]], dict[str, str]] | None = None) -> None:
        self.gotype = GoType("ptr", name)
        self.header = header
        self.json_view = json_view


class ContextRow:
    """One row of a list formatter: a pointer to a CLI context whose methods all return strings."""

    __slots__ = ("ctype", "values")

    def __init__(self, ctype: ContextType, values: dict[str, str]) -> None:
        self.ctype = ctype
        self.values = values

    @property
    def gotype(self) -> GoType:
        """The context's Go type (for error messages)."""
        return self.ctype.gotype

    def lookup(self, name: str) -> Any:
        """The value of one method, or MISSING."""
        return self.values.get(name, MISSING)

    def go_fields(self) -> list[str]:
        """The values, for printing the context itself."""
        return list(self.values.values())

    def marshal_json(self) -> str:
        """formatter.MarshalJSON: every method's value, keys sorted, HTML characters escaped."""
        if self.ctype.json_view is not None:
            # The CLI's search context keeps its json flag once marshalled; so does this row.
            self.values = self.ctype.json_view(self.values)
        return context_json(self.values)


_SURROGATE = re.compile("[\udc80-\udcff]")  # bytes of invalid UTF-8, kept as surrogate escapes
_JSON_SPECIAL = re.compile("[\u2028\u2029\udc80-\udcff]")
# For context rows (string values), Python's encoder writes exactly what Go's does, only faster.
_CONTEXT_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def escape_html(text: str) -> str:
    """Turn on Go's JSON HTML escaping after the fact; ``<>&`` only ever occur inside JSON strings."""
    if "<" in text or ">" in text or "&" in text:
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return text


def context_json(values: dict[str, str]) -> str:
    """json.Marshal of a list context's map[string]interface{}: sorted keys, HTML escaped."""
    text = _CONTEXT_ENCODER.encode(values)
    if _JSON_SPECIAL.search(text):
        text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        text = _SURROGATE.sub("\\\\ufffd", text)
    return escape_html(text)


class GoFunc:
    """A function or method callable from a template, with the Go signature used to check arguments.

    ``params`` are the parameter types; with ``variadic`` the last one is the element type of the
    ``...`` parameter. ``impl`` raises :class:`FuncError` for an error result; ``impl=None`` marks
    the short-circuit builtins ``and``/``or``, which the evaluator runs itself.
    """

    __slots__ = ("impl", "name", "params", "variadic")

    def __init__(self, name: str, params: tuple[GoType, ...], impl: Callable[..., Any] | None,
                 variadic: bool = False) -> None:
        self.name = name
        self.params = params
        self.impl = impl
        self.variadic = variadic


class FuncError(Exception):
    """The error result of a template function; the evaluator reports ``error calling NAME: ...``."""


def _make(kind: str, name: str, py: Callable[[], Any] | None = None, elem: GoType | None = None) -> GoType:
    return GoType(kind, name, elem=elem, py=py)


T_STRING = _make("string", "string", str)
T_BOOL = _make("bool", "bool", bool)
T_INT = _make("int", "int", lambda: GoInt(0))
T_INT64 = _make("int", "int64", int)
T_UINT8 = _make("uint", "uint8", lambda: Uint8(0))
T_FLOAT64 = _make("float", "float64", float)
T_COMPLEX = _make("complex", "complex128", complex)
T_ANY = _make("interface", "interface {}", lambda: None)
T_VALUE = _make("value", "reflect.Value", lambda: MISSING)
T_JSON_NUMBER = _make("string", "json.Number", lambda: JsonNumber(""))
T_STR_SLICE = _make("slice", "[]string", elem=T_STRING)
T_STR_MAP = _make("map", "map[string]string", elem=T_STRING)
T_ANY_SLICE = _make("slice", "[]interface {}", elem=T_ANY)
T_ANY_MAP = _make("map", "map[string]interface {}", elem=T_ANY)
T_BYTES = _make("slice", "[]uint8", elem=T_UINT8)

GoInt.gotype = T_INT
Uint8.gotype = T_UINT8
JsonNumber.gotype = T_JSON_NUMBER


def named_str(name: str) -> type[str]:
    """A Python str subclass for a named Go string type such as ``digest.Digest``."""
    gotype = GoType("string", name)
    cls = type(name.replace(".", "_"), (str,), {"__slots__": (), "gotype": gotype})
    gotype.py = cls
    return cls


def struct_type(name: str, fields: list[StructField]) -> GoType:
    """A Go struct type; ``py`` builds its zero value."""
    t = GoType("struct", name, fields=tuple(fields))
    t.py = lambda: GoStruct(t, [zero(f.type) for f in t.fields])
    return t


T_EMPTY_STRUCT = struct_type("struct {}", [])


def slice_type(elem: GoType, name: str | None = None) -> GoType:
    """A Go slice type (``[]elem``, or a named one like ``strslice.StrSlice``)."""
    return GoType("slice", name or f"[]{elem.name}", elem=elem)


def map_type(elem: GoType, name: str | None = None) -> GoType:
    """A Go map type with string keys."""
    return GoType("map", name or f"map[string]{elem.name}", elem=elem)


def ptr_type(elem: GoType) -> GoType:
    """A Go pointer type."""
    return GoType("ptr", f"*{elem.name}", elem=elem)


def zero(t: GoType) -> Any:
    """The zero value of a type (what encoding/json leaves in a field the JSON did not set)."""
    if t.kind == "slice":
        return GoSlice(t, isnil=True)
    if t.kind == "map":
        return GoMap(t, isnil=True)
    if t.kind == "ptr":
        return GoPtr(t)
    if t.py is None:
        return None
    return t.py()


_SCALAR_TYPES: dict[type, GoType] = {str: T_STRING, bool: T_BOOL, int: T_INT64, float: T_FLOAT64,
                                     list: T_ANY_SLICE, dict: T_ANY_MAP, complex: T_COMPLEX,
                                     bytes: T_BYTES}


def type_of(v: Any) -> GoType:
    """The Go type of a value (``interface {}`` for a nil interface)."""
    t = _SCALAR_TYPES.get(type(v))
    if t is not None:
        return t
    gotype = getattr(v, "gotype", None)
    if gotype is not None:
        return gotype
    if v is None or v is MISSING:
        return T_ANY
    return GoType("unknown", type(v).__name__)


def type_name(v: Any) -> str:
    """Go's ``reflect.Type.String()`` of a value."""
    return type_of(v).name


def is_nil(v: Any) -> bool:
    """True for the values Go calls nil: nil interface, invalid value, nil pointer, slice or map."""
    if v is None or v is MISSING:
        return True
    if isinstance(v, (GoSlice, GoMap)):
        return v.isnil
    return isinstance(v, GoPtr) and v.elem is None


# Kinds for the comparison builtins (text/template's basicKind).
INVALID_K, BOOL_K, COMPLEX_K, INT_K, FLOAT_K, STRING_K, UINT_K = range(7)


def basic_kind(v: Any) -> int:
    """The comparison kind of a value; INVALID_K for anything eq/lt cannot compare directly."""
    t = type(v)
    if t is str:
        return STRING_K
    if t is int:
        return INT_K
    if t is bool:
        return BOOL_K
    if t is float:
        return FLOAT_K
    if isinstance(v, str):
        return STRING_K
    if isinstance(v, int):
        return UINT_K if isinstance(v, Uint8) else INT_K
    if t is complex:
        return COMPLEX_K
    return INVALID_K
