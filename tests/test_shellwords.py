"""The line splitter and the expander run in linear time and split exactly as shlex does.

shlex (POSIX mode) was the splitter before: quadratic in a word's length (a 700,000-character argument took
seconds, a 1.4 MB template tens of seconds). The replacement must agree with it on every line, errors included.
"""

from __future__ import annotations

import shlex
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from docker_magics import grammar, shellwords
from docker_magics.expand import expand

# The characters that matter to a shell splitter, plus a few that must not (vertical tab, unicode spaces).
_LINES = st.text(st.sampled_from(list("ab \t\r\n'\"\\$ {}\x0b\u00a0é")), max_size=40)


def _shlex(line: str) -> list[str] | str:
    try:
        return shlex.split(line, comments=False, posix=True)
    except ValueError as exc:
        return str(exc)


def _ours(line: str) -> list[str] | str:
    try:
        return shellwords.split(line)
    except ValueError as exc:
        return str(exc)


@settings(max_examples=600, deadline=None)
@given(_LINES)
def test_splits_exactly_as_shlex(line):
    assert _ours(line) == _shlex(line)


def test_known_lines():
    assert shellwords.split("""a 'b c' "d \\" \\\\ \\$" e\\ f '' "" g""") == \
        ["a", "b c", 'd " \\ \\$', "e f", "", "", "g"]
    for bad, message in (("'open", "No closing quotation"), ('"open', "No closing quotation"),
                         ("trailing\\", "No escaped character"), ('"x\\', "No escaped character")):
        assert _ours(bad) == _shlex(bad) == message


def _timed(call, *args) -> float:
    start = time.perf_counter()
    call(*args)
    return time.perf_counter() - start


def test_a_700000_character_argument_splits_in_well_under_a_second():
    line = "images " + "a" * 700_000
    assert _timed(grammar.split, line) < 0.5
    assert _timed(grammar.split, f"images '{'a' * 700_000}'") < 0.5
    assert _timed(grammar.split, f'images "{"a" * 700_000}"') < 0.5


def test_a_14_mb_template_expands_and_splits_in_well_under_a_second():
    template = "{{.ID}}\\t" * 156_000  # 1.4 MB
    for line in (f"images --format '{template}'", f'images --format "{template}"', f"images --format {template}"):
        assert len(line) > 1_400_000
        start = time.perf_counter()
        grammar.split(expand(line, {}))
        assert time.perf_counter() - start < 0.8, line[:40]
