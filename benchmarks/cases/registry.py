"""Case 5: ``%docker push``/``pull`` of a 10-layer image through the sandbox registry vs the CLI.

Push: the registry keeps blobs and the engine mounts a blob it already pushed elsewhere instead of
uploading it, so before every push (untimed) the registry's storage is emptied and the push goes to
a new repository: every push uploads every layer. Pull: before every pull (untimed) the pulled image
is removed, and no other local image shares its layers (the built image is removed first), so every
pull downloads and extracts every layer but the shared 2 MB base.
"""

from __future__ import annotations

import shutil
from itertools import count

import fixtures
from harness import Bench, Result, interleave, median, seconds, timed, verdict

from cases.archive import _implemented
from cases.meter import Meter, metered


def pull_push(bench: Bench) -> None:
    """Push then pull, magic and CLI interleaved, with the display metered."""
    megabytes = 10 if bench.quick else 300
    case = f"5. push/pull, {megabytes} MiB in 10 layers"
    missing = [v for v in ("push", "pull") if not _implemented(v)]
    if missing or not bench.registry or not bench.registry_data:
        bench.not_run(case, f"%docker {'/'.join(missing)} is not implemented" if missing
                      else "no sandbox registry")
        return
    bench.cli("login", bench.registry, "-u", bench.registry_user, "--password-stdin", input=bench.registry_password)
    image = fixtures.multilayer_image(bench.api, megabytes)
    base = f"{bench.registry}/{fixtures.PREFIX}"
    numbers = count()
    meters: list[Meter] = []

    def fresh_target() -> str:
        shutil.rmtree(bench.registry_data / "docker", ignore_errors=True)
        target = f"{base}/push-{next(numbers)}:1"
        bench.cli("tag", image, target)
        return target

    def magic_push() -> float:
        target = fresh_target()
        with metered(meters):
            return timed(lambda: bench.magic(f"push {target}"))

    times = interleave({"magic": magic_push, "cli": lambda: bench.timed_cli("push", fresh_target())}, bench.rounds)
    _report(bench, case, "push", times, meters)

    pulled = f"{base}/pull:1"
    shutil.rmtree(bench.registry_data / "docker", ignore_errors=True)
    bench.cli("tag", image, pulled)
    bench.cli("push", pulled)
    fixtures.remove_all(bench.api)  # the built image and every tag: its layers must not stay local
    fixtures.base_image(bench.api)
    meters.clear()

    def forget() -> None:
        if any(pulled in (i.get("RepoTags") or ()) for i in bench.api.images()):
            bench.api.remove_image(pulled, force=True)

    def magic_pull() -> float:
        with metered(meters):
            return timed(lambda: bench.magic(f"pull {pulled}"))

    times = interleave({"magic": magic_pull, "cli": lambda: bench.timed_cli("pull", pulled)}, bench.rounds,
                       between=forget)
    _report(bench, case, "pull", times, meters)


def _report(bench: Bench, case: str, verb: str, times: dict, meters: list[Meter]) -> None:
    magic, cli = median(times["magic"]), median(times["cli"])
    bench.add(Result(case, f"{verb} wall time (text progress on)", seconds(magic), f"`docker {verb}` {seconds(cli)}",
                     magic / cli, "<= 1.05x", verdict(magic / cli <= 1.05)))
    cpu = median([m.cpu for m in meters])
    rate = median([m.redraws / m.wall for m in meters if m.wall])
    events = median([m.calls for m in meters])
    bench.add(Result(case, f"{verb}: progress display", f"CPU {seconds(cpu)} ({cpu / magic:.1%} of the wall time)",
                     verdict="INFO", note=f"{rate:.1f} redraws/s (text display: <= 1 overall line/s); "
                                          f"{events:.0f} display calls per {verb}"))
