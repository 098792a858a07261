#!/usr/bin/env bash
# Publishes the sample function end to end on this machine: private CA → registry (TLS + htpasswd) →
# builder trust → three-platform image → deploy → confirm, then calls the pushed image on arm/v7 under qemu.
#
# Usage: bash tools/scripts/demo.sh [--set-up]
#
# The machine is taken as it is: a running Docker engine is used as it is (never restarted, its daemon.json
# never touched). What the demo lacks is listed with how to add it (tools/scripts/machine-check.sh).
# --set-up adds it with the test set-up, tools/scripts/test-env.sh: a Docker engine where none runs, qemu,
# the registry's /etc/hosts line, and, for node:22-alpine and registry:2 when they can be neither found nor
# pulled, local stand-ins built from Debian packages.
#
# Deploys to your OpenFaaS when OPENFAAS_URL (and OPENFAAS_PASSWORD or OPENFAAS_PASSWORD_FILE) are set.
# Otherwise it starts a loopback stand-in gateway, stopped when the demo ends, so the whole flow can be seen
# with no OpenFaaS. Secrets you do not set are generated once into .homefaas/demo/ (git-ignored, mode 0600).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

readonly STATE_DIR=${HOMEFAAS_DEMO_DIR:-.homefaas/demo}
# The base image of the function template (template/node22-ts/Dockerfile).
readonly NODE_IMAGE=node:22-alpine
# The images test-env.sh can stand in for, and the label its stand-ins carry.
readonly STANDINS=("$NODE_IMAGE" registry:2)
readonly STANDIN_LABEL=homefaas.test-env
readonly DEMO_CONTAINER=homefaas-demo-hello-world
readonly DEMO_PORT=18090

