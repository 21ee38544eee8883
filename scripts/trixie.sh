#!/usr/bin/env bash
# Kept for scripts and notes that call it: Debian trixie's packages, as scripts/debian_fetch.sh trixie fetches them.
#   bash scripts/trixie.sh DEST PKG...
exec bash "$(dirname "$0")/debian_fetch.sh" trixie "$@"
