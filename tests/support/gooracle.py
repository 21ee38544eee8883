"""Go itself as the oracle for docker_magics.gotemplate: build and run tests/oracle (Go 1.24's text/template
with the Docker CLI's function map) on batches of (template, data) cases.

Go comes from Debian trixie, unpacked by scripts/setup.sh into .cache/trixie (bookworm's Go 1.19 lacks
``else with`` and range over an integer). The binary is built once per source version into .cache/oracle.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ORACLE_SRC = ROOT / "tests" / "oracle"
GOROOT = ROOT / ".cache" / "trixie" / "root" / "usr" / "lib" / "go-1.24"
CACHE = ROOT / ".cache"


class OracleUnavailable(Exception):
    """Go 1.24 is not where scripts/setup.sh puts it, or the oracle does not build."""


@dataclass(frozen=True)
class GoResult:
    """What Go did with one case: its output (invalid UTF-8 shown as U+FFFD, as render does) or an error."""

    out: str | None
    err: str | None


def _go_env() -> dict[str, str]:
    # Standard library only, never the network, never a newer toolchain: the build must be hermetic.
    return {**os.environ, "GOROOT": str(GOROOT), "GOCACHE": str(CACHE / "go-build"),
            "GOPATH": str(CACHE / "gopath"), "GOFLAGS": "-mod=mod", "GOPROXY": "off",
            "GOTOOLCHAIN": "local", "CGO_ENABLED": "0"}


def build_oracle() -> Path:
    """The oracle binary, built if its sources changed since the last build."""
    go = GOROOT / "bin" / "go"
    if not go.exists():
        raise OracleUnavailable(f"Go 1.24 not found at {go}: run scripts/setup.sh (it fetches Go from Debian trixie)")
    digest = hashlib.sha256()
    for name in ("go.mod", "main.go"):
        digest.update((ORACLE_SRC / name).read_bytes())
    binary = CACHE / "oracle" / f"oracle-{digest.hexdigest()[:16]}"
    if not binary.exists():
        binary.parent.mkdir(parents=True, exist_ok=True)
        tmp = binary.with_suffix(f".tmp{os.getpid()}")
        proc = subprocess.run([str(go), "build", "-o", str(tmp), "."], cwd=ORACLE_SRC, env=_go_env(),
                              capture_output=True, text=True, timeout=600)
        if proc.returncode != 0:
            raise OracleUnavailable(f"building tests/oracle failed:\n{proc.stderr}")
        tmp.replace(binary)  # atomic: a parallel session never runs a half-written binary
    return binary


def _result(line: bytes) -> GoResult:
    r = json.loads(line)
    if "err" in r:
        return GoResult(None, r["err"])
    # Invalid UTF-8 as render shows it (gotemplate.template.clean_output): U+FFFD per bad sequence.
    return GoResult(base64.b64decode(r.get("out", "")).decode("utf-8", "replace"), None)


class Oracle:
    """One oracle process, fed batch after batch (a process per batch would cost more than the cases)."""

    def __init__(self, binary: Path) -> None:
        self.proc = subprocess.Popen([str(binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def render(self, cases: list[tuple[str, Any]]) -> list[GoResult]:
        """Render every (template, data) case with Go."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        results = []
        for template, data in cases:
            # One case at a time: writing a whole batch first could fill both pipes and deadlock.
            self.proc.stdin.write(json.dumps({"template": template, "data": data}).encode() + b"\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
            if not line:
                raise OracleUnavailable(f"the oracle stopped (exit status {self.proc.wait()})")
            results.append(_result(line))
        return results

    def close(self) -> None:
        """End the process (it exits at the end of its input)."""
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        self.proc.wait(timeout=30)
