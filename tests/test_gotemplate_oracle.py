"""docker_magics.gotemplate against Go itself: generated templates rendered by Go 1.24 and by ``render``.

tests/oracle is a small Go program: text/template with the Docker CLI's function map (see
helpers_gooracle). Hypothesis generates batches of (template, data) cases: fields, pipelines, variables,
control flow (``else if``, ``else with``, range over integers, break/continue, define/template/block),
every printf verb and flag, Docker's functions, and broken templates. Each batch runs in one Go process.

A case agrees when both render the same text, or both fail (error messages are not compared here; the
engine tests and the recorded vectors pin them). The only cases let through are those of
:func:`known_difference`, each listed in the FORMAT notes of the package docstring.

Never skipped: without Go, the test fails and says to run scripts/setup.sh. ``GOTEMPLATE_ORACLE_EXAMPLES``
sets the number of batches (default 300 of 10 cases); ``GOTEMPLATE_ORACLE_RANDOM=1`` explores new cases
instead of the fixed, derandomized ones CI runs.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.gooracle import GoResult, Oracle, OracleUnavailable, build_oracle

from docker_magics.gotemplate import GoTemplateError, render
from docker_magics.gotemplate.gofmt import FAKE_ADDRESS

BATCH = 10  # cases per example: larger lists overrun hypothesis' per-example data
EXAMPLES = int(os.environ.get("GOTEMPLATE_ORACLE_EXAMPLES", "300"))
RANDOM = os.environ.get("GOTEMPLATE_ORACLE_RANDOM") == "1"

Case = tuple[str, Any]


@pytest.fixture(scope="module")
def oracle() -> Iterator[Oracle]:
    """The oracle process; a missing Go is a failure, not a skip."""
    try:
        proc = Oracle(build_oracle())
    except OracleUnavailable as e:
        pytest.fail(f"{e}\nThe Go oracle is part of the unit tests: run scripts/setup.sh.")
    yield proc
    proc.close()


# -- what cannot agree ------------------------------------------------------------------------------
# A %p verb (flags, argument index, width, precision and all) in a printf format.
_P_VERB = re.compile(r"%[-+# 0]*(\[\d+\])?(\d+|\*)?(\.(\d+|\*)?)?(\[\d+\])?p")


def known_difference(template: str, go: GoResult, py_out: str | None, py_err: str | None) -> bool:
    """The differences listed in the FORMAT notes, and only those.

    - Pointer addresses: ``%p`` of a slice or map prints where Go allocated it (an empty slice's is a
      fixed address in the binary); ``render`` prints a stand-in, ``FAKE_ADDRESS``. A template with a ``%p``
      verb whose output shows that stand-in may differ in output, but must agree on error/no-error.
    - Template recursion deeper than ``state.MAX_DEPTH`` (150) that would stop before Go's 100000: we fail
      with Go's own message for runaway recursion where Go goes on.
    """
    if go.err is None and py_out is not None and _P_VERB.search(template):
        return f"{FAKE_ADDRESS:x}" in py_out
    return go.err is None and py_err is not None and "exceeded maximum template depth" in py_err


def _render(template: str, data: Any) -> tuple[str | None, str | None]:
    try:
        return render(template, data, command="engine"), None
    except GoTemplateError as e:
        return None, str(e)


def compare(oracle: Oracle, cases: list[Case]) -> list[str]:
    """Every disagreement between Go and render on the cases, described."""
    problems = []
    for (template, data), go in zip(cases, oracle.render(cases), strict=True):
        out, err = _render(template, data)
        same = (go.err is not None and err is not None) or (go.err is None and err is None and go.out == out)
        if not same and not known_difference(template, go, out, err):
            problems.append(f"template {template!r} data {json.dumps(data, ensure_ascii=False)}\n"
                            f"  go:     {go.out!r} error {go.err!r}\n  render: {out!r} error {err!r}")
    return problems


# -- data ---------------------------------------------------------------------------------------------
_CHARS = ["a", "B", "z", "0", " ", "-", ",", "ß", "é", "€", "İ", "Σ", "ᾳ", "ᾀ", "ǅ", "\U0001e4d0", "\U0001f600",
          "\t", "\n", "<", ">", "&", "'", '"', "`", "\\", "%", "\u2028", "\u00a0", "\ufeff", "\x7f", "\x01",
          "_", "{", "}", "\u0301", "日"]
texts = st.lists(st.sampled_from(_CHARS), max_size=6).map("".join) | st.text(max_size=4)
small_ints = st.integers(-3, 40)
big_ints = st.sampled_from([255, 256, 0x7F, 0xFFFF, 0x10FFFF, 0x110000, 1234567, 2**31, -(2**63), 2**63 - 1, -1])
floats = st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
    [0.0, -0.0, 0.5, 1.0, 100.0, 1e6, 1e21, 5e-324, 1.5, 2.5, 0.1, 123456.789, 1e-5])
scalars = st.none() | st.booleans() | small_ints | floats | texts
_KEYS = st.sampled_from(["a", "b", "x", "S", "I", "k", "é", ""])
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(_KEYS, inner, max_size=3), max_leaves=6)

data_strategy = st.one_of(
    st.fixed_dictionaries({"S": texts, "I": small_ints, "F": floats, "B": st.booleans(), "N": st.none(),
                           "L": st.lists(texts, max_size=3), "M": st.dictionaries(_KEYS, texts, max_size=3),
                           "J": big_ints, "A": json_values}),
    json_values,
)

# -- templates ----------------------------------------------------------------------------------------
_FIELDS = [".S", ".I", ".F", ".B", ".N", ".L", ".M", ".J", ".A", ".Nope", ".M.a", ".A.x", ".A.a.b", ".", "$",
           "$.S", "$.L", ".S.x", ".I.x"]
_RANGE_OVER = [".L", ".M", ".I", ".A", ".", "$.L", ".N", ".S", ".F", "3", "0", "-1", "(len .L)", ".B"]
_STRING_LITERALS = st.one_of(texts.map(lambda s: json.dumps(s, ensure_ascii=False)),
                             texts.filter(lambda s: "`" not in s).map(lambda s: f"`{s}`"))
_NUMBERS = st.sampled_from(["0", "1", "-1", "2", "7", "42", "0x10", "0o17", "0b101", "1_000", "'a'", "'\\n'",
                            "1e3", "0.5", "-0.0", "1i", "2.5", "1234567", "0x1p-2", "9223372036854775807",
                            "18446744073709551615", "1e400", "100.0", "5e-324", "0x110000", "1e6"])
_LITERALS = st.one_of(_STRING_LITERALS, _NUMBERS, st.sampled_from(["true", "false", "nil"]))
_VARS = st.sampled_from(["$x", "$y", "$i", "$e", "$x.a", "$"])
operands = st.one_of(st.sampled_from(_FIELDS), _LITERALS, _VARS)

_FUNCS = {  # name: typical number of arguments (any number is tried too)
    "len": 1, "index": 2, "slice": 2, "not": 1, "and": 2, "or": 2, "eq": 2, "ne": 2, "lt": 2, "le": 2, "gt": 2,
    "ge": 2, "print": 2, "println": 2, "html": 1, "js": 1, "urlquery": 1, "json": 1, "split": 2, "join": 2,
    "title": 1, "lower": 1, "upper": 1, "pad": 3, "truncate": 2, "call": 1, "printf": 2,
}
_PIPE_FUNCS = ["len", "upper", "lower", "title", "json", "print", "println", "html", "js", "urlquery", "not",
               'printf "%v|"', 'printf "%q"', 'index .M', 'split ","', 'join ","', "truncate 2", "pad 1 2",
               'eq "a"', "lt 1", 'slice "abc"']

_FLAGS = st.lists(st.sampled_from("#0+- "), max_size=3, unique=True).map("".join)
_WIDTHS = st.sampled_from(["", "", "1", "5", "8", "*", "0", "12"])
_PRECS = st.sampled_from(["", "", ".", ".0", ".1", ".3", ".*", ".10", ".[1]*"])
_VERBS = st.sampled_from([*"vTtbcdoOqxXUeEfFgGspw%", "z", "!", "+v", "#v"])
_ARG_INDEX = st.sampled_from(["", "", "", "[1]", "[2]", "[3]", "[0]", "[x]"])
verb_specs = st.tuples(_FLAGS, _ARG_INDEX, _WIDTHS, _PRECS, _VERBS).map(lambda t: "%" + "".join(t))
format_strings = st.lists(verb_specs | st.sampled_from(["a", " ", "|", "é"]), min_size=1, max_size=3).map(
    "".join)


# Strategies are built once and reused: hypothesis validates every new strategy object, which would
# otherwise cost more than rendering the case.
@functools.cache
def _pick(*options: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


_int = functools.cache(st.integers)
_FUNC_NAMES = sorted(_FUNCS)


@functools.cache
def argument(depth: int = 0) -> st.SearchStrategy[str]:
    """One argument: an operand, or (a parenthesized pipeline) while shallow."""
    if depth >= 2:
        return operands
    return st.one_of(operands, operands, operands, pipeline(depth + 1).map(lambda p: f"({p})"))


@functools.cache
def pipeline(depth: int = 0) -> st.SearchStrategy[str]:
    """A command (operand, function call or printf with a generated format), maybe piped into more."""
    return _pipeline(depth)


@st.composite
def _pipeline(draw: Any, depth: int) -> str:
    first = draw(_pick("operand", "call", "printf", "printf"))
    if first == "operand":
        cmd = draw(argument(depth))
    elif first == "call":
        name = draw(_pick(*_FUNC_NAMES))
        n = draw(_pick(_FUNCS[name], _FUNCS[name], _FUNCS[name], 0, 1, 3))
        args = [draw(argument(depth + 1)) for _ in range(n)]
        if name == "printf":
            args = [json.dumps(draw(format_strings)), *args]
        cmd = " ".join([name, *args])
    else:
        args = [draw(argument(depth + 1)) for _ in range(draw(_int(0, 3)))]
        cmd = " ".join(["printf", json.dumps(draw(format_strings)), *args])
    stages = draw(_stages)
    return " | ".join([cmd, *stages])


_stages = st.lists(st.sampled_from(_PIPE_FUNCS), max_size=2)


def _action(draw: Any) -> str:
    pipe = draw(pipeline())
    decl = draw(_pick("", "", "", "", "", "", "", "$x := ", "$x = ", "$y := "))
    left, right = draw(_pick(("{{", "}}"), ("{{- ", "}}"), ("{{", " -}}")))
    return f"{left}{decl}{pipe}{right}"


@functools.cache
def body(depth: int = 0, in_range: bool = False) -> st.SearchStrategy[str]:
    """Template text: text, actions and (while shallow) control structures."""
    return _body(depth, in_range)


@st.composite
def _body(draw: Any, depth: int, in_range: bool) -> str:
    parts = []
    kinds = _pick("text", "action", "action", "control") if depth < 2 else _pick("text", "action")
    for _ in range(draw(_int(0 if depth else 1, 3))):
        kind = draw(kinds)
        if kind == "text":
            parts.append(draw(_pick("a", " ", "\n", "|", "é", "x y", "{", "}")))
        elif kind == "action":
            parts.append(_action(draw))
        else:
            parts.append(draw(control(depth + 1, in_range)))
    if in_range and draw(_int(0, 5)) == 0:
        parts.append(draw(_pick("{{break}}", "{{continue}}", "{{if .}}{{break}}{{end}}")))
    return "".join(parts)


@functools.cache
def control(depth: int, in_range: bool) -> st.SearchStrategy[str]:
    """if/else if, with/else with, range (variables, else, break/continue), define/template/block, comments."""
    return _control(depth, in_range)


@st.composite
def _control(draw: Any, depth: int, in_range: bool) -> str:
    kind = draw(_pick("if", "with", "range", "range", "template", "block", "comment", "assign"))
    inner = body(depth, in_range)
    if kind in ("if", "with"):
        out = f"{{{{{kind} {draw(pipeline())}}}}}{draw(inner)}"
        for _ in range(draw(_int(0, 2))):
            out += f"{{{{else {draw(_pick('if', 'with'))} {draw(pipeline())}}}}}{draw(inner)}"
        if draw(st.booleans()):
            out += "{{else}}" + draw(inner)
        return out + "{{end}}"
    if kind == "range":
        decl = draw(_pick("", "", "$e := ", "$i, $e := ", "$i := ", "$e = ", "$a, $b, $c := "))
        out = f"{{{{range {decl}{draw(_pick(*_RANGE_OVER))}}}}}{draw(body(depth, True))}"
        if draw(st.booleans()):
            out += "{{else}}" + draw(inner)
        return out + "{{end}}"
    if kind == "template":
        name = draw(_pick("t", "u"))
        return f'{{{{define "{name}"}}}}{draw(inner)}{{{{end}}}}{{{{template "{name}" {draw(argument())}}}}}'
    if kind == "block":
        return f'{{{{block "b" {draw(argument())}}}}}{draw(inner)}{{{{end}}}}'
    if kind == "comment":
        return draw(_pick("{{/* c */}}", "{{- /* c */ -}}", "{{/* c"))
    return f"{{{{$x := {draw(argument())}}}}}{draw(inner)}{{{{$x}}}}"


_BREAKAGE = ["{{", "}}", "{{end}}", "{{else}}", "{{.", "{{(", ")", "{{$", "|", "{{break}}", "{{continue}}",
             '{{template "zz"}}', "{{nope}}", "{{define}}", "{{if}}", '"', "{{.S.}}", "{{1 2}}", "{{$z}}",
             "{{range $i, $e, $f := .L}}{{end}}", "{{else with .S}}", "{{ .S | 3 }}", "{{-3}}", "{{- 3}}"]


@st.composite
def templates(draw: Any) -> str:
    """A generated template, now and then broken by a stray piece of syntax.

    It starts by declaring the variables operands use (an undefined one would only make a parse error).
    """
    text = f"{{{{$x := {draw(argument(2))}}}}}{{{{$y := {draw(argument(2))}}}}}{{{{$i := 1}}}}{{{{$e := .}}}}"
    text += draw(body())
    if draw(_int(0, 7)) == 0:
        cut = draw(_int(0, len(text)))
        text = text[:cut] + draw(_pick(*_BREAKAGE)) + text[cut:]
    return text


# One data set per batch of templates: drawing data costs more than drawing a template.
batches = st.tuples(data_strategy, st.lists(templates(), min_size=BATCH, max_size=BATCH)).map(
    lambda b: [(t, b[0]) for t in b[1]])


@settings(max_examples=EXAMPLES, deadline=None, derandomize=not RANDOM, database=None,
          suppress_health_check=list(HealthCheck))
@given(batch=batches)
def test_render_agrees_with_go(oracle: Oracle, batch: list[Case]) -> None:
    problems = compare(oracle, batch)
    assert not problems, f"{len(problems)} of {len(batch)} cases differ from Go:\n" + "\n".join(problems[:10])


# The families of issue 22, each once confirmed against Go by hand; kept as fixed cases.
FAMILIES: list[Case] = [
    ('{{printf "%#g" 0.5}}', None),
    ('{{printf "%.1T" true}}', None),
    ('{{printf "%5G" 1i}}', None),
    ('{{printf "%.5U" 100}}|{{printf "%U" -1}}|{{printf "%05U" 1}}', None),
    ('{{printf "%.x" 100.0}}|{{printf "%x" 5e-324}}|{{printf "%b" 5e-324}}|{{printf "%#.3x" 1.0}}', None),
    ('{{printf "%#O" 8}}|{{printf "%#o" 0}}|{{printf "%O" -8}}', None),
    ('{{printf "%#05x" 102}}|{{printf "%#-8x|" 102}}|{{printf "%+08.3d" 7}}', None),
    ('{{printf "%w" .L}}|{{printf "%w" .S}}|{{printf "%w" .M}}', {"L": ["a"], "S": "s", "M": {"k": 1}}),
    ('{{printf "%#.1v" "bc"}}', None),
    ('{{printf "%#q" "a\\tb"}}|{{printf "%#q" "a`b"}}|{{printf "%#q" "\\ufeff"}}', None),
    ('{{printf "%#U" 1234567}}|{{printf "%#U" 0x1E4D0}}', None),
    ('{{printf "%p" 1}}|{{printf "%p" "s"}}', None),
    ("{{.S}}|{{.}}|{{$.S}}", None),
    ("{{index . nil}}", {}),
    ('{{lt "ß" (slice "ß" 1)}}', None),
    ('{{len (lower (truncate "€" 2))}}|{{upper (truncate "€" 1)}}|{{title (truncate "é" 1)}}', None),
    ('{{upper "ᾳᾀ"}}|{{lower "İ"}}|{{title "ᾳ ǆ"}}', None),
    ('{{printf "%q" "\\U0001E4D0"}}|{{js "\\U0001E4D0"}}|{{printf "%+q" "\\U0001E4D0"}}', None),
    ('{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}', None),
    ("{{range .I}}{{end}}x{{range .I}}ab{{end}}", {"I": 3}),
]


def test_issue_families_agree_with_go(oracle: Oracle) -> None:
    problems = compare(oracle, FAMILIES)
    assert not problems, "\n".join(problems)


# Complex literals (issue 30) in every function and action: Go refuses them in json (the CLI 28 panics with
# Encode's error), len, index, slice, lt/le/gt/ge, string parameters, range, call, and eq/ne against other kinds.
COMPLEX_TEMPLATES = [
    "{{json 1i}}", "{{json 1+2i}}", "{{json 1.5i}}", "{{json 0i}}", "{{json .C}}", "{{json (slice .L 0)}}",
    "{{len 1i}}", "{{index 1i 0}}", "{{index .L 1i}}", "{{slice 1i 0}}", "{{slice .S 1i}}",
    "{{lt 1i 2i}}", "{{le 1i 1i}}", "{{gt 1i 2i}}", "{{ge 1i 2i}}", "{{lt 1 1i}}",
    "{{eq 1i 1i}}", "{{eq 1i 1}}", "{{ne 1i 2}}", "{{ne 1i 2i}}", "{{eq 1i 0i 1i}}",
    "{{upper 1i}}", "{{lower 1i}}", "{{title 1i}}", "{{split 1i \"a\"}}", "{{join 1i \",\"}}",
    "{{pad 1i 1 1}}", "{{pad \"a\" 1i 1}}", "{{truncate 1i 1}}", "{{truncate \"ab\" 1i}}",
    "{{printf \"%v|%d|%.2f|%s\" 1i 1i 1i 1i}}", "{{print 1i 2i}}", "{{println 1i}}", "{{html 1i}}", "{{js 1i}}",
    "{{urlquery 1i}}", "{{not 1i}}", "{{and 1i 0}}", "{{or 0i 1}}", "{{if 0i}}y{{else}}n{{end}}",
    "{{range 1i}}{{end}}", "{{call 1i}}", "{{with $x := 1i}}{{json $x}}{{end}}", "{{1i | json}}",
]


def test_complex_literals_agree_with_go_errors_included(oracle: Oracle) -> None:
    data = {"C": 1, "L": ["a", "b"], "S": "abc"}
    problems = []
    for template, go in zip(COMPLEX_TEMPLATES, oracle.render([(t, data) for t in COMPLEX_TEMPLATES]), strict=True):
        try:
            ours, err = render(template, data), None
        except GoTemplateError as e:
            ours, err = None, str(e)
        if (ours, err) != (go.out, go.err):
            problems.append(f"{template!r}: Go {go.out!r} / {go.err!r}, ours {ours!r} / {err!r}")
    assert not problems, "\n".join(problems)
