#!/usr/bin/env bash
# Records real answers of the bed's registries (Debian's docker-registry,
# distribution 2.8) and of the bed dockerd's pull endpoint into
# test/fixtures/recorded/registry/, for unit fakes (upgrades/outdated, pull
# errors). Run after test/bed/setup.sh; re-running rewrites the files.
# Each .http file is the response exactly as curl -i received it; each file's
# first line (a comment) is the request. The auth registry's password is never
# written (responses do not echo it; request lines name it as <credentials>).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=test/bed/lib/common.sh
source "$ROOT/test/bed/lib/common.sh"
# shellcheck source=test/bed/lib/registry.sh
source "$ROOT/test/bed/lib/registry.sh"
OUT="$ROOT/test/fixtures/recorded/registry"
mkdir -p "$OUT"
registry_answers "$REGISTRY_OPEN_ADDR" || die "the open registry does not answer: run test/bed/setup.sh"
PASS="$(cat "$(registry_dir auth)/password")"
V2='application/vnd.docker.distribution.manifest.v2+json'
LIST='application/vnd.docker.distribution.manifest.list.v2+json'
OCI='application/vnd.oci.image.manifest.v1+json'

record() { # record FILE METHOD URL [curl args...]
  local file="$1" method="$2" url="$3" shown
  shift 3
  shown="$method $url"
  [[ " $* " == *" -u "* ]] && shown="$shown (basic auth <credentials>)"
  {
    printf '# %s\n' "$shown"
    if [ "$method" = HEAD ]; then
      curl -sS -I "$@" "$url"
    else
      curl -sS -i -X "$method" "$@" "$url"
    fi
  } > "$OUT/$file"
  grep -q "$PASS" "$OUT/$file" && die "$file contains the password"
  log "recorded $file ($(sed -n 2p "$OUT/$file" | tr -d '\r'))"
}

O="http://$REGISTRY_OPEN_ADDR"
A="http://$REGISTRY_AUTH_ADDR"
record open-v2-base.http GET "$O/v2/"
record open-catalog.http GET "$O/v2/_catalog"
record open-tags-list.http GET "$O/v2/library/node/tags/list"
record open-tags-list-fixture.http GET "$O/v2/aims-fixture/remote-web/tags/list"
record open-tags-list-unknown-repo.http GET "$O/v2/aims-fixture/no-such-repo/tags/list"
record open-manifest-head.http HEAD "$O/v2/library/node/manifests/22-slim" -H "Accept: $V2, $LIST, $OCI"
record open-manifest-get.http GET "$O/v2/library/node/manifests/22-slim" -H "Accept: $V2, $LIST, $OCI"
record open-manifest-head-unknown-tag.http HEAD "$O/v2/library/node/manifests/99-nope" -H "Accept: $V2"
record open-manifest-get-unknown-tag.http GET "$O/v2/library/node/manifests/99-nope" -H "Accept: $V2"
record auth-v2-base-401.http GET "$A/v2/"
record auth-manifest-head-401.http HEAD "$A/v2/aims-fixture/remote-web/manifests/1" -H "Accept: $V2"
record auth-tags-list-401.http GET "$A/v2/aims-fixture/remote-web/tags/list"
record auth-tags-list-wrong-password-401.http GET "$A/v2/aims-fixture/remote-web/tags/list" -u "$REGISTRY_USER:wrong-password"
record auth-tags-list-200.http GET "$A/v2/aims-fixture/remote-web/tags/list" -u "$REGISTRY_USER:$PASS"
record auth-manifest-head-200.http HEAD "$A/v2/aims-fixture/remote-web/manifests/1" -H "Accept: $V2" -u "$REGISTRY_USER:$PASS"

# The engine's answers to POST /images/create (what aims' pull sees through dockerode).
engine() { # engine FILE IMAGE TAG [X-Registry-Auth JSON]
  local file="$1" image="$2" tag="$3" auth=() shown
  shown="POST /v1.41/images/create?fromImage=$image&tag=$tag"
  if [ -n "${4:-}" ]; then
    auth=(-H "X-Registry-Auth: $(printf '%s' "$4" | base64 -w0 | tr '+/' '-_')")
    shown="$shown (X-Registry-Auth: $(printf '%s' "$4" | sed "s/$PASS/<password>/"))"
  fi
  clear_remote
  {
    printf '# %s\n' "$shown"
    curl -sS -i -N --unix-socket /var/run/docker.sock -X POST "${auth[@]}" \
      "http://localhost/v1.41/images/create?fromImage=$(jq -rn --arg v "$image" '$v|@uri')&tag=$tag"
  } > "$OUT/$file"
  grep -q "$PASS" "$OUT/$file" && die "$file contains the password"
  log "recorded $file ($(sed -n 2p "$OUT/$file" | tr -d '\r'))"
}
IMG=aims-fixture/remote-web
# Every name of the remote image out of the engine, so each pull downloads its layers.
clear_remote() {
  "$DOCKER" image rm -f "$REGISTRY_AUTH_ADDR/$IMG:1" "$REGISTRY_OPEN_ADDR/$IMG:1" "$IMG:1" >/dev/null 2>&1 || true
}
engine engine-pull-no-credentials.http "$REGISTRY_AUTH_ADDR/$IMG" 1
engine engine-pull-wrong-credentials.http "$REGISTRY_AUTH_ADDR/$IMG" 1 \
  "{\"username\":\"$REGISTRY_USER\",\"password\":\"wrong-password\",\"serveraddress\":\"$REGISTRY_AUTH_ADDR\"}"
engine engine-pull-with-credentials.http "$REGISTRY_AUTH_ADDR/$IMG" 1 \
  "{\"username\":\"$REGISTRY_USER\",\"password\":\"$PASS\",\"serveraddress\":\"$REGISTRY_AUTH_ADDR\"}"
engine engine-pull-unknown-tag.http "$REGISTRY_OPEN_ADDR/$IMG" 99
engine engine-pull-unknown-repo.http "$REGISTRY_OPEN_ADDR/aims-fixture/no-such-repo" 1
engine engine-pull-open.http "$REGISTRY_OPEN_ADDR/$IMG" 1
engine engine-pull-through-mirror.http "$IMG" 1
engine engine-pull-registry-down.http 127.0.0.1:5009/aims-fixture/web 1
# Leave the engine as setup.sh does: remote-web only in the registries.
clear_remote
