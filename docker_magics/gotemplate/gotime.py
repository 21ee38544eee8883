"""Go's ``time.Time``, ``time.Duration``, ``time.Month`` and ``time.Weekday`` for templates.

The typed inspect pass shows ``Metadata.LastTagTime`` as ``Time.String()``
(``2026-11-27 20:27:31.326886474 +0000 UTC``), marshals it as RFC 3339 with nanoseconds, and lets
templates call methods such as ``.Format "2006-01-02"`` with Go's reference-time layouts. Python's
datetime has microseconds only, so a time here is Unix seconds plus nanoseconds plus a zone.
"""

from __future__ import annotations

import datetime as _dt
import re
import time as _time
from typing import Any

from .values import T_STRING, GoFunc, GoInt, GoType

T_TIME = GoType("struct", "time.Time")
T_DURATION = GoType("int", "time.Duration")
T_MONTH = GoType("int", "time.Month")
T_WEEKDAY = GoType("int", "time.Weekday")

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")
_DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
_EPOCH = _dt.datetime(1970, 1, 1)
_ZERO_UNIX = -62135596800  # 0001-01-01T00:00:00Z, Go's zero time


class Month(int):
    """``time.Month``: an int that prints as its English name."""

    __slots__ = ()
    gotype = T_MONTH

    def go_string(self) -> str:
        """Month.String()."""
        return _MONTHS[self - 1] if 1 <= self <= 12 else f"%!Month({int(self)})"


class Weekday(int):
    """``time.Weekday``: an int that prints as its English name."""

    __slots__ = ()
    gotype = T_WEEKDAY

    def go_string(self) -> str:
        """Weekday.String()."""
        return _DAYS[self] if 0 <= self <= 6 else f"%!Weekday({int(self)})"


class Duration(int):
    """``time.Duration`` in nanoseconds, printed like Go (``1h2m3.5s``, ``1.5ms``, ``0s``)."""

    __slots__ = ()
    gotype = T_DURATION

    def go_string(self) -> str:
        """Duration.String()."""
        d = int(self)
        neg, u = d < 0, abs(d)
        if u < 1_000_000_000:
            if u == 0:
                return "0s"
            for unit, size in (("ns", 1), ("µs", 1_000), ("ms", 1_000_000)):
                if u < size * 1000:
                    return ("-" if neg else "") + _frac(u, size) + unit
        out = _frac(u % 60_000_000_000, 1_000_000_000) + "s"
        minutes = u // 60_000_000_000
        if minutes:
            out = f"{minutes % 60}m" + out
            if minutes >= 60:
                out = f"{minutes // 60}h" + out
        return ("-" if neg else "") + out


def _frac(v: int, unit: int) -> str:
    whole, rest = divmod(v, unit)
    if not rest:
        return str(whole)
    digits = str(rest).rjust(len(str(unit)) - 1, "0").rstrip("0")
    return f"{whole}.{digits}"


class GoTime:
    """A ``time.Time``: Unix seconds, nanoseconds, the zone's UTC offset in seconds and its name."""

    __slots__ = ("nsec", "offset", "sec", "zone")
    gotype = T_TIME

    def __init__(self, sec: int, nsec: int = 0, offset: int = 0, zone: str = "UTC") -> None:
        self.sec = sec
        self.nsec = nsec
        self.offset = offset
        self.zone = zone

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoTime) and (self.sec, self.nsec) == (other.sec, other.nsec)

    __hash__ = None  # type: ignore[assignment]

    def civil(self) -> _dt.datetime:
        """The wall-clock date and time in the time's own zone."""
        return _EPOCH + _dt.timedelta(seconds=self.sec + self.offset)

    def go_string(self) -> str:
        """Time.String(): ``2006-01-02 15:04:05.999999999 -0700 MST``."""
        c = self.civil()
        frac = f".{self.nsec:09d}".rstrip("0") if self.nsec else ""
        offset = _offset(self.offset, "", False)
        return (f"{c.year:04d}-{c.month:02d}-{c.day:02d} {c.hour:02d}:{c.minute:02d}:{c.second:02d}{frac} "
                f"{offset} {self.zone or offset}")

    def format(self, layout: str) -> str:
        """Time.Format with a Go reference-time layout."""
        return _format(self, layout)

    def go_syntax(self) -> str:
        """Time.GoString(), what ``%#v`` prints."""
        c = self.civil()
        loc = "time.UTC" if self.zone == "UTC" and self.offset == 0 else f"time.Location({self.zone!r})"
        return (f"time.Date({c.year}, time.{_MONTHS[c.month - 1]}, {c.day}, {c.hour}, {c.minute}, "
                f"{c.second}, {self.nsec}, {loc})")

    def rfc3339nano(self) -> str:
        """What Time.MarshalJSON writes (without the quotes)."""
        return self.format("2006-01-02T15:04:05.999999999Z07:00")

    def is_zero(self) -> bool:
        """Time.IsZero()."""
        return self.sec == _ZERO_UNIX and self.nsec == 0


