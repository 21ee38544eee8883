"""Who is looking at the output: a person in a notebook frontend, a headless run, or a terminal.

One decision for every form and progress display. A notebook frontend (JupyterLab, Notebook 7, VS Code,
Colab, Databricks, Kaggle) gets forms and widget progress; a headless run (nbclient, papermill, nbconvert)
gets the one-line answers; a terminal gets the masked prompt.

How it is told apart, in the order the checks run:

- the shell: an ipykernel shell (``isinstance`` of ``ZMQInteractiveShell``, so Colab's and other subclasses
  count) is a kernel; terminal IPython is not. ``ipykernel.zmqshell`` is looked up in ``sys.modules`` only:
  a kernel has imported it already, and importing it here would cost a terminal user a second.
- the request being executed: a frontend a person types in sends ``allow_stdin=True`` (Lab, Notebook, VS Code,
  Colab), nbclient/papermill/nbconvert send ``allow_stdin=False``. ipykernel keeps the request's message as
  the shell channel's parent (``kernel.get_parent("shell")``, ipykernel 6 and 7).
- known environment hints name the frontend (``COLAB_RELEASE_TAG``, ``DATABRICKS_RUNTIME_VERSION``,
  ``KAGGLE_KERNEL_RUN_TYPE``, ``VSCODE_PID``, ``JPY_SESSION_NAME``); they decide only where the request cannot be
  read, since they are inherited by child processes (papermill run from a Lab terminal has JPY_SESSION_NAME,
  IPython in VS Code's terminal has VSCODE_PID).

``%config DockerMagics.forms = 'always'`` or ``'never'`` overrides the decision for forms.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

from ..session import Settings

NOTEBOOK, HEADLESS, TERMINAL, PLAIN = "notebook", "headless", "terminal", "plain"


@dataclass(frozen=True)
class Frontend:
    """What the code runs under.

    kind: ``notebook`` (a person looks at a notebook frontend), ``headless`` (a kernel nobody watches),
    ``terminal`` (IPython in a terminal) or ``plain`` (no IPython shell: a script).
    name: the frontend when known (``VS Code``, ``Colab``...), else a description of the shell.
    """

    kind: str
    name: str

    @property
    def looking(self) -> bool:
        """True when a person looks at a notebook frontend: forms and widget progress."""
        return self.kind == NOTEBOOK

    @property
    def kernel(self) -> bool:
        """True in a kernel (displays go to a frontend, watched or not)."""
        return self.kind in (NOTEBOOK, HEADLESS)


# Hosted notebooks whose shell may be their own class; their kernels render widgets.
_HOSTED = ("Colab", "Databricks", "Kaggle")


def hint(environ: Any = None) -> str | None:
    """The notebook frontend the environment names, or None."""
    env = os.environ if environ is None else environ
    if env.get("COLAB_RELEASE_TAG") or any(key.startswith("COLAB_") for key in env):
        return "Colab"
    if env.get("DATABRICKS_RUNTIME_VERSION"):
        return "Databricks"
    if env.get("KAGGLE_KERNEL_RUN_TYPE"):
        # "Batch" is Kaggle's Save & Run All: a headless run.
        return "Kaggle" if env["KAGGLE_KERNEL_RUN_TYPE"] == "Interactive" else None
    if env.get("VSCODE_PID"):
        return "VS Code"
    if env.get("JPY_SESSION_NAME"):
        return "Jupyter"
    return None


def detect(shell: Any = None, environ: Any = None) -> Frontend:
    """Decide who is looking at the output of the code running now.

    Args:
        shell: the IPython shell (default: the running one, if IPython is loaded at all).
        environ: the environment (default: ``os.environ``).

    Returns:
        A :class:`Frontend`.
    """
    if shell is None:
        shell = _running_shell()
    if shell is None:
        return Frontend(PLAIN, "python")
    named = hint(environ)
    if not _is_kernel(shell) and not (named in _HOSTED and getattr(shell, "kernel", None) is not None):
        return Frontend(TERMINAL, type(shell).__name__)
    stdin = allow_stdin(shell)
    looking = stdin if stdin is not None else named is not None
    return Frontend(NOTEBOOK if looking else HEADLESS, named or "Jupyter kernel")


def shows_forms(setting: str) -> bool:
    """True when a command without its arguments should open a form (``%config DockerMagics.forms``)."""
    if setting == "always":
        return True
    if setting == "never":
        return False
    return detect().looking


def allow_stdin(shell: Any) -> bool | None:
    """The ``allow_stdin`` of the execute request running in the kernel now; None when it cannot be read."""
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return None
    get_parent = getattr(kernel, "get_parent", None)  # ipykernel >= 6
    if callable(get_parent):
        try:
            parent = get_parent("shell") or {}
        except Exception:  # an unexpected kernel: fall back to what ipykernel stored
            parent = {}
        content = parent.get("content") if isinstance(parent, dict) else None
        if isinstance(content, dict) and "allow_stdin" in content:
            return bool(content["allow_stdin"])
    stored = getattr(kernel, "_allow_stdin", None)  # set by ipykernel for each execute request
    return stored if isinstance(stored, bool) else None


def _is_kernel(shell: Any) -> bool:
    zmqshell = sys.modules.get("ipykernel.zmqshell")
    return zmqshell is not None and isinstance(shell, zmqshell.ZMQInteractiveShell)


def _running_shell() -> Any:
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def display_rows() -> int:
    """Rows a listing shows when displayed: ``%config DockerMagics.display_rows`` of the shell that loaded us.

    The magics instance holds the setting (one declaration); outside a shell with the extension, its default.
    """
    from IPython import get_ipython


    shell = get_ipython()
    magics = shell.magics_manager.registry.get("DockerMagics") if shell is not None else None
    return magics.display_rows if magics is not None else Settings.display_rows
