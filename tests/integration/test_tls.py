"""``-H tcp://`` with TLS, against a real engine that demands client certificates (``--tlsverify``)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
import sandbox as sandbox_module  # scripts/ is on sys.path (tests/conftest.py)

from docker_magics.errors import DockerMagicError


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def make_certs(folder: Path) -> None:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, named as Docker expects them."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=dm-test-ca",
             "-keyout", "ca-key.pem", "-out", "ca.pem", cwd=folder)
    (folder / "server.ext").write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    (folder / "client.ext").write_text("extendedKeyUsage=clientAuth\n")
    for name, ext in (("server", "server.ext"), ("", "client.ext")):
        key, csr, crt = (f"{name}-key.pem", f"{name}.csr", f"{name}-cert.pem") if name else \
            ("key.pem", "client.csr", "cert.pem")
        _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name or 'client'}", "-keyout", key,
                 "-out", csr, cwd=folder)
        _openssl("x509", "-req", "-in", csr, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial",
                 "-days", "2", "-extfile", ext, "-out", crt, cwd=folder)


@pytest.fixture(scope="module")
def tls_engine(sandbox):
    """An engine on tcp://127.0.0.1:PORT that accepts only clients with a certificate of our CA."""
    root = Path(tempfile.mkdtemp(prefix="dmtls-", dir="/tmp"))
    certs = root / "certs"
    certs.mkdir()
    make_certs(certs)
    port = sandbox_module._free_port()
    engine = sandbox_module.Engine(root / "e", extra_args=(
        "--tlsverify", "--tlscacert", str(certs / "ca.pem"), "--tlscert", str(certs / "server-cert.pem"),
        "--tlskey", str(certs / "server-key.pem"), "-H", f"tcp://127.0.0.1:{port}"), kind=sandbox.kind).start()
    import docker

    docker.APIClient(base_url=engine.host, version="auto").import_image_from_data(
        sandbox_module.busybox_tar(), repository="tls/only", tag="1")
    yield f"tcp://127.0.0.1:{port}", certs
    engine.stop()
    sandbox_module._remove_tree(root)


def test_tls_flags(ip, tls_engine):
    host, certs = tls_engine
    df = ip.run_line_magic("docker", f"-H {host} --tlsverify --tlscacert {certs}/ca.pem --tlscert {certs}/cert.pem "
                                     f"--tlskey {certs}/key.pem images")
    assert list(df.repository) == ["tls/only"]


def test_tls_from_environment(ip, tls_engine, monkeypatch):
    host, certs = tls_engine
    monkeypatch.setenv("DOCKER_TLS_VERIFY", "1")
    monkeypatch.setenv("DOCKER_CERT_PATH", str(certs))
    assert list(ip.run_line_magic("docker", f"-H {host} images").repository) == ["tls/only"]


def test_tls_refused_without_certificates_is_one_line(ip, tls_engine):
    host, _ = tls_engine
    with pytest.raises(DockerMagicError) as info:
        ip.run_line_magic("docker", f"-H {host} images")
    assert info.value.line() == (
        f"The Docker engine at {host} asks for TLS. To fix it, add --tlsverify --tlscacert CA --tlscert CERT "
        "--tlskey KEY, or set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder of ca.pem, cert.pem and key.pem.")


def test_tls_with_a_foreign_ca_is_one_line(ip, tls_engine, tmp_path):
    host, certs = tls_engine
    make_certs(tmp_path)  # another CA: the engine's certificate is not signed by it
    with pytest.raises(DockerMagicError) as info:
        ip.run_line_magic("docker", f"-H {host} --tlsverify --tlscacert {tmp_path}/ca.pem "
                                    f"--tlscert {certs}/cert.pem --tlskey {certs}/key.pem images")
    assert info.value.line().startswith(f"TLS with the Docker engine at {host} failed (certificate verify failed).")
