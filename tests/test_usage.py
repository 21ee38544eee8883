"""Pure logic of layers, image diff, df and the charts: alignment rules, the CLI's arithmetic, frames, PNGs."""

from __future__ import annotations

import hashlib
import sys

import pandas as pd
import pytest
from support.shell import configured

from docker_magics.engine import usage
from docker_magics.engine.usage import Layer, align, chain_ids, percent, summarize
from docker_magics.errors import DockerMagicError, UsageError
from docker_magics.views import charts
from docker_magics.views import usage as usage_views

BASE = "sha256:3ad03a7292b36b16ee231c64494b4145e6f2b0a42bc6208cfe1c04b2cebc15f1"
WORKDIR = "sha256:b3ffaff14db57571bedc62cd188429a5873b94cbd3a1c8c213afaaea12945c47"


def row(created_by: str, size: int, image_id: str = "<missing>") -> dict:
    return {"CreatedBy": created_by, "Size": size, "Id": image_id}


# ---- chain IDs and alignment -------------------------------------------------------------------


def test_chain_ids_follow_the_oci_rule():
    assert chain_ids([]) == []
    assert chain_ids([BASE]) == [BASE]
    # Read from a real engine's layerdb: FROM busybox rootfs + WORKDIR /newdir.
    assert chain_ids([BASE, WORKDIR])[1] == \
        "sha256:56fc73091cbed0a4b2a13a7bfa2e71dce830e8303db463a7683c017c83f11fe4"
    third = "sha256:" + "e" * 64
    expected = "sha256:" + hashlib.sha256(f"{chain_ids([BASE, WORKDIR])[1]} {third}".encode()).hexdigest()
    assert chain_ids([BASE, WORKDIR, third])[2] == expected


def test_align_nonzero_rows_make_the_layers_oldest_first():
    history = [row('/bin/sh -c #(nop)  CMD ["/a.txt"]', 0), row("/bin/sh -c #(nop)  LABEL a=b", 0),
               row("/bin/sh -c #(nop) COPY file:b in /b.txt ", 3000),
               row("/bin/sh -c #(nop) COPY file:a in /a.txt ", 2000)]
    layers = align(history, ["sha256:a", "sha256:b"])
    assert [(x.diff_id, x.size, x.created_by[-7:]) for x in layers] == [
        ("sha256:a", 2000, "/a.txt "), ("sha256:b", 3000, "/b.txt ")]
    assert layers[0].chain_id == "sha256:a"


def test_align_asks_the_engine_about_ambiguous_zero_size_rows():
    # RUN true made no layer, WORKDIR /bin none, WORKDIR /newdir one with no bytes (measured on dockerd 20.10).
    history = [row("/bin/busybox sh -c echo hi > /x", 3, "top"), row("/bin/sh -c #(nop)  ENV X=1", 0, "env"),
               row("/bin/sh -c #(nop) WORKDIR /newdir", 0, "wd2"), row("/bin/sh -c #(nop) WORKDIR /bin", 0, "wd1"),
               row("/bin/busybox true", 0, "true"), row("", 3964512, "base")]
    counts = {"true": 1, "wd1": 1, "wd2": 2, "env": 2}
    asked: list[str] = []

    def layer_count(image_id: str) -> int | None:
        asked.append(image_id)
        return counts.get(image_id)

    layers = align(history, [BASE, WORKDIR, "sha256:top"], layer_count)
    assert [x.created_by for x in layers] == ["", "/bin/sh -c #(nop) WORKDIR /newdir",
                                              "/bin/busybox sh -c echo hi > /x"]
    assert [x.size for x in layers] == [3964512, 0, 3]
    assert "top" not in asked and "base" not in asked  # only zero-size rows are looked up


def test_align_without_local_ids_guesses_from_the_instruction():
    history = [row("RUN /bin/sh -c make # buildkit", 10), row("ENV X=1", 0), row("WORKDIR /app", 0),
               row("LABEL a=b", 0), row("/bin/sh -c #(nop) ADD file:x in / ", 100)]
    layers = align(history, ["sha256:1", "sha256:2", "sha256:3"])
    assert [x.created_by for x in layers] == ["/bin/sh -c #(nop) ADD file:x in / ", "WORKDIR /app",
                                              "RUN /bin/sh -c make # buildkit"]


def test_align_with_fewer_rows_than_layers_marks_the_rest_unknown():
    layers = align([row("", 5)], ["sha256:1", "sha256:2"])
    assert [(x.size, x.created_by) for x in layers] == [(5, ""), (-1, "")]


# ---- the CLI's system df arithmetic ------------------------------------------------------------


