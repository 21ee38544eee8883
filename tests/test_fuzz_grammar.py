"""Any line whatsoever ends in a result or in one DockerMagicError line, never another exception.

Two properties over the whole grammar (every verb form of the table, its flags, unknown flags, values with
quotes, braces, ``$``, unicode and Go templates):

* parsing: ``grammar.parse(expand(line))`` for every verb, including those that change state;
* running: the magic itself on the real sandbox engine for the verbs that only read (listings,
  inspection, templates); verbs that write, delete, log in or reach the network are parsed only.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docker_magics import grammar
from docker_magics.errors import DockerMagicError
from docker_magics.expand import expand

NAMESPACE = {"x": "dmtest/app:1.0", "ids": ["dmtest/tiny:1.0", "dmtest/app:2.0"], "n": 3, "s": "a b 'c'"}

# Read-only verbs: safe to run for real, fast, no network beyond the local engine.
READ_ONLY = {"images", "image ls", "image list", "inspect", "image inspect", "history", "image history",
             "layers", "image layers", "image diff", "diff", "df", "system df", "context ls"}
RUN_FORMS = sorted(form for form in grammar.FORMS if form in READ_ONLY)
# Global options that point the command elsewhere (another engine, TLS files, a config folder).
ELSEWHERE = {"--host", "--context", "--config", "--tls", "--tlscacert", "--tlscert", "--tlskey", "--tlsverify"}

_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="*\x00"), max_size=12)
_TEMPLATES = st.sampled_from([
    "{{.ID}}", "{{json .}}", "'{{.RepoTags}}'", "\"{{ .Size }}\"", "table {{.Repository}}\\t{{.Tag}}", "json",
    "{{", "}}", "{{.}", "{{range .RepoTags}}{{.}}{{end}}", "{{if}}", "{{.Nope.Deeper}}", "{{index .RepoTags 9}}",
    "{{printf \"%d\" .Size}}", "{{len .}}", "{{template \"x\"}}", "{{end}}", "{{.Config.Labels.x | upper}}",
    "{{(}}", "{{$x := 1}}{{$x}}", "{{$y}}", "{{json}}", "table", "{{.Size | printf \"%x\" 1}}",
])
_VALUES = st.one_of(
    _TEXT, _TEMPLATES,
    st.sampled_from(["dmtest/app:1.0", "dmtest/tiny:1.0", "DMTEST/App", "sha256:zz", "a" * 300, "x@sha256:12",
                     "dangling=true", "label=a=b", "before=dmtest/app:1.0", "since=nope", "reference=dm*",
                     "bogus=1", "$x", "{ids}", "$$", "{n+1}", "$nope", "{nope}", "{1/0}", "'single", "\"double",
                     "\\", "é", "日本", "{{.ID}} {x}", "-", "--", "=", "true", "false", "0", "-1"]),
)


def _flags(forms: list[str]) -> st.SearchStrategy[str]:
    def for_form(form: str) -> st.SearchStrategy[list[str]]:
        names = [n for flag in grammar.FORMS[form].flags for n in flag[:2] if n]
        names += ["--bogus", "-Z", "--formatt", "-aq", "--no-trunc=false", "--help", "-h"]
        token = st.tuples(st.sampled_from(names), st.sampled_from([" ", "=", ""]), _VALUES).map("".join)
        return st.lists(st.one_of(token, _VALUES), max_size=5)

    return st.sampled_from(forms).flatmap(lambda f: for_form(f).map(lambda rest: " ".join([f, *rest])))


def _globals(include_elsewhere: bool) -> st.SearchStrategy[str]:
    names = [n for flag in grammar.GLOBAL_FLAGS if include_elsewhere or flag[1] not in ELSEWHERE
             for n in flag[:2] if n]
    return st.lists(st.tuples(st.sampled_from(names), st.sampled_from([" ", "="]), _VALUES).map("".join),
                    max_size=2).map(" ".join)


def lines(forms: list[str], *, include_elsewhere: bool) -> st.SearchStrategy[str]:
    """Whole lines: global options, a verb form (or a wrong one), flags and values."""
    verb_line = st.one_of(_flags(forms), st.lists(_VALUES, max_size=4).map(" ".join))
    return st.tuples(_globals(include_elsewhere), verb_line).map(" ".join)


@settings(max_examples=600, deadline=None)
@given(line=lines(sorted(grammar.FORMS), include_elsewhere=True))
def test_any_line_parses_or_fails_in_one_line(line):
    try:
        grammar.parse(expand(line, NAMESPACE))
    except DockerMagicError as exc:
        assert "\n" not in exc.line()


@pytest.mark.integration
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=lines(RUN_FORMS, include_elsewhere=False))
def test_any_read_only_line_runs_or_fails_in_one_line(ip, line):
    ip.user_ns.update(NAMESPACE)
    try:
        ip.run_line_magic("docker", line)
    except DockerMagicError as exc:
        assert "\n" not in exc.line()


# ---- targeted bad input, on the real engine ---------------------------------------------------------

BAD_REFERENCES = ["DMTEST/App:1", "dmtest/app@sha256:123", "dmtest/app@md5:" + "a" * 32, "a" * 256 + ":1",
                  "dmtest/app:" + "t" * 129, "dmtest/app:bad tag", ":1", "-x"]


def _one_line(ip, line: str, cell: str | None = None) -> DockerMagicError:
    with pytest.raises(DockerMagicError) as info:
        if cell is None:
            ip.run_line_magic("docker", line)
        else:
            ip.run_cell_magic("docker", line, cell)
    text = info.value.line()
    assert "\n" not in text and "Traceback" not in text, text
    return info.value


@pytest.mark.integration
@pytest.mark.parametrize("verb", ["pull", "push", "inspect", "tag dmtest/tiny:1.0", "tag", "history"])
@pytest.mark.parametrize("ref", BAD_REFERENCES)
def test_invalid_references_are_one_line(ip, verb, ref):
    from docker_magics.errors import ImageNotFoundError, InvalidReferenceError, UsageError

    line = f"{verb} {ref} dmtest/fuzz:1" if verb == "tag" else f"{verb} '{ref}'"
    error = _one_line(ip, line)
    assert isinstance(error, InvalidReferenceError | UsageError | ImageNotFoundError), repr(error)


@pytest.mark.integration
def test_uppercase_repository_is_the_cli_line(ip):
    from docker_magics.errors import InvalidReferenceError

    error = _one_line(ip, "pull DMTEST/App:1")
    assert isinstance(error, InvalidReferenceError)
    assert error.line() == ("invalid reference format 'DMTEST/App:1': repository name (App) must be lowercase. "
                            "A reference is [REGISTRY[:PORT]/]NAME[:TAG][@DIGEST], NAME in lowercase.")


@pytest.mark.integration
@pytest.mark.parametrize("flt", ["bogus=1", "dangling=maybe", "before=no/such:image", "label", "=", "since="])
def test_invalid_filters_are_one_line(ip, flt):
    _one_line(ip, f"images -f '{flt}'")


@pytest.mark.integration
@pytest.mark.parametrize("verb", ["images", "history dmtest/app:1.0", "inspect dmtest/app:1.0"])
@pytest.mark.parametrize("template", ["{{.ID", "{{.Nope}}", "{{range}}", "{{index .RepoTags 99}}", "{{end}}",
                                      "{{.ID | nosuchfunc}}", "{{printf}}{{template \"t\"}}"])
def test_broken_templates_are_one_line(ip, verb, template):
    from docker_magics.errors import TemplateError

    try:
        ip.run_line_magic("docker", f"{verb} --format '{template}'")
    except DockerMagicError as exc:  # Go prints <no value> for some; a refusal is one typed line
        assert isinstance(exc, TemplateError | DockerMagicError) and "\n" not in exc.line()


@pytest.fixture
def unreadable(tmp_path):
    """Paths that exist but cannot be read even by root: a folder, and a path under a regular file."""
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    return {"missing": str(tmp_path / "missing.tar"), "folder": str(tmp_path), "under-a-file": f"{plain}/x"}


@pytest.mark.integration
@pytest.mark.parametrize("kind", ["missing", "folder", "under-a-file"])
@pytest.mark.parametrize("verb", ["load -i {p}", "import {p} fuzz/imp:1", "build -f {p} {d}",
                                  "login -u u --password-file {p} 127.0.0.1:1"])
def test_missing_or_unreadable_files_are_one_line(ip, unreadable, tmp_path, kind, verb):
    from docker_magics.errors import UsageError

    error = _one_line(ip, verb.format(p=unreadable[kind], d=tmp_path))
    assert isinstance(error, UsageError), repr(error)
    assert unreadable[kind] in error.line() or (kind == "under-a-file" and unreadable[kind].rsplit("/", 1)[0] in \
        error.line()), error.line()


@pytest.mark.integration
def test_a_tar_that_is_not_an_image_archive(ip, tmp_path):
    import tarfile

    from docker_magics.errors import UsageError

    path = tmp_path / "notes.tar"
    with tarfile.open(path, "w") as tar:
        tar.add(__file__, arcname="notes.py")
    error = _one_line(ip, f"load -i {path}")
    assert isinstance(error, UsageError)
    assert error.line().startswith(f"{path} is not an image archive: ")
    text = tmp_path / "text.tar"
    text.write_text("hello")
    assert _one_line(ip, f"load -i {text}").line().startswith(f"{text} is not an image archive: ")
