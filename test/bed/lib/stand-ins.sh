# shellcheck shell=bash
# Stand-ins for real software the catalog names, built offline on the bed's base images (stand-ins/*/: each
# Dockerfile says what upstream behaviour it keeps and what it cannot), and pushed to the open registry under the
# path aims' --registry-mirror asks for: 127.0.0.1:5000/<origin registry>/<repository>:<catalog tag>. They live in
# the registry (and the cache) only, so a `plug up` of the real catalog entry pulls its "real" image through the
# host's mirror, as a VPS with a registry mirror would.
#   ghcr.io/bytedance/deer-flow-backend:v2.0.0    deerflow-gateway  (python:3.11-slim)
#   ghcr.io/bytedance/deer-flow-frontend:v2.0.0   deerflow-frontend (node:22-slim)

STAND_INS_DIR="$(cd "$BED_LIB/../stand-ins" && pwd)"

stand_in_hash() { # stand_in_hash NAME BASE_HASH
  recipe_hash "$STAND_INS_DIR/$1"/* -:"$2" -:"$(function_source build_stand_in)"
}

build_stand_in() { # build_stand_in REF HASH (REF aims-bed-stand-in/NAME:TAG)
  local name="${1#aims-bed-stand-in/}"
  name="${name%%:*}"
  mkdir -p "$BED_CACHE/work"
  "$DOCKER" build -q -t "$1" --label "$BED_IMAGE_LABEL=$2" --label "aims.bed-stand-in=$name" \
    "$STAND_INS_DIR/$name" > "$BED_CACHE/work/stand-in-$name.log" 2>&1 ||
    die "building the $name stand-in failed: $(tail -20 "$BED_CACHE/work/stand-in-$name.log")"
}

stand_in_images() {
  local o="$REGISTRY_OPEN_ADDR"
  BED_REGISTRY_ONLY=1 ensure_image stand-in-deerflow-gateway "$(stand_in_hash deerflow-gateway "$(python_hash)")" \
    build_stand_in aims-bed-stand-in/deerflow-gateway:v2.0.0 "$o/ghcr.io/bytedance/deer-flow-backend:v2.0.0"
  BED_REGISTRY_ONLY=1 ensure_image stand-in-deerflow-frontend "$(stand_in_hash deerflow-frontend "$(node_hash)")" \
    build_stand_in aims-bed-stand-in/deerflow-frontend:v2.0.0 "$o/ghcr.io/bytedance/deer-flow-frontend:v2.0.0"
}
