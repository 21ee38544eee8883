"""``-H ssh://`` through the system's ssh, to a real sshd on loopback whose ``docker`` reaches the sandbox engine.

As with the Docker CLI, the connection runs ``docker system dial-stdio`` on the remote side. The test's sshd
sets DOCKER_HOST there (``SetEnv``) and the local ``ssh`` is a wrapper that adds the test's own ssh config
(key, no host-key prompt), so nothing touches ~/.ssh.
"""

from __future__ import annotations

import os
import subprocess
import time

import pytest
import sandbox as sandbox_module  # scripts/ is on sys.path (tests/conftest.py)

from docker_magics.errors import DockerMagicError


@pytest.fixture(scope="module")
def sshd(sandbox, tmp_path_factory):
    folder = tmp_path_factory.mktemp("sshd")
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
    (folder / "authorized_keys").write_text((folder / "client_key.pub").read_text())
    port = sandbox_module._free_port()
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder}/host_key\n"
        f"AuthorizedKeysFile {folder}/authorized_keys\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        f"PidFile {folder}/sshd.pid\nSetEnv DOCKER_HOST={sandbox.host}\n")
    os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege-separation folder
    proc = subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", str(folder / "sshd_config")],
                            stderr=open(folder / "sshd.log", "wb"))  # noqa: SIM115 - closed with the process
    (folder / "ssh_config").write_text(
        f"Host *\n  IdentityFile {folder}/client_key\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n"
        "  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  BatchMode yes\n")
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "ssh"
    wrapper.write_text(f'#!/bin/sh\nexec /usr/bin/ssh -F {folder}/ssh_config "$@"\n')
    wrapper.chmod(0o755)
    deadline = time.monotonic() + 20
    while subprocess.run([str(wrapper), "-p", str(port), "root@127.0.0.1", "true"],
                         capture_output=True).returncode != 0:
        assert proc.poll() is None and time.monotonic() < deadline, (folder / "sshd.log").read_text()
        time.sleep(0.2)
    yield f"ssh://root@127.0.0.1:{port}", str(bin_dir)
    proc.terminate()
    proc.wait(10)


def test_ssh_host_lists_the_remote_engine(ip, sandbox, sshd, monkeypatch):
    host, bin_dir = sshd
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    df = ip.run_line_magic("docker", f"-H {host} images dmtest/app")
    assert set(df.tag) == {"1.0", "2.0", "latest"}
    assert df.dm_engine == host
    (obj,) = ip.run_line_magic("docker", f"-H {host} inspect dmtest/app:1.0")
    assert obj["Id"] == sandbox.ids["app1"]


def test_ssh_host_unreachable_is_one_line(ip, sshd, monkeypatch):
    _, bin_dir = sshd
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    port = sandbox_module._free_port()
    with pytest.raises(DockerMagicError) as info:
        ip.run_line_magic("docker", f"-H ssh://root@127.0.0.1:{port} images")
    assert "\n" not in info.value.line()
    assert info.value.line().startswith(f"Cannot connect to the Docker engine at ssh://root@127.0.0.1:{port} ")