ZERO_TIME = GoTime(_ZERO_UNIX)
T_TIME.py = lambda: ZERO_TIME

_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
                      r"(?:([Zz])|([+-])(\d{2}):(\d{2}))$")


def parse_rfc3339(text: str) -> GoTime | None:
    """Parse what encoding/json accepts for a time.Time; None when it is not RFC 3339."""
    m = _RFC3339.match(text)
    if not m:
        return None
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    try:
        civil = _dt.datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    nsec = int((m.group(7) or "0").ljust(9, "0"))
    offset = 0 if m.group(8) else (int(m.group(10)) * 3600 + int(m.group(11)) * 60)
    if m.group(9) == "-":
        offset = -offset
    sec = int((civil - _EPOCH).total_seconds()) - offset
    # Go gives an offset-0 time the local zone when local is UTC; a fixed zone has no name.
    zone = "UTC" if offset == 0 else ""
    return GoTime(sec, nsec, offset, zone)


def local_time(unix: int) -> GoTime:
    """``time.Unix(unix, 0)`` in the process's local zone, as Go would report it."""
    try:
        tm = _time.localtime(unix)
        return GoTime(unix, 0, tm.tm_gmtoff, tm.tm_zone or "")
    except (OverflowError, OSError, ValueError):
        return GoTime(unix, 0, 0, "UTC")


# Layout elements in the order Go's nextStdChunk tries them at each position. "Jan" and "Mon"
# followed by a lower-case letter are words, not elements; "_2006" is "_" then the year.
_STD = re.compile(r"January|Jan(?![a-z])|Monday|Mon(?![a-z])|MST|0[1-6]|002|15|1|2006|2|__2|_2(?!006)"
                  r"|3|4|5|PM|pm|-070000|-07:00:00|-0700|-07:00|-07|Z070000|Z07:00:00|Z0700|Z07:00|Z07"
                  r"|[.,](?:0+|9+)(?![0-9])")


def _format(t: GoTime, layout: str) -> str:
    c = t.civil()
    out: list[str] = []
    pos = 0
    for m in _STD.finditer(layout):
        out.append(layout[pos:m.start()])
        out.append(_element(t, c, m.group()))
        pos = m.end()
    out.append(layout[pos:])
    return "".join(out)


def _yday(c: _dt.datetime) -> int:
    return c.toordinal() - _dt.date(c.year, 1, 1).toordinal() + 1


_SIMPLE: dict[str, Any] = {
    "January": lambda c: _MONTHS[c.month - 1], "Jan": lambda c: _MONTHS[c.month - 1][:3],
    "Monday": lambda c: _DAYS[(c.weekday() + 1) % 7], "Mon": lambda c: _DAYS[(c.weekday() + 1) % 7][:3],
    "01": lambda c: f"{c.month:02d}", "1": lambda c: str(c.month), "02": lambda c: f"{c.day:02d}",
    "2": lambda c: str(c.day), "_2": lambda c: f"{c.day:2d}", "002": lambda c: f"{_yday(c):03d}",
    "__2": lambda c: f"{_yday(c):3d}", "15": lambda c: f"{c.hour:02d}", "3": lambda c: str(c.hour % 12 or 12),
    "03": lambda c: f"{c.hour % 12 or 12:02d}", "4": lambda c: str(c.minute), "04": lambda c: f"{c.minute:02d}",
    "5": lambda c: str(c.second), "05": lambda c: f"{c.second:02d}", "2006": lambda c: f"{c.year:04d}",
    "06": lambda c: f"{c.year % 100:02d}", "PM": lambda c: "PM" if c.hour >= 12 else "AM",
    "pm": lambda c: "pm" if c.hour >= 12 else "am",
}


