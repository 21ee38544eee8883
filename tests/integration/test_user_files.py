"""The user's own files and paths on the real engine: refused in one line as the CLI refuses them, never damaged.

``save -o`` renames a finished archive over its target, so the target's kind is checked first (the Docker
CLI's messages: a symbolic link, a FIFO, a device), an existing file keeps its mode, and folders that cannot
be written (/proc, /sys, a read-only or unwritable folder) and over-long names are one line. A NUL byte in
any path, ``--iidfile`` into a missing folder (checked before the build) and ``-f DIR`` are one line too.
Also here: ``login`` interrupted while the registry does not answer, and ``login`` to a stopped registry.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import stat
import subprocess
import threading
import time

import pytest

from docker_magics.errors import DockerMagicError, Interrupted, RegistryError, UsageError

IMAGE = "dmtest/tiny:1.0"


def refused(ip, line: str, kind: type[DockerMagicError] = DockerMagicError) -> str:
    with pytest.raises(kind) as info:
        ip.run_line_magic("docker", line)
    assert "\n" not in info.value.line()
    return info.value.line()


SPECIAL = "To fix it, give the path of a regular file, or a new one."


def test_save_refuses_a_symbolic_link_and_leaves_it_alone(ip, tmp_path):
    real = tmp_path / "real.tar"
    real.write_text("keep me")
    link = tmp_path / "link.tar"
    link.symlink_to(real)
    line = refused(ip, f"save -o {link} {IMAGE}", UsageError)
    assert line == (f"failed to save image: invalid output path '{link}': cannot write to a symbolic link "
                    f"directly. {SPECIAL}")
    assert link.is_symlink() and real.read_text() == "keep me"


def test_save_refuses_a_fifo_without_blocking(ip, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    start = time.monotonic()
    line = refused(ip, f"save -o {fifo} {IMAGE}", UsageError)
    assert line == f"failed to save image: invalid output path '{fifo}': cannot write to a named pipe (FIFO). {SPECIAL}"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and time.monotonic() - start < 10


def test_save_refuses_a_character_device(ip, tmp_path):
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of the test's own: never the real one
    line = refused(ip, f"save -o {device} {IMAGE}", UsageError)
    assert line == (f"failed to save image: invalid output path '{device}': cannot write to a character device "
                    f"file. {SPECIAL}")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_save_refuses_a_directory(ip, tmp_path):
    line = refused(ip, f"save -o {tmp_path} {IMAGE}", UsageError)
    assert line == f"failed to save image: invalid output path '{tmp_path}': cannot write to a directory. {SPECIAL}"


def test_save_keeps_the_mode_of_an_existing_file(ip, tmp_path):
    target = tmp_path / "private.tar"
    target.write_text("old")
    target.chmod(0o600)
    ip.run_line_magic("docker", f"save -o {target} {IMAGE}")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and target.stat().st_size > 1000
    fresh = tmp_path / "new.tar"
    ip.run_line_magic("docker", f"save -o {fresh} {IMAGE}")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("folder", ["/proc", "/sys/kernel"])
def test_save_into_proc_or_sys_is_one_line(ip, folder):
    line = refused(ip, f"save -o {folder}/dm-save.tar {IMAGE}")
    assert line.startswith(f"Cannot write {folder}/dm-save.tar: ") and line.endswith(
        "To fix it, save to a folder you may write to.")
    assert not os.path.exists(f"{folder}/dm-save.tar")


@contextlib.contextmanager
def unwritable_folder(tmp_path):
    """A read-only tmpfs when this user may mount one (root), else a folder without write permission."""
    folder = tmp_path / "locked"
    folder.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs",
                                                     str(folder)], capture_output=True).returncode == 0
    if not mounted:
        folder.chmod(0o500)
    try:
        yield folder
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
        folder.chmod(0o700)


def test_save_into_an_unwritable_folder_is_one_line(ip, tmp_path):
    with unwritable_folder(tmp_path) as folder:
        line = refused(ip, f"save -o {folder}/x.tar {IMAGE}")
        assert line in (f"Cannot write {folder}/x.tar: Read-only file system. To fix it, save to a folder you may "
                        "write to.", f"Cannot write {folder}/x.tar: Permission denied. To fix it, save to a folder "
                        "you may write to.")
        assert os.listdir(folder) == []


def test_save_with_a_254_character_name_works_and_a_256_one_is_one_line(ip, tmp_path):
    long = tmp_path / ("n" * 250 + ".tar")
    result = ip.run_line_magic("docker", f"save -o {long} {IMAGE}")
    assert result.bytes == long.stat().st_size > 1000
    too_long = tmp_path / ("m" * 252 + ".tar")
    line = refused(ip, f"save -o {too_long} {IMAGE}")
    assert line == f"Cannot write {too_long}: File name too long. To fix it, check the path."
    assert sorted(p.name for p in tmp_path.iterdir()) == [long.name]  # no temporary file left behind


NUL_LINES = ["save -o 'a\x00b.tar' " + IMAGE, "load -i 'a\x00b.tar'", "import 'a\x00b.tar' x:1",
             "login -u me --password-file 'pw\x00d' 127.0.0.1:5999", "build --iidfile 'id\x00' ."]


@pytest.mark.parametrize("line", NUL_LINES, ids=["save", "load", "import", "login", "build"])
def test_a_nul_byte_in_a_path_is_one_line(ip, line):
    bad = next(w.strip("'") for w in line.split() if "\x00" in w)
    assert refused(ip, line, UsageError) == (f"The argument {bad!r} holds a NUL byte, which no command line or file "
                                             "name can hold. To fix it, remove the NUL byte (\\x00).")


def test_iidfile_into_a_missing_folder_is_refused_before_the_build(ip, sandbox, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    label = f"dm-iid-{os.getpid()}-{time.monotonic_ns()}"
    (tmp_path / "Dockerfile").write_text(f"FROM {IMAGE}\nLABEL test={label}\n")
    target = tmp_path / "missing" / "id.txt"
    line = refused(ip, f"build --iidfile {target} .", UsageError)
    assert line == (f"Cannot write the image ID to {target}: the folder {target.parent} does not exist. To fix it, "
                    "create the folder first, or give --iidfile another path.")
    built = sandbox.cli("images", "-q", "--filter", f"label=test={label}").stdout.strip()
    assert built == ""  # nothing was built


def test_build_f_a_directory_says_so(ip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    line = refused(ip, "build -f sub .", UsageError)
    assert line == (f"Cannot use '{tmp_path / 'sub'}' as the Dockerfile: it is a directory. To fix it, give the "
                    f"Dockerfile's own path, e.g. -f {tmp_path / 'sub' / 'Dockerfile'}.")


# ---- login against registries that do not answer ---------------------------------------------


@pytest.fixture
def silent_registry():
    """A loopback port that accepts connections and never answers (its own thread, gone within 30 s)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def hold() -> None:
        deadline = time.monotonic() + 30
        while not stop.is_set() and time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                held.append(server.accept()[0])

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def test_ctrl_c_during_login_to_a_silent_registry_is_one_line(ip, sandbox, config, tmp_path, silent_registry):
    secret = tmp_path / "pw"
    secret.write_text("not-sent-anywhere")
    main = threading.main_thread().ident
    timer = threading.Timer(1.5, lambda: signal.pthread_kill(main, signal.SIGINT))
    timer.start()
    try:
        line = refused(ip, f"login -u me --password-file {secret} {silent_registry}", Interrupted)
    finally:
        timer.cancel()
    assert line == (f"Login to {silent_registry} interrupted; nothing was stored. If the registry does not answer, "
                    "check that it runs, then log in again.")
    assert not (config / "config.json").exists()


def test_login_to_a_stopped_registry_blames_the_registry(ip, sandbox, config, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        stopped = f"127.0.0.1:{probe.getsockname()[1]}"  # nothing listens once the probe is closed
    secret = tmp_path / "pw"
    secret.write_text("whatever")
    with pytest.raises(RegistryError) as info:
        ip.run_line_magic("docker", f"login -u me --password-file {secret} {stopped}")
    line = info.value.line()
    assert line.startswith(f"Login to {stopped} failed: ") and "connection refused" in line
    assert line.endswith("To fix it, check that the registry is running and reachable from the engine.")
    assert "engine running" not in line and not (config / "config.json").exists()
