#!/usr/bin/env bash
# A 3-node Docker Swarm bed on this machine, in network namespaces (root).
#
#   test/bed/swarm.sh up [--no-swarm]  bring it up (reuses a healthy one; otherwise starts
#                                      clean); --no-swarm: three standalone engines, for a
#                                      tool that forms the swarm itself (aims cluster init)
#   test/bed/swarm.sh down             stop everything it started, delete its namespaces,
#                                      cgroups and node data
#   test/bed/swarm.sh kill N           hard "power off" of node N: SIGKILL to every process
#                                      of the node (dockerd, containerd, shims, containers,
#                                      sshd, nginx, forwarders)
#   test/bed/swarm.sh start N          boot node N again (rejoins the swarm from its data)
#   test/bed/swarm.sh status           what runs, and `docker node ls`
#
# Each node N (1..3) is a network namespace aims-swN at 10.99.0.N on a bridge that lives in
# its own namespace (aims-swbr; a bridge in the root namespace drops bridged traffic because
# of the system dockerd's FORWARD policy). A node runs, all in its netns, its cgroup
# (pids:/aims-swN) and private mount+UTS namespaces (hostname swN):
#   - its own dockerd (data-root, exec-root, socket, pid file under $STATE/nN, cgroup parent
#     /aims-swN), registry mirror http://127.0.0.1:5000;
#   - its own sshd on 10.99.0.N:22, where /var/run/docker.sock is the node's dockerd;
#   - its own nginx on :80, with a private copy of /etc/nginx (conf.d/plugs empty),
#     /var/log/nginx and /var/lib/nginx;
#   - a private /run and /var/lib/aims (what aims keeps on a host), so each node is a host
#     of its own to aims;
#   - forwarders 127.0.0.1:5000/5001 -> the bed's registries, which a second docker-registry
#     process per registry serves on the bridge (10.99.0.254), from the same storage as the
#     root namespace's 127.0.0.1:5000/5001: images pushed there pull on every node, under the
#     same names (Docker Hub names through the mirror, 127.0.0.1:5000/... as they are).
# In the root namespace only loopback forwarders exist: 127.0.0.1:2240N -> sshd of node N and
# 127.0.0.1:2250N -> nginx of node N (through a client namespace aims-swc, 10.99.0.100).
# No iptables, docker0 or sysctl change in the root namespace; the root dockerd is untouched.
# Node SSH details go to .bed/swarm.json of the checkout this script is in.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=test/bed/lib/common.sh
source "$ROOT/test/bed/lib/common.sh"
# shellcheck source=test/bed/lib/registry.sh
source "$ROOT/test/bed/lib/registry.sh"

B="$BED_STATE/swarm"
NODES="1 2 3"
NS=aims-sw
BRIDGE_IP=10.99.0.254
CLIENT_IP=10.99.0.100
SSH_BASE=2240
HTTP_BASE=2250
MANAGERS="${MANAGERS:-1}"

[ "$(id -u)" = 0 ] || die "the swarm bed needs root (network namespaces, dockerd)"

d() { local n=$1; shift; "$DOCKER" -H "unix://$B/n$n/docker.sock" "$@"; }
node_ip() { printf '10.99.0.%s' "$1"; }

# --- network -----------------------------------------------------------------------------

ns_exists() { [ -e "/run/netns/$1" ]; }

net_up() {
  if ! ns_exists ${NS}br; then
    ip netns add ${NS}br
    ip -n ${NS}br link set lo up
    ip -n ${NS}br link add br-aims type bridge
    ip -n ${NS}br addr add $BRIDGE_IP/24 dev br-aims
    ip -n ${NS}br link set br-aims up
  fi
  local n ip
  for n in $NODES c; do
    ip="$(node_ip "$n")"
    [ "$n" = c ] && ip=$CLIENT_IP
    ns_exists "$NS$n" && continue
    ip netns add "$NS$n"
    ip -n "$NS$n" link set lo up
    ip -n ${NS}br link add "v$n" type veth peer name eth0 netns "$NS$n"
    ip -n ${NS}br link set "v$n" master br-aims up
    ip -n "$NS$n" addr add "$ip/24" dev eth0
    ip -n "$NS$n" link set eth0 up
    # Deliberately no default route: a pull of an image the bed's registry lacks fails at
    # once ("network is unreachable") instead of timing out.
  done
}

