# shellcheck shell=bash
# Shared by the bed scripts (sourced). Machine-wide parts of the bed (the
# registries, the base images, the swarm) live outside any checkout, because
# one dockerd serves every worktree on the machine:
#   AIMS_BED_STATE  /var/lib/aims-bed    registry data, credentials, pid files, logs
#   AIMS_BED_CACHE  /var/cache/aims-bed  built rootfs and image tarballs, keyed by recipe hash
# Deleting either is always safe: the next setup.sh rebuilds what is missing.

# shellcheck disable=SC2034 # used by the scripts that source this file
BED_STATE="${AIMS_BED_STATE:-/var/lib/aims-bed}"
# shellcheck disable=SC2034
BED_CACHE="${AIMS_BED_CACHE:-/var/cache/aims-bed}"
# shellcheck disable=SC2034
BED_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck disable=SC2034
DOCKER=/usr/bin/docker

log() { printf '[bed] %s\n' "$*" >&2; }
die() { printf '[bed] error: %s\n' "$*" >&2; exit 1; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds="$1" what="$2"
  shift 2
  for _ in $(seq 1 $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$what did not come up within ${seconds}s"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Machine-wide parts are set up by one worktree at a time (several helpers run
# setup.sh at once): `with_machine_lock CMD...` runs CMD holding the lock.
with_machine_lock() {
  mkdir -p "$BED_STATE"
  (
    flock -w 900 9 || die "could not take $BED_STATE/lock within 15 min"
    "$@"
  ) 9>"$BED_STATE/lock"
}

# sha256 (16 hex) of the given files and strings: a recipe hash. A cached
# artefact is reused while the hash of what produced it is unchanged.
recipe_hash() { # recipe_hash FILE|-:STRING ...
  local item
  for item in "$@"; do
    case "$item" in
      -:*) printf 'str:%s\n' "${item#-:}" ;;
      *) printf 'file:%s\n' "$(basename "$item")"; cat "$item" ;;
    esac
  done | sha256sum | cut -c1-16
}

# Reads a shell function's source: hashing a function (not the whole file)
# keeps unrelated edits from invalidating a cache.
function_source() { declare -f "$@"; }
