"""CI smoke test of the benchmarks: ``benchmarks/run.py --quick`` runs to the end and writes a table.

It runs against the test session's sandbox engine (``--engine``; the harness makes and removes only
``dmbench/*`` images there and starts its own registry). Nothing here is timed: the numbers of a
quick run on a busy CI machine mean nothing, only that every case still works.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = ("1. images", "2. %load_ext", "3. images --format", "3. history", "4. save/load", "5. push/pull",
         "6. Tab completion", "7. files", "8. build, classic builder, cold", "8. build, BuildKit, cached",
         "9. images from the index", "10. new kernel from the snapshot", "11. run --rm", "11. run output display",
         "11. ps -a", "12. sbom")


def test_quick_benchmark_writes_a_table(sandbox, tmp_path):
    output = tmp_path / "results.md"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--engine", sandbox.host,
                           "--output", str(output)], env=sandbox.env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    text = output.read_text()
    assert "## Machine" in text and "- Docker engine: " in text
    table = [line for line in text.splitlines() if line.startswith("| ")]
    header, *rows = table
    assert header == "| case | measure | docker_magics | compared with | ratio | goal | verdict | note |"
    assert rows[0] == "| --- | --- | --- | --- | --- | --- | --- | --- |"
    for row in rows[1:]:
        cells = row.split(" | ")
        assert len(cells) == 8, row
        assert any(f"**{v}**" in row for v in ("PASS", "MISS", "INFO", "NOT RUN")), row
    for case in CASES:
        assert any(row.startswith(f"| {case}") for row in rows), f"no row for {case}"
    # A case that crashed is reported as "failed: ..." (a missing feature is NOT RUN with its reason).
    assert "failed:" not in text, text
    leftovers = sandbox.cli("images", "--format", "{{.Repository}}", "--filter", "reference=dmbench/*").stdout
    assert leftovers.strip() == ""
