"""The Docker CLI's image grammar: verbs, their aliases and flags, parsed into a :class:`Command`.

One table (:data:`VERBS`) drives parsing, ``--help`` and completion. Flags follow the CLI's
pflag conventions: ``-f x``, ``-fx``, ``-f=x``, ``--format=x``, combined short booleans (``-aq``),
flags after positionals, and booleans written ``--no-trunc=false``.
"""

from __future__ import annotations

import argparse
import functools
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .command import Command
from .commands import (
    archive,
    build,
    buildcache,
    contexts,
    files,
    history,
    images,
    inspect,
    lifecycle,
    sbom,
    search,
    usage,
)
from .commands import transfer as registry
from .errors import UsageError, did_you_mean

#: A handler: takes the parsed command and the session, returns what the magic hands back.
Handler = Callable[[Command, Any], Any]

# A flag: (short, long, kind, help). kind is "bool", "str", "list" (repeatable) or "int";
# "bool+" is a boolean whose default is true (history's --human).
Flag = tuple[str | None, str, str, str]


@dataclass(frozen=True)
class Verb:
    """One command of the grammar."""

    name: str
    usage: str
    summary: str
    flags: tuple[Flag, ...] = ()
    positionals: tuple[tuple[str, str], ...] = ()  # (name, nargs)
    forms: tuple[str, ...] = ()  # every way to spell it: "images", "image ls", ...
    handler: Handler | None = None  # the function under docker_magics.commands that runs it
    image_args: tuple[str, ...] = ()  # positionals that name local images (for completion)
    #: With several engines (-H A -H B, --context a,b): "each" runs the verb on every engine and stacks the
    #: results under an ``engine`` column; "fleet" means the handler queries them itself (listings); "one"
    #: refuses, because the verb changes state; "none": the verb talks to no engine and runs once.
    engines: str = "each"


_PLATFORM: Flag = (None, "--platform", "str", "Set platform if server is multi-platform capable")
_FORMAT_LIST: Flag = (None, "--format", "str",
                      "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template")
_QUIET_IDS: Flag = ("-q", "--quiet", "bool", "Only show image IDs")
_DCT: Flag = (None, "--disable-content-trust", "bool", "Skip image verification (accepted; always skipped)")

