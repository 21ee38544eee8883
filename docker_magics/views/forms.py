"""Forms for ``%docker tag``, ``push`` and ``login`` when a notebook gives no arguments (ipywidgets).

Shaped like ipywidgets' ``interactive``: fields, a Button and an Output in a VBox. The button is disabled
while its work runs and re-enabled in ``finally``; the work runs in a background thread, so the kernel
stays free (a push can take minutes) and the form updates itself as it goes (ipywidgets 8 syncs from any
thread). Results and errors are written into the Output's ``outputs`` directly, not through ``with out:``
capture, which only routes messages of the kernel's current request and not those of a worker thread.

The forms never talk to the engine: the command layer (``commands/forms.py``) hands them callables.
This module is imported only when a form is opened, so ipywidgets stays out of ``%load_ext``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets

from ..engine import references
from ..engine.references import HUB_KEY, NONE_TAG
from ..errors import DockerMagicError, InvalidReferenceError, RegistryAuthError
from ..units import escape_html, human_size, truncate_id
from .progress import WidgetProgress

log = logging.getLogger(__name__)

_WIDE = widgets.Layout(width="36em")
_STYLE = {"description_width": "6em"}


# ---- choices (pure) ---------------------------------------------------------------------------


def image_choices(images: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(label, value) per local reference: ``repo:tag · short ID · size``; the value is what ``tag`` takes.

    Images without a tag are listed last, by ID, so they can be named too.
    """
    named, dangling = [], []
    for image in images:
        short = truncate_id(image.get("Id", ""))
        size = human_size(int(image.get("Size") or 0))
        tags = [t for t in image.get("RepoTags") or [] if t != NONE_TAG]
        named += [(f"{t} · {short} · {size}", t) for t in tags]
        if not tags:
            dangling.append((f"{NONE_TAG} · {short} · {size}", short))
    return sorted(named) + sorted(dangling)


def push_choices(images: Sequence[dict[str, Any]]) -> list[str]:
    """The local references a push can take, those naming a registry host first (what people push)."""
    refs = {t for image in images for t in image.get("RepoTags") or [] if t != NONE_TAG}

    def docker_hub(ref: str) -> bool:
        try:
            return references.parse(ref).is_docker_hub
        except InvalidReferenceError:
            return True

    return sorted(refs, key=lambda ref: (docker_hub(ref), ref))


def filtered(choices: Sequence[tuple[str, str]], text: str) -> list[tuple[str, str]]:
    """The choices whose label holds every word of ``text`` (case-insensitive)."""
    words = text.lower().split()
    return [c for c in choices if all(w in c[0].lower() for w in words)]


def check_target(repository: str, tag: str) -> tuple[str | None, str]:
    """Validate the target of a tag as typed: (the target reference or None, a one-line reason or note)."""
    repository, tag = repository.strip(), tag.strip()
    if not repository:
        return None, ""
    if tag and not _valid_tag(tag):
        return None, (f"'{tag}' is not a valid tag (letters, digits, _ . -, at most 128, "
                      "not starting with . or -)")
    try:
        ref = references.parse(repository)
    except InvalidReferenceError as exc:
        return None, exc.message
    if ref.digest:
        return None, f"'{repository}' carries a digest: a tag names a repository and a tag, not a digest."
    if tag and ref.tag:
        return None, f"'{repository}' already has a tag (:{ref.tag}): clear the Tag field or remove it."
    target = references.Reference(ref.domain, ref.path, tag or ref.tag).with_default_tag()
    return target.familiar(), f"will be tagged {target.familiar()}"


def _valid_tag(tag: str) -> bool:
    try:
        return references.parse(f"x:{tag}").tag == tag
    except InvalidReferenceError:
        return False


# ---- the form machinery -------------------------------------------------------------------------


def _stream(text: str, *, error: bool = False) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stderr" if error else "stdout", "text": text + "\n"}


def _view(widget: Any) -> dict[str, Any]:
    """An Output entry that shows a widget (what ``display(widget)`` would send)."""
    view = {"version_major": 2, "version_minor": 0, "model_id": widget.model_id}
    return {"output_type": "display_data", "metadata": {},
            "data": {"text/plain": f"{type(widget).__name__}()", "application/vnd.jupyter.widget-view+json": view}}


