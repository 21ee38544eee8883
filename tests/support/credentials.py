"""A real credential helper (``docker-credential-NAME``) for tests, speaking the helper protocol over stdin/stdout.

It keeps its secrets in a JSON file beside itself, so tests can check what it holds.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

SCRIPT = '''#!{python}
import json, sys
from pathlib import Path
store = Path({store!r})
data = json.loads(store.read_text()) if store.exists() else {{}}
action = sys.argv[1]
if action == "store":
    item = json.loads(sys.stdin.read())
    data[item["ServerURL"]] = {{"Username": item["Username"], "Secret": item["Secret"]}}
    store.write_text(json.dumps(data))
elif action == "get":
    key = sys.stdin.read().strip()
    if key not in data:
        print("credentials not found in native keychain")
        sys.exit(1)
    print(json.dumps({{"ServerURL": key, **data[key]}}))
elif action == "erase":
    key = sys.stdin.read().strip()
    if key not in data:
        print("credentials not found in native keychain")
        sys.exit(1)
    del data[key]
    store.write_text(json.dumps(data))
elif action == "list":
    print(json.dumps({{k: v["Username"] for k, v in data.items()}}))
'''


def install_helper(folder: Path, name: str = "dmtest") -> Path:
    """Write ``docker-credential-NAME`` into ``folder``; returns the JSON file it keeps secrets in."""
    folder.mkdir(parents=True, exist_ok=True)
    store = folder / f"{name}-store.json"
    exe = folder / f"docker-credential-{name}"
    exe.write_text(SCRIPT.format(python=sys.executable, store=str(store)))
    exe.chmod(0o755)
    return store


def path_with(folder: Path) -> str:
    return f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"


def held(store: Path) -> dict:
    return json.loads(store.read_text()) if store.exists() else {}
