"""The Registry HTTP API and what reaching a registry needs.

:mod:`.api` browses a registry (catalog, tags, manifests, configs); :mod:`.bounded_http` bounds every request
(a deadline, a size); :mod:`.credentials` reads and writes the Docker CLI's credential store, so a login kept by
the CLI is ours and ours is the CLI's; :mod:`.redact` takes a secret out of any text before it is shown.
"""
