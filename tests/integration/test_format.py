"""``--format`` on images, history and inspect prints what the Docker CLI prints, on the same engine."""

from __future__ import annotations

import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from docker_magics.errors import TemplateError

VECTORS = json.loads((Path(__file__).resolve().parents[1] / "data" / "format-vectors.json").read_text())


def _templates(command: str, *, ok: bool = True) -> list[str]:
    seen: dict[str, None] = {}
    for v in VECTORS:
        if v["command"] == command and bool(v.get("exit_code")) != ok and v["template"] not in seen:
            seen[v["template"]] = None
    return list(seen)


PROBE_DOCKERFILE = """FROM dmtest/tiny:1.0
USER www
EXPOSE 80 443
ENV PATH=/usr/bin:/bin GREETING="hello world"
ENTRYPOINT ["/entry.sh"]
CMD ["httpd-foreground", "-X"]
VOLUME /data
WORKDIR /srv
LABEL Upper=X a.b=c empty="" org.opencontainers.image.title="Probe <&> image"
"""


@pytest.fixture(scope="module")
def probe(sandbox):
    """An image with the fields FORMAT.md's templates look at (labels, ports, env, volumes...)."""
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        data = PROBE_DOCKERFILE.encode()
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    context.seek(0)
    for event in sandbox.api().build(fileobj=context, custom_context=True, tag="fmtprobe/httpd:latest", decode=True):
        assert "error" not in event, event
    sandbox.cli("tag", "fmtprobe/httpd:latest", "fmtprobe/app:1.0")
    yield "fmtprobe/httpd:latest"
    sandbox.cli("rmi", "fmtprobe/httpd:latest", "fmtprobe/app:1.0", check=False)


def _cli(sandbox, *args: str) -> str:
    return sandbox.cli(*args).stdout


def _same_rows(magic: str, cli: str, table: bool) -> bool:
    # The CLI lists the repositories of one image in Go's random map order: compare rows as a set. The two run a
    # moment apart, so an image made seconds ago may be "24 seconds ago" in one and "25 seconds ago" in the other.
    seconds = re.compile(r"\b\d+ seconds ago")
    magic_lines = seconds.sub("N seconds ago", magic).split("\n")
    cli_lines = seconds.sub("N seconds ago", cli).split("\n")
    if table:
        return magic_lines[0] == cli_lines[0] and sorted(magic_lines[1:]) == sorted(cli_lines[1:])
    return sorted(magic_lines) == sorted(cli_lines)


@pytest.mark.engine_differs("API 1.50+ (Engine 28) no longer gives an image's Config.Hostname (and the other container "
                            "fields): the CLI's template fails there, and ours in the same words")
@pytest.mark.parametrize("template", _templates("image inspect"))
def test_inspect_format_equals_cli(ip, sandbox, probe, template):
    if sandbox.kind in ("classic28", "containerd28") and "Hostname" in template:
        said = sandbox.cli("image", "inspect", "--format", template, probe, check=False).stderr.strip()
        with pytest.raises(TemplateError) as info:
            ip.run_line_magic("docker", f"image inspect --format {_quote(template)} {probe}")
        assert said == info.value.line() == ('template parsing error: template: :1:9: executing "" at '
                                             '<.Config.Hostname>: map has no entry for key "Hostname"')
        return
    expected = _cli(sandbox, "image", "inspect", "--format", template, probe)
    assert ip.run_line_magic("docker", f"image inspect --format {_quote(template)} {probe}") == expected


@pytest.mark.parametrize("template", _templates("image inspect", ok=False))
def test_inspect_format_errors_are_one_line(ip, sandbox, probe, template):
    assert sandbox.cli("image", "inspect", "--format", template, probe, check=False).returncode != 0
    with pytest.raises(TemplateError) as info:
        ip.run_line_magic("docker", f"image inspect --format {_quote(template)} {probe}")
    assert "\n" not in info.value.line()


@pytest.mark.parametrize("template", [t for t in _templates("image ls") if t] + [
    "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.Size}}", "{{json .}}", "json"])
@pytest.mark.parametrize("flags", ["", "--digests", "--no-trunc -a"])
def test_images_format_equals_cli(ip, sandbox, probe, template, flags):
    args = [*flags.split(), "--format", template]
    for _ in range(3):  # ages ("3 seconds ago") may tick between the two calls: try again
        expected = _cli(sandbox, "images", *args)
        magic = ip.run_line_magic("docker", f"images {flags} --format {_quote(template)}")
        if _same_rows(magic, expected, template.startswith("table")):
            break
    assert _same_rows(magic, expected, template.startswith("table")), (magic, expected)


@pytest.mark.parametrize("template", ["table", "{{.ID}}", "table {{.ID}}\t{{.Tag}}"])
def test_images_quiet_and_defaults_equal_cli(ip, sandbox, probe, template):
    for flags in ("-q", ""):
        for _ in range(3):  # ages ("3 seconds ago") may tick between the two calls: try again
            expected = _cli(sandbox, "images", *flags.split(), "--format", template, "fmtprobe/httpd")
            magic = ip.run_line_magic("docker", f"images {flags} --format {_quote(template)} fmtprobe/httpd")
            if magic == expected:
                break
        assert magic == expected


@pytest.mark.parametrize("template", [t for t in _templates("history") if t] + ["table", "{{json .}}"])
@pytest.mark.parametrize("flags", ["", "--no-trunc", "--human=false"])
def test_history_format_equals_cli(ip, sandbox, probe, template, flags):
    for _ in range(3):
        expected = _cli(sandbox, "history", *flags.split(), "--format", template, probe)
        magic = ip.run_line_magic("docker", f"history {flags} --format {_quote(template)} {probe}")
        if magic == expected:
            break
    assert magic == expected


def test_seed_example(ip, sandbox, probe, capsys):
    text = ip.run_line_magic("docker", 'image inspect --format="{{ .RepoTags}}" fmtprobe/app:1.0')
    assert text == _cli(sandbox, "image", "inspect", "--format={{ .RepoTags}}", "fmtprobe/app:1.0")
    assert text.startswith("[") and "fmtprobe/app:1.0" in text


def test_broken_template_is_one_line_before_any_engine_call(ip):
    with pytest.raises(TemplateError) as info:
        ip.run_line_magic("docker", "images --format '{{.Repository'")
    assert "\n" not in info.value.line() and "template" in info.value.line()


def _quote(template: str) -> str:
    """Single-quote for the magic's POSIX split (templates never need the magic's expansion)."""
    return "'" + template.replace("'", "'\"'\"'") + "'"
