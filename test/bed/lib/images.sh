# shellcheck shell=bash
# Images the bed builds, caches and pushes to its registries.
#
# ensure_image KEY HASH BUILD_FN LOCAL_REF [PUSH_REF...]
#   Makes LOCAL_REF a local image labelled aims.bed-hash=HASH and every PUSH_REF
#   a manifest in its registry, doing only what is missing:
#     1. every PUSH_REF answers at the digest recorded when HASH was pushed -> done
#     2. the local image has the label -> push it
#     3. $BED_CACHE/images/KEY-HASH.tar exists -> docker load it, push
#     4. otherwise BUILD_FN LOCAL_REF HASH builds it; it is saved to the cache, pushed
#   With BED_FORCE_BUILD=1 it builds, saves and pushes whatever is there.
#   With BED_REGISTRY_ONLY=1 the image is removed from the engine after the push
#   (an image that must be pulled); it then lives in the registry and the cache.
#   So a second run is a few HEAD requests, a wiped registry is re-filled from the
#   local images or the cache in seconds, and a fresh machine builds once.

BED_IMAGE_LABEL=aims.bed-hash

image_label() { "$DOCKER" image inspect -f "{{index .Config.Labels \"$BED_IMAGE_LABEL\"}}" "$1" 2>/dev/null || true; }

# The manifest digest REF's registry answers with (empty if none).
registry_digest() { # registry_digest HOST:PORT/REPO:TAG
  local ref="$1" host repo tag auth=()
  host="${ref%%/*}"
  repo="${ref#*/}"
  tag="${repo##*:}"
  repo="${repo%:*}"
  if [ "$host" = "$REGISTRY_AUTH_ADDR" ]; then
    auth=(-u "$REGISTRY_USER:$(cat "$(registry_dir auth)/password")")
  fi
  curl -sfI --max-time 5 "${auth[@]}" \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "http://$host/v2/$repo/manifests/$tag" 2>/dev/null |
    tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" {print $2}'
}

pushed_record() { printf '%s/pushed/%s' "$BED_STATE" "$(printf '%s' "$1" | tr '/:' '__')"; }

pushed_at_hash() { # pushed_at_hash HASH REF: the registry has REF as pushed for HASH
  local record want
  record="$(pushed_record "$2")"
  [ -f "$record" ] || return 1
  read -r rhash want < "$record" || return 1
  [ "$rhash" = "$1" ] && [ -n "$want" ] && [ "$(registry_digest "$2")" = "$want" ]
}

push_ref() { # push_ref LOCAL_REF REF HASH
  local digest
  "$DOCKER" tag "$1" "$2"
  local -a env=()
  [ "${2%%/*}" = "$REGISTRY_AUTH_ADDR" ] && env=(env "DOCKER_CONFIG=$BED_DOCKER_CONFIG")
  "${env[@]}" "$DOCKER" push -q "$2" >/dev/null 2>"$BED_STATE/push.err" || die "docker push $2 failed: $(cat "$BED_STATE/push.err")"
  digest="$(registry_digest "$2")"
  [ -n "$digest" ] || die "pushed $2 but its registry does not answer for it"
  mkdir -p "$BED_STATE/pushed"
  printf '%s %s\n' "$3" "$digest" > "$(pushed_record "$2")"
}

ensure_image() { # ensure_image KEY HASH BUILD_FN LOCAL_REF [PUSH_REF...]
  local key="$1" hash="$2" build="$3" local_ref="$4"
  shift 4
  local tar="$BED_CACHE/images/$key-$hash.tar" ref missing=() force="${BED_FORCE_BUILD:-0}"
  for ref in "$@"; do pushed_at_hash "$hash" "$ref" || missing+=("$ref"); done
  if [ "$force" = 0 ] && [ "$#" -gt 0 ] && [ "${#missing[@]}" = 0 ]; then
    if [ "${BED_REGISTRY_ONLY:-0}" = 1 ] || [ "$(image_label "$local_ref")" = "$hash" ]; then return 0; fi
  fi
  if [ "$force" = 1 ] || [ "$(image_label "$local_ref")" != "$hash" ]; then
    local old_id
    old_id="$("$DOCKER" image inspect -f '{{.Id}}' "$local_ref" 2>/dev/null || true)"
    if [ "$force" = 0 ] && [ -f "$tar" ]; then
      log "loading $local_ref from the cache ($tar)"
      "$DOCKER" load -q -i "$tar" >/dev/null
    fi
    if [ "$force" = 1 ] || [ "$(image_label "$local_ref")" != "$hash" ]; then
      local t0=$SECONDS
      log "building $local_ref (recipe $hash)"
      "$build" "$local_ref" "$hash"
      [ "$(image_label "$local_ref")" = "$hash" ] || die "$build did not produce $local_ref labelled $BED_IMAGE_LABEL=$hash"
      mkdir -p "$BED_CACHE/images"
      "$DOCKER" save -o "$tar.tmp" "$local_ref"
      mv "$tar.tmp" "$tar"
      find "$BED_CACHE/images" -maxdepth 1 -name "$key-*.tar" ! -name "$key-$hash.tar" -delete
      log "built $local_ref in $((SECONDS - t0))s"
    fi
    # The previous build, if nothing else uses it.
    if [ -n "$old_id" ] && [ "$old_id" != "$("$DOCKER" image inspect -f '{{.Id}}' "$local_ref")" ]; then
      "$DOCKER" rmi "$old_id" >/dev/null 2>&1 || true
    fi
    missing=("$@")
  fi
  for ref in "${missing[@]}"; do
    log "pushing $ref"
    push_ref "$local_ref" "$ref" "$hash"
  done
  if [ "${BED_REGISTRY_ONLY:-0}" = 1 ]; then
    "$DOCKER" rmi "$local_ref" "$@" >/dev/null 2>&1 || true
  fi
}
