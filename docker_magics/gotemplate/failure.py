"""The exception every gotemplate failure raises: a TemplateError with Go's one-line message."""

from __future__ import annotations

from docker_magics.errors import TemplateError


class GoTemplateError(TemplateError):
    """A template that did not parse or failed to execute.

    ``message`` is what Go (or the Docker CLI) prints, e.g.
    ``template: :1:7: executing "" at <.Foo>: map has no entry for key "Foo"``. ``kind`` is
    ``"parse"`` or ``"exec"``; ``exit_code`` is the CLI's (64 for an inspect parse error, else 1);
    ``partial_output`` is what the CLI still prints (inspect prints the objects that worked);
    ``errors`` lists one message per failed object and ``failed`` their indexes in the input.
    """

    def __init__(self, message: str, *, kind: str = "exec", partial_output: str = "", exit_code: int = 1,
                 errors: list[str] | None = None, failed: list[int] | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.kind = kind
        self.partial_output = partial_output
        self.exit_code = exit_code
        self.errors = errors if errors is not None else [message]
        self.failed = failed if failed is not None else []
