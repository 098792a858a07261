#!/usr/bin/env bash
# Checks, without changing anything, what publishing from this machine needs: a Docker engine that answers,
# buildx, multi-platform builds with the default builder (the containerd image store), qemu for running arm
# images, and the registry host name. One ✔ or ✖ line each, with what to do under every ✖; exits 1 when
# something is missing.
#
# Usage: machine-check.sh [registry host]   (default docker-registry.home.lan)
set -uo pipefail

readonly HOST=${1:-docker-registry.home.lan}
readonly BINFMT=/proc/sys/fs/binfmt_misc
readonly SET_UP='or let the demo set this machine up as a test machine: bash tools/scripts/demo.sh --set-up'
missing=0

ok() { printf '✔ %s\n' "$*"; }
lack() {
  printf '✖ %s\n  → %s\n' "$1" "$2"
  missing=1
}

check_engine() {
  if ! command -v docker >/dev/null; then
    lack "no docker command" "Install Docker (on Debian: sudo apt-get install docker.io docker-buildx), $SET_UP"
    return 1
  fi
  local version
  if ! version=$(timeout 20 docker version --format '{{.Server.Version}}' 2>/dev/null) || [[ -z $version ]]; then
    lack "no Docker engine answers${DOCKER_HOST:+ at $DOCKER_HOST}" \
      "Start yours (sudo systemctl start docker), or install one (sudo apt-get install docker.io docker-buildx), $SET_UP"
    return 1
  fi
  ok "Docker engine $version"
}

check_buildx() {
  local version
  if ! version=$(docker buildx version 2>/dev/null); then
    lack "docker buildx is missing" \
      "Install it: sudo apt-get install docker-buildx (Debian's Docker) or docker-buildx-plugin (Docker's repository)"
    return
  fi
  ok "buildx $(awk '{ print $2 }' <<<"$version")"
}

check_image_store() {
  if docker info --format '{{json .DriverStatus}}' 2>/dev/null | grep -q 'io.containerd.snapshotter'; then
    ok "the engine keeps images in containerd: the default builder builds for several platforms"
    return
  fi
  lack "the engine uses the classic image store: its default builder cannot build for several platforms" \
    "Add \"features\": {\"containerd-snapshotter\": true} to /etc/docker/daemon.json (keep its other settings) and restart Docker yourself; or set builder.driver to docker-container in homefaas.json"
}

check_qemu() {
  local name wanted=()
  for name in qemu-aarch64 qemu-arm; do
    grep -qx enabled "$BINFMT/$name" 2>/dev/null || wanted+=("$name")
  done
  if ((${#wanted[@]} == 0)); then
    ok "qemu runs arm64 and arm/v7 images"
    return
  fi
  lack "qemu is not registered for ${wanted[*]}: arm images cannot run here (building them needs no qemu)" \
    "sudo apt-get install qemu-user-static binfmt-support"
}

check_host() {
  local address
  if address=$(getent hosts "$HOST" | awk '{ print $1; exit }') && [[ -n $address ]]; then
    ok "$HOST resolves to $address"
    return
  fi
  lack "$HOST does not resolve" \
    "Add it to /etc/hosts: echo \"127.0.0.1 $HOST\" | sudo tee -a /etc/hosts (or a DNS entry on your router), $SET_UP"
}

if check_engine; then
  check_buildx
  check_image_store
fi
check_qemu
check_host
exit "$missing"
