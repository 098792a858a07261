#!/usr/bin/env bash
# The environment the integration tests run in, on Debian 12 as root: Docker Engine 26 + buildx from trixie
# (containerd image store, no bridge network), qemu binfmt for arm64 and arm/v7, the registry hostname, and
# local stand-ins, built from Debian packages, for the images that cannot be pulled here
# (node:22-alpine for three platforms, registry:2, a buildx builder container).
# Idempotent: every step checks first and acts only on a difference, so a second run takes seconds.
#
# A machine's own Docker is taken as it is found: an engine this script did not start is never stopped or
# restarted, and its daemon.json is not touched. Where no engine runs, the settings below are merged into
# daemon.json (other keys kept, the old file backed up) and an engine is started and recorded as ours.
#
# Usage: test-env.sh [step...]   steps: apt docker binfmt hosts images (default: all, in that order)
# Paths and commands can be pointed elsewhere (tests do): HOMEFAAS_DAEMON_JSON, HOMEFAAS_DOCKER_SOCKET,
# HOMEFAAS_DOCKERD (the daemon command), HOMEFAAS_DOCKERD_LOG, HOMEFAAS_TEST_ENV_STATE (where the engine
# this script started is recorded), HOMEFAAS_TEST_ENV_CACHE.
set -euo pipefail

readonly CACHE_DIR=${HOMEFAAS_TEST_ENV_CACHE:-/var/cache/homefaas-test-env}
IMAGES_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/images" && pwd)
readonly IMAGES_DIR
readonly LOCK_DIR=/run/lock
readonly DOCKERD=${HOMEFAAS_DOCKERD:-dockerd}
readonly DOCKERD_LOG=${HOMEFAAS_DOCKERD_LOG:-/var/log/dockerd.log}
readonly DAEMON_JSON=${HOMEFAAS_DAEMON_JSON:-/etc/docker/daemon.json}
readonly DOCKER_SOCKET=${HOMEFAAS_DOCKER_SOCKET:-/var/run/docker.sock}
readonly STATE_DIR=${HOMEFAAS_TEST_ENV_STATE:-/run/homefaas-test-env}
# "<pid> <start time>" of the dockerd this script started; /run empties at boot, as pids do.
readonly DOCKERD_RECORD=$STATE_DIR/dockerd
# The settings the tests need: the containerd image store (multi-platform builds with the default builder);
# no bridge and no iptables, because this machine forbids traffic to private ranges (containers use the host
# network).
readonly DAEMON_CONFIG='{"features":{"containerd-snapshotter":true},"bridge":"none","iptables":false,"ip6tables":false,"ip-masq":false}'
[[ -z ${HOMEFAAS_DOCKER_SOCKET:-} ]] || export DOCKER_HOST=unix://$DOCKER_SOCKET
readonly REGISTRY_HOST=docker-registry.home.lan
readonly TRIXIE_SOURCES=/etc/apt/sources.list.d/homefaas-trixie.sources
readonly TRIXIE_PIN=/etc/apt/preferences.d/homefaas-trixie
# Docker Engine 26, buildx 0.13 and containerd 1.7 come from trixie; bookworm's engine is 20.10 without buildx.
readonly TRIXIE_PACKAGES=(docker.io:26 docker-buildx:0.13 containerd:1.7)
readonly BOOKWORM_PACKAGES=(qemu-user-static binfmt-support mmdebstrap apache2-utils openssl curl ca-certificates)
readonly MERGED_USR_HOOK=/usr/share/mmdebstrap/hooks/merged-usr
readonly LABEL=homefaas.test-env
readonly ENV_PATH='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
export DEBIAN_FRONTEND=noninteractive

started=$SECONDS
step_started=$SECONDS

ok() { printf '✔ %s\n' "$*"; }
doing() {
  step_started=$SECONDS
  printf '… %s\n' "$*"
}
done_in() { printf '✔ %s (%d s)\n' "$*" $((SECONDS - step_started)); }
die() {
  printf '✖ %s\n' "$*" >&2
  exit 1
}
need_root() {
  [[ $EUID -eq 0 ]] || die "$1 needs root: run sudo bash $0"
}

# --- apt -------------------------------------------------------------------------------------------------

