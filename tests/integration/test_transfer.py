"""pull, push, login and logout on the real engine and the real authenticated registry.

Every test logs in through its own DOCKER_CONFIG folder (other tests share the session's), so "not
logged in" is a real state here. Images are made by the tests (imports with unique content) under
``REGISTRY/reg/...`` and removed again; fixture images are only ever tagged, never changed.
"""

from __future__ import annotations

import base64
import getpass
import json
import logging
import secrets
import subprocess

import pytest
from support.credentials import held, install_helper, path_with
from support.registry import exception_texts, login, remove, token_file, unique_image

from docker_magics.commands.transfer import PASSWORD_WARNING
from docker_magics.errors import Interrupted, RegistryAuthError, RegistryError, UsageError
from docker_magics.views import progress
from docker_magics.views.results import LoggedIn, Pulled, Pushed


def cli(sandbox, config, *args: str, input: str | None = None, check: bool = True, path: str | None = None):
    env = {**sandbox.env, "DOCKER_CONFIG": str(config)}
    if path:
        env["PATH"] = path
    return subprocess.run(["docker", *args], env=env, capture_output=True, text=True, input=input, check=check)


def repo_digest(sandbox, ref: str) -> str:
    digests = json.loads(sandbox.cli("image", "inspect", "--format", "{{json .RepoDigests}}", ref).stdout)
    return digests[0].partition("@")[2]


def test_token_file_login_then_push_then_pull_back(ip, sandbox, config, tmp_path):
    ref = f"{sandbox.registry}/reg/flow:1.0"
    unique_image(sandbox, tmp_path, ref)
    result = login(ip, sandbox, tmp_path)
    assert result == LoggedIn(sandbox.registry, sandbox.user, "Login Succeeded", str(config / "config.json"))
    auth = json.loads((config / "config.json").read_text())["auths"][sandbox.registry]["auth"]
    assert base64.b64decode(auth).decode() == f"{sandbox.user}:{sandbox.password}"  # the newline is not part of it
    try:
        pushed = ip.run_line_magic("docker", f"push {ref}")
        assert isinstance(pushed, Pushed)
        assert pushed.repository == f"{sandbox.registry}/reg/flow"
        assert pushed.digest == repo_digest(sandbox, ref)
        assert [t.tag for t in pushed.tags] == ["1.0"]
        remove(sandbox, ref)
        pulled = ip.run_line_magic("docker", f"pull {ref}")
        assert pulled == Pulled(ref, "Downloaded newer image", pushed.digest)
        assert repo_digest(sandbox, ref) == pushed.digest
        again = ip.run_line_magic("docker", f"pull {ref}")
        assert again.status == "Image is up to date"
    finally:
        remove(sandbox, ref)


def test_pull_by_tag_digest_and_default_latest(ip, sandbox, config, tmp_path):
    repo = f"{sandbox.registry}/reg/bytag"
    unique_image(sandbox, tmp_path, f"{repo}:latest")
    login(ip, sandbox, tmp_path)
    try:
        digest = ip.run_line_magic("docker", f"push -q {repo}").digest  # no tag: latest, as the CLI does
        remove(sandbox, f"{repo}:latest")
        by_name = ip.run_line_magic("docker", f"pull -q {repo}")
        assert by_name == Pulled(f"{repo}:latest", "Downloaded newer image", digest)
        remove(sandbox, f"{repo}:latest")
        by_digest = ip.run_line_magic("docker", f"pull -q {repo}@{digest}")
        assert by_digest == Pulled(f"{repo}@{digest}", "Downloaded newer image", digest)
        listed = sandbox.cli("images", "--digests", "--format", "{{.Repository}} {{.Digest}}", repo).stdout
        assert f"{repo} {digest}" in listed
    finally:
        remove(sandbox, f"{repo}:latest", f"{repo}@{digest}")


def test_push_and_pull_all_tags(ip, sandbox, config, tmp_path):
    repo = f"{sandbox.registry}/reg/alltags"
    unique_image(sandbox, tmp_path, f"{repo}:1")
    unique_image(sandbox, tmp_path, f"{repo}:2")
    login(ip, sandbox, tmp_path)
    try:
        pushed = ip.run_line_magic("docker", f"push -a -q {repo}")
        assert sorted(pushed.digests) == ["1", "2"]
        remove(sandbox, f"{repo}:1", f"{repo}:2")
        pulled = ip.run_line_magic("docker", f"pull --all-tags -q {repo}")
        assert dict(pulled.digests) == pushed.digests
        assert pulled.reference == repo and pulled.status == "Downloaded newer image"
        for tag, digest in pushed.digests.items():
            assert repo_digest(sandbox, f"{repo}:{tag}") == digest
    finally:
        remove(sandbox, f"{repo}:1", f"{repo}:2")


