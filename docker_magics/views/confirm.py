"""The confirmation a notebook shows before ``image prune`` deletes anything (ipywidgets).

Shaped like ipywidgets' ``interactive``: the preview, a question, the buttons and an Output in a VBox;
the buttons are disabled while the deletion runs, and the result or the one-line error goes to the Output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
from IPython.display import display

from ..errors import DockerMagicError
from ..units import escape_html


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
