#!/usr/bin/env bash
# Fetches Debian packages of one suite (trixie, sid, bookworm, ...) and unpacks them into a cache folder, without
# touching the system's apt configuration: a private source list, lists and cache (the recipe in shared/ENGINE.md).
#   bash scripts/debian_fetch.sh SUITE DEST PKG...   -> DEST/root holds the unpacked packages (dpkg -x)
# Safe to run again: a package already unpacked (DEST/.done-PKG) is not fetched again. A suite other than the
# machine's own is how the sandbox gets a named engine version whatever the machine runs (Debian 12 or 13).
set -euo pipefail
suite=$1; shift
# Absolute, because apt reads relative Dir:: paths as relative to /etc/apt or /var/lib/apt.
dest=$(realpath -m "$1"); shift
mkdir -p "$dest/root"
todo=()
for pkg in "$@"; do [ -e "$dest/.done-$pkg" ] || todo+=("$pkg"); done
[ ${#todo[@]} -eq 0 ] && exit 0

apt_dir=$dest/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
# The mirror the machine already uses for its own suite serves the others too.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || { echo "debian_fetch.sh: no Debian mirror found in the apt sources" >&2; exit 1; }
echo "deb $mirror $suite main" > "$apt_dir/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
echo "debian_fetch.sh: fetching ${todo[*]} from $suite"
apt-get "${opts[@]}" update -qq >/dev/null
(cd "$apt_dir/debs" && apt-get "${opts[@]}" download "${todo[@]}" >/dev/null)
for pkg in "${todo[@]}"; do
  for deb in "$apt_dir/debs/${pkg}"_*.deb; do dpkg -x "$deb" "$dest/root"; done
  touch "$dest/.done-$pkg"
done
rm -rf "$apt_dir/debs"
