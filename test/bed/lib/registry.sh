# shellcheck shell=bash
# The bed's registries: Debian's docker-registry (distribution 2.8) on loopback.
#   open  127.0.0.1:5000  no auth; the bed dockerd's registry mirror, so Docker
#                         Hub names (node:22-slim, n8nio/n8n:1.x) pull from it
#   auth  127.0.0.1:5001  basic auth (htpasswd, bcrypt), user/password generated
# Plain HTTP: dockerd treats 127.0.0.0/8 as insecure-allowed by default.
# Each has its own storage dir, config, log and pid file under $BED_STATE/registry/NAME.

REGISTRY_OPEN_ADDR=127.0.0.1:5000
REGISTRY_AUTH_ADDR=127.0.0.1:5001
REGISTRY_MIRROR_URL="http://$REGISTRY_OPEN_ADDR"
REGISTRY_USER=aims-bed
# docker login for the auth registry is kept away from root's ~/.docker.
BED_DOCKER_CONFIG="$BED_STATE/docker-config"

registry_dir() { printf '%s/registry/%s' "$BED_STATE" "$1"; }

registry_answers() { # registry_answers ADDR [USER:PASS]
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 ${2:+-u "$2"} "http://$1/v2/")" || return 1
  [ "$code" = 200 ]
}

registry_credentials() { # generated once; never rotated while the data dir lives
  local dir
  dir="$(registry_dir auth)"
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [ ! -s "$dir/password" ]; then
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/password"
    chmod 600 "$dir/password"
  fi
  if [ ! -s "$dir/htpasswd" ] || [ "$dir/password" -nt "$dir/htpasswd" ]; then
    htpasswd -Bbn -C 10 "$REGISTRY_USER" "$(cat "$dir/password")" > "$dir/htpasswd"
    chmod 600 "$dir/htpasswd"
  fi
  # What tests read (bed.json names this file).
  printf '{"registry": "%s", "username": "%s", "password": "%s"}\n' \
    "$REGISTRY_AUTH_ADDR" "$REGISTRY_USER" "$(cat "$dir/password")" > "$dir/credentials.json"
  chmod 600 "$dir/credentials.json"
}

write_registry_config() { # write_registry_config NAME ADDR
  local dir
  dir="$(registry_dir "$1")"
  mkdir -p "$dir/data"
  {
    cat <<YML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
  fields:
    service: aims-bed-registry-$1
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: $2
  secret: aims-bed-registry-$1
  headers:
    X-Content-Type-Options: [nosniff]
YML
    if [ "$1" = auth ]; then
      cat <<YML
auth:
  htpasswd:
    realm: aims-bed
    path: $dir/htpasswd
YML
    fi
  } > "$dir/config.yml.new"
  mv "$dir/config.yml.new" "$dir/config.yml"
}

start_registry() { # start_registry NAME ADDR [USER:PASS]
  local dir
  dir="$(registry_dir "$1")"
  write_registry_config "$1" "$2"
  if registry_answers "$2" "${3:-}"; then return 0; fi
  if pid_alive "$dir/registry.pid"; then
    kill "$(cat "$dir/registry.pid")" 2>/dev/null || true
    sleep 0.3
  fi
  log "starting registry $1 on $2"
  # shellcheck disable=SC2016 # expanded by the inner bash
  setsid bash -c 'echo $$ > "$1"; exec /usr/bin/docker-registry serve "$2"' _ "$dir/registry.pid" "$dir/config.yml" \
    >>"$dir/registry.log" 2>&1 </dev/null 9>&- &
  wait_for 15 "registry $1 ($2, log $dir/registry.log)" registry_answers "$2" "${3:-}"
}

start_registries() {
  registry_credentials
  start_registry open "$REGISTRY_OPEN_ADDR"
  start_registry auth "$REGISTRY_AUTH_ADDR" "$REGISTRY_USER:$(cat "$(registry_dir auth)/password")"
  mkdir -p "$BED_DOCKER_CONFIG"
  chmod 700 "$BED_DOCKER_CONFIG"
  if ! grep -q "$REGISTRY_AUTH_ADDR" "$BED_DOCKER_CONFIG/config.json" 2>/dev/null; then
    DOCKER_CONFIG="$BED_DOCKER_CONFIG" "$DOCKER" login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_AUTH_ADDR" \
      < "$(registry_dir auth)/password" >/dev/null 2>&1 || die "docker login to $REGISTRY_AUTH_ADDR failed"
  fi
}

stop_registries() {
  local name
  for name in open auth; do
    if pid_alive "$(registry_dir "$name")/registry.pid"; then
      kill "$(cat "$(registry_dir "$name")/registry.pid")"
    fi
    rm -f "$(registry_dir "$name")/registry.pid"
  done
}

# The bed dockerd resolves Docker Hub names through the open registry
# (registry-mirrors). /etc/docker/daemon.json is written before dockerd starts;
# a running dockerd without the mirror is told by SIGHUP (registry-mirrors is
# one of the options dockerd reloads live), so dockerd is never restarted.
daemon_json_ok() {
  [ -f /etc/docker/daemon.json ] &&
    jq -e --arg m "$REGISTRY_MIRROR_URL" '(."registry-mirrors" // []) | index($m) != null' /etc/docker/daemon.json >/dev/null 2>&1
}

write_daemon_json() {
  daemon_json_ok && return 0
  mkdir -p /etc/docker
  local current='{}'
  if [ -s /etc/docker/daemon.json ]; then
    current="$(cat /etc/docker/daemon.json)"
    jq -e . >/dev/null 2>&1 <<<"$current" || die "/etc/docker/daemon.json is not valid JSON: fix or remove it"
  fi
  log "adding registry mirror $REGISTRY_MIRROR_URL to /etc/docker/daemon.json"
  jq --arg m "$REGISTRY_MIRROR_URL" '."registry-mirrors" = ((."registry-mirrors" // []) - [$m] + [$m])' \
    <<<"$current" > /etc/docker/daemon.json.new
  mv /etc/docker/daemon.json.new /etc/docker/daemon.json
}

dockerd_has_mirror() {
  "$DOCKER" info -f '{{json .RegistryConfig.Mirrors}}' 2>/dev/null | grep -qF "\"$REGISTRY_MIRROR_URL/\""
}

ensure_dockerd_mirror() {
  dockerd_has_mirror && return 0
  local pid
  pid="$(cat /var/run/docker.pid 2>/dev/null || true)"
  { [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; } || die "dockerd lacks the registry mirror and /var/run/docker.pid names no live dockerd"
  log "dockerd (pid $pid) reloads its configuration (SIGHUP) to pick up the registry mirror"
  kill -HUP "$pid"
  wait_for 10 "the registry mirror in dockerd (see .bed/dockerd.log)" dockerd_has_mirror
}
