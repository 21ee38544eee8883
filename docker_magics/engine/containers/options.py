"""``docker run``'s flags turned into the Engine API's ``POST /containers/create`` body, as the CLI builds it.

Pure functions: nothing here calls the engine or prints. Each parser raises our one-line :class:`UsageError`
with the CLI's own words where the CLI refuses the same value.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import UsageError


@dataclass
class RunOptions:
    """What ``%docker run`` asks of the engine (the flags that make sense without a terminal)."""

    image: str
    command: list[str] = field(default_factory=list)
    name: str | None = None
    env: list[str] = field(default_factory=list)
    env_files: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    mounts: list[str] = field(default_factory=list)
    workdir: str | None = None
    user: str | None = None
    entrypoint: str | None = None
    labels: list[str] = field(default_factory=list)
    network: str | None = None
    platform: str | None = None
    publish: list[str] = field(default_factory=list)
    cpus: str | None = None
    memory: str | None = None
    gpus: str | None = None
    stop_timeout: int | None = None


def env_file_lines(path: str) -> list[str]:
    """The ``KEY=VALUE`` lines of an ``--env-file``, as the CLI reads it (``#`` comments, blank lines skipped;
    a bare ``KEY`` takes its value from this process's environment, and is dropped when unset)."""
    import os

    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"open {path}: {exc.strerror or exc}", hint="To fix it, check the --env-file path.") from None
    out = []
    for raw in text.splitlines():
        line = raw.lstrip()
        if not line or line.startswith("#"):
            continue
        key, eq, _ = line.partition("=")
        if not key or any(c.isspace() for c in key):
            raise UsageError(f"variable '{key}' contains whitespaces", hint=f"To fix it, check {path}.")
        if eq:
            out.append(line)
        elif key in os.environ:
            out.append(f"{key}={os.environ[key]}")
    return out


def _env(options: RunOptions) -> list[str]:
    import os

    values = [line for path in options.env_files for line in env_file_lines(path)]
    for item in options.env:
        if "=" in item:
            values.append(item)
        elif item in os.environ:  # -e NAME passes this process's value, as the CLI does
            values.append(f"{item}={os.environ[item]}")
    return values


_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b?)$", re.IGNORECASE)


def ram_bytes(text: str, flag: str = "--memory") -> int:
    """go-units' RAMInBytes: ``512m`` = 512 MiB, ``1g``, ``100000`` bytes (powers of 1024 whatever the case)."""
    match = _SIZE.match(text.strip())
    if not match:
        raise UsageError(f'invalid argument "{text}" for "{flag}" flag: invalid size: \'{text}\'',
                         hint="Write a size such as 512m or 2g.")
    scale = 1024 ** "bkmgtp".index(match[2].lower() or "b")
    return int(float(match[1]) * scale)


