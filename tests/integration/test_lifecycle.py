"""``tag``, ``rmi`` and ``image prune`` on the real engine, compared with the Docker CLI where it speaks.

Every image here is made by the test (imports with unique content, tags of fixture images) and
removed again; prunes always carry a label filter so that they never touch other tests' images.
"""

from __future__ import annotations

import secrets

import pytest
from support.lifecycle import image_id, make_image
from support.shell import configured

from docker_magics.errors import ConflictError, ImageNotFoundError, InvalidReferenceError, UsageError


@pytest.fixture
def cleanup(sandbox):
    """References, IDs and containers to remove after the test, whatever happens."""
    refs: list[str] = []
    containers: list[str] = []
    yield refs, containers
    if containers:
        sandbox.cli("rm", "-f", *containers, check=False)
    if refs:
        sandbox.cli("rmi", "-f", *refs, check=False)


# ---- tag ------------------------------------------------------------------------------------------


def test_tag_by_short_id_full_id_and_name(ip, sandbox, cleanup):
    refs, _ = cleanup
    tiny = sandbox.ids["tiny"]
    refs += ["lc/short:1", "lc/full", f"{sandbox.registry}/lc/team/app:2.0"]
    assert ip.run_line_magic("docker", f"tag {tiny[7:19]} lc/short:1") is None
    ip.run_line_magic("docker", f"image tag {tiny} lc/full")
    ip.run_line_magic("docker", f"tag lc/short:1 {sandbox.registry}/lc/team/app:2.0")
    assert image_id(sandbox, "lc/short:1") == tiny
    assert image_id(sandbox, "lc/full:latest") == tiny  # no tag: latest, as the CLI does
    assert image_id(sandbox, f"{sandbox.registry}/lc/team/app:2.0") == tiny


def test_tag_by_digest(ip, sandbox, cleanup):
    refs, _ = cleanup
    pushed = f"{sandbox.registry}/lc/digest:1"
    refs += [pushed, "lc/from-digest:1"]
    sandbox.cli("login", "-u", sandbox.user, "--password-stdin", sandbox.registry, input=sandbox.password)
    sandbox.cli("tag", "dmtest/app:1.0", pushed)
    sandbox.cli("push", pushed)
    digest = sandbox.cli("image", "inspect", "--format", "{{index .RepoDigests 0}}", pushed).stdout.strip()
    ip.run_line_magic("docker", f"tag {digest} lc/from-digest:1")
    assert image_id(sandbox, "lc/from-digest:1") == sandbox.ids["app1"]


def test_tag_invalid_target_is_one_line(ip):
    with pytest.raises(InvalidReferenceError) as info:
        ip.run_line_magic("docker", "tag dmtest/tiny:1.0 lc/UPPER:1")
    assert info.value.line() == ("invalid reference format 'lc/UPPER:1': repository name (lc/UPPER) must be "
                                 "lowercase. A reference is [REGISTRY[:PORT]/]NAME[:TAG][@DIGEST], NAME in "
                                 "lowercase.")
    with pytest.raises(InvalidReferenceError, match=r"'-bad' is not a valid tag"):
        ip.run_line_magic("docker", "tag dmtest/tiny:1.0 lc/x:-bad")


def test_tag_needs_both_arguments(ip):
    for line in ("tag", "tag dmtest/tiny:1.0"):
        with pytest.raises(UsageError) as info:
            ip.run_line_magic("docker", line)
        assert info.value.line() == ("'%docker tag' needs a source image and a target reference. Write "
                                     "%docker tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG], e.g. "
                                     "%docker tag app:1.0 127.0.0.1:5000/team/app:1.0.")


def test_tag_missing_source(ip):
    with pytest.raises(ImageNotFoundError) as info:
        ip.run_line_magic("docker", "tag lc/nothing:here lc/x:1")
    assert info.value.line() == ("No such image: lc/nothing:here. List local images with '%docker images'.")


# ---- rm -------------------------------------------------------------------------------------------


def cli_events(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split(": ", 1)) for line in text.splitlines() if ": " in line]


