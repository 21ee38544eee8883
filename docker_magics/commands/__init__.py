"""The handlers: one module per group of verbs, each ``handler(cmd, session)`` returning a typed result.

``grammar.VERBS`` names each verb's handler; :mod:`docker_magics.dispatch` calls it. A handler never opens
a form itself: when its arguments are missing in a notebook it returns a
:class:`~.form_request.FormRequest`, and the dispatcher opens the form.
"""
