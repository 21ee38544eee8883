#!/usr/bin/env bash
# Fetches Debian trixie packages and unpacks them into a cache folder, without touching the system's
# apt configuration: a private source list, lists and cache (the recipe in shared/ENGINE.md).
#   bash scripts/trixie.sh DEST PKG...   -> DEST/root holds the unpacked packages (dpkg -x)
# Safe to run again: a package already unpacked (DEST/.done-PKG) is not fetched again.
set -euo pipefail
dest=$(realpath -m "$1"); shift  # absolute: the download step runs in another folder
mkdir -p "$dest/root"
todo=()
for pkg in "$@"; do [ -e "$dest/.done-$pkg" ] || todo+=("$pkg"); done
[ ${#todo[@]} -eq 0 ] && exit 0

apt_dir=$dest/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
# The mirror the machine already uses for bookworm serves trixie too.
mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || { echo "trixie.sh: no Debian mirror found in the apt sources" >&2; exit 1; }
echo "deb $mirror trixie main" > "$apt_dir/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o APT::Sandbox::User=root)
echo "trixie.sh: fetching ${todo[*]}"
apt-get "${opts[@]}" update -qq >/dev/null
(cd "$apt_dir/debs" && apt-get "${opts[@]}" download "${todo[@]}" >/dev/null)
for pkg in "${todo[@]}"; do
  for deb in "$apt_dir/debs/${pkg}"_*.deb; do dpkg -x "$deb" "$dest/root"; done
  touch "$dest/.done-$pkg"
done
rm -rf "$apt_dir/debs"