def test_rm_rows_are_the_cli_events(ip, sandbox, tmp_path, cleanup):
    refs, _ = cleanup
    # The same story twice: the CLI on one image, the magic on its twin.
    cli_id = make_image(sandbox, tmp_path, "lc/rm-cli:1")
    sandbox.cli("tag", "lc/rm-cli:1", "lc/rm-cli:2")
    ours_id = make_image(sandbox, tmp_path, "lc/rm-ours:1")
    sandbox.cli("tag", "lc/rm-ours:1", "lc/rm-ours:2")
    refs += ["lc/rm-cli:1", "lc/rm-cli:2", "lc/rm-ours:1", "lc/rm-ours:2"]
    expected = cli_events(sandbox.cli("rmi", "lc/rm-cli:1", "lc/rm-cli:2").stdout)
    df = ip.run_line_magic("docker", "rmi lc/rm-ours:1 lc/rm-ours:2")
    assert list(df.columns) == ["action", "reference", "image"]
    got = list(zip(df.action, df.reference, strict=True))
    assert [a for a, _ in got] == [a for a, _ in expected]
    assert got[:3] == [("Untagged", "lc/rm-ours:1"), ("Untagged", "lc/rm-ours:2"), ("Deleted", ours_id)]
    assert expected[:3] == [("Untagged", "lc/rm-cli:1"), ("Untagged", "lc/rm-cli:2"), ("Deleted", cli_id)]
    assert list(df.image) == ["lc/rm-ours:1"] + ["lc/rm-ours:2"] * (len(df) - 1)
    assert image_id(sandbox, ours_id) is None


@pytest.mark.parametrize("form", ["image rm", "image remove"])
def test_rm_aliases_and_list_expansion(ip, sandbox, tmp_path, cleanup, form):
    refs, _ = cleanup
    ids = [make_image(sandbox, tmp_path, f"lc/list:{n}") for n in (1, 2)]
    refs += ["lc/list:1", "lc/list:2"]
    ip.user_ns["old_ids"] = [i[7:19] for i in ids] * 2  # images -q lists an ID once per tag: removed once
    df = ip.run_line_magic("docker", f"{form} {{old_ids}}")
    assert set(df[df.action == "Deleted"].reference) >= set(ids)
    assert all(image_id(sandbox, i) is None for i in ids)


def test_rm_image_used_by_a_container(ip, sandbox, tmp_path, cleanup):
    refs, containers = cleanup
    full = make_image(sandbox, tmp_path, "lc/used:1")
    refs.append("lc/used:1")
    container = sandbox.cli("create", "--network", "none", "lc/used:1", "/bin/sh").stdout.strip()
    containers.append(container)
    with pytest.raises(ConflictError) as info:
        ip.run_line_magic("docker", "rmi lc/used:1")
    assert info.value.line() == (f"Cannot remove lc/used:1: the container {container[:12]} uses it. To fix it, "
                                 f"remove the container first: docker rm {container[:12]}; or use -f to remove "
                                 "the image anyway (the container keeps its filesystem).")
    with pytest.raises(ConflictError, match=f"^Cannot remove {full[7:19]}: the container {container[:12]} uses"):
        ip.run_line_magic("docker", f"rmi {full[7:19]}")
    df = ip.run_line_magic("docker", "rmi -f lc/used:1")
    assert ("Untagged", "lc/used:1") in list(zip(df.action, df.reference, strict=True))


def test_rm_running_container_cannot_be_forced(ip, sandbox, tmp_path, cleanup):
    refs, containers = cleanup
    make_image(sandbox, tmp_path, "lc/running:1")
    refs.append("lc/running:1")
    container = sandbox.cli("run", "-d", "--network", "none", "lc/running:1", "/bin/busybox", "sleep",
                            "60").stdout.strip()
    containers.append(container)
    image = image_id(sandbox, "lc/running:1")[7:19]
    with pytest.raises(ConflictError) as info:
        ip.run_line_magic("docker", f"rmi -f {image}")
    assert info.value.line() == (f"Cannot remove {image}: the running container {container[:12]} uses it, and "
                                 f"-f cannot override that. To fix it, stop and remove the container first: "
                                 f"docker rm -f {container[:12]}.")