VERBS: tuple[Verb, ...] = (
    Verb("images", "images [OPTIONS] [REPOSITORY[:TAG]]", "List images",
         (("-a", "--all", "bool", "Show all images (default hides intermediate images)"),
          (None, "--digests", "bool", "Show digests"),
          ("-f", "--filter", "list", "Filter output based on conditions provided (dangling, label, before, "
                                     "since, reference)"),
          _FORMAT_LIST,
          (None, "--no-trunc", "bool", "Don't truncate output"),
          _QUIET_IDS,
          (None, "--usage", "bool", "Add containers, container_names, shared_size and unique_size (disk usage)"),
          (None, "--platforms", "bool", "Add a platforms column: the platforms of each image that are here"),
          (None, "--no-index", "bool", "List from the engine, not from the index kept up to date by its events")),
         (("reference", "?"),), ("images", "image ls", "image list"), images.run, engines="fleet"),
    Verb("pull", "pull [OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry",
         (("-a", "--all-tags", "bool", "Download all tagged images in the repository"), _DCT, _PLATFORM,
          ("-q", "--quiet", "bool", "Suppress verbose output")),
         (("name", "?"),), ("pull", "image pull"), registry.pull, engines="one"),
    Verb("push", "push [OPTIONS] NAME[:TAG]", "Upload an image to a registry (no argument: a form)",
         (("-a", "--all-tags", "bool", "Push all tags of an image to the repository"), _DCT, _PLATFORM,
          ("-q", "--quiet", "bool", "Suppress verbose output")),
         (("name", "?"),), ("push", "image push"), registry.push, ("name",), engines="one"),
    Verb("inspect", "inspect [OPTIONS] IMAGE [IMAGE...]", "Display detailed information on one or more images",
         (("-f", "--format", "str", "Format output using a custom template: 'json' or a Go template"),
          (None, "--type", "str", "Only 'image' is supported"),
          ("-s", "--size", "bool", "Accepted for compatibility (image sizes are always shown)"), _PLATFORM),
         (("images", "*"),), ("inspect", "image inspect"), inspect.inspect, ("images",)),
    Verb("history", "history [OPTIONS] IMAGE", "Show the history of an image",
         (_FORMAT_LIST,
          ("-H", "--human", "bool+", "Print sizes and dates in human readable format (default true)"),
          (None, "--no-trunc", "bool", "Don't truncate output"), _QUIET_IDS, _PLATFORM),
         (("image", "?"),), ("history", "image history"), history.history, ("image",)),
    Verb("tag", "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
         "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE (no argument: a form)",
         (), (("source", "?"), ("target", "?")), ("tag", "image tag"), lifecycle.tag, ("source",), engines="one"),
    Verb("save", "save [OPTIONS] IMAGE [IMAGE...]", "Save one or more images to a tar archive",
         (("-o", "--output", "str", "Write to a file (required in a notebook)"),
          (None, "--gzip", "bool", "Compress with gzip (also when the file name ends in .gz)"), _PLATFORM),
         (("images", "*"),), ("save", "image save"), archive.save, ("images",), engines="one"),
    Verb("load", "load [OPTIONS]", "Load an image from a tar archive (tar or tar.gz)",
         (("-i", "--input", "str", "Read from tar archive file"),
          ("-q", "--quiet", "bool", "Suppress the load output"), _PLATFORM),
         (), ("load", "image load"), archive.load, engines="one"),
    Verb("rmi", "rmi [OPTIONS] IMAGE [IMAGE...]", "Remove one or more images",
         (("-f", "--force", "bool", "Force removal of the image"),
          (None, "--no-prune", "bool", "Do not delete untagged parents"), _PLATFORM),
         (("images", "*"),), ("rmi", "image rm", "image remove"), lifecycle.rm, ("images",), engines="one"),
    Verb("prune", "image prune [OPTIONS]", "Remove unused images",
         (("-a", "--all", "bool", "Remove all unused images, not just dangling ones"),
          (None, "--filter", "list", "Provide filter values (e.g. 'until=<timestamp>', 'label=<key>=<value>')"),
          ("-f", "--force", "bool", "Do not prompt for confirmation"),
          (None, "--dry-run", "bool", "Show what would be removed and the space it frees, remove nothing")),
         (), ("image prune",), lifecycle.prune, engines="one"),
    Verb("builder prune", "builder prune [OPTIONS]", "Remove build cache",
         (("-a", "--all", "bool", "Remove all unused build cache, not just dangling ones"),
          (None, "--filter", "list", "Provide filter values (e.g. 'until=24h', 'type=exec.cachemount')"),
          ("-f", "--force", "bool", "Do not prompt for confirmation"),
          (None, "--dry-run", "bool", "Show what would be removed and the space it frees, remove nothing")),
         (), ("builder prune",), buildcache.prune, engines="one"),
    Verb("import", "import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
         "Import the contents from a tarball to create a filesystem image",
         (("-c", "--change", "list", "Apply Dockerfile instruction to the created image"),
          ("-m", "--message", "str", "Set commit message for imported image"), _PLATFORM),
         (("source", "?"), ("reference", "?")), ("import", "image import"), archive.import_, engines="one"),
    Verb("search", "search [OPTIONS] TERM", "Search Docker Hub (or a registry's v1 search API) for images",
         (("-f", "--filter", "list", "Filter output based on conditions provided (stars=N, is-official=BOOL)"),
          _FORMAT_LIST,
          (None, "--limit", "int", "Max number of search results"),
          (None, "--no-trunc", "bool", "Don't truncate output"),
          (None, "--registry", "str", "Browse a registry's repositories instead (v2 catalog; TERM is a prefix)")),
         (("term", "?"),), ("search",), search.search),
    Verb("tags", "tags [OPTIONS] REPOSITORY", "List a repository's tags in its registry, without pulling",
         ((None, "--no-trunc", "bool", "Don't truncate digests"),
          (None, "--limit", "int", "Max number of tags")),
         (("repository", "?"),), ("tags", "image tags"), search.tags, engines="none"),
    Verb("build", "build [OPTIONS] PATH | %%docker build [OPTIONS] [PATH] (cell: the Dockerfile)",
         "Build an image from a Dockerfile",
         (("-t", "--tag", "list", "Name and optionally a tag in the 'name:tag' format"),
          (None, "--build-arg", "list", "Set build-time variables"),
          (None, "--label", "list", "Set metadata for an image"),
          (None, "--target", "str", "Set the target build stage to build"),
          (None, "--no-cache", "bool", "Do not use cache when building the image"),
          (None, "--pull", "bool", "Always attempt to pull a newer version of the image"),
          _PLATFORM,
          ("-f", "--file", "str", "Name of the Dockerfile (default: 'PATH/Dockerfile')"),
          (None, "--iidfile", "str", "Write the image ID to the file"),
          ("-q", "--quiet", "bool", "Suppress the build output and print image ID on success"),
          (None, "--rm", "bool+", "Remove intermediate containers after a successful build (default true)"),
          (None, "--force-rm", "bool", "Always remove intermediate containers"),
          (None, "--network", "str", "Set the networking mode for the RUN instructions during build (default: the "
                                     "engine's default network; 'none' on an engine without a bridge network)"),
          (None, "--cache-from", "list", "External cache sources (e.g. 'user/app:cache')"),
          (None, "--add-host", "list", "Add a custom host-to-IP mapping ('host:ip')"),
          (None, "--shm-size", "str", "Shared memory size for RUN instructions (e.g. 64m)"),
          (None, "--secret", "list", "Secret to expose to the build (needs a BuildKit session: refused here)"),
          (None, "--ssh", "list", "SSH agent socket or keys to expose (needs a BuildKit session: refused here)"),
          ("-o", "--output", "list", "Output destination (needs a BuildKit session: refused here)")),
         (("path", "?"),), ("build", "image build", "builder build"), build.build, engines="one"),
    Verb("layers", "layers [OPTIONS] IMAGE [IMAGE...]", "One row per layer per image, and which images share it",
         ((None, "--no-trunc", "bool", "Don't truncate digests and steps"),
          (None, "--plot", "bool", "Draw the layer sizes (needs matplotlib)")),
         (("images", "*"),), ("layers", "image layers"), usage.layers, ("images",)),
    Verb("diff", "image diff [OPTIONS] IMAGE_A IMAGE_B", "Shared and unique layers and bytes of two images",
         ((None, "--files", "bool", "Compare the two final filesystems file by file (content by sha256)"),
          (None, "--packages", "bool", "Compare the two images' packages: added, removed, changed versions")),
         (("image_a", "?"), ("image_b", "?")), ("image diff",), usage.diff, ("image_a", "image_b")),
    Verb("files", "files [OPTIONS] IMAGE", "Every file of every layer of an image, read without running it",
         ((None, "--layer", "int", "Only this layer (0 = bottom, -1 = top)"),
          (None, "--path", "str", "Only paths matching this glob (e.g. '/usr/lib/*' or '*.py')"),
          (None, "--changes", "bool", "Leave out directories a layer lists again unchanged"),
          (None, "--no-trunc", "bool", "Don't truncate layer IDs"),
          (None, "--wasted", "bool", "Paths several layers hold or a later layer removes, with dive's efficiency"),
          (None, "--lowest-efficiency", "str", "Fail when dive's image efficiency is below this (0 to 1)"),
          (None, "--plot", "bool", "Draw the wasted space (with --wasted; needs matplotlib)")),
         (("image", "?"),), ("files", "image files"), files.files, ("image",)),
    Verb("sbom", "sbom [OPTIONS] IMAGE [IMAGE...]", "The packages inside images, read without running them",
         ((None, "--type", "list", "Only these package types (deb, apk, rpm, python, npm, go-module, java-archive, "
                                   "conda; comma-separated or repeated)"),
          ("-a", "--all", "bool", "Every local image, once per image ID"),
          (None, "--format", "str", "table (a DataFrame, the default), cyclonedx (CycloneDX 1.6 JSON) or spdx "
                                    "(SPDX 2.3 JSON)"),
          ("-o", "--output", "str", "Write the document to a file (with --format cyclonedx or spdx)")),
         (("images", "*"),), ("sbom", "image sbom"), sbom.sbom, ("images",)),
    Verb("df", "df [OPTIONS]", "Disk usage of images (as 'docker system df' shows it)",
         (("-v", "--verbose", "bool", "Show one row per image"),
          (None, "--plot", "bool", "Draw sizes by repository, shared versus unique (needs matplotlib)")),
         (), ("df", "system df"), usage.df),
    Verb("context ls", "context ls", "List the Docker CLI's contexts (the current one is marked)",
         (), (), ("context ls", "context list"), contexts.ls, engines="none"),
    Verb("context use", "context use CONTEXT", "Set the current Docker CLI context (as 'docker context use')",
         (), (("name", "?"),), ("context use",), contexts.use, engines="none"),
    Verb("login", "login [OPTIONS] [SERVER]", "Log in to a registry (no password: a form or a masked prompt)",
         (("-u", "--username", "str", "Username"),
          ("-p", "--password", "str", "Password (lands in the notebook and its history: prefer --password-file)"),
          (None, "--password-stdin", "bool", "Take the password from a masked prompt"),
          (None, "--password-file", "str", "Read the password or token from a file")),
         (("server", "?"),), ("login",), registry.login, engines="one"),
    Verb("logout", "logout [SERVER]", "Log out from a registry",
         (), (("server", "?"),), ("logout",), registry.logout, engines="none"),
)

