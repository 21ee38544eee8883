"""``inspect`` and ``history`` on the real engine, compared with the Docker CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from docker_magics.errors import ImageNotFoundError, UsageError
from docker_magics.units import human_size


@pytest.mark.parametrize("form", ["inspect", "image inspect"])
def test_inspect_returns_the_cli_json(ip, sandbox, form):
    result = ip.run_line_magic("docker", f"{form} dmtest/app:1.0 dmtest/tiny")
    assert list(result) == json.loads(sandbox.cli("image", "inspect", "dmtest/app:1.0", "dmtest/tiny").stdout)
    assert result._repr_json_()[0][0]["Id"] == sandbox.ids["app1"]


@pytest.mark.parametrize("spelling", ["full_id", "short_id", "id_no_prefix", "name_tag"])
def test_inspect_by_any_reference(ip, sandbox, spelling):
    image_id = sandbox.ids["app1"]
    reference = {"full_id": image_id, "short_id": image_id[7:19], "id_no_prefix": image_id[7:],
                 "name_tag": "dmtest/app:1.0"}[spelling]
    (obj,) = ip.run_line_magic("docker", f"inspect {reference}")
    assert obj["Id"] == image_id


def test_inspect_json_format_is_compact_like_the_cli(ip, sandbox):
    text = ip.run_line_magic("docker", "inspect --format json dmtest/app:1.0")
    assert text == sandbox.cli("inspect", "--format", "json", "dmtest/app:1.0").stdout


def test_inspect_missing_image_is_one_line(ip):
    with pytest.raises(ImageNotFoundError) as info:
        ip.run_line_magic("docker", "inspect dmtest/app:1.0 nope/nothing:9")
    assert info.value.line() == ("No such image: nope/nothing:9. List local images with '%docker images', "
                                 "or pull it first.")


def test_inspect_needs_an_argument(ip):
    with pytest.raises(UsageError, match='"inspect" requires at least 1 argument'):
        ip.run_line_magic("docker", "inspect")


def _cli_history(sandbox, *args):
    out = sandbox.cli("history", "--format", "json", *args).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("image", ["dmtest/app:1.0", "dmtest/runner:1.0", "dmtest/tiny:1.0"])
def test_history_equals_cli(ip, sandbox, image):
    df = ip.run_line_magic("docker", f"history --no-trunc {image}")
    cli = _cli_history(sandbox, "--no-trunc", image)
    assert list(df.columns) == ["image_id", "created", "created_by", "size", "comment"]
    assert str(df["size"].dtype) == "int64" and isinstance(df["created"].dtype, pd.DatetimeTZDtype)
    assert len(df) == len(cli)
    for row, expected in zip(df.itertuples(index=False), cli, strict=True):
        assert row.image_id == expected["ID"]
        assert row.created_by == expected["CreatedBy"]
        assert human_size(row.size) == expected["Size"]
        assert row.created.strftime("%Y-%m-%dT%H:%M:%SZ") == expected["CreatedAt"]
        assert row.comment == expected["Comment"]


@pytest.fixture(scope="module")
def loaded_image(sandbox, tmp_path_factory):
    """An image whose parents are gone (saved, removed, loaded back): its history has <missing> IDs."""
    import io
    import tarfile

    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, data in {"Dockerfile": b"FROM scratch\nCOPY h.txt /h.txt\nCOPY i.txt /i.txt\n",
                           "h.txt": b"history-test", "i.txt": b"i" * 1500}.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    context.seek(0)
    for _ in sandbox.api().build(fileobj=context, custom_context=True, tag="histtest/loaded:1", decode=True):
        pass
    archive = tmp_path_factory.mktemp("hist") / "loaded.tar"
    sandbox.cli("save", "-o", str(archive), "histtest/loaded:1")
    sandbox.cli("rmi", "histtest/loaded:1")
    sandbox.cli("load", "-i", str(archive))
    yield "histtest/loaded:1"
    sandbox.cli("rmi", "histtest/loaded:1", check=False)


def test_history_missing_ids_and_quiet(ip, sandbox, loaded_image):
    df = ip.run_line_magic("docker", f"history {loaded_image}")
    cli = _cli_history(sandbox, loaded_image)
    assert list(df.image_id) == [r["ID"] for r in cli]
    assert "<missing>" in list(df.image_id)
    assert ip.run_line_magic("docker", f"history -q {loaded_image}") == \
        sandbox.cli("history", "-q", loaded_image).stdout.split()


@pytest.mark.engine_differs("the containerd store's history sizes are the snapshots' disk usage (the CLI: 3.97MB, "
                            "3973120 bytes for the busybox layer)")
def test_history_display(ip, sandbox):
    human, raw_bytes = ("3.97MB", "3973120") if sandbox.containerd_store else ("3.96MB", "3964")
    df = ip.run_line_magic("docker", "image history dmtest/runner:1.0")
    html = df._repr_html_()
    assert human in html and "ago" in html
    assert "…" in ip.run_line_magic("docker", "history dmtest/app:1.0")._repr_html_()
    assert "…" not in ip.run_line_magic("docker", "history --no-trunc dmtest/app:1.0")._repr_html_()
    raw = ip.run_line_magic("docker", "history -H=false dmtest/runner:1.0")
    assert raw_bytes in raw._repr_html_()


def test_history_of_missing_image(ip):
    with pytest.raises(ImageNotFoundError, match="No such image: nope:1"):
        ip.run_line_magic("docker", "history nope:1")
