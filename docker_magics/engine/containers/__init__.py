"""Containers: the engine's container calls (:mod:`.calls`: create, start, attach, logs, wait, stop, remove, list,
commit, prune), ``docker run``'s flags as a create body (:mod:`.options`), the multiplexed output taken apart
(:mod:`.demux`), ``docker ps``' rows kept up to date from the engine's events (:mod:`.index`), and which
containers use which image (:mod:`.kept`, for ``images --usage`` and ``image prune``).

Nothing here prints.
"""