def _element(t: GoTime, c: _dt.datetime, tok: str) -> str:
    simple = _SIMPLE.get(tok)
    if simple is not None:
        return simple(c)
    if tok == "MST":
        return t.zone if t.zone else _offset(t.offset, "", False)
    if tok[0] in ".,":
        digits = f"{t.nsec:09d}"[:len(tok) - 1]
        if tok[1] == "9":
            digits = digits.rstrip("0")
            return tok[0] + digits if digits else ""
        return tok[0] + digits
    if tok[0] == "Z" and t.offset == 0:
        return "Z"
    body = tok[1:]
    return _offset(t.offset, ":" if ":" in body else "", len(body.replace(":", "")) == 6,
                   short=len(body) == 2)


def _offset(offset: int, sep: str, seconds: bool, short: bool = False) -> str:
    sign = "-" if offset < 0 else "+"
    h, rest = divmod(abs(offset), 3600)
    m, s = divmod(rest, 60)
    if short:
        return f"{sign}{h:02d}"
    text = f"{sign}{h:02d}{sep}{m:02d}"
    return text + f"{sep}{s:02d}" if seconds else text


def _method(name: str, params: tuple[GoType, ...], impl: Any) -> GoFunc:
    return GoFunc(name, params, impl)


TIME_METHODS: dict[str, GoFunc] = {
    "Format": _method("Format", (T_STRING,), lambda t, layout: t.format(layout)),
    "String": _method("String", (), lambda t: t.go_string()),
    "Unix": _method("Unix", (), lambda t: t.sec),
    "UnixMilli": _method("UnixMilli", (), lambda t: t.sec * 1000 + t.nsec // 1_000_000),
    "UnixNano": _method("UnixNano", (), lambda t: t.sec * 1_000_000_000 + t.nsec),
    "Year": _method("Year", (), lambda t: GoInt(t.civil().year)),
    "Month": _method("Month", (), lambda t: Month(t.civil().month)),
    "Day": _method("Day", (), lambda t: GoInt(t.civil().day)),
    "Hour": _method("Hour", (), lambda t: GoInt(t.civil().hour)),
    "Minute": _method("Minute", (), lambda t: GoInt(t.civil().minute)),
    "Second": _method("Second", (), lambda t: GoInt(t.civil().second)),
    "Nanosecond": _method("Nanosecond", (), lambda t: GoInt(t.nsec)),
    "YearDay": _method("YearDay", (), lambda t: GoInt(_yday(t.civil()))),
    "Weekday": _method("Weekday", (), lambda t: Weekday((t.civil().weekday() + 1) % 7)),
    "IsZero": _method("IsZero", (), lambda t: t.is_zero()),
    "UTC": _method("UTC", (), lambda t: GoTime(t.sec, t.nsec, 0, "UTC")),
    "Local": _method("Local", (), lambda t: _local_of(t)),
}
DURATION_METHODS: dict[str, GoFunc] = {
    "String": _method("String", (), lambda d: d.go_string()),
    "Seconds": _method("Seconds", (), lambda d: int(d) / 1e9),
    "Minutes": _method("Minutes", (), lambda d: int(d) / 6e10),
    "Hours": _method("Hours", (), lambda d: int(d) / 3.6e12),
    "Milliseconds": _method("Milliseconds", (), lambda d: int(int(d) / 1_000_000)),
}
NAMED_INT_METHODS: dict[str, GoFunc] = {"String": _method("String", (), lambda v: v.go_string())}


def _local_of(t: GoTime) -> GoTime:
    local = local_time(t.sec)
    return GoTime(t.sec, t.nsec, local.offset, local.zone)
