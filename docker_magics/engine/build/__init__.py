"""Building images: the classic builder and BuildKit, and the build context sent to them.

:mod:`.classic` holds the build options and the classic builder's calls (``POST /build``); :mod:`.buildkit` the
BuildKit calls (``POST /build?version=2``, its trace, the build cache and its prune) with :mod:`.buildkit_pb` for
the trace's protobuf; :mod:`.context` makes the context tar as the CLI does (``.dockerignore``); and
:mod:`.contextserver` serves it over loopback where an engine cannot read a context sent as the body.
"""
