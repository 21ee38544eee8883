"""``%docker images`` equals ``docker images --format json`` on the same engine, flag for flag."""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest

from docker_magics.errors import EngineUnavailableError, UsageError
from docker_magics.units import human_size


@pytest.fixture(scope="module")
def pushed(sandbox):
    """An image pushed to the registry, so that it has a RepoDigest (and a digest-only repository)."""
    ref = f"{sandbox.registry}/dmtest/app:1.0"
    sandbox.cli("login", "-u", sandbox.user, "--password-stdin", sandbox.registry, input=sandbox.password)
    sandbox.cli("tag", "dmtest/app:1.0", ref)
    sandbox.cli("push", ref)
    return ref


def cli_rows(sandbox, *args: str) -> list[dict]:
    out = sandbox.cli("images", "--format", "json", *args).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def as_cli(df: pd.DataFrame) -> list[tuple]:
    rows = []
    for row in df.itertuples(index=False):
        created = row.created.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S +0000 UTC")
        rows.append((row.repository, row.tag, getattr(row, "digest", "<none>"), row.image_id, created,
                     human_size(row.size)))
    return rows


def cli_as_tuples(rows: list[dict]) -> list[tuple]:
    return [(r["Repository"], r["Tag"], r["Digest"], r["ID"], r["CreatedAt"], r["Size"]) for r in rows]


CASES = [
    "",
    "-a",
    "--no-trunc",
    "--digests",
    "-a --digests --no-trunc",
    "dmtest/app",
    "dmtest/app:2.0",
    "--filter dangling=true",
    "--filter dangling=false",
    "-f label=org.example.team",
    "-f label=org.example.team=data",
    "-f before=dmtest/app:2.0",
    "-f since=dmtest/app:1.0",
    "-f reference=dmtest/*",
    "-f reference=dmtest/app -f reference=*/tiny:1.0",
    "-f dangling=true -f label=org.example.team=data",
]


@pytest.mark.parametrize("flags", CASES)
def test_images_equal_cli_row_for_row(ip, sandbox, pushed, flags):
    df = ip.run_line_magic("docker", f"images {flags}")
    expected = cli_rows(sandbox, *flags.split())
    assert Counter(as_cli(df)) == Counter(cli_as_tuples(expected))
    assert len(df) == len(expected)


@pytest.mark.engine_differs("the containerd store's listing Size counts snapshots too, unlike inspect's Size")
def test_images_typed_columns(ip, sandbox):
    df = ip.run_line_magic("docker", "images")
    assert list(df.columns) == ["repository", "tag", "image_id", "created", "size"]
    assert str(df["size"].dtype) == "int64"
    assert isinstance(df["created"].dtype, pd.DatetimeTZDtype)
    assert df["created"].is_monotonic_decreasing
    assert (df["image_id"].str.len() == 12).all()
    app = df[(df.repository == "dmtest/app") & (df.tag == "1.0")].iloc[0]
    assert app.image_id == sandbox.ids["app1"][7:19]
    inspected = sandbox.api().inspect_image("dmtest/app:1.0")["Size"]
    if sandbox.containerd_store:  # content plus unpacked snapshots, as the CLI shows it; inspect counts content only
        assert app["size"] == sandbox.api().images("dmtest/app:1.0")[0]["Size"] > inspected
    else:
        assert app["size"] == inspected


@pytest.mark.engine_differs("Engine 26's containerd store lists one RepoDigest per image (not the pushed name's), so "
                            "an unfiltered listing shows <none> for the pushed row, as the CLI does")
def test_images_digest_column(ip, sandbox, pushed):
    df = ip.run_line_magic("docker", "images --digests")
    assert list(df.columns) == ["repository", "tag", "digest", "image_id", "created", "size"]
    repository = pushed.rsplit(":", 1)[0]
    row = df[df.repository == repository].iloc[0]
    cli = dict(line.split("\t") for line in sandbox.cli(
        "images", "--digests", "--format", "{{.Repository}}:{{.Tag}}\t{{.Digest}}").stdout.splitlines())
    assert row.digest == cli[f"{repository}:{row.tag}"]
    if not sandbox.containerd_store:
        assert row.digest.startswith("sha256:")


