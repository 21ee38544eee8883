"""The Docker CLI's image grammar: verbs, their aliases and flags, parsed into a :class:`Command`.

One table (:data:`VERBS`) drives parsing, ``--help`` and completion. Flags follow the CLI's
pflag conventions: ``-f x``, ``-fx``, ``-f=x``, ``--format=x``, combined short booleans (``-aq``),
flags after positionals, and booleans written ``--no-trunc=false``.
"""

from __future__ import annotations

import argparse
import functools
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
    transfer,
    usage,
)
from .commands import containers as container_commands
from .commands import run as run_command
from .errors import UsageError, did_you_mean
from .returns import EVENTS, IMAGE_COLUMNS, Returns, returns_help
from .shellwords import split as split_words
from .units import go_bool

#: A handler: takes the parsed command and the session, returns what the magic hands back.
Handler = Callable[[Command, Any], Any]



@dataclass(frozen=True)
class Flag:
    """One flag of a verb, as pflag declares it."""

    short: str | None  # "-a", or None
    long: str  # "--all"
    kind: str  # "bool", "str", "list" (repeatable) or "int"
    help: str
    default: bool = False  # a boolean's value when not given: True for history's --human (the CLI's "default true")

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling: the short one first when there is one."""
        return (self.short, self.long) if self.short else (self.long,)

    @property
    def dest(self) -> str:
        """The attribute of the parsed :class:`Command` that holds its value."""
        return self.long.lstrip("-").replace("-", "_")

    @property
    def boolean(self) -> bool:
        """Whether it takes no value (``--flag=true|false`` aside)."""
        return self.kind == "bool"


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
    #: With several engines (-H A -H B, --context a,b): "each" runs the verb on every engine at once and stacks the
    #: results under an ``engine`` column (dispatch); "one" refuses, because the verb changes state; "none": the
    #: verb talks to no engine and runs once.
    engines: str = "each"
    #: False: flags end at the first positional, the rest is the container's command (``run IMAGE sh -c ...``).
    interspersed: bool = True
    container_args: tuple[str, ...] = ()  # positionals that name containers (for completion)
    #: What it hands back: the end of its ``--help`` and the README's "What comes back".
    returns: Returns | None = None


_PLATFORM = Flag(None, "--platform", "str", "Set platform if server is multi-platform capable")
_FORMAT_LIST = Flag(None, "--format", "str",
                    "Format output using a custom template: 'table', 'table TEMPLATE', 'json' or a Go template")
_QUIET_IDS = Flag("-q", "--quiet", "bool", "Only show image IDs")
_DCT = Flag(None, "--disable-content-trust", "bool", "Skip image verification (accepted; always skipped)")

VERBS: tuple[Verb, ...] = (
    Verb("images",
         usage="images [OPTIONS] [REPOSITORY[:TAG]]",
         summary="List images",
         flags=(Flag("-a", "--all", "bool", "Show all images (default hides intermediate images)"),
                Flag(None, "--digests", "bool", "Show digests"),
                Flag("-f", "--filter", "list", "Filter output based on conditions provided (dangling, label, before, "
                                               "since, reference)"),
                _FORMAT_LIST,
                Flag(None, "--no-trunc", "bool", "Don't truncate output"),
                _QUIET_IDS,
                Flag(None, "--usage", "bool", "Add containers, container_names, shared_size and unique_size (disk "
                                              "usage)"),
                Flag(None, "--platforms", "bool", "Add a platforms column: the platforms of each image that are here"),
                Flag(None, "--no-index", "bool", "List from the engine, not from the index kept up to date by its "
                                                 "events")),
         positionals=(("reference", "?"),),
         forms=("images", "image ls", "image list"),
         handler=images.run,
         returns=Returns("A DataFrame, one row per tag (a list of IDs with `-q`, text with `--format`).",
                         IMAGE_COLUMNS)),
    Verb("pull",
         usage="pull [OPTIONS] NAME[:TAG|@DIGEST]",
         summary="Download an image from a registry",
         flags=(Flag("-a", "--all-tags", "bool", "Download all tagged images in the repository"), _DCT, _PLATFORM,
                Flag("-q", "--quiet", "bool", "Suppress verbose output")),
         positionals=(("name", "?"),),
         forms=("pull", "image pull"),
         handler=transfer.pull,
         engines="one",
         returns=Returns("A result with `reference`, `status` and `digest` (`digests` per tag with `-a`).")),
    Verb("push",
         usage="push [OPTIONS] NAME[:TAG]",
         summary="Upload an image to a registry (no argument: a form)",
         flags=(Flag("-a", "--all-tags", "bool", "Push all tags of an image to the repository"), _DCT, _PLATFORM,
                Flag("-q", "--quiet", "bool", "Suppress verbose output")),
         positionals=(("name", "?"),),
         forms=("push", "image push"),
         handler=transfer.push,
         image_args=("name",),
         engines="one",
         returns=Returns("A result with `repository`, `digest`, `digests` (tag -> digest) and `tags`.")),
    Verb("inspect",
         usage="inspect [OPTIONS] IMAGE [IMAGE...]",
         summary="Display detailed information on one or more images",
         flags=(Flag("-f", "--format", "str", "Format output using a custom template: 'json' or a Go template"),
                Flag(None, "--type", "str", "Only 'image' is supported"),
                Flag("-s", "--size", "bool", "Accepted for compatibility (image sizes are always shown)"), _PLATFORM),
         positionals=(("images", "*"),),
         forms=("inspect", "image inspect"),
         handler=inspect.inspect,
         image_args=("images",),
         returns=Returns("The CLI's JSON: a list of objects (text with `--format`).")),
    Verb("history",
         usage="history [OPTIONS] IMAGE",
         summary="Show the history of an image",
         flags=(_FORMAT_LIST,
                Flag("-H", "--human", "bool", "Print sizes and dates in human readable format (default true)",
                     default=True),
                Flag(None, "--no-trunc", "bool", "Don't truncate output"), _QUIET_IDS, _PLATFORM),
         positionals=(("image", "?"),),
         forms=("history", "image history"),
         handler=history.history,
         image_args=("image",),
         returns=Returns("A DataFrame, one row per step, newest first (a list of IDs with `-q`, text with `--format`).",
                         (("image_id", "str", "the step's image, `<missing>` where the CLI says so"),
                          ("created", "datetime64[UTC]", "when the step ran"),
                          ("created_by", "str", "the instruction"),
                          ("size", "int64", "bytes the step added"),
                          ("comment", "str", "the step's comment")))),
    Verb("tag",
         usage="tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
         summary="Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE (no argument: a form)",
         positionals=(("source", "?"), ("target", "?")),
         forms=("tag", "image tag"),
         handler=lifecycle.tag,
         image_args=("source",),
         engines="one",
         returns=Returns("Nothing, like the CLI (no arguments in a notebook: the tag form).")),
    Verb("save",
         usage="save [OPTIONS] IMAGE [IMAGE...]",
         summary="Save one or more images to a tar archive",
         flags=(Flag("-o", "--output", "str", "Write to a file (required in a notebook)"),
                Flag(None, "--gzip", "bool", "Compress with gzip (also when the file name ends in .gz)"), _PLATFORM),
         positionals=(("images", "*"),),
         forms=("save", "image save"),
         handler=archive.save,
         image_args=("images",),
         engines="one",
         returns=Returns("A result with `path`, `bytes`, `sha256` and `images`.")),
    Verb("load",
         usage="load [OPTIONS]",
         summary="Load an image from a tar archive (tar or tar.gz)",
         flags=(Flag("-i", "--input", "str", "Read from tar archive file"),
                Flag("-q", "--quiet", "bool", "Suppress the load output"), _PLATFORM),
         forms=("load", "image load"),
         handler=archive.load,
         engines="one",
         returns=Returns("A DataFrame, one row per loaded image.",
                         (("reference", "str", "the loaded tag, `<none>` for an image loaded by ID"),
                          ("image_id", "str", "the full image ID")))),
    Verb("rmi",
         usage="rmi [OPTIONS] IMAGE [IMAGE...]",
         summary="Remove one or more images",
         flags=(Flag("-f", "--force", "bool", "Force removal of the image"),
                Flag(None, "--no-prune", "bool", "Do not delete untagged parents"), _PLATFORM),
         positionals=(("images", "*"),),
         forms=("rmi", "image rm", "image remove"),
         handler=lifecycle.rm,
         image_args=("images",),
         engines="one",
         returns=Returns("A DataFrame, one row per Untagged/Deleted event.",
                         (*EVENTS, ("image", "str", "the argument the event came from")))),
    Verb("prune",
         usage="image prune [OPTIONS]",
         summary="Remove unused images",
         flags=(Flag("-a", "--all", "bool", "Remove all unused images, not just dangling ones"),
                Flag(None, "--filter", "list", "Provide filter values (e.g. 'until=<timestamp>', "
                                               "'label=<key>=<value>')"),
                Flag("-f", "--force", "bool", "Do not prompt for confirmation"),
                Flag(None, "--dry-run", "bool", "Show what would be removed and the space it frees, remove nothing")),
         forms=("image prune",),
         handler=lifecycle.prune,
         engines="one",
         returns=Returns("A DataFrame of what went (with `--dry-run` or before confirming: of what would go, with "
                         "`image_id, references, created, size, unique_size, untag_only`); `attrs` has the bytes "
                         "reclaimed and the images containers keep.", EVENTS)),
    Verb("builder prune",
         usage="builder prune [OPTIONS]",
         summary="Remove build cache",
         flags=(Flag("-a", "--all", "bool", "Remove all unused build cache, not just dangling ones"),
                Flag(None, "--filter", "list", "Provide filter values (e.g. 'until=24h', 'type=exec.cachemount')"),
                Flag("-f", "--force", "bool", "Do not prompt for confirmation"),
                Flag(None, "--dry-run", "bool", "Show what would be removed and the space it frees, remove nothing")),
         forms=("builder prune",),
         handler=buildcache.prune,
         engines="one",
         returns=Returns("A DataFrame of the build cache records removed (or that would be, with `--dry-run`); "
                         "`attrs` has the bytes reclaimed.")),
    Verb("import",
         usage="import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
         summary="Import the contents from a tarball to create a filesystem image",
         flags=(Flag("-c", "--change", "list", "Apply Dockerfile instruction to the created image"),
                Flag("-m", "--message", "str", "Set commit message for imported image"), _PLATFORM),
         positionals=(("source", "?"), ("reference", "?")),
         forms=("import", "image import"),
         handler=archive.import_,
         engines="one",
         returns=Returns("The new image's ID (a `str`).")),
    Verb("search",
         usage="search [OPTIONS] TERM",
         summary="Search Docker Hub (or a registry's v1 search API) for images",
         flags=(Flag("-f", "--filter", "list", "Filter output based on conditions provided (stars=N, "
                                               "is-official=BOOL)"),
                _FORMAT_LIST,
                Flag(None, "--limit", "int", "Max number of search results"),
                Flag(None, "--no-trunc", "bool", "Don't truncate output"),
                Flag(None, "--registry", "str", "Browse a registry's repositories instead (v2 catalog; TERM is a "
                                                "prefix)")),
         positionals=(("term", "?"),),
         forms=("search",),
         handler=search.search,
         returns=Returns("A DataFrame, one row per result (text with `--format`); with `--registry`, the registry's "
                         "repositories (`repository` column).",
                         (("name", "str", "the repository"), ("description", "str", "its description"),
                          ("stars", "int64", "its stars"), ("official", "bool", "whether it is an official image")))),
    Verb("tags",
         usage="tags [OPTIONS] REPOSITORY",
         summary="List a repository's tags in its registry, without pulling",
         flags=(Flag(None, "--no-trunc", "bool", "Don't truncate digests"),
                Flag(None, "--limit", "int", "Max number of tags")),
         positionals=(("repository", "?"),),
         forms=("tags", "image tags"),
         handler=search.tags,
         engines="none",
         returns=Returns("A DataFrame, one row per tag, read from the registry without pulling.",
                         (("repository", "str", "the repository"), ("tag", "str", "the tag"),
                          ("digest", "str", "the manifest's digest"),
                          ("compressed_size", "Int64", "bytes a pull downloads (config and compressed layers)"),
                          ("platforms", "str", "`os/arch` of each image in an index"),
                          ("created", "datetime64[UTC]", "the image config's creation time")))),
    Verb("build",
         usage="build [OPTIONS] PATH | %%docker build [OPTIONS] [PATH] (cell: the Dockerfile)",
         summary="Build an image from a Dockerfile",
         flags=(Flag("-t", "--tag", "list", "Name and optionally a tag in the 'name:tag' format"),
                Flag(None, "--build-arg", "list", "Set build-time variables"),
                Flag(None, "--label", "list", "Set metadata for an image"),
                Flag(None, "--target", "str", "Set the target build stage to build"),
                Flag(None, "--no-cache", "bool", "Do not use cache when building the image"),
                Flag(None, "--pull", "bool", "Always attempt to pull a newer version of the image"),
                _PLATFORM,
                Flag("-f", "--file", "str", "Name of the Dockerfile (default: 'PATH/Dockerfile')"),
                Flag(None, "--iidfile", "str", "Write the image ID to the file"),
                Flag("-q", "--quiet", "bool", "Suppress the build output and print image ID on success"),
                Flag(None, "--rm", "bool", "Remove intermediate containers after a successful build (default true)",
                     default=True),
                Flag(None, "--force-rm", "bool", "Always remove intermediate containers"),
                Flag(None, "--network", "str", "Set the networking mode for the RUN instructions during build "
                                               "(default: the "
                                           "engine's default network; 'none' on an engine without a bridge network)"),
                Flag(None, "--cache-from", "list", "External cache sources (e.g. 'user/app:cache')"),
                Flag(None, "--add-host", "list", "Add a custom host-to-IP mapping ('host:ip')"),
                Flag(None, "--shm-size", "str", "Shared memory size for RUN instructions (e.g. 64m)"),
                Flag(None, "--secret", "list", "Secret to expose to the build (needs a BuildKit session: refused "
                                               "here)"),
                Flag(None, "--ssh", "list", "SSH agent socket or keys to expose (needs a BuildKit session: refused "
                                            "here)"),
                Flag("-o", "--output", "list", "Output destination (needs a BuildKit session: refused here)")),
         positionals=(("path", "?"),),
         forms=("build", "image build", "builder build"),
         handler=build.build,
         engines="one",
         returns=Returns("The built image: a `str` of its ID with `tags`, `builder` and `steps` (a DataFrame: step, "
                         "name, cached, duration, error).")),
    Verb("layers",
         usage="layers [OPTIONS] IMAGE [IMAGE...]",
         summary="One row per layer per image, and which images share it",
         flags=(Flag(None, "--no-trunc", "bool", "Don't truncate digests and steps"),
                Flag(None, "--plot", "bool", "Draw the layer sizes (needs matplotlib)")),
         positionals=(("images", "*"),),
         forms=("layers", "image layers"),
         handler=usage.layers,
         image_args=("images",),
         returns=Returns("A DataFrame, one row per layer per image, base first.",
                         (("image", "str", "the image asked for"), ("layer", "str", "the layer's diff ID"),
                          ("size", "int64", "bytes the layer adds"), ("created_by", "str", "the step that made it"),
                          ("shared", "bool", "whether another given image holds it"),
                          ("shared_with", "list", "those images")))),
    Verb("diff",
         usage="image diff [OPTIONS] IMAGE_A IMAGE_B",
         summary="Shared and unique layers and bytes of two images",
         flags=(Flag(None, "--files", "bool", "Compare the two final filesystems file by file (content by sha256)"),
                Flag(None, "--packages", "bool", "Compare the two images' packages: added, removed, changed versions")),
         positionals=(("image_a", "?"), ("image_b", "?")),
         forms=("image diff",),
         handler=usage.diff,
         image_args=("image_a", "image_b"),
         returns=Returns("A DataFrame of the two images' layers with a `side` column (`both`, `A only`, `B only`); "
                         "with `--files`, one row per path that differs: `path, change, size_a, size_b, size_delta`; "
                         "with `--packages`, one row per package that differs: `type, name, version_a, version_b, "
                         "change` (added, removed, changed).")),
    Verb("files",
         usage="files [OPTIONS] IMAGE",
         summary="Every file of every layer of an image, read without running it",
         flags=(Flag(None, "--layer", "int", "Only this layer (0 = bottom, -1 = top)"),
                Flag(None, "--path", "str", "Only paths matching this glob (e.g. '/usr/lib/*' or '*.py')"),
                Flag(None, "--changes", "bool", "Leave out directories a layer lists again unchanged"),
                Flag(None, "--no-trunc", "bool", "Don't truncate layer IDs"),
                Flag(None, "--wasted", "bool", "Paths several layers hold or a later layer removes, with dive's "
                                               "efficiency"),
                Flag(None, "--lowest-efficiency", "str", "Fail when dive's image efficiency is below this (0 to 1)"),
                Flag(None, "--plot", "bool", "Draw the wasted space (with --wasted; needs matplotlib)")),
         positionals=(("image", "?"),),
         forms=("files", "image files"),
         handler=files.files,
         image_args=("image",),
         returns=Returns("A DataFrame, one row per entry per layer; with `--wasted`, one row per wasted path (`path, "
                         "layers, count, cumulative_size`) and dive's `efficiency` and `wasted_bytes` in `attrs`.",
                         (("layer", "int64", "0 is the bottom layer"), ("layer_id", "str", "the layer's diff ID"),
                          ("created_by", "str", "the step that made the layer"), ("path", "str", "the absolute path"),
                          ("type", "str", "file, dir, symlink, hardlink or other"), ("size", "int64", "bytes"),
                          ("mode", "str", "as `ls -l` shows it"),
                          ("change", "str", "added, modified, removed or unchanged")))),
    Verb("sbom",
         usage="sbom [OPTIONS] IMAGE [IMAGE...]",
         summary="The packages inside images, read without running them",
         flags=(Flag(None, "--type", "list", "Only these package types (deb, apk, rpm, python, npm, go-module, "
                                             "java-archive, conda; comma-separated or repeated)"),
                Flag("-a", "--all", "bool", "Every local image, once per image ID"),
                Flag(None, "--format", "str", "table (a DataFrame, the default), cyclonedx (CycloneDX 1.6 JSON) or "
                                              "spdx (SPDX 2.3 JSON)"),
                Flag("-o", "--output", "str", "Write the document to a file (with --format cyclonedx or spdx)")),
         positionals=(("images", "*"),),
         forms=("sbom", "image sbom"),
         handler=sbom.sbom,
         image_args=("images",),
         returns=Returns("A DataFrame, one row per package per image; `attrs` has each image's os-release (`os`) and "
                         "the packages per type (`counts`); with `--format cyclonedx` or `spdx`, the document (a "
                         "dict), written to a file with `-o`.",
                         (("image", "str", "the image asked for (with `--all`: its first tag, else its short ID)"),
                          ("image_id", "str", "the full image ID"),
                          ("type", "str", "syft's type: deb, apk, rpm, python, npm, go-module, java-archive, conda"),
                          ("name", "str", "the package's name"), ("version", "str", "its version"),
                          ("purl", "str", "its package URL"),
                          ("license", "str", "an SPDX expression where the metadata gives one, else the text found"),
                          ("layer", "int64", "the first layer that added it at that version (0 is the bottom "
                                             "layer)"),
                          ("layer_diff_id", "str", "that layer's diff ID"),
                          ("path", "str", "the file it was read from"),
                          ("arch", "str", "its architecture, where the ecosystem says"),
                          ("source", "str", "its source package, apk origin, or a Go module's main module")))),
    Verb("df",
         usage="df [OPTIONS]",
         summary="Disk usage of images (as 'docker system df' shows it)",
         flags=(Flag("-v", "--verbose", "bool", "Show one row per image"),
                Flag(None, "--plot", "bool", "Draw sizes by repository, shared versus unique (needs matplotlib)")),
         forms=("df", "system df"),
         handler=usage.df,
         returns=Returns("A DataFrame of `docker system df`'s rows (`type, total, active, size, reclaimable`); with "
                         "`-v`, "
                         "one row per image (`repository, tag, image_id, created, size, shared_size, unique_size, "
                         "containers`).")),
    Verb("context ls",
         usage="context ls",
         summary="List the Docker CLI's contexts (the current one is marked)",
         forms=("context ls", "context list"),
         handler=contexts.ls,
         engines="none",
         returns=Returns("A DataFrame: `name, description, docker_endpoint, current`.")),
    Verb("context use",
         usage="context use CONTEXT",
         summary="Set the current Docker CLI context (as 'docker context use')",
         positionals=(("name", "?"),),
         forms=("context use",),
         handler=contexts.use,
         engines="none",
         returns=Returns("A line saying which context is now current.")),
    Verb("login",
         usage="login [OPTIONS] [SERVER]",
         summary="Log in to a registry (no password: a form or a masked prompt)",
         flags=(Flag("-u", "--username", "str", "Username"),
                Flag("-p", "--password", "str", "Password (lands in the notebook and its history: prefer "
                                                "--password-file)"),
                Flag(None, "--password-stdin", "bool", "Take the password from a masked prompt"),
                Flag(None, "--password-file", "str", "Read the password or token from a file")),
         positionals=(("server", "?"),),
         forms=("login",),
         handler=transfer.login,
         engines="one",
         returns=Returns("A result with `server`, `username`, `status` and `stored_in` (never the secret).")),
    Verb("logout",
         usage="logout [SERVER]",
         summary="Log out from a registry",
         positionals=(("server", "?"),),
         forms=("logout",),
         handler=transfer.logout,
         engines="none",
         returns=Returns("A line saying what was removed.")),
    Verb("run",
         usage="run [OPTIONS] IMAGE [COMMAND] [ARG...] | %%docker run [OPTIONS] IMAGE (cell: the script)",
         summary="Create and run a new container from an image",
         flags=(Flag("-d", "--detach", "bool", "Run container in background and print container ID"),
                Flag(None, "--rm", "bool", "Automatically remove the container when it exits"),
                Flag(None, "--name", "str", "Assign a name to the container"),
                Flag("-e", "--env", "list", "Set environment variables"),
                Flag(None, "--env-file", "list", "Read in a file of environment variables"),
                Flag("-v", "--volume", "list", "Bind mount a volume"),
                Flag(None, "--mount", "list", "Attach a filesystem mount to the container"),
                Flag("-w", "--workdir", "str", "Working directory inside the container"),
                Flag("-u", "--user", "str", "Username or UID (format: <name|uid>[:<group|gid>])"),
                Flag(None, "--entrypoint", "str", "Overwrite the default ENTRYPOINT of the image"),
                Flag("-l", "--label", "list", "Set meta data on a container"),
                Flag(None, "--network", "str", "Connect a container to a network (default: the engine's default "
                                               "network; 'none' on an engine without a bridge network)"),
                _PLATFORM,
                Flag(None, "--pull", "str", 'Pull image before running ("always", "missing", "never") (default '
                                            '"missing")'),
                Flag("-p", "--publish", "list", "Publish a container's port(s) to the host"),
                Flag(None, "--cpus", "str", "Number of CPUs"),
                Flag("-m", "--memory", "str", "Memory limit"),
                Flag(None, "--gpus", "str", "GPU devices to add to the container ('all' to pass all GPUs)"),
                Flag(None, "--stop-timeout", "int", "Timeout (in seconds) to stop a container (also when Ctrl-C "
                                                    "stops it)"),
                Flag(None, "--shell", "str", "The shell that runs a %%docker run cell (default /bin/sh)"),
                Flag("-t", "--tty", "bool", "Allocate a pseudo-TTY (refused: a cell has no terminal)"),
                Flag("-i", "--interactive", "bool", "Keep STDIN open (refused: a cell has no standard input)")),
         positionals=(("image", "?"), ("command", "*")),
         forms=("run", "container run"),
         handler=run_command.run,
         image_args=("image",),
         engines="one",
         interspersed=False,
         returns=Returns("A result with `exit_code`, `container_id`, `stdout` and `stderr` (the last 8 MiB of each; "
                         "`stdout_dropped`/`stderr_dropped` count what came before) and `removed`; the output streams "
                         "into the cell as it comes. A non-zero exit is one line (the error's `result` keeps the "
                         "run). With `-d`: the container's ID (a `str`) with `logs()`, `stop()` and `remove()`.")),
    Verb("ps",
         usage="ps [OPTIONS]",
         summary="List containers",
         flags=(Flag("-a", "--all", "bool", "Show all containers (default shows just running)"),
                Flag("-f", "--filter", "list", "Filter output based on conditions provided"),
                _FORMAT_LIST,
                Flag("-n", "--last", "int", "Show n last created containers (includes all states)"),
                Flag("-l", "--latest", "bool", "Show the latest created container (includes all states)"),
                Flag(None, "--no-trunc", "bool", "Don't truncate output"),
                Flag("-q", "--quiet", "bool", "Only display container IDs"),
                Flag("-s", "--size", "bool", "Display total file sizes")),
         forms=("ps", "container ls", "container list", "container ps"),
         handler=container_commands.ps,
         returns=Returns("A DataFrame, one row per container, newest first (a list of IDs with `-q`, text with "
                         "`--format`).",
                         (("container_id", "str", "12 characters, or the full ID with `--no-trunc`"),
                          ("image", "str", "the image, as the container was created from it"),
                          ("command", "str", "the command, cut to 20 characters as the CLI shows it (whole with "
                                             "`--no-trunc`)"),
                          ("created", "datetime64[UTC]", "when the container was created"),
                          ("status", "str", "the engine's status (`Up 3 seconds`, `Exited (0) 2 minutes ago`)"),
                          ("ports", "str", "published ports (`0.0.0.0:8080->80/tcp`)"),
                          ("names", "str", "the container's names"),
                          ("size", "int64", "with `-s`: bytes of the container's writable layer"),
                          ("virtual_size", "int64", "with `-s`: bytes of the writable layer and the image")))),
    Verb("logs",
         usage="logs [OPTIONS] CONTAINER",
         summary="Fetch the logs of a container",
         flags=(Flag("-f", "--follow", "bool", "Follow log output (into the cell, until the container stops or "
                                               "Ctrl-C)"),
                Flag(None, "--since", "str", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative "
                                             "(e.g. 42m)"),
                Flag("-n", "--tail", "str", 'Number of lines to show from the end of the logs (default "all")'),
                Flag("-t", "--timestamps", "bool", "Show timestamps")),
         positionals=(("container", "?"),),
         forms=("logs", "container logs"),
         handler=container_commands.logs,
         engines="one",
         container_args=("container",),
         returns=Returns("A result with `stdout` and `stderr` (the last 8 MiB of each); with `-f`, written into the "
                         "cell as it comes, until the container stops.")),
    Verb("stop",
         usage="stop [OPTIONS] CONTAINER [CONTAINER...]",
         summary="Stop one or more running containers",
         flags=(Flag("-t", "--time", "int", "Seconds to wait before killing the container"),),
         positionals=(("containers", "*"),),
         forms=("stop", "container stop"),
         handler=container_commands.stop,
         engines="one",
         container_args=("containers",),
         returns=Returns("The containers stopped, one per line, as the CLI prints them.")),
    Verb("rm",
         usage="rm [OPTIONS] CONTAINER [CONTAINER...]",
         summary="Remove one or more containers (images: rmi)",
         flags=(Flag("-f", "--force", "bool", "Force the removal of a running container (uses SIGKILL)"),
                Flag("-v", "--volumes", "bool", "Remove anonymous volumes associated with the container")),
         positionals=(("containers", "*"),),
         forms=("rm", "container rm", "container remove"),
         handler=container_commands.rm,
         engines="one",
         container_args=("containers",),
         returns=Returns("The containers removed, one per line, as the CLI prints them.")),
    Verb("container prune",
         usage="container prune [OPTIONS]",
         summary="Remove all stopped containers",
         flags=(Flag(None, "--filter", "list", "Provide filter values (e.g. 'until=<timestamp>', "
                                               "'label=<key>=<value>')"),
                Flag("-f", "--force", "bool", "Do not prompt for confirmation"),
                Flag(None, "--dry-run", "bool", "Show what would be removed and the space it frees, remove nothing")),
         forms=("container prune",),
         handler=container_commands.prune,
         engines="one",
         returns=Returns("A DataFrame of the removed container IDs (`container_id`) with the bytes reclaimed in "
                         "`attrs` (with `--dry-run` or before confirming: the `ps -a -s` rows of what would go).")),
    Verb("commit",
         usage="commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
         summary="Create a new image from a container's changes",
         flags=(Flag("-a", "--author", "str", 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")'),
                Flag("-c", "--change", "list", "Apply Dockerfile instruction to the created image"),
                Flag("-m", "--message", "str", "Commit message"),
                Flag("-p", "--pause", "bool", "Pause container during commit (default true)", default=True)),
         positionals=(("container", "?"), ("reference", "?")),
         forms=("commit", "container commit"),
         handler=container_commands.commit,
         engines="one",
         container_args=("container",),
         returns=Returns("The new image's ID (a `str`).")),
)

GLOBAL_FLAGS: tuple[Flag, ...] = (
    Flag("-H", "--host", "list", "Daemon socket to connect to (repeatable)"),
    Flag("-c", "--context", "str", "Name of the context to use to connect to the daemon"),
    Flag(None, "--config", "str", "Location of client config files"),
    Flag("-D", "--debug", "bool", "Enable debug mode"),
    Flag("-l", "--log-level", "str", "Set the logging level"),
    Flag(None, "--tls", "bool", "Use TLS; implied by --tlsverify"),
    Flag(None, "--tlscacert", "str", "Trust certs signed only by this CA"),
    Flag(None, "--tlscert", "str", "Path to TLS certificate file"),
    Flag(None, "--tlskey", "str", "Path to TLS key file"),
    Flag(None, "--tlsverify", "bool", "Use TLS and verify the remote"),
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


def _add_flags(parser: argparse.ArgumentParser, flags: tuple[Flag, ...]) -> None:
    for flag in flags:
        if flag.boolean:
            parser.add_argument(*flag.names, dest=flag.dest, action="store_true", default=flag.default,
                                help=flag.help)
        elif flag.kind == "list":
            parser.add_argument(*flag.names, dest=flag.dest, action="append", default=[], metavar="VALUE",
                                help=flag.help)
        elif flag.kind == "int":
            parser.add_argument(*flag.names, dest=flag.dest, type=int, metavar="INT", help=flag.help)
        else:
            parser.add_argument(*flag.names, dest=flag.dest, metavar="STRING", help=flag.help)


def _bool_flags(flags: tuple[Flag, ...]) -> dict[str, str]:
    """Map every spelling of a boolean flag to its dest."""
    return {name: flag.dest for flag in flags if flag.boolean for name in flag.names}


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
            parsed = go_bool(value)
            if parsed is None:
                raise UsageError(f'invalid argument "{value}" for "{token}" flag: parse error',
                                 hint="Boolean flags take true or false.")
            explicit[bools[name]] = parsed
        else:
            rest.append(token)
    return rest, explicit


def _parse_flags(parser: _Parser, argv: list[str], flags: tuple[Flag, ...]) -> dict[str, Any]:
    argv, explicit = _split_bool_values(argv, flags)
    namespace, extra = parser.parse_known_args(argv)
    if extra:
        _unknown(extra[0], flags, parser.verb_label)
    return {**vars(namespace), **explicit}


def _unknown(token: str, flags: tuple[Flag, ...], label: str) -> None:
    names = [n for f in flags for n in f.names]
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
    return "\n".join(lines + returns_help(verb.returns))


def _flag_line(flag: Flag) -> str:
    names = f"{flag.short + ', ' if flag.short else '    '}{flag.long}"
    value = {"str": " string", "list": " list", "int": " int"}.get(flag.kind, "")
    return f"  {names + value:<26}  {flag.help}"  # at least two spaces, also after a long flag


def split(line: str) -> list[str]:
    """Split a command line like a POSIX shell (quotes removed, ``{{ }}`` templates kept whole)."""

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
    takes_value = {n for f in GLOBAL_FLAGS if not f.boolean for n in f.names}
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
            names = [n for f in GLOBAL_FLAGS for n in f.names]
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
    tail: list[str] | None = None
    if not verb.interspersed:
        rest, tail = _split_at_positional(rest, verb.flags)
    if "--help" in rest or ("-h" in rest and "-h" not in _short_names(verb)):
        return Command(verb.name, {}, help=help_text(verb), **common)
    options = _parse_flags(parser_for(verb), rest, verb.flags)
    if tail is not None:  # run IMAGE COMMAND...: the image, then the command as it was written
        first, second = (name for name, _ in verb.positionals)
        options[first], options[second] = (tail[0] if tail else None), tail[1:]
    return Command(verb.name, options, **common)


def _split_at_positional(argv: list[str], flags: tuple[Flag, ...]) -> tuple[list[str], list[str]]:
    """Cut ``argv`` at its first positional, as pflag does for ``docker run`` (SetInterspersed(false)): the flags
    before it, and the positional with everything after it (the container's command and its own flags)."""
    takes_value = {n for f in flags if not f.boolean for n in f.names}
    index = 0
    while index < len(argv):
        token = argv[index]
        if token == "--":
            return argv[:index], argv[index + 1:]
        if not token.startswith("-") or token == "-":
            break
        if token.startswith("--"):
            index += 2 if token in takes_value else 1  # --name=x is one token
            continue
        # -e X, -eX, -de X: the first short flag that takes a value takes the rest of the token or the next one.
        for position, letter in enumerate(token[1:], start=1):
            if f"-{letter}" in takes_value:
                index += 1 if position < len(token) - 1 else 2
                break
        else:
            index += 1
    return argv[:index], argv[index:]


def _no_nul(argv: list[str]) -> None:
    """No command line can carry a NUL byte (nor can a file name hold one): refuse it here, in one line,
    before it reaches a path (``-o``, ``-i``, ``--password-file``, ``--iidfile``) as a ValueError."""
    for arg in argv:
        if "\x00" in arg:
            shown = arg if len(arg) <= 60 else arg[:57] + "..."
            raise UsageError(f"The argument {shown!r} holds a NUL byte, which no command line or file name can hold",
                             hint="To fix it, remove the NUL byte (\\x00).")


def _short_names(verb: Verb) -> set[str]:
    return {f.short for f in verb.flags if f.short}


def verb_named(name: str) -> Verb:
    """The Verb whose canonical name is ``name``."""
    return next(v for v in VERBS if v.name == name)