class _Form(widgets.VBox):
    """Fields, a Button and an Output; ``_start(work)`` runs ``work`` in a thread with the button disabled."""

    button: widgets.Button
    out: widgets.Output

    def __init__(self, children: list[Any], css: str) -> None:
        self._thread: threading.Thread | None = None
        super().__init__(children)
        self.add_class("docker-magics-form")
        self.add_class(css)

    @property
    def message(self) -> str:
        """The text now shown in the Output (for tests and scripts)."""
        return "".join(o.get("text", "") for o in self.out.outputs if o.get("output_type") == "stream").strip()

    def show(self, *items: Any, error: bool = False) -> None:
        """Append lines (str) or widgets to the Output."""
        self.out.outputs += tuple(_stream(i, error=error) if isinstance(i, str) else _view(i) for i in items)

    def wait(self, timeout: float = 120.0) -> None:
        """Block until the running work (if any) is done: for tests and scripts."""
        if self._thread is not None:
            self._thread.join(timeout)

    def _ready(self) -> bool:
        return True

    def _start(self, work: Callable[[], str | None]) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self.button.disabled = True
        self.out.outputs = ()
        self._thread = threading.Thread(target=self._run, args=(work,), name=type(self).__name__, daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], str | None]) -> None:
        try:
            done = work()
            if done:
                self.show(done)
        except DockerMagicError as exc:
            self.show(exc.line(), error=True)
            self._failed(exc)
        except Exception as exc:
            # A bug of ours: one line in the form; the traceback for whoever turns on DEBUG logging.
            log.debug("%s failed", type(self).__name__, exc_info=True)
            self.show(f"Internal error in docker_magics ({type(exc).__name__}). To report it, rerun with "
                      "logging.getLogger('docker_magics').setLevel('DEBUG') and include the traceback.", error=True)
        finally:
            self.button.disabled = not self._ready()

    def _failed(self, exc: DockerMagicError) -> None:
        """A hook for forms that offer a next step after a failure."""


# ---- tag ----------------------------------------------------------------------------------------


class TagForm(_Form):
    """``%docker tag`` as a form: pick a local image, type the target repository and tag, click Tag.

    Attributes:
        filter: narrows the image list as you type (name, tag, ID or size).
        images: the local images (value: the reference or ID that ``docker tag`` takes).
        repository, tag: the target; validated as typed, the reason shown in ``check``.
        button, out: the Tag button and the Output with the result or the one-line error.
        result: the target reference after a successful tag.
    """

    def __init__(self, list_images: Callable[[], list[dict[str, Any]]], tag: Callable[[str, str], Any], *,
                 source: str | None = None) -> None:
        self._list, self._tag, self.result = list_images, tag, None
        self._choices = image_choices(list_images())
        self.filter = widgets.Text(description="Filter", placeholder="type part of a name, tag or ID",
                                   continuous_update=True, layout=_WIDE, style=_STYLE)
        self.images = widgets.Select(options=self._choices, value=None, rows=min(8, max(3, len(self._choices))),
                                     description="Image", layout=_WIDE, style=_STYLE)
        self.repository = widgets.Text(description="Repository", placeholder="[REGISTRY[:PORT]/][NAMESPACE/]NAME",
                                       continuous_update=True, layout=_WIDE, style=_STYLE)
        self.tag = widgets.Text(description="Tag", placeholder="latest", continuous_update=True,
                                layout=_WIDE, style=_STYLE)
        self.check = widgets.HTML(layout=widgets.Layout(margin="0 0 0 6.6em"))
        self.button = widgets.Button(description="Tag", icon="tag", button_style="primary", disabled=True)
        self.out = widgets.Output()
        self.filter.observe(self._on_filter, "value")
        for field in (self.images, self.repository, self.tag):
            field.observe(self._on_change, "value")
        self.button.on_click(lambda _b: self._start(self._work))
        super().__init__([widgets.HTML("<b>Tag an image</b>"), self.filter, self.images, self.repository,
                          self.tag, self.check, self.button, self.out], "docker-magics-tag")
        if source:
            self._select(source)

    def _select(self, source: str) -> None:
        values = [value for _label, value in self.images.options]
        self.images.value = source if source in values else None

    def _on_filter(self, _change: Any = None) -> None:
        chosen = self.images.value
        shown = filtered(self._choices, self.filter.value)
        self.images.options = shown
        keep = chosen if any(v == chosen for _l, v in shown) else shown[0][1] if len(shown) == 1 else None
        self.images.value = keep
        self._on_change()

    def _on_change(self, _change: Any = None) -> None:
        target, note = check_target(self.repository.value, self.tag.value)
        colour = "var(--jp-ui-font-color2, grey)" if target else "var(--jp-error-color1, #d32f2f)"
        self.check.value = f"<span style='color:{colour}'>{escape_html(note)}</span>" if note else ""
        if self._thread is None or not self._thread.is_alive():
            self.button.disabled = not self._ready()

    def _ready(self) -> bool:
        return self.images.value is not None and check_target(self.repository.value, self.tag.value)[0] is not None

    def _work(self) -> str:
        source = self.images.value
        target = check_target(self.repository.value, self.tag.value)[0]
        ref = self._tag(source, target)
        self.result = ref.familiar() if hasattr(ref, "familiar") else str(target)
        self._choices = image_choices(self._list())  # the new reference is a choice now
        self._on_filter()
        return f"Tagged {source} as {self.result}."


# ---- login --------------------------------------------------------------------------------------


