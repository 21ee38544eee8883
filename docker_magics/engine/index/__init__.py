"""The image index: one per engine, the local images kept up to date by the engine's events.

:mod:`.store` holds the index (:class:`~.store.ImageIndex`) and the Engine's listing calls that answer from it
(:class:`~.store.IndexCalls`); :mod:`.view` applies ``-a`` and the filters to the kept rows as the engine would;
:mod:`.watch` holds an ``/events`` stream open so that an engine restart is noticed.
"""
