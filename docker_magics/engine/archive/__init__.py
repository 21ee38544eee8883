"""Image archives: save, load and import (:mod:`.saveload`), and an image's files read from its export.

:mod:`.files` reads every layer of ``GET /images/{id}/get`` as a stream (the ``files`` verb, ``image diff
--files``, dive's wasted space) with :mod:`.tarstream`, a bounded tar reader that never seeks.
"""