die() {
  printf '✖ %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

# One registry setting from homefaas.json (host, port or image), else its default.
registry_setting() {
  # shellcheck disable=SC2016 # JavaScript, not shell
  node -e '
    let c = {};
    try { c = require("./homefaas.json").registry ?? {}; } catch {}
    const defaults = { host: "docker-registry.home.lan", port: 5000, image: "registry:2" };
    process.stdout.write(String(c[process.argv[1]] ?? defaults[process.argv[1]]));
  ' "$1"
}

# --- the machine -----------------------------------------------------------------------------------------

set_up_machine() {
  local set_up=$1
  if ((set_up)); then bash tools/scripts/test-env.sh apt docker binfmt hosts; fi
  bash tools/scripts/machine-check.sh "$(registry_setting host)" ||
    die "This machine lacks what the demo needs (above): add it, or run bash tools/scripts/demo.sh --set-up"
  ensure_images "$set_up" "$NODE_IMAGE" "$(registry_setting image)"
}

# Each image is used when it is here, else pulled; with --set-up, stand-ins are built for what neither gives.
ensure_images() {
  local set_up=$1 image missing=()
  shift
  for image in "$@"; do
    if docker image inspect "$image" >/dev/null 2>&1; then
      printf '✔ %s is here\n' "$image"
    elif printf '… pulling %s\n' "$image" && timeout 300 docker pull -q "$image" >/dev/null 2>&1; then
      printf '✔ pulled %s\n' "$image"
    else
      missing+=("$image")
    fi
  done
  ((${#missing[@]})) || return 0
  ((set_up)) || die "${missing[*]} can be neither found nor pulled here: pull or load it yourself (docker pull, docker load), or run bash tools/scripts/demo.sh --set-up to build local stand-ins from Debian packages"
  for image in "${missing[@]}"; do
    [[ " ${STANDINS[*]} " == *" $image "* ]] ||
      die "$image can be neither found nor pulled here, and there is no stand-in for it: pull or load it yourself"
  done
  # Stand-ins take the real names: never in place of an image of that name that is not a stand-in.
  for image in "${STANDINS[@]}"; do
    if docker image inspect "$image" >/dev/null 2>&1 &&
      [[ -z "$(docker image inspect -f "{{ with .Config.Labels }}{{ index . \"$STANDIN_LABEL\" }}{{ end }}" "$image")" ]]; then
      die "Stand-ins for ${missing[*]} would also replace your $image: pull or load ${missing[*]} yourself instead"
    fi
  done
  bash tools/scripts/test-env.sh images
}

# --- secrets and the gateway -----------------------------------------------------------------------------

# Uses NAME or NAME_FILE when set; otherwise a generated secret in a file, passed as NAME_FILE.
use_secret() {
  local name=$1 file
  file="$STATE_DIR/$(tr '[:upper:]_' '[:lower:]-' <<<"$1")"
  local file_var="${name}_FILE"
  if [[ -n ${!name:-} || -n ${!file_var:-} ]]; then return; fi
  mkdir -p "$STATE_DIR"
  chmod 700 "$STATE_DIR"
  if [[ ! -s $file ]]; then
    (umask 077 && openssl rand -base64 24 | tr -d '\n' >"$file")
  fi
  [[ $file == /* ]] || file=$PWD/$file
  export "$file_var=$file"
}

gateway_pid=
started_container=

stop_gateway() {
  [[ -n $gateway_pid ]] || return 0
  kill "$gateway_pid" 2>/dev/null || true
  wait "$gateway_pid" 2>/dev/null || true
  gateway_pid=
}

cleanup() {
  if [[ -n $started_container ]]; then docker rm -f "$started_container" >/dev/null 2>&1 || true; fi
  stop_gateway
}
trap cleanup EXIT

# The gateway double as a child of this shell, run by node itself: npx would put wrappers in between, and
# the server under them would outlive the kill at exit.
start_stand_in_gateway() {
  use_secret OPENFAAS_PASSWORD
  local url_file="$STATE_DIR/gateway-url"
  rm -f "$url_file"
  node --import tsx test/gateway-double/serve.ts faasd "$url_file" &
  gateway_pid=$!
  for _ in $(seq 1 100); do
    [[ -s $url_file ]] && break
    kill -0 "$gateway_pid" 2>/dev/null || break
    sleep 0.2
  done
  [[ -s $url_file ]] || die "the stand-in gateway did not start"
  OPENFAAS_URL=$(cat "$url_file")
  export OPENFAAS_URL
  echo "→ no OPENFAAS_URL given: deploying to a loopback stand-in gateway at $OPENFAAS_URL"
}

# --- the demo --------------------------------------------------------------------------------------------

publish_sample() {
  [[ -f infra/ca/homeCA.pem ]] || npx nx g ca --permittedDomains home.lan,home.arpa --permittedIps 127.0.0.0/8
  [[ -f infra/registry/docker-compose.yml ]] || npx nx g registry --ip 127.0.0.1
  npx nx run hello-world:publish --skip-nx-cache
}

# The image the registry now holds, called on a 32-bit ARM board's platform (under qemu).
call_on_arm() {
  local image
  image="$(registry_setting host):$(registry_setting port)/hello-world:latest"
  docker rm -f "$DEMO_CONTAINER" >/dev/null 2>&1 || true
  started_container=$DEMO_CONTAINER
  docker run -d --rm --name "$DEMO_CONTAINER" --network host --platform linux/arm/v7 --pull always \
    -e port=$DEMO_PORT "$image" >/dev/null
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$DEMO_PORT/_/health" >/dev/null 2>&1 && break
    sleep 1
  done
  echo "→ POST http://127.0.0.1:$DEMO_PORT/ on linux/arm/v7:"
  curl -fsS -X POST -H 'content-type: application/json' -d '{"name":"homefaas"}' "http://127.0.0.1:$DEMO_PORT/"
  echo
}

main() {
  local set_up=0 arg
  for arg in "$@"; do
    case $arg in
    --set-up) set_up=1 ;;
    -h | --help)
      usage
      return 0
      ;;
    *)
      usage >&2
      die "unknown option $arg"
      ;;
    esac
  done
  set_up_machine "$set_up"
  use_secret HOMEFAAS_CA_PASSPHRASE
  use_secret REGISTRY_PASSWORD
  [[ -n ${OPENFAAS_URL:-} ]] || start_stand_in_gateway
  publish_sample
  call_on_arm
}

# Sourced (by tests), it only defines the steps.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then main "$@"; fi
