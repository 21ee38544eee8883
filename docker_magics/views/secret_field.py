"""A password field whose value is never part of any widget state: the login form's secret stays out of the model.

ipywidgets' ``Password`` is a synced trait: the browser sends the value as a state update when the field
changes, ipywidgets 8 echoes that update back on IOPub to every frontend (``echo_update``), and JupyterLab's
"save widget state" writes the model (and so the password) into the notebook file until it is cleared.

:class:`SecretField` (an anywidget: a small ES module the frontend loads with no extension of ours) is a plain
``<input type="password">`` whose value lives in the page only. On a click of its form's Log in button (by
mouse or keyboard, or Enter in the field) the page sends the value once as a custom comm message, before the
button's own click message, and empties the field; the kernel keeps it in a private attribute that is not a
trait, so it is never synced, echoed or saved. The form takes it (and forgets it) in the click handler.
"""

from __future__ import annotations

from typing import Any

import anywidget
from traitlets import Bool, Unicode

#: Characters of a submitted secret kept (a longer "password" is not one; the rest is dropped).
MAX_SECRET = 64 * 1024

# The form root and its Log in button carry these classes (LoginForm adds them).
_ESM = """
function render({ model, el }) {
  el.classList.add("jupyter-widgets", "widget-inline-hbox", "widget-text", "widget-password",
                   "docker-magics-secret");
  el.style.width = model.get("width");
  const label = document.createElement("label");
  label.className = "widget-label";
  label.style.width = model.get("label_width");
  label.style.flexShrink = "0";
  label.textContent = model.get("description");
  const input = document.createElement("input");
  input.type = "password";
  input.autocomplete = "current-password";
  input.spellcheck = false;
  input.placeholder = model.get("placeholder");
  input.id = "docker-magics-secret-" + Math.random().toString(36).slice(2);
  label.htmlFor = input.id;
  input.disabled = model.get("disabled");
  el.append(label, input);

  const form = () => el.closest(".docker-magics-login");
  // Capture phase on the document: runs before the button's own handler queues its click message, so the
  // kernel receives the secret first. Only this form's button counts (several forms may share a page).
  const onClick = (event) => {
    const button = event.target instanceof Element ? event.target.closest(".docker-magics-login-button") : null;
    if (!button || !form() || button.closest(".docker-magics-login") !== form()) return;
    if (input.value) model.send({ event: "submit", value: input.value });
    input.value = "";
  };
  const onKey = (event) => {
    if (event.key !== "Enter" || !form()) return;
    const button = form().querySelector(".docker-magics-login-button");
    if (button && !button.disabled) button.click();
  };
  document.addEventListener("click", onClick, true);
  input.addEventListener("keydown", onKey);
  model.on("msg:custom", (message) => { if (message && message.event === "clear") input.value = ""; });
  model.on("change:disabled", () => { input.disabled = model.get("disabled"); });
  return () => document.removeEventListener("click", onClick, true);
}
export default { render };
"""


class SecretField(anywidget.AnyWidget):
    """``<input type="password">`` whose value reaches the kernel only as a message on Log in, never as state.

    Attributes:
        description: the label.
        placeholder: the hint inside the empty field.
        disabled: the field cannot be typed into.
        value: the secret received with the last click (or set from Python, in tests and scripts); not a trait.
    """

    _esm = _ESM
    description = Unicode("Password").tag(sync=True)
    placeholder = Unicode("").tag(sync=True)
    disabled = Bool(False).tag(sync=True)
    width = Unicode("36em").tag(sync=True)
    label_width = Unicode("6em").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._secret = ""
        self.on_msg(self._received)

    def _received(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("event") == "submit" and isinstance(content.get("value"), str):
            self._secret = content["value"][:MAX_SECRET]

    @property
    def value(self) -> str:
        """The secret received with the last Log in click (the field itself is already empty in the page)."""
        return self._secret

    @value.setter
    def value(self, text: str) -> None:
        self._secret = text or ""
        if not text:
            self.clear()

    def take(self) -> str:
        """The secret, forgotten here and cleared in the page: what the click handler calls once."""
        secret, self._secret = self._secret, ""
        self.clear()
        return secret

    def clear(self) -> None:
        """Empty the field in every page that shows it."""
        self.send({"event": "clear"})
