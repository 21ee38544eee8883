"""Commands from several threads at once: correct results and no crossed progress displays.

docker-py's APIClient is a requests.Session with a connection pool (one connection per request in flight),
so one cached client serves threads; each command makes its own Progress, and each Progress writes to the
stream it was made with. Here sys.stdout sends each thread's writes to that thread's own buffer.
"""

from __future__ import annotations

import io
import sys
import threading

import pytest
from support.registry import login, remove, unique_image

from docker_magics import dispatch, grammar


class PerThread(io.TextIOBase):
    """A stdout that keeps what each thread writes apart."""

    def __init__(self) -> None:
        self.buffers: dict[int, io.StringIO] = {}

    def write(self, text: str) -> int:
        return self.buffers.setdefault(threading.get_ident(), io.StringIO()).write(text)

    def text(self, ident: int) -> str:
        return self.buffers.get(ident, io.StringIO()).getvalue()


def run_in_threads(ip, lines: list[str], monkeypatch) -> tuple[list, list[str]]:
    session = ip.magics_manager.registry["DockerMagics"].session
    out = PerThread()
    monkeypatch.setattr(sys, "stdout", out)
    results: list = [None] * len(lines)
    idents: list[int] = [0] * len(lines)

    def one(index: int) -> None:
        idents[index] = threading.get_ident()
        try:
            results[index] = dispatch.run(grammar.parse(lines[index]), session)
        except BaseException as exc:
            results[index] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(lines))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)  # a guard against a hang
    assert not any(t.is_alive() for t in threads)
    return results, [out.text(i) for i in idents]


def test_two_pulls_at_once(ip, sandbox, config, tmp_path, monkeypatch):
    refs = [f"{sandbox.registry}/conc/a:1", f"{sandbox.registry}/conc/b:1"]
    ip.run_line_magic("config", "DockerMagics.progress = 'text'")
    try:
        login(ip, sandbox, tmp_path)
        layers = {}
        for ref in refs:
            unique_image(sandbox, tmp_path, ref, size=3_000_000)
            digest = ip.run_line_magic("docker", f"push -q {ref}").digest
            layers[ref] = digest
        remove(sandbox, *refs)
        results, texts = run_in_threads(ip, [f"pull {ref}" for ref in refs], monkeypatch)
        for ref, result, text, other in zip(refs, results, texts, reversed(refs), strict=True):
            assert not isinstance(result, BaseException), result
            assert (result.reference, result.digest) == (ref, layers[ref])
            assert text.startswith(f"Pulling {ref}\n") and f"Status: Downloaded newer image for {ref}" in text
            assert other not in text and other.split("/", 1)[1].split(":")[0] not in text, text
    finally:
        ip.run_line_magic("config", "DockerMagics.progress = 'auto'")
        remove(sandbox, *refs)


def test_listing_while_a_push_runs(ip, sandbox, config, tmp_path, monkeypatch):
    ref = f"{sandbox.registry}/conc/pushed:1"
    ip.run_line_magic("config", "DockerMagics.progress = 'text'")
    try:
        login(ip, sandbox, tmp_path)
        unique_image(sandbox, tmp_path, ref, size=20_000_000)
        lines = [f"push {ref}", "images dmtest/app", "inspect dmtest/tiny:1.0", "history dmtest/app:1.0"]
        results, texts = run_in_threads(ip, lines, monkeypatch)
        for result in results:
            assert not isinstance(result, BaseException), result
        assert results[0].tags[0].tag == "1"
        assert sorted(results[1]["tag"]) == ["1.0", "2.0", "latest"]
        assert results[2][0]["RepoTags"] == ["dmtest/tiny:1.0", "dmtest/tiny:latest"]
        assert len(results[3]) == len(sandbox.cli("history", "-q", "dmtest/app:1.0").stdout.split())
        assert texts[0].startswith(f"Pushing {ref}\n")
        assert all(text == "" for text in texts[1:])  # listings print nothing; no push line strayed there
    finally:
        ip.run_line_magic("config", "DockerMagics.progress = 'auto'")
        remove(sandbox, ref)


@pytest.mark.parametrize("n", [8])
def test_many_listings_share_one_client(ip, sandbox, n, monkeypatch):
    expected = sandbox.cli("images", "-q", "--no-trunc").stdout.split()
    results, _ = run_in_threads(ip, ["images -q --no-trunc"] * n, monkeypatch)
    for result in results:
        assert not isinstance(result, BaseException), result
        assert sorted(result) == sorted(expected)


def test_form_used_while_a_push_runs(ip, sandbox, config, tmp_path, monkeypatch):
    """The tag form works (in its own thread) while a push runs in another: both right, outputs apart."""
    from docker_magics.views.forms import TagForm

    ref = f"{sandbox.registry}/conc/formpush:1"
    target = "conc/formtagged:1"
    ip.run_line_magic("config", "DockerMagics.progress = 'text'")
    ip.run_line_magic("config", "DockerMagics.forms = 'always'")
    try:
        login(ip, sandbox, tmp_path)
        unique_image(sandbox, tmp_path, ref, size=20_000_000)
        form = ip.run_line_magic("docker", "tag dmtest/app:1.0")
        assert isinstance(form, TagForm)
        form.repository.value, form.tag.value = "conc/formtagged", "1"
        session = ip.magics_manager.registry["DockerMagics"].session
        pushed: list = []
        pusher = threading.Thread(target=lambda: pushed.append(dispatch.run(grammar.parse(f"push -q {ref}"), session)))
        pusher.start()
        form.button.click()  # the form's work runs in the form's own thread, beside the push
        form.wait()
        pusher.join(120)
        assert not pusher.is_alive() and pushed and pushed[0].tags[0].tag == "1"
        assert form.message == f"Tagged dmtest/app:1.0 as {target}."
        assert sandbox.cli("image", "inspect", "--format", "{{.Id}}", target).stdout.strip() == sandbox.ids["app1"]
        assert "Push" not in "".join(o.get("text", "") for o in form.out.outputs)  # no push line in the form
    finally:
        ip.run_line_magic("config", "DockerMagics.progress = 'auto'")
        ip.run_line_magic("config", "DockerMagics.forms = 'auto'")
        remove(sandbox, ref)
        sandbox.cli("rmi", target, check=False)
