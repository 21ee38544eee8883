"""``%docker images`` / ``image ls`` / ``image list``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..command import Command
from ..session import Session
from .filters import parse_filters as parse_key_values

if TYPE_CHECKING:
    from ..engine.client import Engine
    from ..engine.index.store import Listing


def parse_filters(values: list[str], *, flag: str = "--filter") -> dict[str, list[str]]:
    """``-f key=value`` for images and image prune (the engine checks the keys)."""
    return parse_key_values(values, hint=f"Write {flag} dangling=true, {flag} label=KEY=VALUE, "
                                         f"{flag} reference=REPO.")


def local_images(session: Session, engine: Engine, *, all: bool = False,
                 filters: dict[str, list[str]] | None = None, no_index: bool = False,
                 manifests: bool = False) -> Listing:
    """The engine's images as ``/images/json`` lists them: from its index where the settings and the command say so.

    Listings, Tab completion and the forms' image lists all come through here.
    """
    setting = session.settings.index
    mode = "never" if no_index or not setting else "always" if setting == "always" else "auto"
    return engine.listing(all=all, filters=filters, index=mode, manifests=manifests)


def run(cmd: Command, session: Session) -> Any:
    """List images: a DataFrame, a list of IDs with ``-q``, or text with ``--format``."""
    from ..views import frames

    filters = parse_filters(cmd.filter)
    if cmd.reference:
        filters.setdefault("reference", []).append(cmd.reference)
    engine = session.engine(cmd)
    listing = local_images(session, engine, all=cmd.all, filters=filters, no_index=cmd.no_index,
                           manifests=cmd.platforms)
    images = listing.images
    if cmd.format:
        from ..gotemplate import contexts, format_list
        from ..views.display import Text

        rows = contexts.image_ls_rows(images, no_trunc=cmd.no_trunc, digests=cmd.digests, format=cmd.format)
        return Text(format_list(cmd.format, rows, command="image ls", digests=cmd.digests, quiet=cmd.quiet))
    if cmd.quiet:
        return frames.image_ids(images, no_trunc=cmd.no_trunc)
    df = frames.images_frame(images, digests=cmd.digests, no_trunc=cmd.no_trunc, engine=engine.label)
    if cmd.usage:  # /system/df walks every layer: only on request, so the plain listing stays fast
        from ..engine.containers.kept import container_names_by_image
        from ..views.usage import add_usage_columns

        df = add_usage_columns(df, engine.image_usage(), container_names_by_image(engine), no_trunc=cmd.no_trunc)
    if cmd.platforms:
        from ..views.frames import add_platforms_column
        from .platforms import platforms_column

        df = add_platforms_column(df, *platforms_column(engine, images), no_trunc=cmd.no_trunc)
    if listing.indexed:
        df.dm_index = True  # the engine line says "(index)"
    return df