# Prints "<URI> <keyring>" of the machine's main Debian source, so the trixie source and the image builds
# use the same mirror as the host without naming one here.
read_debian_source() {
  local f=/etc/apt/sources.list.d/debian.sources
  if [[ -r $f ]]; then
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        uri = ""; key = ""; main = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^#/) continue
          split($i, kv, ":[ \t]*")
          k = tolower(kv[1]); v = substr($i, index($i, ":") + 1); gsub(/^[ \t]+|[ \t]+$/, "", v)
          if (k == "uris") { split(v, u, /[ \t]+/); uri = u[1] }
          else if (k == "signed-by") key = v
          else if (k == "suites") { n = split(v, s, /[ \t]+/); for (j = 1; j <= n; j++) if (s[j] !~ /-/) main = 1 }
        }
        if (main && uri != "") { print uri, (key ~ /^\// ? key : ""); exit }
      }' "$f"
  elif [[ -r /etc/apt/sources.list ]]; then
    awk '$1 == "deb" {
        key = ""; i = 2
        if ($2 ~ /^\[/) { for (; i <= NF; i++) { if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) } if ($i ~ /\]$/) { i++; break } } }
        if ($(i + 1) !~ /-/) { print $i, key; exit }
      }' /etc/apt/sources.list
  fi
}

write_if_changed() {
  local path=$1 content=$2
  if [[ -f $path ]] && [[ "$(cat "$path")" == "$content" ]]; then return 1; fi
  need_root "writing $path"
  mkdir -p "$(dirname "$path")"
  printf '%s\n' "$content" >"$path"
}

