"""The build context: a folder as a tar for the engine, minus what ``.dockerignore`` excludes, as Docker does it.

The rules are moby's (``patternmatcher`` and ``archive.TarWithOptions``, which the Docker CLI uses):

* ``.dockerignore`` lines starting with ``#`` are comments; blank lines are skipped; each pattern is cleaned like
  Go's ``filepath.Clean`` and a leading ``/`` is dropped (patterns are relative to the context);
* ``*`` and ``?`` never cross a ``/``; ``**`` matches any number of folders (zero included); ``[a-z]`` classes;
  ``\\`` escapes the next character;
* a pattern that matches a folder excludes everything below it; ``!pattern`` re-includes, the last match wins;
* the Dockerfile and the ``.dockerignore`` themselves are always sent (the engine reads them).

The tar is written to an anonymous temporary file, so a large context never sits in memory and nothing is
left behind if the build is interrupted. Entries belong to uid/gid 0 like the CLI's, so the engine's build
cache treats a context sent from here and one sent by ``docker build`` alike.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ...errors import DockerMagicError, UsageError

#: The name the cell's Dockerfile gets in the context (with a suffix if the context holds that name).
CELL_DOCKERFILE = ".dockerfile.docker_magics"
_ESCAPE = set(".+()|{}$")


def go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` on a slash path (Python's normpath keeps a leading ``//``)."""
    cleaned = posixpath.normpath(path) if path else "."
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


def read_dockerignore(text: str) -> list[str]:
    """The patterns of a ``.dockerignore``, as moby's ``ignorefile.ReadAll`` reads them."""
    patterns: list[str] = []
    for number, line in enumerate(text.splitlines()):
        if number == 0:
            line = line.removeprefix("\ufeff")
        if line.startswith("#"):  # a comment only when '#' is the very first character
            continue
        pattern = line.strip()
        if not pattern:
            continue
        invert = pattern.startswith("!")
        if invert:
            pattern = pattern[1:].strip()
        if pattern:
            pattern = go_clean(pattern)
            if len(pattern) > 1 and pattern.startswith("/"):
                pattern = pattern[1:]
        patterns.append("!" + pattern if invert else pattern)
    return patterns


class Pattern:
    """One ``.dockerignore`` pattern, compiled the way ``patternmatcher.Pattern.compile`` does it."""

    def __init__(self, text: str) -> None:
        self.exclusion = text.startswith("!")
        self.text = text[1:] if self.exclusion else text
        self.kind, self.regex = _compile(self.text)

    def match(self, path: str) -> bool:
        """Whether the slash path matches (no parent folders considered)."""
        if self.kind == "exact":
            return path == self.text
        if self.kind == "prefix":
            return path.startswith(self.text[:-2])
        if self.kind == "suffix":
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        return bool(self.regex.match(path))


def _compile(pattern: str) -> tuple[str, re.Pattern[str] | None]:
    """The match kind (exact, prefix, suffix, regexp) and regexp of a cleaned pattern; ValueError if malformed."""
    _check_syntax(pattern)
    regex, kind, i, n = "^", "exact", 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if pattern.startswith("**", i):
            first = i == 0
            i += 2
            if i < n and pattern[i] == "/":  # "**/" is "**"
                i += 1
            if i < n:
                regex, kind = regex + "(.*/)?", "regexp"
            elif kind == "exact":  # "**" at the end matches everything below
                kind = "prefix"
            else:
                regex, kind = regex + ".*", "regexp"
            if first:
                kind = "suffix"
            continue
        if ch == "*":
            regex, kind = regex + "[^/]*", "regexp"
        elif ch == "?":
            regex, kind = regex + "[^/]", "regexp"
        elif ch in _ESCAPE:
            regex += "\\" + ch
        elif ch == "\\":
            if i + 1 < n:
                regex, kind, i = regex + "\\" + pattern[i + 1], "regexp", i + 1
            else:
                regex += "\\"
        elif ch in "[]":
            regex, kind = regex + ch, "regexp"
        else:
            regex += ch
        i += 1
    if kind != "regexp":
        return kind, None
    try:
        return kind, re.compile(regex + "$", re.DOTALL)
    except re.error:
        raise ValueError("syntax error in pattern") from None