def test_rm_id_referenced_by_several_repositories(ip, sandbox, tmp_path, cleanup):
    refs, _ = cleanup
    full = make_image(sandbox, tmp_path, "lc/multi-a:1")
    sandbox.cli("tag", "lc/multi-a:1", "lc/multi-b:1")
    refs += ["lc/multi-a:1", "lc/multi-b:1"]
    with pytest.raises(ConflictError) as info:
        ip.run_line_magic("docker", f"rmi {full[7:19]}")
    tags = ", ".join(sandbox.api().inspect_image(full)["RepoTags"])
    assert info.value.line() == (f"Cannot remove {full[7:19]}: the image is referenced by several repositories "
                                 f"({tags}). To fix it, remove it by name (one reference at a time), or use -f to "
                                 "remove every reference and the image.")
    df = ip.run_line_magic("docker", f"rmi -f {full[7:19]}")
    assert {"lc/multi-a:1", "lc/multi-b:1", full} <= set(df.reference)


def test_rm_continues_past_a_failure(ip, sandbox, tmp_path, cleanup):
    refs, _ = cleanup
    make_image(sandbox, tmp_path, "lc/partly:1")
    refs.append("lc/partly:1")
    with pytest.raises(ImageNotFoundError) as info:
        ip.run_line_magic("docker", "rmi lc/absent:1 lc/partly:1")
    assert info.value.line() == ("No such image: lc/absent:1. List local images with '%docker images'. "
                                 "The other 1 image was removed.")
    assert image_id(sandbox, "lc/partly:1") is None


def test_rm_needs_an_argument(ip):
    with pytest.raises(UsageError, match=r"^'%docker rmi' requires at least 1 argument"):
        ip.run_line_magic("docker", "rmi")


# ---- prune ----------------------------------------------------------------------------------------


@pytest.fixture
def prunable(sandbox, tmp_path, cleanup):
    """Two dangling images and one tagged image, all with a label of their own."""
    refs, _ = cleanup
    label = f"lc.prune={secrets.token_hex(4)}"
    dangling = [make_image(sandbox, tmp_path, None, f"LABEL {label}") for _ in range(2)]
    tagged = make_image(sandbox, tmp_path, "lc/prune-tagged:1", f"LABEL {label}")
    refs += [*dangling, "lc/prune-tagged:1"]
    return label, dangling, tagged


def test_prune_dry_run_then_force(ip, sandbox, prunable):
    label, dangling, tagged = prunable
    dry = ip.run_line_magic("docker", f"image prune --dry-run --filter label={label}")
    assert set(dry.image_id) == {i[7:19] for i in dangling}
    assert dry.attrs["space_reclaimed"] == int(dry.unique_size.sum()) > 0
    assert dry.dm_caption.startswith("Would remove 2 images, freeing about ")
    assert all(image_id(sandbox, i) for i in dangling)  # a dry run removes nothing
    every = ip.run_line_magic("docker", f"image prune -a --dry-run --filter label={label}")
    assert set(every.image_id) == {i[7:19] for i in [*dangling, tagged]}

    done = ip.run_line_magic("docker", f"image prune -f --filter label={label}")
    assert set(dangling) <= set(done[done.action == "Deleted"].reference)
    assert done.attrs["space_reclaimed"] == dry.attrs["space_reclaimed"]
    assert done.dm_caption.startswith("Total reclaimed space: ")
    assert image_id(sandbox, "lc/prune-tagged:1") == tagged
    done = ip.run_line_magic("docker", f"image prune -a -f --filter label={label}")
    assert list(zip(done.action, done.reference, strict=True))[:2] == [("Untagged", "lc/prune-tagged:1"),
                                                                       ("Deleted", tagged)]


@pytest.mark.engine_differs("the containerd store reports the content blobs a prune frees and the API names no blob "
                             "size per layer: an image sharing its base with an image that stays is an estimate there")
def test_prune_plan_of_an_image_sharing_its_base(ip, sandbox, cleanup):
    refs, _ = cleanup
    label = f"lc.base={secrets.token_hex(4)}"
    dockerfile = (f"FROM dmtest/tiny:1.0\nLABEL {label}\n"
                  'RUN ["/bin/busybox", "sh", "-c", "head -c 300000 /dev/urandom > /noise"]\n')
    built = sandbox.cli("build", "-q", "-", input=dockerfile).stdout.strip()
    refs.append(built)
    dry = ip.run_line_magic("docker", f"image prune --dry-run --filter label={label}")
    assert list(dry.image_id) == [built[7:19]]
    done = ip.run_line_magic("docker", f"image prune -f --filter label={label}")
    reclaimed, planned = done.attrs["space_reclaimed"], dry.attrs["space_reclaimed"]
    assert reclaimed >= 300_000
    if not sandbox.containerd_store:  # /system/df's unique bytes are what the classic store frees
        assert planned == reclaimed and dry.attrs["estimated"] == []
        return
    # The base's content stands for the shared layer's blob: its manifest and config (about 2 kB) too many.
    assert dry.attrs["estimated"] == [built[7:19]] and "estimated for 1 image sharing layers" in dry.dm_caption
    assert 0 <= reclaimed - planned < 4096


