"""Containers: which containers use which image (:mod:`.kept`, for ``images --usage`` and ``image prune``)."""
