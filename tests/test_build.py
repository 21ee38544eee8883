"""Pure logic of builds: .dockerignore as moby reads and matches it, the context tar, the log, the messages."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from docker_magics.commands.build import _build_args, _labels, _Log, _step_error
from docker_magics.engine.build import context as buildcontext
from docker_magics.engine.build.classic import refused
from docker_magics.engine.build.context import Matcher, go_clean, prepare, read_dockerignore, walk
from docker_magics.errors import BuildError, RegistryAuthError, StreamError, UsageError
from docker_magics.views.progress import NoProgress
from docker_magics.views.results import BuiltImage


def test_read_dockerignore_like_ignorefile_readall():
    text = "\ufeff# comment\n  # not a comment\n\n*.log  \n! keep.log\n/abs/path/\n./x/../y\n//root\n!/z\n"
    assert read_dockerignore(text) == ["# not a comment", "*.log", "!keep.log", "abs/path", "y", "root", "!z"]


@pytest.mark.parametrize(("path", "clean"), [("a//b/", "a/b"), ("./a", "a"), ("", "."), ("//x", "/x"),
                                             ("a/../..", "..")])
def test_go_clean(path, clean):
    assert go_clean(path) == clean


CASES = [
    # (patterns, path, excluded)
    (["*.log"], "a.log", True),
    (["*.log"], "dir/a.log", False),  # '*' never crosses '/'
    (["**/*.log"], "dir/sub/a.log", True),
    (["**/*.log"], "a.log", True),  # '**/' matches zero folders
    (["**"], "anything/at/all", True),
    (["docs/**"], "docs/a/b.md", True),
    (["docs/**"], "docs", False),
    (["docs"], "docs/a/b.md", True),  # a folder's pattern covers what it holds
    (["a/b"], "a/b/c/d", True),
    (["a/b", "!a/b/c"], "a/b/c/d", False),
    (["a/b", "!a/b/c"], "a/b/x", True),
    (["*", "!keep"], "keep", False),
    (["*", "!keep"], "keep/inner", False),
    (["!keep", "*"], "keep", True),  # the last match wins
    (["a?c"], "abc", True),
    (["a?c"], "a/c", False),
    (["[a-c]x"], "bx", True),
    (["[!a]x"], "!x", True),  # '[!...]' is a class holding '!' (Go's regexp), not a negation
    (["[^a]x"], "bx", True),
    (["we$ird.(1)"], "we$ird.(1)", True),
    (["a.b"], "aXb", False),
    (["\\*"], "*", True),
    (["\\*"], "x", False),
    (["**foo"], "barfoo", True),  # moby's suffix match
    (["foo**"], "foobar/x", True),  # moby's prefix match
    (["a/**/b"], "a/b", True),
    (["a/**/b"], "a/x/y/b", True),
    (["a/**/b"], "a/x/yb", False),
    (["a/b", "!a"], "a/b", True),  # MatchesUsingParentResults: the exception was skipped for the folder
]


@pytest.mark.parametrize(("patterns", "path", "excluded"), CASES)
def test_matcher(patterns, path, excluded):
    matcher = Matcher(patterns)
    parent = None
    parts = path.split("/")
    for depth in range(1, len(parts)):  # walk down like TarWithOptions, folder by folder
        _, parent = matcher.excluded("/".join(parts[:depth]), parent)
    assert matcher.excluded(path, parent)[0] is excluded


@pytest.mark.parametrize("pattern", ["[", "a\\", "[]a]", "[z-a]", "!"])
def test_bad_patterns(pattern):
    with pytest.raises(ValueError):
        Matcher([pattern])


def make_tree(root: Path, names: list[str]) -> None:
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)


def test_walk_descends_into_excluded_folders_only_for_exceptions(tmp_path):
    make_tree(tmp_path, ["a/b/c/z", "a/b/y", "a/x", "n/m/i", "top"])
    rels = [rel for _, rel in walk(tmp_path, Matcher(["a/b", "!a/b/c", "n"]))]
    assert rels == ["a", "a/b/c", "a/b/c/z", "a/x", "top"]


def tar_names(context) -> dict[str, tarfile.TarInfo]:
    return {m.name.rstrip("/"): m for m in tarfile.open(fileobj=context.file)}


def test_prepare_a_folder_keeps_dockerfile_and_dockerignore(tmp_path):
    make_tree(tmp_path, ["Dockerfile", "src/app.py", "x.log"])
    (tmp_path / ".dockerignore").write_text("*\n")
    context = prepare(tmp_path)
    try:
        names = tar_names(context)
        assert set(names) == {".dockerignore", "Dockerfile"}
        assert context.dockerfile == "Dockerfile"
        assert {(m.uid, m.gid, m.uname, m.gname) for m in names.values()} == {(0, 0, "", "")}
        assert context.size == 4 * 512 + 1024  # two headers, two data blocks, the end: no 10 KiB padding
    finally:
        context.close()


def test_prepare_a_cell_adds_it_under_a_free_name_that_dockerignore_excludes(tmp_path):
    make_tree(tmp_path, ["app.txt", buildcontext.CELL_DOCKERFILE])
    context = prepare(tmp_path, dockerfile_text="FROM scratch\n")
    try:
        names = tar_names(context)
        name = buildcontext.CELL_DOCKERFILE + "-1"
        assert context.dockerfile == name
        assert set(names) == {"app.txt", buildcontext.CELL_DOCKERFILE, name, ".dockerignore"}
        context.file.seek(0)
        with tarfile.open(fileobj=context.file) as read:
            assert read.extractfile(name).read() == b"FROM scratch\n"
            assert read.extractfile(".dockerignore").read() == f".dockerignore\n{name}\n".encode()
    finally:
        context.close()


def test_prepare_a_cell_appends_to_the_users_dockerignore(tmp_path):
    make_tree(tmp_path, ["keep.txt"])
    (tmp_path / ".dockerignore").write_text("*.log")
    context = prepare(tmp_path, dockerfile_text="FROM scratch\n")
    try:
        with tarfile.open(fileobj=context.file) as read:
            assert read.extractfile(".dockerignore").read() == f"*.log\n{buildcontext.CELL_DOCKERFILE}\n".encode()
    finally:
        context.close()


def test_prepare_a_dockerfile_outside_the_context_is_sent_like_a_cell(tmp_path):
    make_tree(tmp_path, ["ctx/a.txt", "elsewhere/Dockerfile"])
    context = prepare(tmp_path / "ctx", dockerfile=tmp_path / "elsewhere" / "Dockerfile")
    try:
        assert context.dockerfile == buildcontext.CELL_DOCKERFILE
    finally:
        context.close()


def test_prepare_errors(tmp_path):
    with pytest.raises(UsageError, match=r"unable to prepare context: path '.*/nosuch' not found"):
        prepare(tmp_path / "nosuch")
    with pytest.raises(UsageError, match="Cannot locate the Dockerfile"):
        prepare(tmp_path)
    (tmp_path / ".dockerignore").write_text("[\n")
    with pytest.raises(UsageError) as info:
        prepare(tmp_path, dockerfile_text="FROM scratch\n")
    assert info.value.line() == (f"The .dockerignore of '{tmp_path}' has a bad pattern: syntax error in pattern. "
                                 "Fix that line of .dockerignore (see the .dockerignore rules of Docker).")


class Recorder(NoProgress):
    def __init__(self) -> None:
        super().__init__("t")
        self.lines: list[str] = []
        self.steps: list[tuple[int, int, str]] = []

    def log(self, line: str) -> None:
        self.lines.append(line)

    def step(self, number: int, total: int, text: str) -> None:
        self.steps.append((number, total, text))


def test_log_joins_chunks_into_lines_and_follows_steps():
    progress = Recorder()
    log = _Log(progress)
    for chunk in ["Step 1/2 : FROM x", "\n", " ---> abc\n", "Step 2/2 : RUN echo a", "\n", "par", "tial\r\nnext\n",
                  "Successfully built 0123456789ab\n", "tail"]:
        log.feed(chunk)
    log.flush()
    assert progress.lines == ["Step 1/2 : FROM x", " ---> abc", "Step 2/2 : RUN echo a", "partial", "next",
                              "Successfully built 0123456789ab", "tail"]
    assert progress.steps == [(1, 2, "Step 1/2 : FROM x"), (2, 2, "Step 2/2 : RUN echo a")]
    assert log.step == (2, 2, "RUN echo a")
    assert log.built == "0123456789ab"
    assert log.step_lines[0] == "Step 2/2 : RUN echo a"


def test_step_error_messages():
    event = {"errorDetail": {"code": 3, "message": "The command '/bin/sh -c exit 3' returned a non-zero code: 3"},
             "error": "The command '/bin/sh -c exit 3' returned a non-zero code: 3"}
    error = _step_error(StreamError("x"), event, (3, 4, "RUN exit 3"))
    assert isinstance(error, BuildError)
    assert error.line() == ("Step 3/4 (RUN exit 3) failed with exit code 3. "
                            "Fix the Dockerfile line and run the cell again.")
    assert error.engine_text == event["error"]
    no_code = {"error": "COPY failed: file not found"}
    assert _step_error(StreamError("x"), no_code, (2, 2, "COPY a /b")).line() == (
        "Step 2/2 (COPY a /b) failed: COPY failed: file not found. Fix the Dockerfile line and run the cell again.")
    long = "RUN " + "x" * 100
    assert "(RUN " + "x" * 55 + "…)" in _step_error(StreamError("x"), no_code, (1, 1, long)).line()
    auth = _step_error(RegistryAuthError("x", hint="Log in first."), {"error": "pull access denied"},
                       (1, 2, "FROM r/x"))
    assert isinstance(auth, RegistryAuthError)
    assert auth.line() == "Step 1/2 (FROM r/x) failed: pull access denied. Log in first."


class FakeAPIError(Exception):
    def __init__(self, status: int, explanation: str) -> None:
        super().__init__(explanation)
        self.explanation = explanation
        self.response = type("R", (), {"status_code": status})()


def test_refused_messages():
    assert refused(FakeAPIError(400, "dockerfile parse error line 2: unknown instruction: FORM")).line() == (
        "The Dockerfile does not parse: dockerfile parse error line 2: unknown instruction: FORM. "
        "Fix that line and run the cell again.")
    assert refused(FakeAPIError(400, "the Dockerfile (x) cannot be empty")).line() == (
        "The Dockerfile is empty. Write it, starting with a FROM line.")
    target_hint = "Name a stage of the Dockerfile (FROM IMAGE AS NAME) with --target."
    assert refused(FakeAPIError(400, "failed to reach build target x in Dockerfile")).line().endswith(target_hint)
    assert refused(FakeAPIError(400, 'target stage "x" could not be found')).line() == (  # Engine 26
        f'The engine refused the build: target stage "x" could not be found. {target_hint}')
    assert refused(FakeAPIError(500, "boom")) is None


def test_built_image_is_its_id_with_tags():
    image = BuiltImage("sha256:" + "ab" * 32, ("x:1",))
    assert image == "sha256:" + "ab" * 32 and image.id == image and image.short_id == "ab" * 6
    assert repr(image) == f"BuiltImage('sha256:{'ab' * 32}', tags=['x:1'])"
    out = io.StringIO()
    from IPython.lib.pretty import RepresentationPrinter

    printer = RepresentationPrinter(out)
    printer.pretty(image)
    printer.flush()
    assert out.getvalue() == f"Built {'ab' * 6} (x:1)"


def test_build_args_and_labels(monkeypatch):
    monkeypatch.setenv("FROM_ENV", "env-value")
    monkeypatch.delenv("UNSET_ARG", raising=False)
    assert _build_args(["A=1", "B=", "C=x=y", "FROM_ENV", "UNSET_ARG"]) == {
        "A": "1", "B": "", "C": "x=y", "FROM_ENV": "env-value", "UNSET_ARG": None}
    assert _labels(["team=data", "flag"]) == {"team": "data", "flag": ""}
    with pytest.raises(UsageError):
        _labels(["=x"])