GLOBAL_FLAGS: tuple[Flag, ...] = (
    ("-H", "--host", "list", "Daemon socket to connect to (repeatable)"),
    ("-c", "--context", "str", "Name of the context to use to connect to the daemon"),
    (None, "--config", "str", "Location of client config files"),
    ("-D", "--debug", "bool", "Enable debug mode"),
    ("-l", "--log-level", "str", "Set the logging level"),
    (None, "--tls", "bool", "Use TLS; implied by --tlsverify"),
    (None, "--tlscacert", "str", "Trust certs signed only by this CA"),
    (None, "--tlscert", "str", "Path to TLS certificate file"),
    (None, "--tlskey", "str", "Path to TLS key file"),
    (None, "--tlsverify", "bool", "Use TLS and verify the remote"),
)

#: Every spelling of every verb ("image ls", "rmi", ...) mapped to its Verb.
FORMS: dict[str, Verb] = {form: verb for verb in VERBS for form in verb.forms}
#: Management commands (``image``, ``context`` ...) and the words that may follow each.
MANAGEMENT: dict[str, tuple[str, ...]] = {}
for _form in FORMS:
    if " " in _form:
        _word, _sub = _form.split(" ", 1)
        MANAGEMENT[_word] = (*MANAGEMENT.get(_word, ()), _sub)