net_down() {
  local n
  for n in $NODES c br; do ip netns del "$NS$n" 2>/dev/null || true; done
}

# --- registries on the bridge ----------------------------------------------------------------

bridge_registry_up() { # bridge_registry_up NAME PORT
  local conf="$B/registry-$1.yml" pidf="$B/registry-$1.pid"
  sed -e "s/^  addr: .*/  addr: $BRIDGE_IP:$2/" "$(registry_dir "$1")/config.yml" > "$conf"
  pid_alive "$pidf" && return 0
  nohup setsid nsenter --net=/run/netns/${NS}br -- /usr/bin/docker-registry serve "$conf" \
    >>"$B/registry-$1.log" 2>&1 </dev/null 9>&- &
  echo $! > "$pidf"
}

registries_up() {
  { [ -f "$(registry_dir open)/config.yml" ] && registry_answers "$REGISTRY_OPEN_ADDR"; } ||
    die "the bed's registry does not answer on $REGISTRY_OPEN_ADDR: run test/bed/setup.sh first"
  bridge_registry_up open 5000
  bridge_registry_up auth 5001
  local _
  for _ in $(seq 50); do
    nsenter --net=/run/netns/${NS}c curl -s -o /dev/null --max-time 1 "http://$BRIDGE_IP:5000/v2/" && return 0
    sleep 0.1
  done
  die "the registry on the bridge ($BRIDGE_IP:5000) did not come up: see $B/registry-open.log"
}

registries_down() {
  local name
  for name in open auth; do
    if pid_alive "$B/registry-$name.pid"; then kill "$(cat "$B/registry-$name.pid")" 2>/dev/null || true; fi
    rm -f "$B/registry-$name.pid"
  done
  true
}

# --- nodes -------------------------------------------------------------------------------

cgroup_of() { printf '/sys/fs/cgroup/pids/%s%s' "$NS" "$1"; }

# node_exec N CMD...: CMD detached, as part of node N: in its cgroup, its netns, a private
# mount+UTS namespace with hostname swN, a sysfs of that netns (`ip netns exec` would drop
# the cgroup v1 mounts dockerd needs) and the node's own /run, /var/lib/aims and nginx dirs.
node_exec() {
  local n=$1 dir="$B/n$1"
  shift
  mkdir -p "$dir/run/sshd" "$dir/aims" "$dir/nginx-log" "$dir/nginx-lib" "$dir/cgbind" "$(cgroup_of "$n")/daemons"
  ln -sfn "$dir/docker.sock" "$dir/run/docker.sock"
  # shellcheck disable=SC2016 # expanded by the inner bash
  nohup setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' node "$(cgroup_of "$n")/daemons/cgroup.procs" \
    unshare --mount --uts --propagation private -- nsenter --net="/run/netns/$NS$n" -- \
    /bin/sh "$BED_LIB/swarm-node-init.sh" "$n" "$dir" "$@" >>"$dir/node.log" 2>&1 </dev/null 9>&- &
}

node_files() { # per-node config: daemon.json, nginx copy, sshd_config
  local n=$1 dir="$B/n$1"
  mkdir -p "$dir/data" "$dir/exec" /var/lib/aims
  [ -f "$dir/daemon.json" ] ||
    printf '{"registry-mirrors": ["%s"]}\n' "$REGISTRY_MIRROR_URL" > "$dir/daemon.json"
  if [ ! -d "$dir/nginx-etc" ]; then
    cp -a /etc/nginx "$dir/nginx-etc"
    rm -rf "$dir/nginx-etc/conf.d/plugs" "$dir/nginx-etc/conf.d/aims-plugs.conf"
    mkdir -p "$dir/nginx-etc/conf.d/plugs"
  fi
  printf '%s\n' "ListenAddress $(node_ip "$n"):22" "HostKey $B/ssh/host_ed25519" "PidFile /run/sshd.pid" \
    "AuthorizedKeysFile $B/ssh/authorized_keys" "PermitRootLogin prohibit-password" \
    "PasswordAuthentication no" "KbdInteractiveAuthentication no" "UsePAM no" "StrictModes no" \
    "AllowTcpForwarding yes" "AllowStreamLocalForwarding yes" "MaxStartups 100:30:200" "MaxSessions 100" \
    "LogLevel VERBOSE" "Subsystem sftp internal-sftp" > "$dir/sshd_config"
}