installed() {
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# Prints each "<package>[:<minimum version>]" of the arguments that is not installed at that version or newer.
missing_packages() {
  local -A have=()
  local name version spec
  while read -r name version; do have[$name]=$version; done < <(
    dpkg-query -W -f='${Package} ${db:Status-Status} ${Version}\n' "${@%%:*}" 2>/dev/null |
      awk '$2 == "installed" { print $1, $3 }'
  )
  for spec in "$@"; do
    name=${spec%%:*}
    version=${have[$name]:-}
    if [[ -z $version ]] || { [[ $spec == *:* ]] && dpkg --compare-versions "$version" lt "${spec#*:}"; }; then
      printf '%s\n' "$name"
    fi
  done
}

# Sets MIRROR_URI and MIRROR_KEYRING from the machine's Debian source.
read_mirror() {
  local source uri key
  source=$(read_debian_source)
  uri=${source%% *}
  key=${source#* }
  [[ -n $uri && $uri != "$source" ]] || die "no Debian source found in /etc/apt/sources.list.d/debian.sources"
  [[ -n $key ]] || key=/usr/share/keyrings/debian-archive-keyring.gpg
  MIRROR_URI=$uri
  MIRROR_KEYRING=$key
}

ensure_apt() {
  local uri=$MIRROR_URI key=$MIRROR_KEYRING
  local changed=0
  write_if_changed "$TRIXIE_SOURCES" "Types: deb
URIs: $uri
Suites: trixie
Components: main
Signed-By: $key" && changed=1
  write_if_changed "$TRIXIE_PIN" "# Only packages asked for as <name>/trixie come from trixie; nothing else upgrades.
Package: *
Pin: release n=trixie
Pin-Priority: 100" && changed=1
  ((changed)) && ok "apt source trixie pinned at priority 100"

  local bookworm trixie=()
  mapfile -t bookworm < <(missing_packages "${BOOKWORM_PACKAGES[@]}")
  # The engine's packages only where no engine runs, and no other engine (docker-ce) is installed:
  # installing or upgrading them under a running engine would restart it and its containerd.
  if ((INSTALL_ENGINE)) && { ! command -v dockerd >/dev/null || installed docker.io; }; then
    mapfile -t trixie < <(missing_packages "${TRIXIE_PACKAGES[@]}")
    # The machine's own docker client is enough; a machine without one gets trixie's.
    command -v docker >/dev/null || trixie+=(docker-cli)
  fi
  if ((${#bookworm[@]} + ${#trixie[@]} == 0)); then
    ok "apt packages present"
    return
  fi
  need_root "installing packages"
  doing "installing ${bookworm[*]} ${trixie[*]}"
  local log=$CACHE_DIR/apt.log
  mkdir -p "$CACHE_DIR"
  # <name>/trixie, not -t trixie: -t would also take libc6, base-files and more from trixie, while these
  # packages only need bookworm's libraries (runc, iptables and tini then come from bookworm).
  {
    apt-get update -q &&
      { ((${#bookworm[@]} == 0)) || apt-get install -y -q --no-install-recommends "${bookworm[@]}"; } &&
      { ((${#trixie[@]} == 0)) || apt-get install -y -q --no-install-recommends "${trixie[@]/%//trixie}"; }
  } >"$log" 2>&1 || {
    tail -n 20 "$log" >&2 || true
    die "apt-get failed, full log: $log"
  }
  done_in "apt packages installed"
}

# --- docker engine ---------------------------------------------------------------------------------------

# Prints "<server version> <storage driver status>" of the running daemon, or nothing when none answers.
# Straight from the API: `docker info` also queries every CLI plugin and takes twice as long.
daemon_state() {
  local info
  info=$(curl -sf --max-time 10 --unix-socket "$DOCKER_SOCKET" http://docker/info 2>/dev/null) || return 0
  local version=${info#*\"ServerVersion\":\"}
  printf '%s %s\n' "${version%%\"*}" "$(grep -o 'io\.containerd\.snapshotter[.a-z0-9]*' <<<"$info" | head -n 1)"
}

# The containerd image store is on: the default builder can then build and load multi-platform images.
configured() { [[ $1 == *io.containerd.snapshotter* ]]; }

# Field 22 of /proc/<pid>/stat: when the process started, which tells it apart from a later one with its pid.
process_start() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  # The command name (field 2) is in parentheses and may hold spaces; field 3 follows the last ") ".
  read -r -a stat <<<"${stat##*) }"
  printf '%s\n' "${stat[19]}"
}

# Prints the pid of the dockerd this script started, while that very process still runs.
our_dockerd() {
  local pid start
  [[ -r $DOCKERD_RECORD ]] || return 0
  read -r pid start <"$DOCKERD_RECORD" || true
  [[ -n $pid && -n $start && "$(process_start "$pid" || true)" == "$start" ]] || return 0
  printf '%s\n' "$pid"
}

record_dockerd() {
  mkdir -p "$STATE_DIR"
  printf '%s %s\n' "$1" "$(process_start "$1")" >"$DOCKERD_RECORD"
}

# none: no engine at all; ours: the one this script started; other: someone else's (answering or starting).
engine_owner() {
  if [[ -n "$(our_dockerd)" ]]; then
    echo ours
  elif [[ -n "$(daemon_state)" ]] || pidof "${DOCKERD##*/}" >/dev/null; then
    echo other
  else
    echo none
  fi
}

wait_for_docker() {
  local i
  for ((i = 0; i < 120; i++)); do
    [[ -n "$(daemon_state)" ]] && return 0
    sleep 0.5
  done
  tail -n 20 "$DOCKERD_LOG" >&2 || true
  die "the Docker engine still does not answer on $DOCKER_SOCKET after 60 s, see $DOCKERD_LOG"
}

# Stops the dockerd this script started (and only that process).
stop_dockerd() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 60; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  die "dockerd (pid $pid) did not stop within 30 s, see $DOCKERD_LOG"
}

start_dockerd() {
  # setsid + nohup: the daemon outlives this script and whatever test runner called it; 9>&- keeps the
  # daemon from inheriting (and so holding forever) this script's lock. Both exec, so $! is the daemon.
  setsid nohup "$DOCKERD" >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
  local pid=$!
  record_dockerd "$pid"
  wait_for_docker
}

DAEMON_CONFIG_CHANGED=0
# Set by main: who ran the engine when this run began (none, ours, other), and whether to install one.
# Until then, any engine counts as someone else's.
ENGINE_AT_START=other
INSTALL_ENGINE=0

# Merges DAEMON_CONFIG into daemon.json: keys of its own are kept, ours are set (objects merged key by key),
# and a file that changes is first copied to <file>.homefaas-backup-<time>. Prints what it did; exit 3 when
# nothing changed.
merge_daemon_config() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    const fs = require("fs");
    const [path, wanted, stamp] = process.argv.slice(1);
    let text;
    try { text = fs.readFileSync(path, "utf8"); } catch (e) { if (e.code !== "ENOENT") throw e; }
    let current = {};
    if (text !== undefined && text.trim() !== "") {
      try { current = JSON.parse(text); } catch (e) { console.error(`${path} is not valid JSON (${e.message}): fix it, then run again; it was left as it is`); process.exit(2); }
      if (!current || typeof current !== "object" || Array.isArray(current)) { console.error(`${path} is not a JSON object: fix it, then run again; it was left as it is`); process.exit(2); }
    }
    const own = Object.keys(current).filter((key) => !(key in JSON.parse(wanted)));
    const changes = [];
    const merge = (into, from, prefix) => {
      for (const [key, value] of Object.entries(from)) {
        const name = prefix + key;
        if (value && typeof value === "object" && !Array.isArray(value)) {
          const inner = into[key] && typeof into[key] === "object" && !Array.isArray(into[key]) ? into[key] : {};
          if (into[key] !== undefined && inner !== into[key]) changes.push(`${name} (was ${JSON.stringify(into[key])})`);
          into[key] = inner;
          merge(inner, value, `${name}.`);
        } else if (JSON.stringify(into[key]) !== JSON.stringify(value)) {
          changes.push(into[key] === undefined ? name : `${name} (was ${JSON.stringify(into[key])})`);
          into[key] = value;
        }
      }
    };
    merge(current, JSON.parse(wanted), "");
    if (changes.length === 0) process.exit(3);
    let backup = "";
    if (text !== undefined) {
      backup = `${path}.homefaas-backup-${stamp}`;
      try { fs.copyFileSync(path, backup, fs.constants.COPYFILE_EXCL); } catch (e) { console.error(`cannot back up ${path} to ${backup} (${e.code}): run this as root`); process.exit(2); }
    }
    const temp = `${path}.homefaas-${process.pid}.tmp`;
    try {
      fs.mkdirSync(require("path").dirname(path), { recursive: true });
      fs.writeFileSync(temp, `${JSON.stringify(current, null, 2)}\n`, { mode: text === undefined ? 0o644 : fs.statSync(path).mode & 0o777 });
      fs.renameSync(temp, path);
    } catch (e) {
      fs.rmSync(temp, { force: true });
      console.error(`cannot write ${path} (${e.code}): run this as root`);
      process.exit(2);
    }
    console.log(text === undefined
      ? `wrote ${path} with the test settings (${changes.join(", ")})`
      : `set ${changes.join(", ")} in ${path}${own.length > 0 ? `; kept ${own.join(", ")}` : ""}; the old file is ${backup}`);
  ' "$DAEMON_JSON" "$DAEMON_CONFIG" "$(date +%Y%m%d-%H%M%S)"
}

# Before the packages, and only when no engine runs or the running one is ours: a daemon that their install
# scripts start must already read this; someone else's engine keeps its configuration.
ensure_daemon_config() {
  local said rc=0
  said=$(merge_daemon_config) || rc=$?
  case $rc in
  0) ;;
  3) return 0 ;;
  *) die "$DAEMON_JSON was not changed" ;;
  esac
  DAEMON_CONFIG_CHANGED=1
  ok "$said"
}

# An engine this script did not start is used as it is: never restarted, its daemon.json never touched.
use_other_engine() {
  local state
  state=$(daemon_state)
  if [[ -z $state ]]; then
    doing "waiting for the running dockerd (not started by this script) to answer"
    wait_for_docker
    state=$(daemon_state)
  fi
  configured "$state" || die "the running Docker engine (${state%% *}, not started by this script) has no containerd image store, which multi-platform builds with the default builder need. It is left as it is: add \"features\": {\"containerd-snapshotter\": true} to $DAEMON_JSON and restart it yourself (e.g. sudo systemctl restart docker)"
  docker buildx version >/dev/null 2>&1 ||
    die "docker buildx is missing: install it (package docker-buildx on Debian, docker-buildx-plugin from Docker's repository)"
  ok "docker engine running (${state%% *}), used as it is: not started by this script, so its settings and process are left alone"
}

ensure_docker() {
  local pid state
  pid=$(our_dockerd)
  if [[ -z $pid && $ENGINE_AT_START == none && -n "$(daemon_state)" ]]; then
    # The packages just installed started it, reading our daemon.json: it is ours.
    pid=$(pidof "${DOCKERD##*/}" || true)
    if [[ -n $pid && $pid != *' '* ]]; then record_dockerd "$pid"; else pid=; fi
  fi
  if [[ -z $pid ]] && [[ $ENGINE_AT_START == other || -n "$(daemon_state)" ]]; then
    use_other_engine
    return
  fi
  state=$(daemon_state)
  if [[ -n $pid && -z $state ]]; then
    doing "waiting for dockerd (pid $pid) to answer"
    wait_for_docker
    state=$(daemon_state)
  fi
  if [[ -n $state ]] && ((DAEMON_CONFIG_CHANGED == 0)) && configured "$state"; then
    ok "docker engine running (${state%% *}, started by this script as pid $pid)"
    return
  fi
  if [[ -n $pid ]]; then
    need_root "restarting dockerd"
    doing "restarting dockerd (pid $pid, started by this script) with $DAEMON_JSON"
    stop_dockerd "$pid"
  else
    need_root "starting dockerd"
    doing "starting dockerd (log: $DOCKERD_LOG)"
  fi
  start_dockerd
  state=$(daemon_state)
  if ! configured "$state" || [[ -n "$(docker network ls -q -f name='^bridge$')" ]]; then
    die "dockerd runs without the settings of $DAEMON_JSON, see $DOCKERD_LOG"
  fi
  docker buildx version >/dev/null 2>&1 || die "docker buildx is missing (package docker-buildx)"
  done_in "docker engine running (${state%% *})"
}

# --- qemu binfmt -----------------------------------------------------------------------------------------

readonly BINFMT=/proc/sys/fs/binfmt_misc

binfmt_ready() {
  # F (fix binary) lets containers use the host's interpreter without having it in their filesystem.
  [[ -f $BINFMT/$1 ]] && grep -qx enabled "$BINFMT/$1" && grep -q '^flags: .*F' "$BINFMT/$1"
}

ensure_binfmt() {
  local n changed=0
  if [[ ! -f $BINFMT/register ]]; then
    need_root "mounting binfmt_misc"
    mount -t binfmt_misc binfmt_misc "$BINFMT" || die "cannot mount binfmt_misc on $BINFMT"
    changed=1
  fi
  for n in qemu-aarch64 qemu-arm; do
    binfmt_ready "$n" && continue
    need_root "registering $n"
    changed=1
    [[ ! -f $BINFMT/$n ]] || update-binfmts --disable "$n" >/dev/null 2>&1 || true
    update-binfmts --enable "$n" >/dev/null 2>&1 || update-binfmts --import "$n" >/dev/null 2>&1 || true
    binfmt_ready "$n" || die "qemu binfmt $n is not registered with flag F (package qemu-user-static)"
  done
  if ((changed)); then ok "qemu binfmt registered for arm64 and arm"; else ok "qemu binfmt present for arm64 and arm"; fi
}

# --- /etc/hosts ------------------------------------------------------------------------------------------

ensure_hosts() {
  if grep -qE "^[[:space:]]*127\.0\.0\.1[[:space:]](.*[[:space:]])?${REGISTRY_HOST//./\\.}([[:space:]]|\$)" /etc/hosts; then
    ok "$REGISTRY_HOST resolves to 127.0.0.1"
    return
  fi
  need_root "editing /etc/hosts"
  # Append, never rewrite: /etc/hosts may be a bind mount.
  printf '127.0.0.1 %s\n' "$REGISTRY_HOST" >>/etc/hosts
  ok "added $REGISTRY_HOST to /etc/hosts"
}

# --- stand-in images -------------------------------------------------------------------------------------

recipe_hash() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }

declare -A IMAGE_LABELS=()

# One docker call for all stand-ins: each CLI start costs a noticeable fraction of a second.
read_image_labels() {
  local label tags tag
  while IFS='|' read -r label tags; do
    for tag in $tags; do IMAGE_LABELS[$tag]=$label; done
  done < <(docker image inspect -f "{{ index .Config.Labels \"$LABEL\" }}|{{ range .RepoTags }}{{ . }} {{ end }}" \
    "$@" 2>/dev/null || true)
}

image_label() { printf '%s\n' "${IMAGE_LABELS[$1]:-}"; }

readonly NODE_IMAGE=node:22-alpine
readonly NODE_INCLUDE=nodejs,ca-certificates
readonly REGISTRY_IMAGE=registry:2
readonly REGISTRY_BASE=homefaas-test/registry-base:latest
readonly REGISTRY_INCLUDE=docker-registry
readonly BUILDKIT_IMAGE=homefaas-test/buildkit-standin:latest
readonly BUILDKIT_INCLUDE=ca-certificates
# Ends at once on docker stop, as buildkitd does, instead of waiting out the stop timeout.
readonly BUILDKIT_CMD='["/bin/sh","-c","trap \"exit 0\" TERM INT; while :; do sleep 3600 & wait $!; done"]'

# The cached root filesystem tarball of trixie packages for "<name> <arch> <variant> <packages>".
rootfs_path() {
  printf '%s/%s-%s-%s.tar\n' "$CACHE_DIR" "$1" "$2" "$(recipe_hash "$2" "$3" "$4" "$MIRROR_KEYRING")"
}

build_rootfs() {
  local name=$1 arch=$2 variant=$3 include=$4 tar log
  tar=$(rootfs_path "$@")
  log=$CACHE_DIR/$name-$arch.log
  # One explicit source line: the default adds -updates and -security, whose foreign-architecture indexes
  # have been seen out of sync. merged-usr: without it trixie's armhf loader is missing.
  mmdebstrap --variant="$variant" --architectures="$arch" --hook-dir="$MERGED_USR_HOOK" --format=tar \
    --include="$include" trixie "$tar.partial" \
    "deb [signed-by=$MIRROR_KEYRING] $MIRROR_URI trixie main" >"$log" 2>&1 || {
    tail -n 20 "$log" >&2 || true
    die "mmdebstrap $name for $arch failed, full log: $log"
  }
  find "$CACHE_DIR" -maxdepth 1 -name "$name-$arch-*.tar" ! -name "${tar##*/}" -delete
  mv "$tar.partial" "$tar"
}

# Makes the missing tarballs side by side: mostly downloads, so together they take little more than one.
build_rootfs_all() {
  local spec words missing=() names=() pids=() pid failed=0
  for spec in "$@"; do
    # shellcheck disable=SC2086 # a spec is four words
    [[ -s $(rootfs_path $spec) ]] && continue
    missing+=("$spec")
    read -r -a words <<<"$spec"
    names+=("${words[0]}/${words[1]}")
  done
  ((${#missing[@]})) || return 0
  need_root "mmdebstrap"
  doing "making root filesystems ${names[*]}"
  mkdir -p "$CACHE_DIR"
  for spec in "${missing[@]}"; do
    # shellcheck disable=SC2086
    build_rootfs $spec &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  ((failed == 0)) || die "mmdebstrap failed, see above"
  done_in "root filesystems made"
}

# node:22-alpine for linux/amd64, linux/arm64 and linux/arm/v7: Debian's nodejs per architecture (no
# emulation needed: packages are only extracted), joined into one local multi-platform image.
build_node_image() {
  local hash=$1 arch platform tag
  doing "building $NODE_IMAGE stand-in (amd64, arm64, arm/v7)"
  for arch in amd64 arm64 armhf; do
    case $arch in
    amd64) platform=linux/amd64 tag=amd64 ;;
    arm64) platform=linux/arm64 tag=arm64 ;;
    armhf) platform=linux/arm/v7 tag=arm ;;
    esac
    docker import --platform "$platform" -c "ENV $ENV_PATH" "$(rootfs_path node "$arch" extract "$NODE_INCLUDE")" \
      "node-base:$tag" >/dev/null
  done
  docker buildx build --builder default --platform linux/amd64,linux/arm64,linux/arm/v7 --provenance=false \
    --label "$LABEL=$hash" -t "$NODE_IMAGE" --load --quiet "$IMAGES_DIR/node" >/dev/null
  done_in "$NODE_IMAGE stand-in built"
}

# registry:2: Debian's docker-registry package, the Distribution registry 2.8, with upstream's default config.
build_registry_image() {
  local hash=$1
  doing "building $REGISTRY_IMAGE stand-in"
  docker import --platform linux/amd64 -c "ENV $ENV_PATH" \
    "$(rootfs_path registry amd64 extract "$REGISTRY_INCLUDE")" "$REGISTRY_BASE" >/dev/null
  docker buildx build --builder default --platform linux/amd64 --provenance=false \
    --build-arg "BASE=$REGISTRY_BASE" --label "$LABEL=$hash" -t "$REGISTRY_IMAGE" --load --quiet \
    "$IMAGES_DIR/registry" >/dev/null
  done_in "$REGISTRY_IMAGE stand-in built"
}

# A stand-in for the container of a buildx docker-container builder: a real Debian with a shell and
# update-ca-certificates, so the builder-trust steps (docker cp, exec, restart) run against a real container.
build_buildkit_image() {
  local hash=$1
  doing "building $BUILDKIT_IMAGE"
  docker import --platform linux/amd64 -c "ENV $ENV_PATH" -c "CMD $BUILDKIT_CMD" -c "LABEL $LABEL=$hash" \
    "$(rootfs_path buildkit amd64 essential "$BUILDKIT_INCLUDE")" "$BUILDKIT_IMAGE" >/dev/null
  done_in "$BUILDKIT_IMAGE built"
}

# Each image carries the hash of its recipe as a label, so a changed recipe rebuilds it.
ensure_images() {
  local node registry buildkit specs=()
  node=$(recipe_hash node "$NODE_INCLUDE" "$ENV_PATH" "$(cat "$IMAGES_DIR/node/Dockerfile")")
  registry=$(recipe_hash registry "$REGISTRY_INCLUDE" "$ENV_PATH" \
    "$(cat "$IMAGES_DIR/registry/Dockerfile" "$IMAGES_DIR/registry/config.yml")")
  buildkit=$(recipe_hash buildkit "$BUILDKIT_INCLUDE" "$ENV_PATH" "$BUILDKIT_CMD")
  read_image_labels "$NODE_IMAGE" "$REGISTRY_IMAGE" "$BUILDKIT_IMAGE"
  [[ $(image_label "$NODE_IMAGE") == "$node" ]] ||
    specs+=("node amd64 extract $NODE_INCLUDE" "node arm64 extract $NODE_INCLUDE" "node armhf extract $NODE_INCLUDE")
  [[ $(image_label "$REGISTRY_IMAGE") == "$registry" ]] || specs+=("registry amd64 extract $REGISTRY_INCLUDE")
  # essential, not extract: maintainer scripts run, so there is a shell, /etc/ssl/certs and the CA bundle.
  [[ $(image_label "$BUILDKIT_IMAGE") == "$buildkit" ]] || specs+=("buildkit amd64 essential $BUILDKIT_INCLUDE")
  build_rootfs_all "${specs[@]}"

  if [[ $(image_label "$NODE_IMAGE") == "$node" ]]; then
    ok "$NODE_IMAGE stand-in present (amd64, arm64, arm/v7)"
  else build_node_image "$node"; fi
  if [[ $(image_label "$REGISTRY_IMAGE") == "$registry" ]]; then
    ok "$REGISTRY_IMAGE stand-in present"
  else build_registry_image "$registry"; fi
  if [[ $(image_label "$BUILDKIT_IMAGE") == "$buildkit" ]]; then
    ok "$BUILDKIT_IMAGE present"
  else build_buildkit_image "$buildkit"; fi
}

# --- main ------------------------------------------------------------------------------------------------

readonly STEPS=(apt docker binfmt hosts images)

main() {
  local steps=("$@") step
  ((${#steps[@]})) || steps=("${STEPS[@]}")
  for step in "${steps[@]}"; do
    [[ " ${STEPS[*]} " == *" $step "* ]] || die "unknown step $step (steps: ${STEPS[*]})"
  done
  local want=" ${steps[*]} "

  if [[ -w $LOCK_DIR ]]; then
    # Two runs at once would race on dpkg, daemon.json and the image tags.
    exec 9>"$LOCK_DIR/homefaas-test-env.lock"
    flock -n 9 || {
      printf '… waiting for another test-env.sh\n'
      flock 9
    }
  fi

  ENGINE_AT_START=$(engine_owner)
  # The engine's packages and settings only with the docker step, and only where no engine runs yet.
  INSTALL_ENGINE=0
  [[ $want == *" docker "* && $ENGINE_AT_START == none ]] && INSTALL_ENGINE=1
  [[ $want != *" apt "* && $want != *" images "* ]] || read_mirror
  [[ $want != *" docker "* || $ENGINE_AT_START == other ]] || ensure_daemon_config
  [[ $want != *" apt "* ]] || ensure_apt
  [[ $want != *" docker "* ]] || ensure_docker
  [[ $want != *" binfmt "* ]] || ensure_binfmt
  [[ $want != *" hosts "* ]] || ensure_hosts
  [[ $want != *" images "* ]] || ensure_images
  printf '✔ test environment ready in %d s\n' $((SECONDS - started))
}

# Sourced (by tests), it only defines the steps.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
