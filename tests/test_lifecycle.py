"""Pure logic of tag/rm/prune: conflict messages, prune filters and plans, result frames, the confirm box."""

from __future__ import annotations

import pytest
from support.fakes import FakeAPI, fake_engine

from docker_magics.commands.lifecycle import _some_failed
from docker_magics.engine import lifecycle
from docker_magics.errors import ConflictError, UsageError
from docker_magics.views import lifecycle as lifecycle_views
from docker_magics.views.confirm import _can_prompt


def image(id_, tags=(), parent="", created=100, labels=None, size=10, digests=()):
    return {"Id": id_, "RepoTags": list(tags) or ["<none>:<none>"], "RepoDigests": list(digests) or
            ["<none>@<none>"], "ParentId": parent, "Created": created, "Labels": labels, "Size": size}


IMAGES = [
    image("sha256:top", ["app:1"], parent="sha256:mid", size=30),
    image("sha256:mid", parent="sha256:base", size=20),            # intermediate: never a candidate
    image("sha256:base", ["base:1"], size=10),                     # tagged parent: untag only with -a
    image("sha256:dang1", created=50, labels={"team": "data"}, size=5),
    image("sha256:dang2", created=150, labels={"team": "ml"}, size=7),
    image("sha256:digest", digests=["reg/x@sha256:1"], size=3),    # repo@digest only: counts as dangling
    image("sha256:used", size=4),                                  # a container uses it
]


def plan(all_=False, **filters):
    api = FakeAPI({"/images/json": IMAGES, "/system/df": {"Images": [{"Id": "sha256:dang1", "Size": 5,
                                                                    "SharedSize": 2}]}},
                  containers=[{"ImageID": "sha256:used"}])
    return [p["Id"].removeprefix("sha256:") for p in
            fake_engine(api).plan_prune(lifecycle.prune_filters(all_, filters))]


def test_plan_mirrors_the_engine_rules():
    assert plan() == ["dang1", "dang2", "digest"]
    assert plan(True) == ["top", "base", "dang1", "dang2", "digest"]
    assert plan(label=["team=data"]) == ["dang1"]
    assert plan(label=["team"]) == ["dang1", "dang2"]
    assert plan(**{"label!": ["team=ml"]}) == ["dang1", "digest"]
    assert plan(until=["100"]) == ["dang1", "digest"]


def test_plan_sizes_and_untag_only():
    api = FakeAPI({"/images/json": IMAGES, "/system/df": {"Images": [{"Id": "sha256:dang1", "Size": 5,
                                                                        "SharedSize": 2}]}})
    rows = {p["Id"]: p for p in fake_engine(api).plan_prune(lifecycle.prune_filters(True, {}))}
    assert rows["sha256:dang1"]["UniqueSize"] == 3  # shared bytes stay
    assert rows["sha256:dang2"]["UniqueSize"] == 7  # unknown to df: its whole size
    assert rows["sha256:base"]["UntagOnly"] and rows["sha256:base"]["UniqueSize"] == 0


def test_prune_filters():
    assert lifecycle.prune_filters(False, {"label": ["a"]}) == {"label": ["a"], "dangling": ["true"]}
    assert lifecycle.prune_filters(True, {}) == {"dangling": ["false"]}
    with pytest.raises(UsageError) as info:
        lifecycle.prune_filters(False, {"reference": ["x"]})
    assert info.value.line() == ("invalid filter 'reference' for image prune. Use --filter until=<timestamp or "
                                 "duration>, label=<key>[=<value>] or label!=<key>[=<value>].")


