"""Bad input on the real engine ends in one DockerMagicError line, never another exception.

The magic itself runs on the sandbox engine: generated lines for the verbs that only read (listings,
inspection, templates), and targeted bad input (references, filters, templates, files) for every verb.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from support.fuzz import NAMESPACE, RUN_FORMS, lines

from docker_magics.errors import DockerMagicError


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


@pytest.mark.parametrize("verb", ["pull", "push", "inspect", "tag dmtest/tiny:1.0", "tag", "history"])
@pytest.mark.parametrize("ref", BAD_REFERENCES)
def test_invalid_references_are_one_line(ip, verb, ref):
    from docker_magics.errors import ImageNotFoundError, InvalidReferenceError, UsageError

    line = f"{verb} {ref} dmtest/fuzz:1" if verb == "tag" else f"{verb} '{ref}'"
    error = _one_line(ip, line)
    assert isinstance(error, InvalidReferenceError | UsageError | ImageNotFoundError), repr(error)


def test_uppercase_repository_is_the_cli_line(ip):
    from docker_magics.errors import InvalidReferenceError

    error = _one_line(ip, "pull DMTEST/App:1")
    assert isinstance(error, InvalidReferenceError)
    assert error.line() == ("invalid reference format 'DMTEST/App:1': repository name (App) must be lowercase. "
                            "A reference is [REGISTRY[:PORT]/]NAME[:TAG][@DIGEST], NAME in lowercase.")


@pytest.mark.parametrize("flt", ["bogus=1", "dangling=maybe", "before=no/such:image", "label", "=", "since="])
def test_invalid_filters_are_one_line(ip, flt):
    _one_line(ip, f"images -f '{flt}'")


@pytest.mark.parametrize("verb", ["images", "history dmtest/app:1.0", "inspect dmtest/app:1.0"])
@pytest.mark.parametrize("template", ["{{.ID", "{{.Nope}}", "{{range}}", "{{index .RepoTags 99}}", "{{end}}",
                                      "{{.ID | nosuchfunc}}", "{{printf}}{{template \"t\"}}"])
def test_broken_templates_are_one_line(ip, verb, template):
    from docker_magics.errors import TemplateError

    # Every one of these fails in the CLI too (inspect's map data with missingkey=error included).
    with pytest.raises(TemplateError) as info:
        ip.run_line_magic("docker", f"{verb} --format '{template}'")
    assert "\n" not in info.value.line()


@pytest.fixture
def unreadable(tmp_path):
    """Paths that exist but cannot be read even by root: a folder, and a path under a regular file."""
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    return {"missing": str(tmp_path / "missing.tar"), "folder": str(tmp_path), "under-a-file": f"{plain}/x"}


@pytest.mark.parametrize("kind", ["missing", "folder", "under-a-file"])
@pytest.mark.parametrize("verb", ["load -i {p}", "import {p} fuzz/imp:1", "build -f {p} {d}",
                                  "login -u u --password-file {p} 127.0.0.1:1"])
def test_missing_or_unreadable_files_are_one_line(ip, unreadable, tmp_path, kind, verb):
    from docker_magics.errors import UsageError

    error = _one_line(ip, verb.format(p=unreadable[kind], d=tmp_path))
    assert isinstance(error, UsageError), repr(error)
    assert unreadable[kind] in error.line() or (kind == "under-a-file" and unreadable[kind].rsplit("/", 1)[0] in \
        error.line()), error.line()


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