TOP_LEVEL: tuple[str, ...] = tuple(sorted({f.split()[0] for f in FORMS}))


class _Parser(argparse.ArgumentParser):
    """argparse that raises our one-line UsageError instead of exiting."""

    def __init__(self, verb_label: str, **kwargs: Any) -> None:
        super().__init__(add_help=False, allow_abbrev=False, **kwargs)
        self.verb_label = verb_label

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(_cli_message(message), hint=f"See '%docker {self.verb_label} --help'.")

    def exit(self, status: int = 0, message: str | None = None) -> None:  # type: ignore[override]
        raise UsageError(message or "invalid arguments")


def _cli_message(message: str) -> str:
    # argparse's words, turned into the CLI's.
    if message.startswith("unrecognized arguments:"):
        return "unknown flag: " + message.split(":", 1)[1].strip()
    return message


def _dest(long: str) -> str:
    return long.lstrip("-").replace("-", "_")


def _add_flags(parser: argparse.ArgumentParser, flags: tuple[Flag, ...]) -> None:
    for short, long, kind, help_ in flags:
        names = [n for n in (short, long) if n]
        if kind == "bool":
            parser.add_argument(*names, dest=_dest(long), action="store_true", help=help_)
        elif kind == "bool+":
            parser.add_argument(*names, dest=_dest(long), action="store_true", default=True, help=help_)
        elif kind == "list":
            parser.add_argument(*names, dest=_dest(long), action="append", default=[], metavar="VALUE",
                                help=help_)
        elif kind == "int":
            parser.add_argument(*names, dest=_dest(long), type=int, metavar="INT", help=help_)
        else:
            parser.add_argument(*names, dest=_dest(long), metavar="STRING", help=help_)


def _bool_flags(flags: tuple[Flag, ...]) -> dict[str, str]:
    """Map every spelling of a boolean flag to its dest."""
    out: dict[str, str] = {}
    for short, long, kind, _ in flags:
        if kind.startswith("bool"):
            for name in (short, long):
                if name:
                    out[name] = _dest(long)
    return out


