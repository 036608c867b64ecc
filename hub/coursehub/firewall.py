"""Learners' code cannot reach the cloud's metadata service, whose credentials are the host's.

On a cloud VM, 169.254.169.254 (AWS, Azure, GCP, OpenStack; Tencent Cloud's 169.254.0.23) or
100.100.100.200 (Alibaba Cloud) hands out the machine's credentials to anyone who asks from it,
and a learner's container is "from it". At every start the hub adds REJECT rules for those
addresses to Docker's DOCKER-USER chain, for the learners' network only, through a short-lived
container on the host's network with NET_ADMIN (the hub itself has no such rights).
"""

from __future__ import annotations

import logging
import socket
from ipaddress import IPv4Network

import docker

log = logging.getLogger(__name__)

# Runs in the helper: find the iptables flavour Docker uses (the one with DOCKER-USER), then add
# each rule once.
SCRIPT = r"""
set -eu
subnet=$1; shift
for tool in iptables-nft iptables-legacy; do
  if $tool -n -L DOCKER-USER >/dev/null 2>&1; then break; fi
  tool=""
done
[ -n "$tool" ] || { echo "no DOCKER-USER chain in iptables: is Docker managing the firewall?" >&2; exit 3; }
for address in "$@"; do
  rule="DOCKER-USER -s $subnet -d $address -j REJECT --reject-with icmp-port-unreachable"
  $tool -C $rule 2>/dev/null || $tool -I $rule
done
"""


class FirewallError(RuntimeError):
    pass


def own_image(client: docker.DockerClient) -> str:
    """The image of the container this runs in (compose names containers' hosts by their id)."""
    return client.containers.get(socket.gethostname()).image.id


def block_for_learners(
    client: docker.DockerClient, network: str, addresses: list[IPv4Network], image: str
) -> list[str]:
    """Reject traffic from ``network``'s subnets to ``addresses``: the rules' subnets."""
    try:
        config = client.networks.get(network).attrs["IPAM"]["Config"]
    except docker.errors.NotFound:
        raise FirewallError(f"the learners' network {network} does not exist") from None
    subnets = [entry["Subnet"] for entry in config if ":" not in entry.get("Subnet", ":")]
    for subnet in subnets:
        try:
            client.containers.run(
                image,
                ["sh", "-c", SCRIPT, "firewall", subnet, *(str(address) for address in addresses)],
                network_mode="host",
                cap_add=["NET_ADMIN", "NET_RAW"],
                remove=True,
                stderr=True,
            )
        except docker.errors.ContainerError as error:
            raise FirewallError(error.stderr.decode(errors="replace").strip() or str(error)) from None
    return subnets
