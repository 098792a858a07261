#!/usr/bin/env bash
# Publishes the sample function end to end on this machine: private CA → registry (TLS + htpasswd) →
# builder trust → three-platform image → deploy → confirm, then calls the pushed image on arm/v7 under qemu.
#
# Deploys to your OpenFaaS when OPENFAAS_URL (and OPENFAAS_PASSWORD or OPENFAAS_PASSWORD_FILE) are set.
# Otherwise it starts a loopback stand-in gateway so the whole flow can be seen with no OpenFaaS.
# Secrets you do not set are generated once into .homefaas/demo/ (git-ignored, mode 0600).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

bash tools/scripts/test-env.sh

secrets_dir=.homefaas/demo
mkdir -p "$secrets_dir"
chmod 700 "$secrets_dir"

# Uses NAME or NAME_FILE when set; otherwise a generated secret in a file, passed as NAME_FILE.
use_secret() {
  local name=$1 file="$secrets_dir/$(tr '[:upper:]_' '[:lower:]-' <<<"$1")"
  local file_var="${name}_FILE"
  if [[ -n ${!name:-} || -n ${!file_var:-} ]]; then return; fi
  if [[ ! -s $file ]]; then
    (umask 077 && openssl rand -base64 24 | tr -d '\n' >"$file")
  fi
  export "$file_var=$PWD/$file"
}
use_secret HOMEFAAS_CA_PASSPHRASE
use_secret REGISTRY_PASSWORD

gateway_pid=
cleanup() { [[ -n $gateway_pid ]] && kill "$gateway_pid" 2>/dev/null || true; }
trap cleanup EXIT
if [[ -z ${OPENFAAS_URL:-} ]]; then
  use_secret OPENFAAS_PASSWORD
  url_file="$secrets_dir/gateway-url"
  rm -f "$url_file"
  npx tsx test/gateway-double/serve.ts faasd "$url_file" &
  gateway_pid=$!
  for _ in $(seq 1 100); do [[ -s $url_file ]] && break; sleep 0.2; done
  [[ -s $url_file ]] || { echo "✖ the stand-in gateway did not start" >&2; exit 1; }
  OPENFAAS_URL=$(cat "$url_file")
  export OPENFAAS_URL
  echo "→ no OPENFAAS_URL given: deploying to a loopback stand-in gateway at $OPENFAAS_URL"
fi

[[ -f infra/ca/homeCA.pem ]] || npx nx g ca --permittedDomains home.lan,home.arpa --permittedIps 127.0.0.0/8
[[ -f infra/registry/docker-compose.yml ]] || npx nx g registry --ip 127.0.0.1
npx nx run hello-world:publish --skip-nx-cache

# The image the registry now holds, called on a 32-bit ARM board's platform (under qemu).
image=$(node -e 'let c={};try{c=require("./homefaas.json").registry??{}}catch{}
process.stdout.write(`${c.host??"docker-registry.home.lan"}:${c.port??5000}`)')/hello-world:latest
port=18090
name=homefaas-demo-hello-world
docker rm -f "$name" >/dev/null 2>&1 || true
docker run -d --rm --name "$name" --network host --platform linux/arm/v7 --pull always -e port=$port "$image" >/dev/null
trap 'docker rm -f "$name" >/dev/null 2>&1 || true; cleanup' EXIT
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$port/_/health" >/dev/null 2>&1 && break; sleep 1; done
echo "→ POST http://127.0.0.1:$port/ on linux/arm/v7:"
curl -fsS -X POST -H 'content-type: application/json' -d '{"name":"homefaas"}' "http://127.0.0.1:$port/"
echo
