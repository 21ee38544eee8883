"""Checks of the ``%config DockerMagics.*`` settings, run when a setting is set (traitlets ``@validate``).

A bad value is refused at once with one line, instead of being accepted and failing later with a traceback
or a wrong message (a timeout of 0 made every command say "is the engine running?" while it ran).
"""

from __future__ import annotations

import math
from typing import Any

from traitlets import TraitError

from .errors import UsageError


class SettingError(UsageError, TraitError):
    """A refused setting: one line like every error of ours, and a TraitError so traitlets rolls the value back.

    (traitlets undoes a change made under ``hold_trait_notifications``, as ``%config`` makes it, only for a
    TraitError; IPython's ``%config`` then prints the line.)
    """


def seconds(name: str, value: Any, *, zero: bool = False) -> float:
    """A finite number of seconds, above 0 (or at least 0 with ``zero``).

    Raises:
        UsageError: NaN, infinite, negative, or 0 where 0 makes no sense.
    """
    number = float(value)
    low_ok = number >= 0 if zero else number > 0
    if not math.isfinite(number) or not low_ok:
        least = "0 or more" if zero else "more than 0"
        raise SettingError(f"DockerMagics.{name} must be a finite number of seconds, {least}; got {value!r}",
                         hint=f"To fix it, e.g. %config DockerMagics.{name} = {60.0 if not zero else 0.1}")
    return number


def rows(name: str, value: Any) -> int:
    """A row count of at least 1.

    Raises:
        UsageError: 0 or negative.
    """
    if int(value) < 1:
        raise SettingError(f"DockerMagics.{name} must be a number of rows, 1 or more; got {value!r}",
                         hint=f"To fix it, e.g. %config DockerMagics.{name} = 60")
    return int(value)


def host(value: str | None) -> str | None:
    """An engine address docker-py can use (or None: the environment decides).

    Raises:
        UsageError: the address does not parse (a port out of range or not a number, an unknown scheme).
    """
    if value:
        from .engine.endpoints import check_host

        try:
            check_host(value)
        except UsageError as exc:
            raise SettingError(f"DockerMagics.host: {exc.message}", hint=exc.hint) from None
    return value
