"""The engine layer: all input and output with the outside world.

The Docker Engine API (through docker-py, imported here and nowhere else), the Registry HTTP API and the
Docker CLI's credential store. Nothing here prints, displays or imports IPython, pandas or ipywidgets:
functions return plain typed values (dataclasses, dicts, iterators of events) and report progress
through the small :class:`~docker_magics.engine.progress.Progress` protocol.
"""