@pytest.mark.engine_differs("the containerd store's pusher says 'push access denied, … authorization failed: no basic "
                             "auth credentials'")
def test_push_without_login_fails_loudly(ip, sandbox, config, tmp_path):
    ref = f"{sandbox.registry}/reg/nologin:1.0"
    sandbox.cli("tag", "dmtest/app:1.0", ref)
    try:
        with pytest.raises(RegistryAuthError) as info:
            ip.run_line_magic("docker", f"push {ref}")
        # The engine's own words, as the CLI prints them: "no basic auth credentials" (classic store), "push access
        # denied, repository does not exist or may require authorization: authorization failed: no basic auth
        # credentials" (containerd store).
        said = sandbox.cli("--config", str(tmp_path), "push", ref, check=False).stderr.strip().splitlines()[-1]
        assert said.endswith("no basic auth credentials")
        assert info.value.line() == (
            f"Push of {ref} failed: {said}. To fix it, log in with "
            f"'%docker login {sandbox.registry}', and check that this account may use the repository.")
        with pytest.raises(RegistryAuthError, match="no basic auth credentials"):
            ip.run_line_magic("docker", f"pull {ref}")
    finally:
        remove(sandbox, ref)


def test_unreachable_registry_is_one_line(ip, sandbox, config):
    ref = "127.0.0.1:1/reg/nowhere:1"
    sandbox.cli("tag", "dmtest/tiny:1.0", ref)
    try:
        with pytest.raises(RegistryError) as info:
            ip.run_line_magic("docker", f"push {ref}")
        assert info.value.line().endswith("connect: connection refused. To fix it, check that the registry "
                                          "127.0.0.1:1 is running and reachable from the engine.")
    finally:
        remove(sandbox, ref)


def test_wrong_password_is_one_line_and_stores_nothing(ip, sandbox, config, tmp_path):
    bad = tmp_path / "bad"
    bad.write_text("not-the-password\n")
    with pytest.raises(RegistryAuthError) as info:
        ip.run_line_magic("docker", f"login -u {sandbox.user} --password-file {bad} {sandbox.registry}")
    assert info.value.line() == (
        f"Login to {sandbox.registry} failed: the registry refused the username '{sandbox.user}' or its password; "
        "nothing was stored. To fix it, check the username and the password or token, then log in again.")
    assert not (config / "config.json").exists()


def test_empty_token_file_says_so_and_stores_nothing(ip, sandbox, config, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "tok").write_text("")
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", f"login -u me --password-file tok {sandbox.registry}")
    assert info.value.line() == ("The password file tok is empty. "
                                 "To fix it, write the password or access token into it (one line).")
    assert not (config / "config.json").exists()


def test_cli_and_notebook_share_one_login(ip, sandbox, config, tmp_path):
    ref = f"{sandbox.registry}/reg/shared:1"
    unique_image(sandbox, tmp_path, ref)
    try:
        # A terminal login is seen by the notebook ...
        cli(sandbox, config, "login", "-u", sandbox.user, "--password-stdin", sandbox.registry, input=sandbox.password)
        written_by_cli = (config / "config.json").read_text()
        digest = ip.run_line_magic("docker", f"push -q {ref}").digest
        assert ip.run_line_magic("docker", f"login {sandbox.registry}").status == "Login Succeeded"  # reuses it
        # ... the notebook's logout is seen by the terminal ...
        assert str(ip.run_line_magic("docker", f"logout {sandbox.registry}")) == \
            f"Removing login credentials for {sandbox.registry}"
        denied = cli(sandbox, config, "push", ref, check=False)
        assert denied.returncode != 0 and "no basic auth credentials" in denied.stderr
        # ... and a notebook login is what the terminal would have written, and it works there.
        login(ip, sandbox, tmp_path)
        assert json.loads((config / "config.json").read_text()) == json.loads(written_by_cli)
        remove(sandbox, ref)
        pulled = cli(sandbox, config, "pull", ref)
        assert digest in pulled.stdout
        cli(sandbox, config, "logout", sandbox.registry)
        with pytest.raises(RegistryAuthError):
            ip.run_line_magic("docker", f"push -q {ref}")
    finally:
        remove(sandbox, ref)


def test_logout_when_not_logged_in(ip, sandbox, config):
    assert str(ip.run_line_magic("docker", f"logout {sandbox.registry}")) == f"Not logged in to {sandbox.registry}"


