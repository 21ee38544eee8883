"""Pure logic of the container verbs: frames taken apart, run's flags as the create body, the grammar's cut at
IMAGE, ps rows as the CLI shows them, completion names."""

from __future__ import annotations

import pytest

from docker_magics import grammar
from docker_magics.completion import ContainerCache, candidates
from docker_magics.engine.containers import demux
from docker_magics.engine.containers.index import status_text
from docker_magics.engine.containers.options import (
    RunOptions,
    create_body,
    device_requests,
    nano_cpus,
    parse_mount,
    port_bindings,
    ram_bytes,
)
from docker_magics.engine.index.view import nanoseconds_of
from docker_magics.errors import UsageError
from docker_magics.views.containers import ps_frame, ps_ids, ps_row


def _frame(stream: int, data: bytes) -> bytes:
    return bytes([stream, 0, 0, 0]) + len(data).to_bytes(4, "big") + data


def test_frames_cut_anywhere_come_back_whole_per_stream():
    body = _frame(1, b"hello ") + _frame(2, b"oops\n") + _frame(1, b"world\n")
    for cut in range(1, len(body)):
        pieces = [body[i:i + cut] for i in range(0, len(body), cut)]
        out: dict[int, bytes] = {1: b"", 2: b""}
        for stream, data in demux.frames(pieces):
            out[stream] += data
        assert out == {1: b"hello world\n", 2: b"oops\n"}


def test_tail_keeps_the_last_bytes_and_counts_the_rest():
    tail = demux.Tail(5)
    for piece in (b"abc", b"defg", b"hi"):
        tail.add(piece)
    assert (bytes(tail.data), tail.dropped, tail.total) == (b"efghi", 4, 9)


def test_create_body_as_the_cli_builds_it(tmp_path):
    body = create_body(RunOptions("busybox", ["sh", "-c", "true"], name="x", env=["A=1"], volumes=[f"{tmp_path}:/d:ro"],
                                  workdir="/d", user="1000", entrypoint="/bin/sh", labels=["k=v", "flag"],
                                  publish=["127.0.0.1:8080:80", "53/udp"], cpus="1.5", memory="512m"), "none")
    assert body["Cmd"] == ["sh", "-c", "true"] and body["Entrypoint"] == ["/bin/sh"] and body["Env"] == ["A=1"]
    assert body["Labels"] == {"k": "v", "flag": ""} and body["WorkingDir"] == "/d" and body["User"] == "1000"
    host = body["HostConfig"]
    assert host["Binds"] == [f"{tmp_path}:/d:ro"] and host["NetworkMode"] == "none"
    assert host["PortBindings"] == {"80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}],
                                    "53/udp": [{"HostIp": "", "HostPort": ""}]}
    assert (host["NanoCpus"], host["Memory"]) == (1_500_000_000, 512 * 1024 * 1024)
    assert (body["Tty"], body["OpenStdin"]) == (False, False)
    assert "NetworkMode" not in create_body(RunOptions("busybox"), None)["HostConfig"]


def test_flag_values_the_cli_refuses():
    with pytest.raises(UsageError, match='invalid argument "lots" for "--memory" flag'):
        ram_bytes("lots")
    with pytest.raises(UsageError, match="failed to parse -1 as a rational number"):
        nano_cpus("-1")
    with pytest.raises(UsageError, match="invalid containerPort: http"):
        port_bindings(["8080:http"])
    with pytest.raises(UsageError, match="target is required"):
        parse_mount("type=bind,source=/x")
    assert parse_mount("type=bind,src=/x,dst=/y,readonly") == {"Type": "bind", "Source": "/x", "Target": "/y",
                                                               "ReadOnly": True}
    assert device_requests("all")[0]["Count"] == -1 and device_requests("device=0")[0]["DeviceIDs"] == ["0"]


