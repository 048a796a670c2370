#!/bin/sh
# swarm-node-init.sh N DIR CMD...: the last step of starting a process of swarm node N
# (test/bed/swarm.sh), already in the node's network namespace and in fresh private
# mount+UTS namespaces: make them the node's, then exec CMD.
set -e
n=$1
dir=$2
shift 2
hostname "sw$n"
# A sysfs of this netns (/sys/class/net is the node's); the cgroup v1 tree bound back under it.
mount --rbind /sys/fs/cgroup "$dir/cgbind"
mount -t sysfs "sysfs-aims-sw$n" /sys
mount --rbind "$dir/cgbind" /sys/fs/cgroup
umount -l "$dir/cgbind"
# What a host keeps for itself: /run (docker.sock, pid files), aims' state, nginx.
mount --bind "$dir/run" /run
mount --bind "$dir/aims" /var/lib/aims
mount --bind "$dir/nginx-etc" /etc/nginx
mount --bind "$dir/nginx-log" /var/log/nginx
mount --bind "$dir/nginx-lib" /var/lib/nginx
exec "$@"