class LoginForm(_Form):
    """``%docker login`` as a form: server, username, password, Log in.

    The password field is a :class:`~docker_magics.views.secret_field.SecretField`: its value is never
    widget state (not synced, not echoed to other frontends, not in a saved notebook). The page sends it
    once, as a message, when Log in is clicked; the click handler takes it (and forgets it) before any
    network call, and it is never shown.

    Attributes:
        server, username, password: the fields.
        button, out: the Log in button and the Output with the registry's answer or refusal.
        result: the :class:`~docker_magics.views.results.LoggedIn` after a success.
    """

    def __init__(self, login: Callable[[str, str, str], Any], *, server: str | None = None,
                 username: str = "") -> None:
        self._login, self.result = login, None
        self.server = widgets.Text(value=server or HUB_KEY, description="Server", layout=_WIDE, style=_STYLE)
        self.username = widgets.Text(value=username, description="Username", layout=_WIDE, style=_STYLE)
        from .secret_field import SecretField

        self.password = SecretField(description="Password", placeholder="password or access token")
        self.button = widgets.Button(description="Log in", icon="sign-in", button_style="primary")
        self.button.add_class("docker-magics-login-button")  # the SecretField sends its value on this click
        self.out = widgets.Output()
        self.button.on_click(self._on_click)
        super().__init__([widgets.HTML("<b>Log in to a registry</b>"), self.server, self.username,
                          self.password, self.button, self.out], "docker-magics-login")

    def _on_click(self, _button: Any = None) -> None:
        secret = self.password.take()
        server, username = self.server.value.strip(), self.username.value.strip()
        if not username or not secret:
            self.out.outputs = ()
            self.show("Type a username and a password (or an access token), then click Log in.", error=True)
            return
        self._start(lambda: self._work(server, username, secret))

    def _work(self, server: str, username: str, secret: str) -> str:
        self.result = self._login(server, username, secret)
        where = references.server_label(self.result.server)
        return f"{self.result.status}: {self.result.username} on {where} (stored in {self.result.stored_in})."


# ---- push ---------------------------------------------------------------------------------------


class _FormProgress(WidgetProgress):
    """The push's WidgetProgress, shown in the form's Output instead of the cell's."""

    def __init__(self, title: str, form: _Form) -> None:
        super().__init__(title)
        self._form = form

    def start(self) -> None:
        self.bar = widgets.FloatProgress(value=0.0, min=0.0, max=1.0, layout=widgets.Layout(width="60%"))
        self.label = widgets.HTML(value=escape_html(self.state.title))
        self.detail = widgets.HTML(value="")
        self.box = widgets.VBox([widgets.HBox([self.bar, self.label]), self.detail])
        self._form.show(self.box)


def registry_of(reference: str) -> str:
    """The server to log in to for a reference (Docker Hub's key when it names none)."""
    ref = references.parse(reference)
    return HUB_KEY if ref.is_docker_hub else ref.domain


class PushForm(_Form):
    """``%docker push`` as a form: pick a local reference, click Push, watch it go, read the digest.

    When the registry asks for a login, the form offers a button that opens a :class:`LoginForm` for
    that registry in the Output; push again once it says Login Succeeded.

    Attributes:
        reference: the local references, those naming a registry host first.
        button, out: the Push button and the Output with the progress and the digest or the error.
        result: the :class:`~docker_magics.views.results.Pushed` after a success.
        login_form: the LoginForm opened after an auth failure (None before).
    """

    def __init__(self, list_images: Callable[[], list[dict[str, Any]]], push: Callable[[str, Any], Any],
                 login: Callable[[str, str, str], Any], *, reference: str | None = None) -> None:
        self._push, self._login, self.result, self.login_form = push, login, None, None
        options = push_choices(list_images())
        self.reference = widgets.Dropdown(options=options, description="Image", layout=_WIDE, style=_STYLE,
                                          value=reference if reference in options else (options or [None])[0])
        self.button = widgets.Button(description="Push", icon="upload", button_style="primary",
                                     disabled=not options)
        self.out = widgets.Output()
        self.button.on_click(lambda _b: self._start(self._work))
        super().__init__([widgets.HTML("<b>Push an image</b>"), self.reference, self.button, self.out],
                         "docker-magics-push")
        if not options:
            self.show("No local image has a name to push: tag one first (%docker tag).", error=True)

    def _ready(self) -> bool:
        return self.reference.value is not None

    def _work(self) -> str:
        reference = self.reference.value
        self.result = self._push(reference, _FormProgress(f"Pushing {reference}", self))
        return f"Pushed {reference}: digest {self.result.digest}"

    def _failed(self, exc: DockerMagicError) -> None:
        if not isinstance(exc, RegistryAuthError):
            return
        server = registry_of(self.reference.value)
        shown = references.server_label(server)
        button = widgets.Button(description=f"Log in to {shown}", icon="sign-in",
                                layout=widgets.Layout(width="auto"))
        button.on_click(lambda _b: self.open_login(server))
        self.login_button = button
        self.show(button)

    def open_login(self, server: str) -> LoginForm:
        """Show a LoginForm for ``server`` in the Output (once)."""
        if self.login_form is None:
            self.login_form = LoginForm(self._login, server=server)
            self.show(self.login_form)
        return self.login_form
