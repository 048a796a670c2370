# shellcheck shell=bash
# Fixture images from a busybox rootfs. Their recipe hash covers only the
# functions in this file and busybox's version, so editing another part of the
# bed never rebuilds them under other worktrees' feet.
#   aims-fixture/web:1     answers 200 on / and /health; PORT, GREETING from env
#   aims-fixture/sick:1    runs forever, logs, never answers HTTP
#   aims-fixture/crash:1   logs a reason and exits 1 at start
# They stay in the engine (the lifecycle suites use them as they are) and are
# also pushed to the open registry, where nodes without them (the swarm bed)
# pull them by the same name through their registry mirror.
#   aims-fixture/remote-web:1  the web fixture plus 24 MiB of its own, ONLY in
#     the registries (127.0.0.1:5000 open, 127.0.0.1:5001 auth), never left in
#     the engine: a pull of it has real layers to download.

fixture_rootfs() { # fixture_rootfs DIR
  local work="$1" applet
  rm -rf "$work"
  mkdir -p "$work/bin" "$work/www" "$work/etc" "$work/tmp" "$work/data"
  cp /usr/bin/busybox "$work/bin/busybox"
  for applet in sh httpd wget sleep echo cat nc ls env printf date mkdir touch hostname id kill ps grep sed head tail nslookup ip route timeout; do
    ln -sf busybox "$work/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$work/etc/passwd"
  echo 'root:x:0:' > "$work/etc/group"
  printf 'hosts: files dns\n' > "$work/etc/nsswitch.conf"

  # web: answers 200 on / and /health; logs each request; PORT and GREETING from env.
  cat > "$work/bin/web" <<'SH'
#!/bin/sh
PORT="${PORT:-8080}"
mkdir -p /www/cgi-bin
printf '%s\n' "${GREETING:-hello from the aims fixture}" > /www/index.html
printf 'ok\n' > /www/health
echo "fixture web: listening on :$PORT (service ${SERVICE_NAME:-web})"
[ -n "${UPSTREAM_URL:-}" ] && echo "fixture web: upstream is $UPSTREAM_URL"
exec httpd -f -vv -p "$PORT" -h /www
SH
  # sick: runs forever, logs, never answers HTTP.
  cat > "$work/bin/sick" <<'SH'
#!/bin/sh
echo "fixture sick: starting"
i=0
while true; do
  i=$((i + 1))
  echo "fixture sick: still waiting for a database that never comes ($i)"
  sleep 1
done
SH
  # crash: logs a reason and exits 1 at start.
  cat > "$work/bin/crash" <<'SH'
#!/bin/sh
echo "fixture crash: reading configuration"
echo "fixture crash: FATAL: required setting APP_SECRET_FILE missing" >&2
exit 1
SH
  chmod +x "$work/bin/web" "$work/bin/sick" "$work/bin/crash"
}

fixture_hash() {
  recipe_hash -:"$(function_source fixture_rootfs build_fixture)" \
    -:"$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || sha256sum /usr/bin/busybox)"
}

build_fixture() { # build_fixture REF HASH (REF aims-fixture/NAME:1)
  local name="${1#aims-fixture/}" work="$BED_CACHE/work/fixture-rootfs" cmd
  name="${name%%:*}"
  cmd="$name"
  fixture_rootfs "$work"
  if [ "$name" = remote-web ]; then
    cmd=web
    echo 'pulled from the bed registry' > "$work/www/remote.txt"
    head -c $((24 * 1024 * 1024)) /dev/urandom > "$work/data/padding.bin"
  fi
  tar -C "$work" -c . | "$DOCKER" import \
    -c "CMD [\"/bin/$cmd\"]" \
    -c 'ENV PATH=/bin' \
    -c 'EXPOSE 8080' \
    -c "LABEL aims.fixture-hash=$2 $BED_IMAGE_LABEL=$2" \
    - "$1" >/dev/null
  rm -rf "$work"
}

fixture_images() {
  local hash name
  hash="$(fixture_hash)"
  for name in web sick crash; do
    ensure_image "fixture-$name" "$hash" build_fixture "aims-fixture/$name:1" "$REGISTRY_OPEN_ADDR/aims-fixture/$name:1"
  done
  BED_REGISTRY_ONLY=1 ensure_image fixture-remote-web "$hash" build_fixture aims-fixture/remote-web:1 \
    "$REGISTRY_OPEN_ADDR/aims-fixture/remote-web:1" "$REGISTRY_AUTH_ADDR/aims-fixture/remote-web:1"
}