def _split_bool_values(argv: list[str], flags: tuple[Flag, ...]) -> tuple[list[str], dict[str, bool]]:
    """Take pflag's ``--flag=true|false`` spellings out of argv, returning them as explicit values."""
    bools = _bool_flags(flags)
    explicit: dict[str, bool] = {}
    rest: list[str] = []
    for index, token in enumerate(argv):
        if token == "--":
            rest.extend(argv[index:])
            break
        name, eq, value = token.partition("=")
        if eq and name in bools:
            if value.lower() not in {"true", "false", "1", "0", "t", "f"}:
                raise UsageError(f'invalid argument "{value}" for "{token}" flag: parse error',
                                 hint="Boolean flags take true or false.")
            explicit[bools[name]] = value.lower() in {"true", "1", "t"}
        else:
            rest.append(token)
    return rest, explicit


def _parse_flags(parser: _Parser, argv: list[str], flags: tuple[Flag, ...]) -> dict[str, Any]:
    argv, explicit = _split_bool_values(argv, flags)
    try:
        namespace, extra = parser.parse_known_args(argv)
    except UsageError:
        raise
    if extra:
        _unknown(extra[0], flags, parser.verb_label)
    return {**vars(namespace), **explicit}


def _unknown(token: str, flags: tuple[Flag, ...], label: str) -> None:
    names = [n for f in flags for n in f[:2] if n]
    if token.startswith("-"):
        name = token.split("=", 1)[0]
        hint = did_you_mean(name, names)
        what = f"unknown shorthand flag: '{name[1:]}' in {token}" if not name.startswith("--") else \
            f"unknown flag: {name}"
        raise UsageError(what, hint=" ".join(x for x in (hint, f"See '%docker {label} --help'.") if x))
    raise UsageError(f"unexpected argument '{token}'", hint=f"See '%docker {label} --help'.")


_PARSERS: dict[str, _Parser] = {}


def parser_for(verb: Verb) -> _Parser:
    """The argparse parser of one verb (built once)."""
    if verb.name not in _PARSERS:
        label = verb.forms[0]
        parser = _Parser(label, prog=f"%docker {label}", usage=f"%docker {verb.usage}",
                         description=verb.summary)
        _add_flags(parser, verb.flags)
        for name, nargs in verb.positionals:
            parser.add_argument(name, nargs=nargs, default=None if nargs == "?" else [])
        _PARSERS[verb.name] = parser
    return _PARSERS[verb.name]


def help_text(verb: Verb | None = None) -> str:
    """The ``--help`` text of one verb, or of the whole command when ``verb`` is None."""
    if verb is None:
        width = max(len(v.forms[0]) for v in VERBS)
        lines = ["Usage:  %docker [GLOBAL OPTIONS] COMMAND", "",
                 "Docker's image commands, in a notebook. Listings return DataFrames.", "", "Commands:"]
        lines += [f"  {v.forms[0]:<{width}}  {v.summary}" +
                  (f"  (also: {', '.join(v.forms[1:])})" if len(v.forms) > 1 else "") for v in VERBS]
        lines += ["", "Global options:"] + [_flag_line(f) for f in GLOBAL_FLAGS]
        lines += ["", "Python values: $name or {expression} outside quotes '...' and outside {{ }} templates.",
                  "Run '%docker COMMAND --help' for more information on a command."]
        return "\n".join(lines)
    lines = [f"Usage:  %docker {verb.usage}", "", verb.summary]
    if len(verb.forms) > 1:
        lines += ["", "Aliases:", "  " + ", ".join(verb.forms)]
    if verb.flags:
        lines += ["", "Options:"] + [_flag_line(f) for f in verb.flags]
    from .returns import returns_help  # only when help is asked for

    return "\n".join(lines + returns_help(verb.name))


def _flag_line(flag: Flag) -> str:
    short, long, kind, help_ = flag
    names = f"{short + ', ' if short else '    '}{long}"
    value = {"str": " string", "list": " list", "int": " int"}.get(kind, "")
    return f"  {names + value:<26}  {help_}"  # at least two spaces, also after a long flag


def split(line: str) -> list[str]:
    """Split a command line like a POSIX shell (quotes removed, ``{{ }}`` templates kept whole)."""
    from .shellwords import split as split_words  # shlex's rules in linear time (shlex is quadratic)

    try:
        return split_words(line)
    except ValueError as exc:
        raise UsageError(f"cannot split the command line: {exc}", hint="Check that every quote is closed.") from None


@functools.cache
def _global_parser() -> _Parser:
    parser = _Parser("", prog="%docker")
    _add_flags(parser, GLOBAL_FLAGS)
    return parser


