"""Any line whatsoever parses or ends in one DockerMagicError line, never another exception.

Over the whole grammar (every verb form of the table, its flags, unknown flags, values with quotes, braces, ``$``,
unicode and Go templates): ``grammar.parse(expand(line))`` for every verb, including those that change state.
Running the lines on the real engine is tests/integration/test_fuzz.py.
"""

from __future__ import annotations

from hypothesis import given, settings
from support.fuzz import NAMESPACE, lines

from docker_magics import grammar
from docker_magics.errors import DockerMagicError
from docker_magics.expand import expand


@settings(max_examples=600, deadline=None)
@given(line=lines(sorted(grammar.FORMS), include_elsewhere=True))
def test_any_line_parses_or_fails_in_one_line(line):
    try:
        grammar.parse(expand(line, NAMESPACE))
    except DockerMagicError as exc:
        assert "\n" not in exc.line()