def test_images_quiet_is_the_cli_ids(ip, sandbox):
    for flags in ("-q", "-q -a", "-q --no-trunc", "-q -f dangling=true"):
        ids = ip.run_line_magic("docker", f"images {flags}")
        expected = sandbox.cli("images", *flags.split()).stdout.split()
        assert Counter(ids) == Counter(expected), flags


@pytest.mark.parametrize("form", ["image ls", "image list"])
def test_images_aliases(ip, form):
    assert ip.run_line_magic("docker", form).equals(ip.run_line_magic("docker", "images"))


@pytest.mark.engine_differs("the containerd store's image size counts the unpacked snapshot too (the CLI: 6.1MB on 26, "
                            "6.13MB on 28): the size the CLI shows")
def test_images_display_is_human_and_names_engine(ip, sandbox):
    df = ip.run_line_magic("docker", "images dmtest/tiny")
    html = df._repr_html_()
    size = sandbox.cli("images", "--format", "{{.Size}}", "dmtest/tiny:1.0").stdout.strip()  # 6.1MB, 6.13MB, 3.96MB
    assert size in html and "ago" in html and sandbox.host in html
    assert str(df["size"].dtype) == "int64"


def test_filtered_frame_keeps_type(ip):
    df = ip.run_line_magic("docker", "images")
    small = df[df["size"] < 10_000].sort_values("size")
    assert type(small).__name__ == "DockerFrame"
    assert "kB" in small._repr_html_() or "B" in small._repr_html_()


def test_bad_filter_is_one_line(ip):
    with pytest.raises(UsageError, match=r"bad format of filter 'dangling'"):
        ip.run_line_magic("docker", "images -f dangling")
    with pytest.raises(UsageError, match=r"(?i)invalid filter 'colour'"):
        ip.run_line_magic("docker", "images -f colour=red")


def test_engine_down_is_one_line(ip, tmp_path):
    with pytest.raises(EngineUnavailableError) as info:
        ip.run_line_magic("docker", f"-H unix://{tmp_path}/nothing.sock images")
    line = info.value.line()
    assert "\n" not in line
    assert f"Cannot connect to the Docker engine at unix://{tmp_path}/nothing.sock" in line
    assert "DOCKER_HOST" in line and "-H" in line


def test_permission_denied_is_one_line(ip, sandbox):
    """A user who may not open the socket gets one line naming the socket and the fix."""
    import os

    from docker_magics.errors import PermissionDeniedError

    # A spelling of the socket no cached client has used: the child must open it itself.
    host = "unix://" + sandbox.sb.engine.socket.replace("/docker.sock", "/./docker.sock")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child drops to 'nobody' and runs the magic with the modules already loaded
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            ip.run_line_magic("docker", f"-H {host} images")
            message = "no error"
        except PermissionDeniedError as exc:
            message = exc.line()
        except BaseException as exc:
            message = f"{type(exc).__name__}: {exc}"
        os.write(write, message.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    message = os.read(read, 10_000).decode()
    assert message == (f"Permission denied on the Docker engine socket {host}. To fix it, run as a "
                       "user in the 'docker' group (or root), or point -H/DOCKER_HOST at a socket you may open.")


def test_setting_host_points_every_command(ip, sandbox, tmp_path):
    ip.run_line_magic("config", f"DockerMagics.host = 'unix://{tmp_path}/none.sock'")
    with pytest.raises(EngineUnavailableError):
        ip.run_line_magic("docker", "images")
    ip.run_line_magic("config", f"DockerMagics.host = '{sandbox.host}'")
    assert len(ip.run_line_magic("docker", "images")) > 0