@pytest.mark.parametrize("line, image, command, options", [
    ("run --rm busybox sh -c 'exit 3'", "busybox", ["sh", "-c", "exit 3"], {"rm": True}),
    ("run -e A=1 -eB=2 --name=n -d busybox ls -l", "busybox", ["ls", "-l"], {"env": ["A=1", "B=2"], "name": "n"}),
    ("run -w /tmp busybox --help", "busybox", ["--help"], {"workdir": "/tmp"}),
    ("run -- busybox", "busybox", [], {}),
])
def test_run_flags_end_at_the_image(line, image, command, options):
    cmd = grammar.parse(line)
    assert (cmd.image, cmd.command) == (image, command) and cmd.help is None
    assert all(cmd.options[k] == v for k, v in options.items())


def test_ps_row_as_the_cli_shows_it():
    row = ps_row({"Id": "a" * 64, "Image": "sha256:" + "b" * 64, "ImageID": "sha256:" + "b" * 64,
                  "Command": "sh -c 'sleep 100; echo done'", "Created": 1, "Status": "Up 1 second",
                  "Ports": [{"PrivatePort": 80, "Type": "tcp", "IP": "0.0.0.0", "PublicPort": 8080},
                            {"PrivatePort": 53, "Type": "udp"}],
                  "Names": ["/web", "/other/alias"]})
    assert (row["container_id"], row["image"], row["command"]) == ("a" * 12, "b" * 12, "sh -c 'sleep 100; e…")
    assert (row["ports"], row["names"]) == ("53/udp, 0.0.0.0:8080->80/tcp", "web")


def test_ps_keeps_the_engines_order_within_a_second():
    # Created is in seconds; the engine orders by its nanoseconds, and the CLI prints that order as it comes.
    later, earlier = ({"Id": c * 64, "Names": [f"/{c}"], "Created": 5} for c in "ab")
    assert list(ps_frame([later, earlier]).names) == ["a", "b"]
    assert ps_ids([later, earlier]) == ["a" * 12, "b" * 12]


def test_completion_offers_containers_where_a_verb_takes_one():
    names = ContainerCache.names([{"Id": "c" * 64, "Names": ["/web"]}])
    assert names == ["web", "c" * 12]
    assert candidates(["rm", "-f"], "w", lambda: ["img:1"], lambda: names) == ["web"]
    assert candidates(["logs"], "", lambda: ["img:1"], lambda: names) == names
    assert candidates(["run"], "im", lambda: ["img:1"], lambda: names) == ["img:1"]


@pytest.mark.parametrize(("state", "status"), [
    ({"Running": True, "StartedAt": "2026-12-07T06:00:00.5Z"}, "Up About a minute"),
    ({"Running": True, "StartedAt": "2026-12-07T06:00:00Z"}, "Up 2 minutes"),
    ({"Running": True, "Paused": True, "StartedAt": "2026-12-07T06:01:59.9Z"}, "Up Less than a second (Paused)"),
    ({"Running": True, "StartedAt": "2026-12-07T06:01:00Z", "Health": {"Status": "starting"}},
     "Up About a minute (health: starting)"),
    ({"Running": True, "StartedAt": "2026-12-07T06:01:00Z", "Health": {"Status": "healthy"}},
     "Up About a minute (healthy)"),
    ({"Running": True, "Restarting": True, "ExitCode": 1, "StartedAt": "2026-12-07T05:00:00Z",
      "FinishedAt": "2026-12-07T06:01:57Z"}, "Restarting (1) 3 seconds ago"),
    ({"Status": "created", "StartedAt": "0001-01-01T00:00:00Z", "FinishedAt": "0001-01-01T00:00:00Z"}, "Created"),
    ({"Status": "exited", "ExitCode": 137, "StartedAt": "2026-12-07T04:00:00Z",
      "FinishedAt": "2026-12-07T05:02:00Z"}, "Exited (137) About an hour ago"),
    ({"Status": "dead", "Dead": True, "StartedAt": "2026-12-07T04:00:00Z"}, "Dead"),
    ({"Status": "removing", "StartedAt": "2026-12-07T04:00:00Z"}, "Removal In Progress"),
])
def test_status_written_again_as_moby_writes_it(state, status):
    assert status_text(state, nanoseconds_of("2026-12-07T06:02:00Z")) == status
