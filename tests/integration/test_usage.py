"""``layers``, ``image diff``, ``df`` and ``images --usage`` on the real engine, checked against ``docker system df``.

Two images are built here on the fixture base ``dmtest/tiny:1.0`` with distinct top layers (one of
them a byte-less WORKDIR layer, next to metadata steps that make none), and a container is created
from one of them, so that it counts as used. The whole session shares one engine: only rows of these
images are compared, or totals read right after each other.
"""

from __future__ import annotations

import base64
import io
import json
import tarfile

import pandas as pd
import pytest
from IPython.utils.capture import capture_output

from docker_magics.engine.usage import percent
from docker_magics.errors import ImageNotFoundError
from docker_magics.units import human_size

A, B = "usagetest/a:1", "usagetest/b:1"
DOCKERFILES = {
    A: 'FROM dmtest/tiny:1.0\nRUN ["/bin/busybox", "dd", "if=/dev/zero", "of=/a", "bs=1000", "count=20"]\n'
       "LABEL org.example.area=usage\n",
    B: 'FROM dmtest/tiny:1.0\nENV X=1\nWORKDIR /newdir\n'
       'RUN ["/bin/busybox", "dd", "if=/dev/zero", "of=/b", "bs=1000", "count=7"]\nCMD ["/bin/sh"]\n',
}