def _globals(argv: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Consume the global options that stand before the verb."""
    if not argv or not argv[0].startswith("-"):
        return vars(_global_parser().parse_args([])), argv
    parser = _global_parser()
    bools = _bool_flags(GLOBAL_FLAGS)
    takes_value = {n for f in GLOBAL_FLAGS if not f[2].startswith("bool") for n in f[:2] if n}
    index = 0
    while index < len(argv) and argv[index].startswith("-") and argv[index] not in {"--help", "-h"}:
        token = argv[index]
        name = token.split("=", 1)[0]
        attached = not token.startswith("--") and token[:2] in takes_value and len(token) > 2  # -Hunix://...
        if attached or name in bools or (name in takes_value and "=" in token):
            index += 1
        elif name in takes_value:
            index += 2
        else:
            names = [n for f in GLOBAL_FLAGS for n in f[:2] if n]
            hint = did_you_mean(name, names)
            raise UsageError(f"unknown flag: {name}",
                             hint=" ".join(x for x in (hint, "See '%docker --help'.") if x))
    return _parse_flags(parser, argv[:index], GLOBAL_FLAGS), argv[index:]


def resolve_verb(argv: list[str]) -> tuple[Verb | None, list[str]]:
    """Find the verb at the start of ``argv`` (``images``, ``image ls`` ...) and return the rest."""
    if not argv or argv[0] in {"--help", "-h", "help"}:
        return None, argv
    word = argv[0]
    if word in MANAGEMENT and word not in FORMS:
        if len(argv) < 2 or argv[1] in {"--help", "-h"}:
            return None, argv
        form = f"{word} {argv[1]}"
        if form not in FORMS:
            hint = did_you_mean(argv[1], MANAGEMENT[word])
            raise UsageError(f"'{argv[1]}' is not a docker {word} command.",
                             hint=" ".join(x for x in (hint, "See '%docker --help'.") if x))
        return FORMS[form], argv[2:]
    if word in FORMS:
        return FORMS[word], argv[1:]
    hint = did_you_mean(word, TOP_LEVEL)
    raise UsageError(f"'{word}' is not a docker command.",
                     hint=" ".join(x for x in (hint, "See '%docker --help'.") if x))


def parse(line: str, cell: str | None = None) -> Command:
    """Parse one ``%docker`` line (already split-safe text) into a :class:`Command`.

    Args:
        line: What follows ``%docker`` (or ``%%docker``) on the line.
        cell: The cell body for ``%%docker``.

    Returns:
        The parsed command; ``help`` is set when ``--help`` was asked for.

    Raises:
        UsageError: an unknown verb or flag, a bad value; one line with a hint.
    """
    return parse_argv(split(line), cell)


def parse_argv(argv: list[str], cell: str | None = None) -> Command:
    """Parse an already split command line; see :func:`parse`."""
    _no_nul(argv)
    global_opts, rest = _globals(argv)
    verb, rest = resolve_verb(rest)
    common = {
        "hosts": tuple(global_opts["host"]),
        "context": global_opts["context"],
        "config": global_opts["config"],
        "tls": {k: global_opts[k] for k in ("tls", "tlscacert", "tlscert", "tlskey", "tlsverify")},
        "cell": cell,
    }
    if verb is None:
        return Command("help", {"asked": bool(rest)}, help=help_text(), **common)
    if "--help" in rest or ("-h" in rest and "-h" not in _short_names(verb)):
        return Command(verb.name, {}, help=help_text(verb), **common)
    options = _parse_flags(parser_for(verb), rest, verb.flags)
    return Command(verb.name, options, **common)


def _no_nul(argv: list[str]) -> None:
    """No command line can carry a NUL byte (nor can a file name hold one): refuse it here, in one line,
    before it reaches a path (``-o``, ``-i``, ``--password-file``, ``--iidfile``) as a ValueError."""
    for arg in argv:
        if "\x00" in arg:
            shown = arg if len(arg) <= 60 else arg[:57] + "..."
            raise UsageError(f"The argument {shown!r} holds a NUL byte, which no command line or file name can hold",
                             hint="To fix it, remove the NUL byte (\\x00).")


def _short_names(verb: Verb) -> set[str]:
    return {f[0] for f in verb.flags if f[0]}


def verb_named(name: str) -> Verb:
    """The Verb whose canonical name is ``name``."""
    return next(v for v in VERBS if v.name == name)


def join(argv: list[str]) -> str:
    """The inverse of :func:`split`, for messages."""
    return shlex.join(argv)


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