def test_summarize_is_the_clis_images_row():
    df = {"LayersSize": 1000, "Images": [
        {"Containers": 2, "Size": 600, "SharedSize": 400},   # in use: 200 unique bytes are not reclaimable
        {"Containers": 0, "Size": 500, "SharedSize": 400},
        {"Containers": 1, "Size": -1, "SharedSize": -1},     # not computed: skipped, as the CLI does
        {"Containers": 0, "Size": 100, "SharedSize": 0}]}
    assert summarize(df) == usage.DiskUsage(total=4, active=2, size=1000, reclaimable=800)
    assert summarize({"LayersSize": 0, "Images": None}) == usage.DiskUsage(0, 0, 0, 0)


def test_percent_truncates_like_go():
    assert percent(4019531, 4019534) == 99
    assert percent(1, 3) == 33
    assert percent(-1, 3) == -33 and percent(-5, 3) == -166  # Python's // would floor to -34, -167


def test_usage_triple_keeps_not_computed():
    assert usage.usage_triple({"Containers": 1, "Size": 10, "SharedSize": 4}) == (1, 4, 6)
    assert usage.usage_triple({"Containers": -1, "Size": 10, "SharedSize": -1}) == (-1, -1, -1)


# ---- frames ------------------------------------------------------------------------------------


def test_summary_frame_is_typed_and_reads_like_the_cli():
    frame = usage_views.summary_frame(usage.DiskUsage(9, 1, 4047527, 4047521), engine="e")
    assert list(frame.columns) == ["type", "total", "active", "size", "reclaimable"]
    assert {c: str(frame[c].dtype) for c in frame.columns[1:]} == {c: "int64" for c in frame.columns[1:]}
    text = repr(frame)
    assert "4.048MB (99%)" in text and "Images" in text and "[engine: e]" in text
    assert "0B" in repr(usage_views.summary_frame(usage.DiskUsage(0, 0, 0, 0)))


def test_images_usage_frame_first_tag_and_na():
    images = [{"Id": "sha256:" + "a" * 64, "Created": 1_700_000_000, "RepoTags": ["docker.io/library/x:1", "y:2"],
               "Size": 3964518, "SharedSize": 3964512, "Containers": 1},
              {"Id": "sha256:" + "b" * 64, "Created": 1_700_000_000, "RepoTags": ["<none>:<none>"],
               "Size": 3, "SharedSize": -1, "Containers": -1}]
    frame = usage_views.images_usage_frame(images)
    assert frame[["repository", "tag", "image_id"]].values.tolist() == [
        ["x", "1", "a" * 12], ["<none>", "<none>", "b" * 12]]
    assert frame["unique_size"].tolist() == [6, -1] and str(frame["unique_size"].dtype) == "int64"
    view = frame._display_copy()
    assert view["shared_size"].tolist() == ["3.965MB", "N/A"]  # HumanSize: 4 digits, as the CLI
    assert view["size"].tolist() == ["3.96MB", "3B"]  # SIZE: 3 digits, as the CLI
    assert view["containers"].tolist() == ["1", "N/A"]
    assert type(frame.sort_values("size")).__name__ == "DockerFrame"
    assert frame.sort_values("size")._display_copy()["containers"].tolist() == ["N/A", "1"]  # formats stay


def _layers() -> dict[str, list[Layer]]:
    base = Layer(BASE, BASE, 3964512, "")
    a = [base, Layer("sha256:" + "1" * 64, "sha256:c1", 20000, "/bin/busybox sh -c " + "x" * 60)]
    b = [base, Layer("sha256:" + "2" * 64, "sha256:c2", 0, "/bin/sh -c #(nop) WORKDIR /newdir"),
         Layer("sha256:" + "3" * 64, "sha256:c3", 7000, "RUN\tdd")]
    return {"a:1": a, "b:1": b}


def test_layers_frame_marks_sharing_by_chain():
    frame = usage_views.layers_frame(_layers())
    assert list(frame.columns) == ["image", "layer", "size", "created_by", "shared", "shared_with"]
    assert frame["shared"].tolist() == [True, False, True, False, False]
    assert frame["shared_with"].tolist() == [["b:1"], [], ["a:1"], [], []]
    assert frame["layer"].tolist()[0] == BASE[7:19]
    assert frame["created_by"][1] == "/bin/busybox sh -c " + "x" * 25 + "…" and len(frame["created_by"][1]) == 45
    assert frame["created_by"][4] == "RUN dd"
    full = usage_views.layers_frame(_layers(), no_trunc=True)
    assert full["layer"][0] == BASE and full["created_by"][1].endswith("x" * 60)


def test_same_diff_id_on_another_base_is_not_shared():
    layers = _layers()
    layers["c:1"] = [Layer("sha256:" + "1" * 64, "sha256:" + "1" * 64, 20000, "COPY")]  # a's top, but on scratch
    frame = usage_views.layers_frame(layers)
    assert not frame[frame.image == "c:1"]["shared"].any()