def _check_syntax(pattern: str) -> None:
    """Reject what Go's ``filepath.Match`` calls a bad pattern (moby checks every pattern with it)."""
    i, n = 0, len(pattern)

    def char(at: int) -> tuple[str, int]:
        if at >= n or pattern[at] in "-]":
            raise ValueError("syntax error in pattern")
        if pattern[at] == "\\":
            at += 1
            if at >= n:
                raise ValueError("syntax error in pattern")
        return pattern[at], at + 1

    while i < n:
        if pattern[i] == "\\":
            if i + 1 >= n:
                raise ValueError("syntax error in pattern")
            i += 2
        elif pattern[i] == "[":
            i += 1 + (i + 1 < n and pattern[i + 1] == "^")
            ranges = 0
            while not (i < n and pattern[i] == "]" and ranges):
                low, i = char(i)
                if i < n and pattern[i] == "-":
                    high, i = char(i + 1)
                    if high < low:
                        raise ValueError("syntax error in pattern")
                ranges += 1
            i += 1
        else:
            i += 1


class Matcher:
    """A list of patterns; whether a path is excluded, as ``MatchesUsingParentResults`` decides it."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns: list[Pattern] = []
        for text in patterns:
            text = text.strip()
            if not text:
                continue
            text = go_clean(text)
            if text == "!":
                raise ValueError('illegal exclusion pattern: "!"')
            self.patterns.append(Pattern(text))
        self.exclusions = any(p.exclusion for p in self.patterns)

    def excluded(self, path: str, parent: list[bool] | None = None) -> tuple[bool, list[bool]]:
        """Whether ``path`` (a slash path) is excluded, and its per-pattern results for its children.

        Args:
            path: relative to the context, e.g. ``src/app.py``.
            parent: what this returned for the parent folder (None at the top or when unknown).
        """
        matched, results = False, []
        for index, pattern in enumerate(self.patterns):
            match = bool(parent and parent[index])
            if not match and pattern.exclusion == matched:
                match = pattern.match(path)
                if not match and parent is None and "/" in path:
                    parts = path.split("/")[:-1]
                    match = any(pattern.match("/".join(parts[:k + 1])) for k in range(len(parts)))
            results.append(match)
            if match:
                matched = not pattern.exclusion
        return matched, results

    def keeps_folder(self, folder: str) -> bool:
        """Whether an excluded folder must still be walked, because an exception names something inside it."""
        return any(p.exclusion and (p.text + "/").startswith(folder + "/") for p in self.patterns)


def walk(root: Path, matcher: Matcher) -> Iterator[tuple[str, str]]:
    """What goes into the context: (path, slash path relative to ``root``), in ``TarWithOptions``' order.

    Folders come before their contents, names in byte order; symbolic links are sent as links. An excluded
    folder is skipped whole unless an exception (``!pattern``) names something inside it.
    """

    def visit(folder: str, prefix: str, parent: list[bool] | None) -> Iterator[tuple[str, str]]:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as exc:
            raise _unreadable(prefix.rstrip("/") or ".", exc) from None
        for entry in entries:
            rel = prefix + entry.name
            excluded, results = matcher.excluded(rel, parent)
            is_dir = entry.is_dir(follow_symlinks=False)
            if not excluded:
                yield entry.path, rel
            if is_dir and (not excluded or (matcher.exclusions and matcher.keeps_folder(rel))):
                yield from visit(entry.path, rel + "/", results)

    yield from visit(str(root), "", None)


def _unreadable(rel: str, exc: OSError) -> DockerMagicError:
    return DockerMagicError(f"Cannot read '{rel}' for the build context: {exc.strerror or exc}.",
                            hint="To fix it, make it readable, or exclude it in .dockerignore.")


@dataclass
class Context:
    """A build context ready to send: an anonymous temporary tar file and the Dockerfile's name inside it."""

    file: BinaryIO
    dockerfile: str
    size: int

    def close(self) -> None:
        """Delete the temporary tar (it has no name on disk, so closing it is enough)."""
        self.file.close()


