"""The engine layer: all input and output with the outside world.

The Docker Engine API (through docker-py, imported here and nowhere else), the Registry HTTP API and the
Docker CLI's credential store. Nothing here prints, displays or imports IPython, pandas or ipywidgets:
functions return plain typed values (dataclasses, dicts, iterators of events) and report progress
through the small :class:`~docker_magics.engine.progress.Progress` protocol.

The rooms, each named as the verb or topic it serves in commands/ and views/:

- core: :mod:`.connection` (the one user of docker-py's private API), :mod:`.client` (:class:`~.client.Engine`,
  one per endpoint, made of the mixins below), :mod:`.endpoints` (``-H``, contexts), :mod:`.config` (the CLI's
  config.json), :mod:`.failures`, :mod:`.identity`, :mod:`.references`, :mod:`.filters`, :mod:`.streams`,
  :mod:`.progress`;
- the Engine's mixins, flat: :mod:`.images`, :mod:`.lifecycle` (tag, rmi, prune), :mod:`.transfer` (pull, push,
  login), :mod:`.usage` (df, layers), :mod:`.search`, :mod:`.platforms`, :mod:`.prune_sizes`;
- a sub-package per cluster: :mod:`.index` (the image index), :mod:`.registry` (the Registry HTTP API and
  credentials), :mod:`.build` (classic and BuildKit), :mod:`.archive` (save, load, import, and an image's files),
  :mod:`.containers`, :mod:`.packages` (what software is inside an image: ``sbom``).
"""