def test_credential_helper_shared_with_the_cli(ip, sandbox, config, tmp_path, monkeypatch):
    store = install_helper(tmp_path / "bin")
    path = path_with(tmp_path / "bin")
    monkeypatch.setenv("PATH", path)
    (config / "config.json").write_text(json.dumps({"credsStore": "dmtest"}))
    ref = f"{sandbox.registry}/reg/helper:1"
    unique_image(sandbox, tmp_path, ref)
    try:
        cli(sandbox, config, "login", "-u", sandbox.user, "--password-stdin", sandbox.registry,
            input=sandbox.password, path=path)
        assert held(store)[sandbox.registry]["Secret"] == sandbox.password
        assert ip.run_line_magic("docker", f"push -q {ref}").digest
        ip.run_line_magic("docker", f"logout {sandbox.registry}")
        assert held(store) == {}
        result = login(ip, sandbox, tmp_path)
        assert result.stored_in == "docker-credential-dmtest"
        assert sandbox.password not in (config / "config.json").read_text()
        remove(sandbox, ref)
        assert cli(sandbox, config, "pull", ref, path=path).returncode == 0
    finally:
        remove(sandbox, ref)


def test_ctrl_c_stops_cleanly_and_the_kernel_goes_on(ip, sandbox, config, tmp_path, monkeypatch):
    ref = f"{sandbox.registry}/reg/interrupt:1"
    unique_image(sandbox, tmp_path, ref, size=2_000_000)
    login(ip, sandbox, tmp_path)
    ip.run_line_magic("config", "DockerMagics.progress = 'text'")
    try:
        digest = ip.run_line_magic("docker", f"push -q {ref}").digest
        remove(sandbox, ref)
        real_event = progress.TextProgress.event

        def interrupt(self, event):  # the user presses Ctrl-C while the display shows the stream
            raise KeyboardInterrupt

        monkeypatch.setattr(progress.TextProgress, "event", interrupt)
        with pytest.raises(Interrupted) as info:
            ip.run_line_magic("docker", f"pull {ref}")
        assert info.value.line() == f"Pull of {ref} interrupted: the transfer was stopped. Run it again to finish it."
        monkeypatch.setattr(progress.TextProgress, "event", real_event)
        assert ip.run_line_magic("docker", f"pull {ref}").digest == digest
    finally:
        ip.run_line_magic("config", "DockerMagics.progress = 'auto'")
        remove(sandbox, ref)


def test_the_secret_never_leaks(ip, sandbox, config, tmp_path, monkeypatch, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("docker", "urllib3", "requests", "docker_magics"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.DEBUG)
    secret, wrong = sandbox.password, "wrong-" + secrets.token_hex(8)
    user, reg = sandbox.user, sandbox.registry
    wrong_file = tmp_path / "wrong"
    wrong_file.write_text(wrong + "\n")
    answers = iter([secret, secret, wrong])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))  # the user typing in the masked prompt
    cells = [  # (cell, may the input line hold a secret?)
        (f"r1 = %docker login -u {user} --password-file {token_file(sandbox, tmp_path)} {reg}", False),
        (f"r2 = %docker login -u {user} --password-stdin {reg}", False),
        (f"r3 = %docker login -u {user} {reg}", False),
        (f"r4 = %docker login -u {user} -p {secret} {reg}", True),
        (f"r5 = %docker login {reg}", False),
        (f"%docker login -u {user} {reg}", False),
        (f"%docker login -u {user} --password-file {wrong_file} {reg}", False),
        (f"%docker login -u {user} -p {wrong} {reg}", True),
        ("r1, r2, r3, r4, r5", False),
    ]
    results = [ip.run_cell(cell, store_history=True) for cell, _ in cells]
    out, err = capsys.readouterr()
    failures = [r.error_in_exec for r in results if r.error_in_exec is not None]
    assert [type(f) for f in failures] == [RegistryAuthError] * 3
    assert all(ip.user_ns[f"r{i}"].status == "Login Succeeded" for i in range(1, 6))
    assert PASSWORD_WARNING in err
    haystack = [out, err, *(r.getMessage() + repr(r.args) for r in caplog.records)]
    haystack += [text for f in failures for text in exception_texts(f)]
    haystack += [repr(ip.user_ns[f"r{i}"]) for i in range(1, 6)] + [repr(r.result) for r in results]
    history = ip.history_manager
    haystack += [repr(v) for v in history.output_hist.values()] + [repr(ip.user_ns["Out"])]
    haystack += [str(v) for v in history.output_hist_reprs.values()]
    inputs = {cell: allowed for cell, allowed in cells}
    assert all(cell in history.input_hist_raw for cell in inputs)  # the history did record every cell
    # Only the two -p lines may hold a secret, in their input (raw and as IPython parsed it), and they warned.
    haystack += [text for raw, parsed in zip(history.input_hist_raw, history.input_hist_parsed, strict=True)
                 if not inputs.get(raw, False) for text in (raw, parsed)]
    for text in haystack:
        assert secret not in text and wrong not in text, text
    assert len(caplog.records) > 0  # the loggers were listening
