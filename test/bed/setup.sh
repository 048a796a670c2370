#!/usr/bin/env bash
# The test bed: a real Docker engine, a real sshd on a loopback port and a
# real nginx, on this machine, so e2e tests drive the built `aims` binary the
# way a user drives a VPS. Idempotent and quick when everything is up.
#
#   test/bed/setup.sh             set up (or check) everything
#   test/bed/setup.sh images      rebuild the fixture images (and push them)
#   test/bed/setup.sh dockerd     start dockerd only, if it is not answering
#                                 (e2e tests that stop it bring it back this way)
#   test/bed/setup.sh registry    start the registries only, if not answering
#   test/bed/setup.sh base-images the base-image stand-ins only (node:22-slim, ...)
#
# Writes .bed/bed.json with what tests need (ports, key paths, registries).
# Parts shared by every worktree on the machine (registries, base images) are
# described in test/bed/README.md; the swarm bed is test/bed/swarm.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BED="$ROOT/.bed"
SSH_PORT="${AIMS_BED_SSH_PORT:-2222}"
mkdir -p "$BED"
chmod 700 "$BED"

# shellcheck source=test/bed/lib/common.sh
source "$ROOT/test/bed/lib/common.sh"
# shellcheck source=test/bed/lib/registry.sh
source "$ROOT/test/bed/lib/registry.sh"
# shellcheck source=test/bed/lib/images.sh
source "$ROOT/test/bed/lib/images.sh"
# shellcheck source=test/bed/lib/fixtures.sh
source "$ROOT/test/bed/lib/fixtures.sh"
# shellcheck source=test/bed/lib/base-images.sh
source "$ROOT/test/bed/lib/base-images.sh"
# shellcheck source=test/bed/lib/stand-ins.sh
source "$ROOT/test/bed/lib/stand-ins.sh"

[ "$(id -u)" = 0 ] || die "the test bed needs root (it installs packages and starts dockerd, sshd and nginx)"

install_packages() {
  local wanted=(docker.io openssh-server openssh-client nginx busybox-static shellcheck docker-compose curl tmux util-linux iproute2 iptables procps)
  # The registries, base images and swarm bed: Debian's docker-registry, htpasswd, jq, debootstrap, socat.
  wanted+=(docker-registry apache2-utils jq debootstrap socat)
  # A real Secret Service for the keychain e2e (test/support/secret-service.ts starts a private
  # D-Bus session and gnome-keyring per test): the daemon, secret-tool, and dbus-test-tool's black hole.
  wanted+=(dbus-daemon dbus-bin gnome-keyring libsecret-tools dbus-tests)
  # Voice: the offline command recognizer (pocketsphinx + its en-us model, espeak-ng's
  # letter-to-sound rules), spoken test requests (espeak-ng, sox), tmux for the chat's keys.
  wanted+=(pocketsphinx pocketsphinx-en-us espeak-ng sox alsa-utils tmux)
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

start_dockerd() {
  # The registry mirror is in daemon.json before dockerd starts; a dockerd
  # already running without it reloads it (SIGHUP), never restarts.
  write_daemon_json
  if /usr/bin/docker info >/dev/null 2>&1; then
    ensure_dockerd_mirror
    return 0
  fi
  log "starting dockerd"
  rm -f /var/run/docker.pid
  setsid -f /usr/sbin/dockerd >>"$BED/dockerd.log" 2>&1 </dev/null
  wait_for 60 dockerd /usr/bin/docker info
  ensure_dockerd_mirror
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
  "images": {"web": "aims-fixture/web:1", "sick": "aims-fixture/sick:1", "crash": "aims-fixture/crash:1"},
  "registry": {
    "open": "$REGISTRY_OPEN_ADDR",
    "auth": "$REGISTRY_AUTH_ADDR",
    "authCredentials": "$BED/registry-auth.json",
    "mirror": "$REGISTRY_MIRROR_URL",
    "dockerConfig": "$BED_DOCKER_CONFIG",
    "remoteImage": "aims-fixture/remote-web:1",
    "baseImages": {"debian": "debian:bookworm-slim", "node": "node:22-slim", "python": "python:3.11-slim"}
  },
  "stateDir": "$BED_STATE",
  "cacheDir": "$BED_CACHE"
}
EOF
}

# Machine-wide parts, one worktree at a time.
registries_and_images() {
  start_registries
  fixture_images
  base_images
  stand_in_images
}

copy_registry_credentials() {
  install -m 600 "$(registry_dir auth)/credentials.json" "$BED/registry-auth.json"
}

main() {
  case "${1:-}" in
    images)
      with_machine_lock start_registries
      BED_FORCE_BUILD=1 with_machine_lock fixture_images
      return ;;
    dockerd)
      start_dockerd
      return ;;
    registry)
      with_machine_lock start_registries
      copy_registry_credentials
      return ;;
    base-images)
      with_machine_lock start_registries
      with_machine_lock base_images
      return ;;
    stand-ins)
      with_machine_lock start_registries
      with_machine_lock base_images
      with_machine_lock stand_in_images
      return ;;
    '') ;;
    *) die "unknown part '$1' (try: images, dockerd, registry, base-images, stand-ins)" ;;
  esac
  local t0=$SECONDS
  install_packages
  start_dockerd
  make_keys
  start_sshd
  start_nginx
  with_machine_lock registries_and_images
  copy_registry_credentials
  write_bed_json
  log "ready in $((SECONDS - t0))s: dockerd $(/usr/bin/docker version -f '{{.Server.Version}}'), sshd 127.0.0.1:$SSH_PORT, nginx :80, registries $REGISTRY_OPEN_ADDR (open, dockerd's mirror) and $REGISTRY_AUTH_ADDR (auth)"
}

main "$@"
