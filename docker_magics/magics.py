"""The ``%docker`` line magic and ``%%docker`` cell magic: parse, run, return."""

from __future__ import annotations

from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand
from traitlets import Bool, Enum, Float, Int, Unicode, Union, observe, validate

from . import settings_checks
from .errors import DockerMagicError, UsageError
from .expand import expand
from .session import SETTINGS, Session, Settings


def script_lines(cell: str) -> list[tuple[int, str]]:
    """The commands of a ``%%docker`` script cell with their line numbers.

    Blank lines and ``#`` comments are skipped; a line ending in ``\\`` continues on the next.
    """
    commands: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(cell.splitlines(), start=1):
        text = raw.strip()
        if not pending and (not text or text.startswith("#")):
            continue
        if not pending:
            start = number
        if text.endswith("\\"):
            pending.append(text[:-1].strip())
            continue
        commands.append((start, " ".join([*pending, text]).strip()))
        pending = []
    if pending:
        commands.append((start, " ".join(pending).strip()))
    return commands


@magics_class
class DockerMagics(Magics):
    """Docker's image commands in a notebook."""

    # Each setting the commands read is a field of session.Settings, which gives its default; the trait adds the
    # help text and the check. display_rows is read by the views (views/frontend.display_rows).
    host = Unicode(Settings.host, allow_none=True,
                   help="Engine to use when a command gives no -H (e.g. unix:///var/run/docker.sock, "
                        "tcp://host:2376); default: DOCKER_HOST, then the current context.").tag(config=True)
    context = Unicode(Settings.context, allow_none=True,
                      help="Docker CLI context to use when a command gives no -H or --context.").tag(config=True)
    progress = Enum(["auto", "widget", "text", "none"], Settings.progress,
                    help="How pull, push, save, load and build show progress: auto (widgets where the forms open, "
                         "text redrawn in place elsewhere), widget, text or none.").tag(config=True)
    forms = Enum(["auto", "always", "never"], Settings.forms,
                 help="When tag, push and login without their arguments (and image prune without -f) open a "
                      "form: auto (when a person looks at a notebook: JupyterLab, Notebook 7, VS Code, Colab, "
                      "Databricks, Kaggle; not in nbconvert/papermill runs or a terminal), always or never "
                      "(the one-line answer or the terminal prompt).").tag(config=True)
    timeout = Float(Settings.timeout, help="Seconds to wait for the engine to answer one request.").tag(config=True)
    display_rows = Int(Settings.display_rows,
                       help="Rows shown when a listing is displayed (the DataFrame keeps all).").tag(config=True)
    preload = Bool(True, help="Import pandas and docker-py in the background right after %load_ext, so that the "
                              "first command answers sooner.").tag(config=True)
    completion_timeout = Float(0.1, help="Seconds a Tab may wait for the engine's image list before answering "
                                         "from the cache.").tag(config=True)
    index = Union([Bool(), Enum(["always"])], default_value=Settings.index,
                  help="Answer image listings (and Tab completion, the forms' image lists) from an index of each "
                       "engine's images, brought up to date from the engine's events before every use. True: where "
                       "that is faster than the engine's own listing (the containerd image store; the classic "
                       "store from 1,000 images); 'always': on every engine; False: "
                       "list from the engine every time, as the CLI does (also: images --no-index).").tag(config=True)

    def __init__(self, shell: Any = None, **kwargs: Any) -> None:
        # Before traitlets applies the shell's %config (which calls _on_setting).
        self.session = Session(shell=shell)
        super().__init__(shell, **kwargs)
        self._sync_settings()

    # Refused when set, with one line: a bad value would fail later, far from its cause.
    @validate("timeout", "completion_timeout")
    def _check_seconds(self, proposal: Any) -> float:
        name = proposal["trait"].name
        return settings_checks.seconds(name, proposal["value"], zero=name == "completion_timeout")

    @validate("display_rows")
    def _check_rows(self, proposal: Any) -> int:
        return settings_checks.rows("display_rows", proposal["value"])

    @validate("host")
    def _check_host(self, proposal: Any) -> str | None:
        return settings_checks.host(proposal["value"])

    @observe(*SETTINGS, "completion_timeout")
    def _on_setting(self, change: Any) -> None:
        self._sync_settings()
        if change["name"] in {"host", "context", "timeout", "index"}:
            self.session.forget()
        cache = getattr(self, "completion_cache", None)
        if cache is not None:
            cache.timeout = self.completion_timeout
            cache.stamp = 0.0  # another engine may answer now

    def _sync_settings(self) -> None:
        self.session.settings = Settings(**{name: getattr(self, name) for name in SETTINGS})

    @no_var_expand
    @line_cell_magic
    def docker(self, line: str, cell: str | None = None) -> Any:
        """Run a Docker image command and return a notebook-native result.

        The grammar is the Docker CLI's (``images`` = ``image ls``, ``rmi`` = ``image rm``, global ``-H``);
        ``%docker --help`` lists the commands and ``%docker COMMAND --help`` their flags. Listings return
        DataFrames, ``inspect`` returns the CLI's JSON, ``--format`` prints what the CLI prints.
        Python values: ``$name`` or ``{expression}``, outside single quotes and ``{{ }}`` templates.

        ``%%docker build [OPTIONS] [PATH]`` builds the cell as the Dockerfile; a ``%%docker`` cell with
        no command on its first line runs each line as a ``%docker`` command, stopping at the first failure.

        Examples::

            In [1]: %load_ext docker_magics

            In [2]: df = %docker images

            In [3]: %docker image inspect --format '{{.RepoTags}}' busybox
            [busybox:latest]
        """
        from . import grammar  # here, not at %load_ext: the verb table imports every handler module

        cmd = grammar.parse(expand(line, self.shell.user_ns if self.shell else {}), cell)
        if cell is not None and cmd.verb == "help" and not cmd.options["asked"]:
            return self._script(line, cell)
        if cmd.help is not None:
            print(cmd.help)
            return None
        if cell is not None and cmd.verb != "build":
            raise UsageError(f"'%%docker {cmd.verb}' does not take a cell.",
                             hint="Use %%docker build for a Dockerfile, or a bare %%docker cell for a script.")
        from . import dispatch

        return dispatch.run(cmd, self.session)

    def _script(self, prefix: str, cell: str) -> Any:
        """Run each line of a ``%%docker`` cell as a command; stop at the first failure, naming its line."""
        from IPython.display import display

        result = None
        for number, text in script_lines(cell):
            if result is not None:
                display(result)
            try:
                result = self.docker(f"{prefix} {text}".strip())
            except DockerMagicError as exc:
                raise type(exc)(f"line {number} ({text}): {exc.message}", hint=exc.hint) from None
        return result
