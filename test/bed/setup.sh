#!/usr/bin/env bash
# The test bed: a real Docker engine, a real sshd on a loopback port and a
# real nginx, on this machine, so e2e tests drive the built `aims` binary the
# way a user drives a VPS. Idempotent and quick when everything is up.
#
#   test/bed/setup.sh          set up (or check) everything
#   test/bed/setup.sh images   rebuild the fixture images only
#   test/bed/setup.sh dockerd  start dockerd only, if it is not answering
#                              (e2e tests that stop it bring it back this way)
#
# Writes .bed/bed.json with what tests need (ports, key paths).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BED="$ROOT/.bed"
SSH_PORT="${AIMS_BED_SSH_PORT:-2222}"
mkdir -p "$BED"
chmod 700 "$BED"

log() { printf '[bed] %s\n' "$*" >&2; }
die() { printf '[bed] error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "the test bed needs root (it installs packages and starts dockerd, sshd and nginx)"

install_packages() {
  local wanted=(docker.io openssh-server openssh-client nginx busybox-static shellcheck docker-compose curl tmux util-linux iproute2 iptables procps)
  # A real Secret Service for the keychain e2e (test/support/secret-service.ts starts a private
  # D-Bus session and gnome-keyring per test): the daemon, secret-tool, and dbus-test-tool's black hole.
  wanted+=(dbus-daemon dbus-bin gnome-keyring libsecret-tools dbus-tests)
  local missing=()
  for pkg in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # Package scripts try to start services through systemd/invoke-rc.d, which
    # is not running here; a policy-rc.d refusing starts keeps them quiet.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
  fi
}

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds="$1" what="$2"
  shift 2
  for _ in $(seq 1 $((seconds * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  die "$what did not come up within ${seconds}s"
}

start_dockerd() {
  if /usr/bin/docker info >/dev/null 2>&1; then return 0; fi
  log "starting dockerd"
  rm -f /var/run/docker.pid
  setsid -f /usr/sbin/dockerd >>"$BED/dockerd.log" 2>&1 </dev/null
  wait_for 60 dockerd /usr/bin/docker info
}

make_keys() {
  [ -f "$BED/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C aims-bed-host -f "$BED/ssh_host_ed25519_key"
  [ -f "$BED/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C aims-bed-client -f "$BED/id_ed25519"
  # A key the bed's sshd does not accept (wrong-key tests).
  [ -f "$BED/wrong_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C aims-bed-wrong -f "$BED/wrong_ed25519"
  # An encrypted key (passphrase prompts).
  [ -f "$BED/encrypted_ed25519" ] || ssh-keygen -q -t ed25519 -N 'correct horse' -C aims-bed-encrypted -f "$BED/encrypted_ed25519"
  # A second host key, to stand in for a rebuilt (changed-key) host.
  [ -f "$BED/other_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -C aims-bed-other-host -f "$BED/other_host_ed25519_key"
  cat "$BED/id_ed25519.pub" "$BED/encrypted_ed25519.pub" > "$BED/authorized_keys"
  chmod 600 "$BED/authorized_keys"
  printf '[127.0.0.1]:%s %s\n' "$SSH_PORT" "$(cut -d' ' -f1,2 "$BED/ssh_host_ed25519_key.pub")" > "$BED/known_hosts"
}

# sshd_config for a given port and host key; logs go to a file tests read
# (one "Accepted publickey" line per login).
write_sshd_config() { # write_sshd_config PORT HOSTKEY NAME
  cat > "$BED/sshd_$3.conf" <<EOF
Port $1
ListenAddress 127.0.0.1
HostKey $2
PidFile $BED/sshd_$3.pid
AuthorizedKeysFile $BED/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
MaxStartups 100:30:200
MaxSessions 100
LogLevel VERBOSE
Subsystem sftp internal-sftp
EOF
}

start_sshd() {
  mkdir -p /run/sshd
  write_sshd_config "$SSH_PORT" "$BED/ssh_host_ed25519_key" main
  if [ -f "$BED/sshd_main.pid" ] && kill -0 "$(cat "$BED/sshd_main.pid")" 2>/dev/null; then
    kill -HUP "$(cat "$BED/sshd_main.pid")" # re-read the config
  else
    log "starting sshd on 127.0.0.1:$SSH_PORT"
    /usr/sbin/sshd -f "$BED/sshd_main.conf" -E "$BED/sshd_main.log"
  fi
  wait_for 10 sshd bash -c "exec 3<>/dev/tcp/127.0.0.1/$SSH_PORT"
}

start_nginx() {
  mkdir -p /etc/nginx/conf.d/plugs
  if [ -f /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null; then return 0; fi
  log "starting nginx"
  nginx -t -q
  nginx
  wait_for 10 nginx curl -s -o /dev/null http://127.0.0.1/
}

# Fixture images from a busybox rootfs (no registry here). Each has a
# content hash label so they are rebuilt only when this script changes them.
build_images() {
  local work="$BED/rootfs"
  local hash
  hash="$(sha256sum "$0" | cut -c1-16)"
  if [ "${1:-}" != force ] && [ "$(/usr/bin/docker image inspect -f '{{index .Config.Labels "aims.fixture-hash"}}' aims-fixture/web:1 2>/dev/null || true)" = "$hash" ] \
    && /usr/bin/docker image inspect aims-fixture/sick:1 aims-fixture/crash:1 >/dev/null 2>&1; then
    return 0
  fi
  log "building fixture images"
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
  cat > "$work/bin/web" <<'EOF'
#!/bin/sh
PORT="${PORT:-8080}"
mkdir -p /www/cgi-bin
printf '%s\n' "${GREETING:-hello from the aims fixture}" > /www/index.html
printf 'ok\n' > /www/health
echo "fixture web: listening on :$PORT (service ${SERVICE_NAME:-web})"
[ -n "${UPSTREAM_URL:-}" ] && echo "fixture web: upstream is $UPSTREAM_URL"
exec httpd -f -vv -p "$PORT" -h /www
EOF
  # sick: runs forever, logs, never answers HTTP.
  cat > "$work/bin/sick" <<'EOF'
#!/bin/sh
echo "fixture sick: starting"
i=0
while true; do
  i=$((i + 1))
  echo "fixture sick: still waiting for a database that never comes ($i)"
  sleep 1
done
EOF
  # crash: logs a reason and exits 1 at start.
  cat > "$work/bin/crash" <<'EOF'
#!/bin/sh
echo "fixture crash: reading configuration"
echo "fixture crash: FATAL: required setting APP_SECRET_FILE missing" >&2
exit 1
EOF
  chmod +x "$work/bin/web" "$work/bin/sick" "$work/bin/crash"
  local image
  for image in web sick crash; do
    tar -C "$work" -c . | /usr/bin/docker import \
      -c "CMD [\"/bin/$image\"]" \
      -c 'ENV PATH=/bin' \
      -c 'EXPOSE 8080' \
      -c "LABEL aims.fixture-hash=$hash" \
      - "aims-fixture/$image:1" >/dev/null
  done
}

write_bed_json() {
  cat > "$BED/bed.json" <<EOF
{
  "sshPort": $SSH_PORT,
  "sshHost": "127.0.0.1",
  "identity": "$BED/id_ed25519",
  "wrongIdentity": "$BED/wrong_ed25519",
  "encryptedIdentity": "$BED/encrypted_ed25519",
  "encryptedPassphrase": "correct horse",
  "hostKey": "$BED/ssh_host_ed25519_key",
  "otherHostKey": "$BED/other_host_ed25519_key",
  "knownHosts": "$BED/known_hosts",
  "sshdLog": "$BED/sshd_main.log",
  "sshdConfig": "$BED/sshd_main.conf",
  "sshdPidFile": "$BED/sshd_main.pid",
  "bedDir": "$BED",
  "images": {"web": "aims-fixture/web:1", "sick": "aims-fixture/sick:1", "crash": "aims-fixture/crash:1"}
}
EOF
}

main() {
  if [ "${1:-}" = images ]; then
    build_images force
    return
  fi
  if [ "${1:-}" = dockerd ]; then
    start_dockerd
    return
  fi
  install_packages
  start_dockerd
  make_keys
  start_sshd
  start_nginx
  build_images
  write_bed_json
  log "ready: dockerd $(/usr/bin/docker version -f '{{.Server.Version}}'), sshd 127.0.0.1:$SSH_PORT, nginx :80"
}

main "$@"
