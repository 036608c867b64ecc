#!/bin/sh
# Runs the node's own Docker Engine in the foreground.
set -e
# With cgroup v2, the engine needs its own subtree: move this shell out of the root cgroup first.
if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    mkdir -p /sys/fs/cgroup/init
    xargs -rn1 < /sys/fs/cgroup/cgroup.procs > /sys/fs/cgroup/init/cgroup.procs || true
    sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers > /sys/fs/cgroup/cgroup.subtree_control
fi
rm -f /var/run/docker.pid
exec dockerd --host=unix:///var/run/docker.sock --storage-driver=overlay2 "$@"
