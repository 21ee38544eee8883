"""The engine's filter rules (engine/filters.py): ``until`` as the engine parses it, labels as it matches them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from docker_magics.engine import filters
from docker_magics.errors import UsageError


@pytest.mark.parametrize("value, expected", [
    ("24h", 1_000_000 - 86400), ("1h30m", 1_000_000 - 5400), ("1.5h", 1_000_000 - 5400), ("90s", 1_000_000 - 90),
    ("500ms", 1_000_000 - 0.5), ("1700000000", 1_700_000_000), ("1700000000.5", 1_700_000_000.5),
    ("2024-01-31T10:00:00Z", datetime(2024, 1, 31, 10, tzinfo=UTC).timestamp()),
])
def test_parse_until(value, expected):
    assert filters.parse_until(value, now=1_000_000) == pytest.approx(expected)


def test_parse_until_rejects_words():
    with pytest.raises(UsageError, match=r'^failed to parse value as time or duration: "3 days"'):
        filters.parse_until("3 days")


def test_match_labels():
    labels = {"a": "1", "b": "2"}
    assert filters.match_labels({"label": ["a", "b=2"]}, labels)
    assert not filters.match_labels({"label": ["a=2"]}, labels)
    assert not filters.match_labels({"label!": ["b"]}, labels)
    assert filters.match_labels({}, {})

