"""Which engine answered: version, API version and image store, asked once, named in every result."""

from __future__ import annotations

import copy
import pickle

import pandas as pd
from support.fakes import FakeAPI, fake_engine

from docker_magics.engine.identity import EngineLabel, ServerFacts, describe, facts_from, image_store
from docker_magics.views.display import engine_line
from docker_magics.views.frames import images_frame
from docker_magics.views.results import Pushed, PushedTag

VERSION = {"Version": "26.1.5+dfsg1", "ApiVersion": "1.45"}
CONTAINERD_INFO = {"Driver": "overlayfs", "DriverStatus": [["driver-type", "io.containerd.snapshotter.v1"]]}
CLASSIC_INFO = {"Driver": "overlay2", "DriverStatus": [["Backing Filesystem", "extfs"], ["Supports d_type", "true"]]}
IMAGE = {"Id": "sha256:" + "a" * 64, "RepoTags": ["x:1"], "Created": 1, "Size": 10}


def test_the_store_from_info_as_engine_26_reports_it():
    assert image_store(CONTAINERD_INFO) == ("containerd", "overlayfs")
    assert image_store(CLASSIC_INFO) == ("classic", "overlay2")
    assert image_store(None) == (None, None)


def test_the_engine_line_names_version_api_and_store():
    label = EngineLabel("unix:///d.sock", facts_from(VERSION, CONTAINERD_INFO, "1.45"))
    assert label == "unix:///d.sock" and hash(label) == hash("unix:///d.sock")
    assert describe(label) == "unix:///d.sock: Engine 26.1.5+dfsg1, API 1.45, containerd store"
    assert engine_line(label) == "\n[engine: unix:///d.sock: Engine 26.1.5+dfsg1, API 1.45, containerd store]"
    assert engine_line("plain") == "\n[engine: plain]"
    assert describe(EngineLabel("x", ServerFacts(None, "1.41"))) == "x: API 1.41"
    assert copy.deepcopy(label).about == label.about == pickle.loads(pickle.dumps(label)).about
    pushed = Pushed("r", (PushedTag("1", "sha256:" + "1" * 64, 5),), label)
    assert pushed == Pushed("r", pushed.tags, "unix:///d.sock")


def test_a_frame_keeps_the_facts_in_attrs_and_shows_them():
    label = EngineLabel("unix:///d.sock", facts_from(VERSION, CLASSIC_INFO, "1.45"))
    df = images_frame([IMAGE], engine=label)
    assert type(df.attrs["engine"]) is str and df.attrs["engine"] == "unix:///d.sock"
    assert (df.attrs["engine_version"], df.attrs["api_version"], df.attrs["image_store"]) == (
        "26.1.5+dfsg1", "1.45", "classic")
    assert repr(df).endswith("[engine: unix:///d.sock: Engine 26.1.5+dfsg1, API 1.45, classic store]")
    assert "engine: unix:///d.sock: Engine 26.1.5+dfsg1" in df._repr_html_()
    both = pd.concat([df, images_frame([IMAGE], engine=label)])
    assert both.attrs["api_version"] == "1.45" and repr(both).endswith("classic store]")
    assert repr(images_frame([IMAGE], engine="e")).endswith("[engine: e]")


def test_facts_are_asked_once_per_engine():
    api = FakeAPI(answers={"/version": VERSION, "/info": CONTAINERD_INFO})
    engine = fake_engine(api)
    assert engine.label.about == "Engine 26.1.5+dfsg1, API 1.41, containerd store"  # the API the client speaks
    assert engine.containerd_store() and engine.label is engine.label
    assert [url for url, _, _ in api.requests] == ["/version", "/info"]


def test_an_engine_that_refuses_info_is_named_without_its_store():
    from docker_magics.errors import DockerMagicError

    api = FakeAPI(answers={"/version": VERSION, "/info": DockerMagicError("403 Forbidden")})
    engine = fake_engine(api)
    assert engine.label.about == "Engine 26.1.5+dfsg1, API 1.41" and not engine.containerd_store()
