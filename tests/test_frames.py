"""DataFrame conventions: metadata in ``df.attrs`` (kept by concat and merge), text as pandas' string dtype."""

from __future__ import annotations

import pandas as pd
from support.shell import configured

from docker_magics.views.frames import TEXT, images_frame
from docker_magics.views.lifecycle import pruned_frame

IMAGES = [{"Id": "sha256:" + "a" * 64, "RepoTags": ["x:1"], "Created": 1, "Size": 10},
          {"Id": "sha256:" + "b" * 64, "RepoTags": ["y:1"], "Created": 2, "Size": 5}]


def test_the_engine_is_in_attrs_and_survives_concat_and_merge():
    a = images_frame(IMAGES[:1], engine="unix:///a.sock")
    b = images_frame(IMAGES[1:], engine="unix:///a.sock")
    assert a.attrs["engine"] == "unix:///a.sock"
    assert pd.concat([a, b]).attrs["engine"] == "unix:///a.sock"
    merged = a.merge(pd.DataFrame({"repository": ["x"], "team": ["data"]}), on="repository")
    assert merged.attrs["engine"] == "unix:///a.sock"
    assert a[a["size"] > 0].attrs["engine"] == "unix:///a.sock"


def test_text_columns_are_the_string_dtype():
    df = images_frame(IMAGES)
    assert all(str(df[c].dtype) == str(pd.Series([], dtype=TEXT).dtype) for c in ("repository", "tag", "image_id"))
    assert str(df["size"].dtype) == "int64" and str(df["created"].dtype).startswith("datetime64")


def test_a_caption_belongs_to_the_returned_frame_only():
    df = pruned_frame([("Deleted", "sha256:" + "c" * 64), ("Untagged", "x:1")], 1234, engine="e")
    assert df.attrs["caption"].startswith("Total reclaimed space")
    part = df[df["action"] == "Deleted"]
    assert "caption" not in part.attrs and part.attrs["engine"] == "e"


def test_display_rows_is_read_from_the_magics_setting(ipshell):
    frame = images_frame([{"Id": f"sha256:{i:064x}", "RepoTags": [f"app:{i}"], "Created": 0, "Size": 1}
                          for i in range(100)])
    with configured(ipshell, display_rows=10):
        assert "\n50 " not in repr(frame)  # row 50 is cut
    with configured(ipshell, display_rows=200):
        assert "\n50 " in repr(frame)