def test_diff_frame_sides_and_summary():
    layers = _layers()
    frame = usage_views.diff_frame("a:1", layers["a:1"], "b:1", layers["b:1"], engine="e")
    assert frame["side"].tolist() == ["both", "A only", "B only", "B only"]
    assert frame.attrs["summary"] == {"A": "a:1", "B": "b:1", "both": {"layers": 1, "size": 3964512},
                                      "A only": {"layers": 1, "size": 20000}, "B only": {"layers": 2, "size": 7000}}
    caption = "A = a:1, B = b:1: both: 1 layer, 3.96MB; A only: 1 layer, 20kB; B only: 2 layers, 7kB"
    assert repr(frame).startswith(caption + "\n")
    assert caption in frame._repr_html_()


def test_add_usage_columns():
    from docker_magics.views.frames import images_frame

    full = "sha256:" + "c" * 64
    frame = images_frame([{"Id": full, "RepoTags": ["x:1", "x:2"], "Created": 1, "Size": 10},
                          {"Id": "sha256:" + "d" * 64, "RepoTags": ["y:1"], "Created": 2, "Size": 5}])
    out = usage_views.add_usage_columns(frame, {full: (2, 4, 6)}, {full: ["api", "worker"]})
    assert out[["repository", "containers", "container_names", "shared_size", "unique_size"]].values.tolist() == [
        ["y", -1, [], -1, -1], ["x", 2, ["api", "worker"], 4, 6], ["x", 2, ["api", "worker"], 4, 6]]
    assert all(str(out[c].dtype) == "int64" for c in ("containers", "shared_size", "unique_size"))


# ---- charts ------------------------------------------------------------------------------------


def test_charts_render_png_with_agg():
    images = usage_views.images_usage_frame([
        {"Id": f"sha256:{i:064x}", "Created": 1_700_000_000 + i, "RepoTags": [f"r{i % 3}:{i}"],
         "Size": 1000 * (i + 1), "SharedSize": 500, "Containers": i % 2} for i in range(50)])
    fig = charts.image_sizes(images)
    assert "largest 40 of 50" in fig.axes[0].get_title()
    assert charts.png(fig).startswith(b"\x89PNG\r\n\x1a\n")
    fig = charts.layer_sizes(usage_views.layers_frame(_layers()))
    assert len(fig.axes) == 2
    assert charts.png(fig).startswith(b"\x89PNG")


def test_show_displays_a_png_and_clears_the_figure(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig = charts.layer_sizes(usage_views.layers_frame(_layers()))
    charts.show(fig)
    assert shown[0].format == "png" and shown[0].data.startswith(b"\x89PNG")
    assert fig.axes == []


def test_step_label():
    assert charts.step_label("/bin/sh -c #(nop)  ENV X=1") == "ENV X=1"
    assert charts.step_label("") == "(no step recorded)"
    assert charts.step_label("RUN " + "y" * 80).endswith("…")


MISSING = ("Charts need matplotlib, which is not installed. To fix it, run: pip install matplotlib "
           "(or pip install 'docker_magics[plot]'), or drop --plot.")


def test_missing_matplotlib_is_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(DockerMagicError) as info:
        charts.require()
    assert info.value.line() == MISSING


@pytest.mark.parametrize("line", ["df --plot", "layers --plot x:1", "df -v --plot"])
def test_plot_without_matplotlib_fails_before_asking_the_engine(ipshell, monkeypatch, line):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with configured(ipshell, host="unix:///nonexistent/docker.sock"), pytest.raises(DockerMagicError) as info:
        ipshell.run_line_magic("docker", line)
    assert info.value.line() == MISSING


@pytest.mark.parametrize(("line", "message"), [
    ("layers", "\"layers\" requires at least 1 argument. See '%docker layers --help'."),
    ("image layers --no-trunc", "\"layers\" requires at least 1 argument. See '%docker layers --help'."),
    ("image diff a:1", "\"image diff\" requires exactly 2 arguments. See '%docker image diff --help'."),
])
def test_missing_arguments(ipshell, line, message):
    with pytest.raises(UsageError) as info:
        ipshell.run_line_magic("docker", line)
    assert info.value.line() == message


def test_frames_keep_types_after_filtering():
    frame = usage_views.layers_frame(_layers())
    part = frame[frame["size"] > 0]
    assert isinstance(part, pd.DataFrame) and str(part["size"].dtype) == "int64"


def test_ctrl_c_during_system_df_is_one_line():
    from support.fakes import FakeAPI, fake_engine

    from docker_magics.errors import Interrupted

    engine = fake_engine(FakeAPI({"/system/df": KeyboardInterrupt}))
    with pytest.raises(Interrupted) as info:
        engine.system_df()
    assert info.value.line() == "Stopped while the engine computed disk usage; nothing was changed."