@pytest.mark.parametrize("text, expected", [
    ('conflict: unable to remove repository reference "x:1" (must force) - container 0123456789abcdef is using '
     "its referenced image 5584247ab6ad",
     "Cannot remove x:1: the container 0123456789ab uses it. To fix it, remove the container first: docker rm "
     "0123456789ab; or use -f to remove the image anyway (the container keeps its filesystem)."),
    ("conflict: unable to delete 5584247ab6ad (must be forced) - image is being used by stopped container "
     "dd57af8150c9",
     "Cannot remove x:1: the container dd57af8150c9 uses it. To fix it, remove the container first: docker rm "
     "dd57af8150c9; or use -f to remove the image anyway (the container keeps its filesystem)."),
    ("conflict: unable to delete b8793097143d (cannot be forced) - image is being used by running container "
     "c11e6d4f7f0d",
     "Cannot remove x:1: the running container c11e6d4f7f0d uses it, and -f cannot override that. To fix it, "
     "stop and remove the container first: docker rm -f c11e6d4f7f0d."),
    ("conflict: unable to delete 5584247ab6ad (must be forced) - image is referenced in multiple repositories",
     "Cannot remove x:1: the image is referenced by several repositories (a:1, b:1). To fix it, remove it by "
     "name (one reference at a time), or use -f to remove every reference and the image."),
    ("conflict: unable to delete f4de40f6a1e9 (cannot be forced) - image has dependent child images",
     "Cannot remove x:1: other images are built on it, and -f cannot override that. To fix it, remove the "
     "images built on it first."),
])
def test_conflicts_name_cause_and_fix(text, expected):
    engine = fake_engine(FakeAPI(tags=["a:1", "b:1", "<none>:<none>"]))
    assert lifecycle.explain_conflict(engine, "x:1", text).line() == expected


def test_some_failed_keeps_the_first_and_counts():
    one = ConflictError("Cannot remove a", hint="To fix it, use -f.")
    assert _some_failed([one], 0) is one
    line = _some_failed([one, ConflictError("b")], 2).line()
    assert line == "Cannot remove a (and 1 other failures). To fix it, use -f. The other 2 images were removed."


def test_frames_and_captions():
    df = lifecycle_views.pruned_frame([("Untagged", "a:1"), ("Deleted", "sha256:x")], 2_500_000, engine="e")
    assert list(df.columns) == ["action", "reference"] and df.attrs["space_reclaimed"] == 2_500_000
    assert "Total reclaimed space: 2.5MB" in df._repr_html_() and repr(df).endswith("Total reclaimed space: 2.5MB")
    assert type(df[df.action == "Deleted"]).__name__ == "DockerFrame"  # a subset drops the caption
    preview = lifecycle_views.plan_frame([{**image("sha256:" + "a" * 64, ["x:1"]), "UniqueSize": 1000,
                                           "UntagOnly": False}], engine="e")
    assert preview.dm_caption == "Would remove 1 image, freeing about 1kB"
    assert list(preview.image_id) == ["a" * 12] and str(preview["unique_size"].dtype) == "int64"
    empty = lifecycle_views.plan_frame([], engine="e")
    assert repr(empty) == "Nothing to remove." and empty.attrs["space_reclaimed"] == 0


def test_confirm_box_runs_on_click_only():
    from docker_magics.views.confirm import ConfirmBox

    calls = []
    box = ConfirmBox("preview", lambda: calls.append(1) or "done", question="Remove them?")
    assert calls == []
    box.remove.click()
    assert calls == [1] and box.result == "done" and box.remove.disabled


def test_confirm_box_error_goes_to_output_and_allows_retry():
    from docker_magics.views.confirm import ConfirmBox

    def fail():
        raise ConflictError("Cannot remove x")

    box = ConfirmBox("preview", fail, question="Remove them?")
    box.remove.click()
    assert box.result is None and not box.remove.disabled
    box.cancel.click()
    assert box.remove.disabled and box.cancel.disabled


def test_can_prompt():
    class Kernel:
        _allow_stdin = False

    class Shell:
        kernel = Kernel()

    assert _can_prompt(Shell()) is False
    Kernel._allow_stdin = True
    assert _can_prompt(Shell()) is True
