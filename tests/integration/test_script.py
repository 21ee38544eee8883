"""A bare ``%%docker`` cell is a script: each line a ``%docker`` command, stopping at the first failure."""

from __future__ import annotations

import pandas as pd
import pytest

from docker_magics.errors import DockerMagicError, ImageNotFoundError, UsageError


@pytest.fixture(autouse=True)
def _cleanup(sandbox):
    yield
    sandbox.remove_images("st/*")


def tags(sandbox) -> set[str]:
    return set(sandbox.cli("images", "--format", "{{.Repository}}:{{.Tag}}", "st/*").stdout.split())


def test_script_runs_in_order_and_returns_the_last_result(ip, sandbox, capsys):
    ip.user_ns["name"] = "st/app:2"
    result = ip.run_cell_magic("docker", "", "# tag twice, then list\n"
                                             "tag dmtest/tiny:1.0 st/app:1\n\n"
                                             "tag dmtest/tiny:1.0 {name}\n"
                                             "images \\\n  st/app\n")
    assert tags(sandbox) == {"st/app:1", "st/app:2"}
    assert isinstance(result, pd.DataFrame)
    assert sorted(result["tag"]) == ["1", "2"]


def test_script_stops_at_the_first_failing_line(ip, sandbox, capsys):
    with pytest.raises(ImageNotFoundError) as info:
        ip.run_cell_magic("docker", "", "tag dmtest/tiny:1.0 st/stop:1\n"
                                        "images st/stop\n"
                                        "# the next line fails\n"
                                        "tag st/nosuch:404 st/stop:2\n"
                                        "tag dmtest/tiny:1.0 st/stop:never\n")
    line = info.value.line()
    assert line.startswith("line 4 (tag st/nosuch:404 st/stop:2): ")
    assert "st/nosuch:404" in line[len("line 4 (tag st/nosuch:404 st/stop:2): "):]
    assert tags(sandbox) == {"st/stop:1"}  # the line after the failure never ran
    assert info.value._render_traceback_() == [f"\x1b[0;31mImageNotFoundError\x1b[0m: {line}"]


def test_script_usage_error_names_its_line(ip, sandbox):
    with pytest.raises(UsageError) as info:
        ip.run_cell_magic("docker", "", "tag dmtest/tiny:1.0 st/usage:1\n\nimagez\ntag dmtest/tiny:1.0 st/usage:2\n")
    assert info.value.line() == ("line 3 (imagez): 'imagez' is not a docker command. Did you mean 'image'? "
                                 "See '%docker --help'.")
    assert tags(sandbox) == {"st/usage:1"}


def test_script_with_a_build_line_and_global_host(ip, sandbox, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM dmtest/tiny:1.0\nRUN echo scripted > /s\n")
    built = ip.run_cell_magic("docker", f"-H {sandbox.host}", "build -q -t st/built:1 .\n")
    assert built == sandbox.api().inspect_image("st/built:1")["Id"]
    with pytest.raises(DockerMagicError) as info:
        ip.run_cell_magic("docker", "", "build -q -t st/built:2 .\nbuild -q -f nosuch .\ntag st/built:2 st/built:3\n")
    assert info.value.line() == (f"line 2 (build -q -f nosuch .): Cannot locate the Dockerfile: '{tmp_path}/nosuch' "
                                 "does not exist. Give its path with -f, or write the Dockerfile in a %%docker "
                                 "build cell.")
    assert tags(sandbox) == {"st/built:1", "st/built:2"}
