"""The line splitter and the expander run in linear time and split exactly as shlex does.

shlex (POSIX mode) was the splitter before: quadratic in a word's length (a 700,000-character argument took
seconds, a 1.4 MB template tens of seconds). The replacement must agree with it on every line, errors included.
"""

from __future__ import annotations

import shlex

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


# Sizes at which shlex's quadratic splitting takes minutes: a regression shows as a test that hangs, not as a
# timed assert (the machine's load decides a timing; benchmarks/ measure speed).
def test_a_700000_character_argument_splits_whole():
    word = "a" * 700_000
    assert grammar.split("images " + word) == ["images", word]
    assert grammar.split(f"images '{word}'") == ["images", word]
    assert grammar.split(f'images "{word}"') == ["images", word]


def test_a_14_mb_template_expands_and_splits_whole():
    template = "{{.ID}}\\t" * 156_000  # 1.4 MB
    unquoted = template.replace("\\t", "t")  # a shell drops a backslash outside quotes
    for line, expected in ((f"images --format '{template}'", template), (f'images --format "{template}"', template),
                           (f"images --format {template}", unquoted)):
        assert len(line) > 1_400_000
        assert grammar.split(expand(line, {})) == ["images", "--format", expected], line[:40]
