"""Go's ``unicode`` character classes and simple case mappings, at Go 1.24's Unicode version (15.0).

Python's ``str`` methods answer from its own ``unicodedata`` (14.0 in Python 3.11) and map case with the full
mappings; ``unicode15`` holds the few code points where that differs from what Go prints, so ``%q``, ``js``,
``%#U``, ``upper``, ``lower`` and ``title`` agree with Go on them. Characters here are Python ``str`` of length
one; a byte of invalid UTF-8 (a surrogate escape) is none of the classes.
"""

from __future__ import annotations

from bisect import bisect_right

from . import unicode15 as u15

_Ranges = tuple[tuple[int, int], ...]


def _starts(ranges: _Ranges) -> list[int]:
    return [lo for lo, _ in ranges]


_TABLES = {name: (getattr(u15, name + "_YES"), getattr(u15, name + "_NO"))
           for name in ("PRINT", "LETTER", "DIGIT", "SPACE")}
_STARTS = {name: (_starts(yes), _starts(no)) for name, (yes, no) in _TABLES.items()}


def _in(ranges: _Ranges, starts: list[int], cp: int) -> bool:
    i = bisect_right(starts, cp) - 1
    return i >= 0 and cp <= ranges[i][1]


def _override(name: str, cp: int) -> bool | None:
    """Unicode 15.0's answer where Python's differs, else None."""
    yes, no = _TABLES[name]
    yes_starts, no_starts = _STARTS[name]
    if yes and _in(yes, yes_starts, cp):
        return True
    if no and _in(no, no_starts, cp):
        return False
    return None


def is_print(cp: int) -> bool:
    """strconv.IsPrint of a code point: letters, marks, numbers, punctuation, symbols and U+0020."""
    if cp < 0x80:
        return 0x20 <= cp < 0x7F
    if 0xD800 <= cp <= 0xDFFF or cp > 0x10FFFF:
        return False
    o = _override("PRINT", cp)
    return chr(cp).isprintable() if o is None else o


def is_letter(ch: str) -> bool:
    """unicode.IsLetter."""
    o = _override("LETTER", ord(ch)) if ord(ch) >= 0x80 else None
    return ch.isalpha() if o is None else o


def is_digit(ch: str) -> bool:
    """unicode.IsDigit (decimal digits, category Nd)."""
    o = _override("DIGIT", ord(ch)) if ord(ch) >= 0x80 else None
    return ch.isdecimal() if o is None else o


def is_space(ch: str) -> bool:
    """unicode.IsSpace for non-ASCII characters (White_Space)."""
    o = _override("SPACE", ord(ch))
    return ch.isspace() if o is None else o


def _simple(ch: str, mapped: str, table: dict[int, int]) -> str:
    cp = ord(ch)
    if cp in table:
        return chr(table[cp])
    if 0xDC80 <= cp <= 0xDCFF:
        return "\ufffd"  # strings.Map decodes a bad byte as U+FFFD, and writes it
    # Go maps one rune to one rune; where Python's full mapping gives several, Go's simple one is the identity
    # (the table lists the exceptions).
    return mapped if len(mapped) == 1 else ch


def to_upper(ch: str) -> str:
    """unicode.ToUpper of one character."""
    return _simple(ch, ch.upper(), u15.UPPER_MAP)


def to_lower(ch: str) -> str:
    """unicode.ToLower of one character."""
    return _simple(ch, ch.lower(), u15.LOWER_MAP)


def to_title(ch: str) -> str:
    """unicode.ToTitle of one character."""
    return _simple(ch, ch.title(), u15.TITLE_MAP)