dockerd_answers() { d "$1" version -f '{{.Server.Version}}' >/dev/null 2>&1; }
sshd_answers() { nsenter --net="/run/netns/${NS}c" bash -c "exec 3<>/dev/tcp/$(node_ip "$1")/22" 2>/dev/null; }
nginx_answers() { nsenter --net="/run/netns/${NS}c" curl -s -o /dev/null --max-time 1 "http://$(node_ip "$1")/"; }
forward_answers() { nsenter --net="/run/netns/$NS$1" curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$2/v2/"; }

root_forwarder() { # root_forwarder N NAME LOCAL_PORT REMOTE_PORT
  local pidf="$B/n$1/fwd-$2.pid"
  pid_alive "$pidf" && return 0
  # No ':' allowed in socat's SYSTEM string, hence busybox nc.
  nohup setsid socat "TCP4-LISTEN:$3,bind=127.0.0.1,reuseaddr,fork" \
    SYSTEM:"exec nsenter --net=/run/netns/${NS}c busybox nc $(node_ip "$1") $4" >/dev/null 2>&1 </dev/null 9>&- &
  echo $! > "$pidf"
}

start_node() { # boots node N: whatever of it is not running
  local n=$1 dir="$B/n$1" _
  node_files "$n"
  if ! dockerd_answers "$n"; then
    rm -f "$dir/docker.pid"
    node_exec "$n" /usr/sbin/dockerd --config-file "$dir/daemon.json" --data-root "$dir/data" \
      --exec-root "$dir/exec" --pidfile "$dir/docker.pid" -H "unix://$dir/docker.sock" \
      --cgroup-parent "/$NS$n" --bip "172.31.$n.1/24" --log-level warn
  fi
  forward_answers "$n" 5000 || node_exec "$n" socat TCP4-LISTEN:5000,bind=127.0.0.1,reuseaddr,fork "TCP4:$BRIDGE_IP:5000"
  forward_answers "$n" 5001 || node_exec "$n" socat TCP4-LISTEN:5001,bind=127.0.0.1,reuseaddr,fork "TCP4:$BRIDGE_IP:5001"
  sshd_answers "$n" || node_exec "$n" /usr/sbin/sshd -f "$dir/sshd_config" -E "$dir/sshd.log"
  nginx_answers "$n" || node_exec "$n" /usr/sbin/nginx
  root_forwarder "$n" ssh "$SSH_BASE$n" 22
  root_forwarder "$n" http "$HTTP_BASE$n" 80
  for _ in $(seq 150); do
    if dockerd_answers "$n" && sshd_answers "$n" && nginx_answers "$n" && forward_answers "$n" 5000; then return 0; fi
    sleep 0.2
  done
  log "node $n did not come up: dockerd $(dockerd_answers "$n" && echo up || echo down), sshd $(sshd_answers "$n" && echo up || echo down), nginx $(nginx_answers "$n" && echo up || echo down)"
  tail -20 "$dir/node.log" >&2
  exit 1
}

node_pids() { { find "$(cgroup_of "$1")" -name cgroup.procs -exec cat {} + 2>/dev/null || true; } | sort -un; }

hard_kill() { # every process of node N, SIGKILL, until none is left
  local n=$1 pids _
  for _ in $(seq 20); do
    pids="$(node_pids "$n")"
    [ -z "$pids" ] && break
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null || true
    sleep 0.1
  done
  [ -z "$(node_pids "$n")" ] || log "node $n: processes left after SIGKILL: $(node_pids "$n" | tr '\n' ' ')"
  cg_cleanup "$n"
}

cg_cleanup() {
  local c
  for c in /sys/fs/cgroup/*/"$NS$1"; do
    [ -d "$c" ] && find "$c" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  true
}

# --- swarm -------------------------------------------------------------------------------

swarm_state() { d "$1" info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unknown; }

swarm_up() {
  if [ "$(swarm_state 1)" != active ]; then
    d 1 swarm init --advertise-addr "$(node_ip 1)" --listen-addr "$(node_ip 1):2377" \
      --default-addr-pool 10.201.0.0/16 --dispatcher-heartbeat 2s >/dev/null
  fi
  local role=worker n token
  [ "$MANAGERS" = 3 ] && role=manager
  token="$(d 1 swarm join-token -q $role)"
  for n in 2 3; do
    [ "$(swarm_state "$n")" = active ] && continue
    d "$n" swarm join --token "$token" --advertise-addr "$(node_ip "$n")" --listen-addr "$(node_ip "$n"):2377" \
      "$(node_ip 1):2377" >/dev/null
  done
  for n in $NODES; do
    d 1 node update --label-add "node=n$n" "$(d "$n" info -f '{{.Swarm.NodeID}}')" >/dev/null
  done
  local _
  for _ in $(seq 100); do
    [ "$(d 1 node ls -q --filter role=manager | wc -l)$(d 1 node ls --format '{{.Status}}' | grep -c Ready)" = "${MANAGERS}3" ] && return 0
    sleep 0.2
  done
  d 1 node ls >&2
  die "the swarm did not get 3 Ready nodes"
}

ssh_keys() {
  local s="$B/ssh" n
  mkdir -p "$s"
  chmod 700 "$s"
  [ -f "$s/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C aims-swarm-host -f "$s/host_ed25519"
  [ -f "$s/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C aims-swarm-client -f "$s/id_ed25519"
  cp "$s/id_ed25519.pub" "$s/authorized_keys"
  : > "$s/known_hosts"
  {
    echo "Host n1 n2 n3"
    echo "  User root"
    echo "  HostName 127.0.0.1"
    echo "  IdentityFile $s/id_ed25519"
    echo "  UserKnownHostsFile $s/known_hosts"
    echo "  StrictHostKeyChecking yes"
    echo "  LogLevel ERROR"
  } > "$s/ssh_config"
  for n in $NODES; do
    printf '[127.0.0.1]:%s %s\n' "$SSH_BASE$n" "$(cut -d' ' -f1,2 "$s/host_ed25519.pub")" >> "$s/known_hosts"
    printf 'Host n%s\n  Port %s\n' "$n" "$SSH_BASE$n" >> "$s/ssh_config"
  done
}

write_swarm_json() {
  local n first=1 role swarm
  swarm="$([ "$(swarm_state 1)" = active ] && echo true || echo false)"
  mkdir -p "$ROOT/.bed"
  {
    printf '{\n  "swarm": %s,\n  "stateDir": "%s",\n' "$swarm" "$B"
    printf '  "identity": "%s",\n  "knownHosts": "%s",\n  "sshConfig": "%s",\n' \
      "$B/ssh/id_ed25519" "$B/ssh/known_hosts" "$B/ssh/ssh_config"
    printf '  "hostKey": "%s",\n  "clientNetns": "%s",\n  "clientIp": "%s",\n' "$B/ssh/host_ed25519" "${NS}c" "$CLIENT_IP"
    printf '  "managerAddr": "%s:2377",\n  "registry": {"open": "%s", "auth": "%s", "bridge": "%s"},\n' \
      "$(node_ip 1)" "$REGISTRY_OPEN_ADDR" "$REGISTRY_AUTH_ADDR" "$BRIDGE_IP"
    printf '  "nodes": [\n'
    for n in $NODES; do
      role=none
      [ "$swarm" = true ] && role="$(d "$n" info -f '{{if .Swarm.ControlAvailable}}manager{{else}}worker{{end}}' 2>/dev/null || echo unknown)"
      [ $first = 1 ] || printf ',\n'
      first=0
      printf '    {"name": "n%s", "hostname": "sw%s", "ip": "%s", "sshHost": "127.0.0.1", "sshPort": %s, "sshUser": "root", "httpPort": %s, "netns": "%s", "dockerSocket": "%s", "pidFile": "%s", "role": "%s"}' \
        "$n" "$n" "$(node_ip "$n")" "$SSH_BASE$n" "$HTTP_BASE$n" "$NS$n" "$B/n$n/docker.sock" "$B/n$n/docker.pid" "$role"
    done
    printf '\n  ]\n}\n'
  } > "$ROOT/.bed/swarm.json.new"
  mv "$ROOT/.bed/swarm.json.new" "$ROOT/.bed/swarm.json"
}

healthy() { # healthy WANT_SWARM: everything up as `up` would leave it
  local n
  ns_exists ${NS}br && pid_alive "$B/registry-open.pid" && pid_alive "$B/registry-auth.pid" || return 1
  for n in $NODES; do
    dockerd_answers "$n" && sshd_answers "$n" && nginx_answers "$n" && forward_answers "$n" 5000 || return 1
    pid_alive "$B/n$n/fwd-ssh.pid" && pid_alive "$B/n$n/fwd-http.pid" || return 1
  done
  if [ "$1" = 1 ]; then
    [ "$(d 1 node ls --format '{{.Status}}' 2>/dev/null | grep -c Ready)" = 3 ] || return 1
  else
    for n in $NODES; do [ "$(swarm_state "$n")" = inactive ] || return 1; done
  fi
}

down() {
  # No graceful stop: the node data is deleted anyway, and a swarm dockerd takes seconds to
  # leave. Every process of every node is killed, then the forwarders and registries.
  local n f
  for n in $NODES; do
    hard_kill "$n"
    for f in "$B/n$n"/fwd-*.pid; do
      [ -f "$f" ] || continue
      if pid_alive "$f"; then kill "$(cat "$f")" 2>/dev/null || true; fi
      rm -f "$f"
    done
  done
  registries_down
  net_down
  for n in $NODES; do
    rm -rf "${B:?}/n$n" 2>/dev/null || log "could not remove all of $B/n$n (a mount still busy?)"
  done
  rm -f "$ROOT/.bed/swarm.json"
}

up() {
  local want_swarm=1 n t0=$SECONDS
  [ "${1:-}" = --no-swarm ] && want_swarm=0
  if healthy $want_swarm; then
    write_swarm_json
    log "swarm bed already up"
    return 0
  fi
  # Anything half-up (an earlier session's namespaces, dead daemons): start clean.
  down
  mkdir -p "$B"
  ssh_keys
  net_up
  registries_up
  local pids=()
  for n in $NODES; do
    start_node "$n" &
    pids+=($!)
  done
  wait "${pids[@]}" || true
  for n in $NODES; do healthy_node "$n" || die "node $n did not come up: see $B/n$n/node.log"; done
  [ $want_swarm = 1 ] && swarm_up
  write_swarm_json
  log "swarm bed up in $((SECONDS - t0))s: nodes 10.99.0.1-3, ssh 127.0.0.1:${SSH_BASE}1-3, nginx 127.0.0.1:${HTTP_BASE}1-3$([ $want_swarm = 1 ] && echo ", swarm with $MANAGERS manager(s)")"
}

healthy_node() { dockerd_answers "$1" && sshd_answers "$1" && nginx_answers "$1" && forward_answers "$1" 5000; }

status() {
  local n pid
  ip netns list | grep "^$NS" || echo "no namespaces"
  for n in $NODES; do
    pid="$(cat "$B/n$n/docker.pid" 2>/dev/null || true)"
    printf 'n%s: dockerd %s, sshd %s, nginx %s, %s processes' "$n" \
      "$(dockerd_answers "$n" && echo "up (pid $pid)" || echo down)" \
      "$(sshd_answers "$n" && echo up || echo down)" "$(nginx_answers "$n" && echo up || echo down)" \
      "$(node_pids "$n" | wc -l)"
    if [ -n "$pid" ] && [ -f "/proc/$pid/status" ]; then
      printf ', dockerd RSS %s MiB\n' "$(($(awk '/VmRSS/ {print $2}' "/proc/$pid/status") / 1024))"
    else
      echo
    fi
  done
  d 1 node ls 2>/dev/null || true
}

check_node() { case "${1:-}" in 1 | 2 | 3) ;; *) die "which node? 1, 2 or 3" ;; esac; }

case "${1:-}" in
  up) shift; with_machine_lock up "$@" ;;
  down) with_machine_lock down ;;
  kill) check_node "${2:-}"; hard_kill "$2" ;;
  start)
    check_node "${2:-}"
    ns_exists "$NS$2" || die "the swarm bed is not up (test/bed/swarm.sh up)"
    start_node "$2" ;;
  status) status ;;
  *) echo "usage: $0 up [--no-swarm] | down | kill N | start N | status" >&2; exit 2 ;;
esac
