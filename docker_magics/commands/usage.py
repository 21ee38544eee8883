"""``%docker layers``, ``%docker image diff`` and ``%docker df`` (``system df``).

The engine side (``/system/df``, RootFS layers matched with history rows) is :mod:`docker_magics.engine.usage`;
the frames are :mod:`docker_magics.views.usage`, the pictures :mod:`docker_magics.views.charts`.
"""

from __future__ import annotations

from typing import Any

from ..command import Command
from ..engine import usage
from ..engine.build import buildkit
from ..errors import UsageError
from ..session import Session
from ..views import charts

# ---- %docker df -------------------------------------------------------------------------------


def df(cmd: Command, session: Session) -> Any:
    """``docker system df``'s Images and Build Cache rows; ``-v`` one row per image; ``--plot`` a chart."""
    from ..views.usage import images_usage_frame, summary_frame

    if cmd.plot:
        charts.require()
    engine = session.engine(cmd)
    payload = engine.system_df()
    images = images_usage_frame(payload.get("Images") or [], engine=engine.label)
    cache = buildkit.summarize_cache(payload)
    result = images if cmd.verbose else summary_frame(usage.summarize(payload), engine=engine.label,
                                                      cache=usage.DiskUsage(*cache))
    if cmd.plot:
        charts.show(charts.image_sizes(images, title=f"Image sizes on {engine.endpoint.name}: shared versus unique"))
    return result


# ---- %docker layers ---------------------------------------------------------------------------


def layers(cmd: Command, session: Session) -> Any:
    """One row per layer per image (base first), with which of the given images share it."""
    from ..views.usage import layers_frame

    if not cmd.images:
        raise UsageError('"layers" requires at least 1 argument.', hint="See '%docker layers --help'.")
    if cmd.plot:
        charts.require()
    engine = session.engine(cmd)
    per_image = {name: engine.layers(name) for name in dict.fromkeys(cmd.images)}
    result = layers_frame(per_image, no_trunc=cmd.no_trunc, engine=engine.label)
    if cmd.plot:
        charts.show(charts.layer_sizes(result))
    return result


# ---- %docker image diff -----------------------------------------------------------------------


def diff(cmd: Command, session: Session) -> Any:
    """Shared and unique layers and bytes of two images: a frame with a ``side`` column and a summary."""
    from ..views.usage import diff_frame

    if not cmd.image_a or not cmd.image_b:
        raise UsageError('"image diff" requires exactly 2 arguments.', hint="See '%docker image diff --help'.")
    if cmd.files:
        from .files import diff_files

        return diff_files(cmd, session)
    if cmd.packages:
        from .sbom import diff_packages

        return diff_packages(cmd, session)
    engine = session.engine(cmd)
    a = engine.layers(cmd.image_a)
    b = engine.layers(cmd.image_b)
    return diff_frame(cmd.image_a, a, cmd.image_b, b, engine=engine.label)


