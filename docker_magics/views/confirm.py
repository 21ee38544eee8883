"""The confirmation before a prune deletes anything: a button in a notebook, y/N in a terminal, else a refusal.

Shaped like ipywidgets' ``interactive``: the preview, a question, the buttons and an Output in a VBox;
the buttons are disabled while the deletion runs, and the result or the one-line error goes to the Output.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
from IPython.display import display

from ..errors import DockerMagicError, UsageError
from ..units import escape_html
from .frontend import shows_forms


class ConfirmBox(widgets.VBox):
    """A preview frame, a question and Remove/Cancel buttons; ``run`` is called on Remove.

    Attributes:
        result: what ``run`` returned, once the user clicked Remove (None before).
        remove, cancel: the buttons (``box.remove.click()`` drives it from a test).
    """

    def __init__(self, preview: Any, run: Callable[[], Any], *, question: str) -> None:
        self.run, self.result = run, None
        shown = widgets.Output()
        with shown:
            display(preview)
        self.remove = widgets.Button(description="Remove", button_style="danger", icon="trash")
        self.cancel = widgets.Button(description="Cancel")
        self.out = widgets.Output()
        self.remove.on_click(self._on_remove)
        self.cancel.on_click(self._on_cancel)
        super().__init__([shown, widgets.HTML(f"<b>{escape_html(question)}</b>"),
                          widgets.HBox([self.remove, self.cancel]), self.out])

    def _on_remove(self, _button: Any = None) -> None:
        self.remove.disabled = self.cancel.disabled = True
        done = False
        with self.out:
            try:
                self.result = self.run()
                display(self.result)
                done = True
            except DockerMagicError as exc:
                print(exc.line())
            finally:
                # A failed prune may be retried; a finished one may not run twice.
                self.remove.disabled = self.cancel.disabled = done

    def _on_cancel(self, _button: Any = None) -> None:
        self.remove.disabled = self.cancel.disabled = True
        with self.out:
            print("Nothing removed.")


def confirm(preview: Any, run: Callable[[], Any], shell: Any, verb: str = "image prune",
            forms: str = "auto") -> Any:
    """Show what a prune would remove and ask: a button in a notebook, y/N in a terminal, else refuse.

    ``forms``: ``%config DockerMagics.forms`` (auto, always, never).
    """

    if shows_forms(forms):
        return ConfirmBox(preview, run, question=f"{preview.dm_caption}. Remove them?")
    if not _can_prompt(shell):
        raise UsageError(f"{verb} asks for confirmation and no one can answer here "
                         f"({preview.dm_caption[0].lower()}{preview.dm_caption[1:]})",
                         hint="To fix it, add -f (see what would go with --dry-run).")
    display(preview)
    answer = input("Are you sure you want to continue? [y/N] ")
    if answer.strip().lower() not in {"y", "yes"}:
        print("Nothing removed.")
        return None
    return run()


def _can_prompt(shell: Any) -> bool:
    """True when someone can answer ``input()``: a kernel whose frontend allows stdin, or a terminal."""
    kernel = getattr(shell, "kernel", None)
    if kernel is not None:
        return bool(getattr(kernel, "_allow_stdin", False))
    return sys.stdin is not None and sys.stdin.isatty()