def nano_cpus(text: str) -> int:
    """``--cpus 1.5`` as the API's NanoCpus (1.5e9)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise UsageError(f'invalid argument "{text}" for "--cpus" flag: failed to parse {text} as a rational number',
                         hint="Write a number of CPUs such as 0.5 or 2.")
    return round(value * 1e9)


def port_bindings(specs: list[str]) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """``-p [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`` as the API's ExposedPorts and PortBindings."""
    exposed: dict[str, dict] = {}
    bindings: dict[str, list[dict]] = {}
    for spec in specs:
        rest, _, proto = spec.partition("/")
        parts = rest.rsplit(":", 2) if rest.count(":") <= 2 else [rest]
        container = parts[-1]
        host_port = parts[-2] if len(parts) >= 2 else ""
        host_ip = parts[-3].strip("[]") if len(parts) == 3 else ""
        if not container.replace("-", "").isdigit():
            raise UsageError(f"invalid containerPort: {container}",
                             hint="Write -p [IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL], e.g. -p 8080:80.")
        key = f"{container}/{proto or 'tcp'}"
        exposed[key] = {}
        bindings.setdefault(key, []).append({"HostIp": host_ip, "HostPort": host_port})
    return exposed, bindings


def parse_mount(spec: str) -> dict[str, Any]:
    """``--mount type=bind,source=/x,target=/y[,readonly]`` as one of the API's ``Mounts``."""
    mount: dict[str, Any] = {"Type": "volume"}
    for item in spec.split(","):
        key, eq, value = item.partition("=")
        key = key.strip().lower()
        if key in ("source", "src"):
            mount["Source"] = value
        elif key in ("target", "destination", "dst"):
            mount["Target"] = value
        elif key == "type":
            mount["Type"] = value
        elif key in ("readonly", "ro"):
            mount["ReadOnly"] = not eq or value.lower() in ("1", "true")
        elif key == "bind-propagation":
            mount.setdefault("BindOptions", {})["Propagation"] = value
        elif key == "volume-nocopy":
            mount.setdefault("VolumeOptions", {})["NoCopy"] = not eq or value.lower() in ("1", "true")
        else:
            raise UsageError(f"invalid field '{key}' must be a key=value pair", hint="See 'docker run --mount'.")
    if "Target" not in mount:
        raise UsageError("target is required", hint="Write --mount type=bind,source=/host/dir,target=/dir.")
    return mount


def _volumes(specs: list[str]) -> list[str]:
    binds = []
    for spec in specs:
        source, sep, rest = spec.partition(":")
        if sep and (source.startswith((".", "~")) or "/" in source):
            # The engine wants an absolute host path; the CLI makes a relative one absolute too.
            source = str(Path(source).expanduser().resolve())
        binds.append(source + sep + rest)
    return binds


def device_requests(gpus: str) -> list[dict[str, Any]]:
    """``--gpus all|N|device=0,1|count=2,capabilities=...`` as the CLI's DeviceRequests."""
    request: dict[str, Any] = {"Driver": "", "Count": 0, "DeviceIDs": None, "Capabilities": [["gpu"]]}
    text = gpus.strip().strip('"')
    if text == "all":
        request["Count"] = -1
    elif text.isdigit():
        request["Count"] = int(text)
    else:
        for item in text.split(","):
            key, _, value = item.partition("=")
            if key == "device":
                request["DeviceIDs"] = value.split(",")
            elif key == "count":
                request["Count"] = -1 if value == "all" else int(value)
            elif key == "driver":
                request["Driver"] = value
            elif key == "capabilities":
                request["Capabilities"] = [["gpu", *value.split(",")]]
            else:
                raise UsageError(f"unexpected key '{key}' in '{gpus}'", hint="Write --gpus all or --gpus 2.")
    return [request]


def create_body(options: RunOptions, network: str | None) -> dict[str, Any]:
    """The ``POST /containers/create`` body for ``options``; ``network`` is the network mode to send (None: the
    engine's default)."""
    host: dict[str, Any] = {}
    body: dict[str, Any] = {"Image": options.image, "AttachStdout": True, "AttachStderr": True,
                            "Tty": False, "OpenStdin": False, "HostConfig": host}
    if options.command:
        body["Cmd"] = list(options.command)
    if options.entrypoint is not None:
        # The CLI sends --entrypoint as one word (an empty one resets the image's); its arguments go in COMMAND.
        body["Entrypoint"] = [options.entrypoint] if options.entrypoint else [""]
    if env := _env(options):
        body["Env"] = env
    if options.workdir:
        body["WorkingDir"] = options.workdir
    if options.user:
        body["User"] = options.user
    if options.labels:
        body["Labels"] = dict(item.partition("=")[::2] for item in options.labels)
    if options.stop_timeout is not None:
        body["StopTimeout"] = options.stop_timeout
    if options.volumes:
        host["Binds"] = _volumes(options.volumes)
    if options.mounts:
        host["Mounts"] = [parse_mount(spec) for spec in options.mounts]
    if network:
        host["NetworkMode"] = network
    if options.publish:
        body["ExposedPorts"], host["PortBindings"] = port_bindings(options.publish)
    if options.cpus:
        host["NanoCpus"] = nano_cpus(options.cpus)
    if options.memory:
        host["Memory"] = ram_bytes(options.memory)
    if options.gpus:
        host["DeviceRequests"] = device_requests(options.gpus)
    return body


def shown_command(image: str, command: list[str]) -> str:
    """The command as a person would type it, for one-line messages: ``run busybox sh -c 'exit 3'``."""
    return shlex.join(["run", image, *command])
