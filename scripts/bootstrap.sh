#!/bin/sh
# Installs the Debian 12 packages the project builds with and tests against,
# if any is missing.  Needs root (or sudo) only when something is missing.
set -eu
# strongswan-* and libstrongswan-*: charon as a real IKEv2 peer in a network
# namespace (test/interop; its service is not started by installing it);
# nftables: the NATs in front of it and of us (test/interop/strongswan_natt.sh).
# slurmctld slurmd slurm-client: the sim_slurm test starts its own
# single-node cluster from them (the packages' services need a slurm.conf in
# /etc/slurm this script does not write, so they do not run by themselves).
pkgs="build-essential cmake pkg-config clang-format
libns3-dev libssl-dev libgsl-dev libsqlite3-dev libyaml-dev libcmocka-dev
sqlite3 tshark python3-scapy libpcap-dev python3 clang libclang-rt-14-dev gnuplot-nox
slurmctld slurmd slurm-client
strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins
libstrongswan-extra-plugins iproute2 iputils-ping nftables bc"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "bootstrap: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# tshark asks whether non-root users may capture; the answer does not matter here.
echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
$SUDO apt-get install -y -qq --no-install-recommends $missing