def test_prune_until_and_label_filters(ip, sandbox, prunable):
    label, dangling, _ = prunable
    assert len(ip.run_line_magic("docker", f"image prune --dry-run --filter label={label} --filter until=1h")) == 0
    assert len(ip.run_line_magic("docker", f"image prune -f --filter label={label} --filter until=1h")) == 0
    assert all(image_id(sandbox, i) for i in dangling)
    key = label.split("=")[0]
    assert len(ip.run_line_magic("docker", f"image prune --dry-run --filter label={key}=other")) == 0
    assert len(ip.run_line_magic("docker", f"image prune --dry-run --filter label={label} "
                                           f"--filter label!={key}")) == 0
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", "image prune --dry-run --filter until=yesterday")
    assert info.value.line() == ('failed to parse value as time or duration: "yesterday". Write until=24h, '
                                 "until=2024-01-31, until=2024-01-31T10:00:00Z or unix seconds.")


def test_prune_keeps_an_image_a_container_uses(ip, sandbox, prunable, cleanup):
    label, dangling, _ = prunable
    _, containers = cleanup
    containers.append(sandbox.cli("create", "--network", "none", dangling[0], "/bin/sh").stdout.strip())
    name = sandbox.cli("inspect", "--format", "{{.Name}}", containers[-1]).stdout.strip().lstrip("/")
    dry = ip.run_line_magic("docker", f"image prune --dry-run --filter label={label}")
    assert set(dry.image_id) == {dangling[1][7:19]}
    assert dry.attrs["kept_by_containers"] == {dangling[0]: [name]}
    assert f"; kept 1 image that containers use: {dangling[0][7:19]} <none>:<none> (containers: {name})" \
        in dry.dm_caption
    done = ip.run_line_magic("docker", f"image prune -f --filter label={label}")
    assert dangling[0] not in set(done.reference) and dangling[1] in set(done.reference)
    assert done.attrs["kept_by_containers"] == {dangling[0]: [name]} and name in done.dm_caption


def test_prune_without_force_refuses_when_no_one_can_answer(ip, prunable):
    label, _, _ = prunable
    with pytest.raises(UsageError) as info:
        ip.run_line_magic("docker", f"image prune --filter label={label}")
    line = info.value.line()
    assert line.startswith("image prune asks for confirmation and no one can answer here (would remove 2 "
                           "images, freeing about ")
    assert line.endswith("). To fix it, add -f (see what would go with --dry-run).")


def test_prune_with_nothing_to_remove_asks_nothing(ip):
    df = ip.run_line_magic("docker", "image prune --filter label=lc.nothing=here")
    assert len(df) == 0 and df.dm_caption == "Nothing to remove."


def test_prune_terminal_prompt(ip, sandbox, prunable, monkeypatch):
    from docker_magics.views import confirm

    label, dangling, _ = prunable
    monkeypatch.setattr(confirm, "_can_prompt", lambda shell: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert ip.run_line_magic("docker", f"image prune --filter label={label}") is None
    assert all(image_id(sandbox, i) for i in dangling)
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    done = ip.run_line_magic("docker", f"image prune --filter label={label}")
    assert set(dangling) <= set(done.reference)


def test_prune_notebook_button(ip, sandbox, prunable):
    label, dangling, _ = prunable
    with configured(ip, forms="always"):
        box = ip.run_line_magic("docker", f"image prune --filter label={label}")
    assert all(image_id(sandbox, i) for i in dangling)  # nothing goes before the click
    box.remove.click()
    assert box.remove.disabled and box.cancel.disabled
    assert set(dangling) <= set(box.result.reference)
    assert box.result.attrs["space_reclaimed"] > 0
    assert not any(image_id(sandbox, i) for i in dangling)