def build(api, tag: str, dockerfile: str) -> str:
    """A classic-builder build through docker-py's low-level API (every event checked)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("Dockerfile")
        info.size = len(dockerfile.encode())
        tar.addfile(info, io.BytesIO(dockerfile.encode()))
    buffer.seek(0)
    image_id = None
    for event in api.build(fileobj=buffer, custom_context=True, decode=True, rm=True, tag=tag):
        assert "error" not in event, event
        image_id = event.get("aux", {}).get("ID", image_id)
    return image_id


@pytest.fixture(scope="module")
def images(sandbox):
    api = sandbox.api()
    ids = {tag: build(api, tag, dockerfile) for tag, dockerfile in DOCKERFILES.items()}
    container = sandbox.cli("create", "--network", "none", B, "/bin/sh").stdout.strip()
    yield ids
    sandbox.cli("rm", "-f", container, check=False)
    sandbox.cli("rmi", *DOCKERFILES, check=False)


def cli_json(sandbox, *args: str) -> list[dict]:
    out = sandbox.cli("system", "df", *args, "--format", "{{json .}}").stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_df_equals_the_clis_images_row(ip, sandbox, images):
    frame = ip.run_line_magic("docker", "df")
    (cli,) = [r for r in cli_json(sandbox) if r["Type"] == "Images"]
    row = frame.iloc[0]
    assert list(frame.columns) == ["type", "total", "active", "size", "reclaimable"]
    assert [str(frame[c].dtype) for c in ("total", "active", "size", "reclaimable")] == ["int64"] * 4
    assert (str(row.total), str(row.active)) == (cli["TotalCount"], cli["Active"])
    assert human_size(row["size"], 4) == cli["Size"]
    assert f"{human_size(row.reclaimable, 4)} ({percent(row.reclaimable, row['size'])}%)" == cli["Reclaimable"]
    assert cli["Reclaimable"] in repr(frame) and cli["Reclaimable"] in frame._repr_html_()
    assert row.active >= 1  # the container created from B


def test_df_reclaimable_leaves_out_the_unique_bytes_of_used_images(ip, sandbox, images):
    frame = ip.run_line_magic("docker", "df")
    raw = sandbox.api().df()
    used = sum(i["Size"] - i["SharedSize"] for i in raw["Images"] if i["Containers"] > 0)
    assert frame.iloc[0].reclaimable == raw["LayersSize"] - used
    assert frame.iloc[0]["size"] == raw["LayersSize"]


def test_df_verbose_equals_the_cli_for_our_images(ip, sandbox, images):
    frame = ip.run_line_magic("docker", "df -v")
    (cli,) = cli_json(sandbox, "-v")
    cli_rows = {r["ID"]: r for r in cli["Images"]}
    assert list(frame.columns) == ["repository", "tag", "image_id", "created", "size", "shared_size",
                                   "unique_size", "containers"]
    assert isinstance(frame["created"].dtype, pd.DatetimeTZDtype)
    for tag, image_id in images.items():
        (row,) = frame[frame.image_id == image_id[7:19]].itertuples(index=False)
        expected = cli_rows[image_id]
        assert (f"{row.repository}:{row.tag}", str(row.containers)) == (tag, expected["Containers"])
        assert human_size(row.size) == expected["Size"]
        assert human_size(row.shared_size, 4) == expected["SharedSize"]
        assert human_size(row.unique_size, 4) == expected["UniqueSize"]
        assert row.size == row.shared_size + row.unique_size
    assert frame.set_index("image_id").loc[images[B][7:19], "containers"] == 1
    assert frame.set_index("image_id").loc[images[A][7:19], "containers"] == 0
    assert len(frame) == len(cli["Images"])


def test_system_df_is_df(ip, images):
    assert ip.run_line_magic("docker", "system df").equals(ip.run_line_magic("docker", "df"))
    assert ip.run_line_magic("docker", "system df --verbose").equals(ip.run_line_magic("docker", "df -v"))


def test_images_usage_columns_come_from_system_df(ip, sandbox, images):
    frame = ip.run_line_magic("docker", "images --usage usagetest/*")
    plain = ip.run_line_magic("docker", "images usagetest/*")
    assert list(frame.columns) == [*plain.columns, "containers", "container_names", "shared_size", "unique_size"]
    assert all(str(frame[c].dtype) == "int64" for c in ("containers", "shared_size", "unique_size"))
    raw = {i["Id"]: i for i in sandbox.api().df()["Images"]}
    for tag, image_id in images.items():
        row = frame[frame.image_id == image_id[7:19]].iloc[0]
        entry = raw[image_id]
        assert (row.containers, row.shared_size, row.unique_size) == (
            entry["Containers"], entry["SharedSize"], entry["Size"] - entry["SharedSize"]), tag
    assert frame.sort_values("unique_size")["unique_size"].is_monotonic_increasing
    full = ip.run_line_magic("docker", "images --usage --no-trunc usagetest/*")
    assert set(full["containers"]) == {0, 1}
    names = dict(zip(full.image_id, full.container_names, strict=True))
    container = sandbox.api().containers(all=True, filters={"ancestor": images[B]})[0]
    assert container["Names"][0].lstrip("/") in names[images[B]] and names[images[A]] == []


def cli_layer_sizes(sandbox, ref: str) -> list[int]:
    """The sizes of the steps that made a layer, oldest first, as the CLI's history shows them in bytes.

    On the containerd store every layer's size is its snapshot's disk usage (whole blocks, never 0), so the steps
    with a size are exactly the layers.
    """
    out = sandbox.cli("history", "-H=false", "--format", "{{.Size}}", ref).stdout.split()
    return [int(size) for size in reversed(out) if int(size)]


CONTAINERD_SIZES = ("the containerd store's history (and so layers and image diff) counts each layer's snapshot "
                    "disk usage, as the CLI's history shows it; inspect's Size counts the content")


@pytest.mark.engine_differs(CONTAINERD_SIZES)
def test_layers_one_row_per_layer_with_sharing(ip, sandbox, images):
    frame = ip.run_line_magic("docker", f"layers {A} {B}")
    api = sandbox.api()
    base = api.inspect_image("dmtest/tiny:1.0")
    assert list(frame.columns) == ["image", "layer", "size", "created_by", "shared", "shared_with"]
    assert (str(frame["size"].dtype), str(frame["shared"].dtype)) == ("int64", "bool")
    base_size = cli_layer_sizes(sandbox, "dmtest/tiny:1.0")[0] if sandbox.containerd_store else base["Size"]
    for name in (A, B):
        part = frame[frame.image == name]
        inspect = api.inspect_image(name)
        assert part["layer"].tolist() == [d[7:19] for d in inspect["RootFS"]["Layers"]]
        if sandbox.containerd_store:
            assert part["size"].tolist() == cli_layer_sizes(sandbox, name)
        else:
            assert part["size"].sum() == inspect["Size"]
        assert part.iloc[0]["shared_with"] == [B if name == A else A] and part.iloc[0]["size"] == base_size
        assert not part.iloc[1:]["shared"].any()
    b = frame[frame.image == B]
    assert b["created_by"].tolist()[1:] == ["/bin/sh -c #(nop) WORKDIR /newdir",
                                            "/bin/busybox dd if=/dev/zero of=/b bs=1000 c…"]
    # Steps are cut as the CLI's history cuts them.
    assert set(b["created_by"]) <= set(sandbox.cli("history", "--format", "{{.CreatedBy}}", B).stdout.splitlines())
    if sandbox.containerd_store:
        return  # the sizes are the CLI's (above), whole blocks of disk, not the bytes of the files
    assert b["size"].tolist()[1:] == [0, 7000]
    assert frame[frame.image == A]["size"].tolist()[1] == 20000
    # What the engine counts as shared covers at least what these two images share.
    shared_a = frame[(frame.image == A) & frame.shared]["size"].sum()
    assert sandbox.api().inspect_image(A)["Size"] - shared_a == 20000


def test_layers_no_trunc_and_the_image_form(ip, sandbox, images):
    frame = ip.run_line_magic("docker", f"image layers --no-trunc {B}")
    assert frame["layer"].tolist() == sandbox.api().inspect_image(B)["RootFS"]["Layers"]
    assert frame["shared"].tolist() == [False] * 3  # sharing is among the images given
    assert ip.run_line_magic("docker", f"image layers {A}").equals(ip.run_line_magic("docker", f"layers {A}"))


def test_layers_of_a_missing_image_is_one_line(ip, images):
    with pytest.raises(ImageNotFoundError) as info:
        ip.run_line_magic("docker", f"layers {A} usagetest/nosuch:1")
    assert info.value.line() == ("No such image: usagetest/nosuch:1. List local images with '%docker images', "
                                 "or pull it first.")
    with pytest.raises(ImageNotFoundError, match=r"^No such image: usagetest/nosuch:2\. "):
        ip.run_line_magic("docker", f"image diff usagetest/nosuch:2 {A}")


@pytest.mark.engine_differs(CONTAINERD_SIZES)
def test_image_diff_shared_and_unique_bytes(ip, sandbox, images):
    frame = ip.run_line_magic("docker", f"image diff {A} {B}")
    base_size = sandbox.api().inspect_image("dmtest/tiny:1.0")["Size"]
    a_only, b_only = 20000, 7000
    if sandbox.containerd_store:
        base_size = cli_layer_sizes(sandbox, "dmtest/tiny:1.0")[0]
        a_only, b_only = sum(cli_layer_sizes(sandbox, A)[1:]), sum(cli_layer_sizes(sandbox, B)[1:])
    assert list(frame.columns) == ["side", "layer", "size", "created_by"]
    assert frame["side"].tolist() == ["both", "A only", "B only", "B only"]
    summary = frame.attrs["summary"]
    assert summary == {"A": A, "B": B, "both": {"layers": 1, "size": base_size},
                       "A only": {"layers": 1, "size": a_only}, "B only": {"layers": 2, "size": b_only}}
    assert (f"A = {A}, B = {B}: both: 1 layer, {human_size(base_size)}; A only: 1 layer, {human_size(a_only)}"
            in frame._repr_html_())
    same = ip.run_line_magic("docker", f"image diff {A} {images[A][7:19]}")
    assert set(same["side"]) == {"both"}


def test_plots_display_a_png_and_return_the_frame(ip, images):
    for line in ("df --plot", "df -v --plot", f"layers {A} {B} --plot"):
        with capture_output() as captured:
            frame = ip.run_line_magic("docker", line)
        (output,) = captured.outputs
        png = output.data["image/png"]  # what a frontend receives: base64 text
        assert base64.b64decode(png).startswith(b"\x89PNG"), line
        assert isinstance(frame, pd.DataFrame) and len(frame)