def prepare(root: Path, *, dockerfile_text: str | None = None, dockerfile: Path | None = None) -> Context:
    """Write the context of ``root`` as a tar, the way ``docker build`` sends it.

    Args:
        root: the context folder.
        dockerfile_text: a Dockerfile that is not a file (a ``%%docker build`` cell); it goes into the tar
            under a name no file of the context has, and that name is added to the ``.dockerignore`` the
            engine sees, so ``COPY . /app`` does not copy it.
        dockerfile: the Dockerfile's path when it is a file (default ``root/Dockerfile``); one outside the
            context is sent like a cell's.

    Raises:
        UsageError: ``root`` or the Dockerfile does not exist, or ``.dockerignore`` has a bad pattern.
        DockerMagicError: a file of the context cannot be read.
    """
    if not root.is_dir():
        raise UsageError(f"unable to prepare context: path '{root}' not found",
                         hint="Give an existing folder as PATH (relative to the notebook's folder).")
    ignore = root / ".dockerignore"
    ignore_text = ignore.read_text(errors="replace") if ignore.is_file() else None
    patterns = read_dockerignore(ignore_text or "")
    name = None
    if dockerfile_text is None:
        path = dockerfile or root / "Dockerfile"
        if path.is_dir():
            raise UsageError(f"Cannot use '{path}' as the Dockerfile: it is a directory",
                             hint=f"To fix it, give the Dockerfile's own path, e.g. -f {path / 'Dockerfile'}.")
        if not path.is_file():
            raise UsageError(f"Cannot locate the Dockerfile: '{path}' does not exist",
                             hint="Give its path with -f, or write the Dockerfile in a %%docker build cell.")
        inside = os.path.relpath(path.resolve(), root.resolve())
        if inside.startswith(".."):
            dockerfile_text = path.read_text(errors="replace")
        else:
            name = Path(inside).as_posix()
    extra: list[tuple[str, bytes, tarfile.TarInfo | None]] = []
    if name is None:
        name = _free_name(root)
        # The engine drops from the context what .dockerignore names: the Dockerfile, and .dockerignore
        # itself when we had to create it.
        lines = (ignore_text or "").rstrip("\n") + "\n" if ignore_text else ".dockerignore\n"
        extra = [(name, (dockerfile_text or "").encode(), None), (".dockerignore", (lines + name + "\n").encode(),
                 None if ignore_text is None else _info(ignore, ".dockerignore"))]
    patterns += ["!.dockerignore", "!" + name]
    try:
        matcher = Matcher(patterns)
    except ValueError as exc:
        raise UsageError(f"The .dockerignore of '{root}' has a bad pattern: {exc}",
                         hint="Fix that line of .dockerignore (see the .dockerignore rules of Docker).") from None
    skip = {entry for entry, _, _ in extra}
    file = tempfile.TemporaryFile()  # noqa: SIM115 -- the caller owns it (Context.close)
    try:
        _write(file, ((p, r) for p, r in walk(root, matcher) if r not in skip), extra)
        size = file.tell()
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return Context(file, name, size)


def _free_name(root: Path) -> str:
    name, number = CELL_DOCKERFILE, 0
    while (root / name).exists() or (root / name).is_symlink():
        number += 1
        name = f"{CELL_DOCKERFILE}-{number}"
    return name


def _info(path: Path, arcname: str) -> tarfile.TarInfo | None:
    with tarfile.open(fileobj=io.BytesIO(), mode="w") as scratch:
        return scratch.gettarinfo(str(path), arcname=arcname)


def _write(file: BinaryIO, entries: Iterator[tuple[str, str]],
           extra: list[tuple[str, bytes, tarfile.TarInfo | None]]) -> None:
    start = file.tell()
    with tarfile.open(fileobj=file, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path, rel in entries:
            try:
                info = tar.gettarinfo(path, arcname=rel)
                if info is None:  # a socket: the CLI skips those too
                    continue
                _own_by_root(info)
                if info.isreg():
                    with open(path, "rb") as content:
                        tar.addfile(info, content)
                else:
                    tar.addfile(info)
            except OSError as exc:
                raise _unreadable(rel, exc) from None
        for name, data, template in extra:
            info = template or tarfile.TarInfo(name)
            info.name, info.size, info.type = name, len(data), tarfile.REGTYPE
            if template is None:
                info.mode, info.mtime = 0o600, int(time.time())
            _own_by_root(info)
            tar.addfile(info, io.BytesIO(data))
    # Python pads the archive to a 10 KiB record, Go does not: send what the CLI would.
    file.truncate(start + tar.offset)
    file.seek(start + tar.offset)


def _own_by_root(info: tarfile.TarInfo) -> None:
    # As the CLI does (ChownOpts 0:0, no user names): the build cache then sees the same files.
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.mtime = int(info.mtime)
