#!/usr/bin/env bash
# Makes this Debian machine ready for aims (what `aims quickstart --install` runs, as root):
#   docker.io       the Docker engine aims deploys to (dockerd on /var/run/docker.sock)
#   nginx           the proxy aims routes instances through (confs in /etc/nginx/conf.d/plugs)
#   busybox-static  what the quickstart image is built from, so no registry is needed
# Packages come from apt-get; parts already running are used as they are, never restarted or started twice.
#   scripts/host-setup.sh            install what is missing, start what is not running
#   scripts/host-setup.sh --check    say what is there and what would be done; change nothing (exit 1: work to do)
set -euo pipefail

CHECK=0
case "${1:-}" in
  --check) CHECK=1 ;;
  '') ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

PACKAGES=(docker.io nginx busybox-static)
SOCKET=/var/run/docker.sock
LOG_DIR=/var/log/aims
TODO=0

say() { printf 'aims host-setup: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

engine_answers() {
  [ -S "$SOCKET" ] || return 1
  if command -v curl >/dev/null 2>&1; then
    curl -fsS --max-time 3 --unix-socket "$SOCKET" http://localhost/_ping >/dev/null 2>&1
  else
    docker info >/dev/null 2>&1
  fi
}

nginx_running() {
  [ -f /run/nginx.pid ] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null
}

systemd_runs() { [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; }

wait_for() { # wait_for SECONDS NAME COMMAND...
  local seconds="$1" name="$2"
  shift 2
  for _ in $(seq $((seconds * 4))); do
    "$@" && return 0
    sleep 0.25
  done
  die "$name did not come up in ${seconds}s (see $LOG_DIR)"
}

missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$pkg"
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    say "packages: ${PACKAGES[*]} installed"
    return 0
  fi
  TODO=1
  if [ "$CHECK" = 1 ]; then
    say "packages: would install ${missing[*]} (apt-get)"
    return 0
  fi
  say "packages: installing ${missing[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  if systemd_runs; then
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    # Without systemd, package scripts' service starts fail: a policy-rc.d refusing them keeps them quiet.
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
      rm -f /usr/sbin/policy-rc.d
      die "apt-get install ${missing[*]} failed"
    }
    rm -f /usr/sbin/policy-rc.d
  fi
}

start_dockerd() {
  if engine_answers; then
    say "dockerd: answering on $SOCKET (used as it is)"
    return 0
  fi
  TODO=1
  if [ "$CHECK" = 1 ]; then
    say "dockerd: would start it"
    return 0
  fi
  if systemd_runs; then
    say "dockerd: systemctl enable --now docker"
    systemctl enable --now docker >/dev/null
  else
    say "dockerd: starting (log $LOG_DIR/dockerd.log)"
    mkdir -p "$LOG_DIR"
    rm -f /var/run/docker.pid
    setsid -f /usr/sbin/dockerd >>"$LOG_DIR/dockerd.log" 2>&1 </dev/null
  fi
  wait_for 60 dockerd engine_answers
}

start_nginx() {
  [ "$CHECK" = 1 ] || mkdir -p /etc/nginx/conf.d/plugs
  if nginx_running; then
    say "nginx: running, pid $(cat /run/nginx.pid) (used as it is)"
    return 0
  fi
  TODO=1
  if [ "$CHECK" = 1 ]; then
    say "nginx: would start it"
    return 0
  fi
  nginx -t -q || die "nginx -t fails: fix /etc/nginx first"
  if systemd_runs; then
    say "nginx: systemctl enable --now nginx"
    systemctl enable --now nginx >/dev/null
  else
    say "nginx: starting"
    nginx
  fi
  wait_for 10 nginx nginx_running
}

[ -f /etc/debian_version ] || die "this script sets up Debian (and Ubuntu) machines; elsewhere install Docker yourself"
[ "$CHECK" = 1 ] || [ "$(id -u)" = 0 ] || die "run it as root (sudo $0)"
install_packages
start_dockerd
start_nginx
if [ "$CHECK" = 1 ]; then
  [ "$TODO" = 0 ] && say "ready: nothing to do"
  exit "$TODO"
fi
say "ready: dockerd $(docker version -f '{{.Server.Version}}' 2>/dev/null || echo '?'), nginx, busybox-static"
