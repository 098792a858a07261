#!/usr/bin/env bash
# Publishes, from a CI runner, exactly the functions that a change between two commits reaches.
#
#   tools/scripts/ci-publish.sh BASE HEAD [--dry-run]
#
# BASE and HEAD are commits (in GitHub Actions: nrwl/nx-set-shas gives the last successful run and this one).
# The runner holds no CA key and runs no registry: it trusts the registry through the committed
# infra/ca/homeCA.pem and reads its secrets from the environment (or files named by the *_FILE variables):
#   REGISTRY_PASSWORD     password of the registry user named in homefaas.json (registry.user)
#   OPENFAAS_PASSWORD     the gateway's password (user OPENFAAS_USERNAME, default admin)
#   OPENFAAS_URL          the gateway, unless stack.yml's provider.gateway or homefaas.json's gateway.url names it
# --dry-run prints what publish would do (builds, tags, deploys) and changes nothing.
# Any CI can call it; .github/workflows/publish.yml does (GitHub Actions, Gitea Actions, Forgejo Actions).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

usage() {
  printf 'usage: %s BASE HEAD [--dry-run]\n' "$0" >&2
  exit 2
}
(($# >= 2)) || usage
base=$1 head=$2
shift 2
dry_run=()
for arg in "$@"; do
  case $arg in
  --dry-run) dry_run=(--dryRun) ;;
  *) usage ;;
  esac
done

for commit in "$base" "$head"; do
  git rev-parse --verify --quiet "$commit^{commit}" >/dev/null ||
    { printf '✖ %s is not a commit of this repository (a shallow clone? check out with fetch-depth: 0)\n' "$commit" >&2; exit 2; }
done

# Every secret publish will need, named before anything runs.
missing=()
for secret in REGISTRY_PASSWORD OPENFAAS_PASSWORD; do
  file_var=${secret}_FILE
  [[ -n ${!secret:-} || -n ${!file_var:-} ]] || missing+=("$secret (or $file_var)")
done
if ((${#missing[@]} > 0)); then
  printf '✖ not set: %s\n' "${missing[@]}" >&2
  printf '→ give them to the job as secrets; the README lists what each one is.\n' >&2
  exit 2
fi

export HOMEFAAS_RUNNER=${HOMEFAAS_RUNNER:-1} NX_NO_CLOUD=true NX_TUI=false NX_DAEMON=false
# The workspace's project-graph plugins are Nx's own: loaded in this process rather than in worker processes,
# each nx command below starts about a second sooner on two cores.
export NX_ISOLATE_PLUGINS=${NX_ISOLATE_PLUGINS:-false}

# The publish inputs committed in each function's folder must match stack.yml and homefaas.json: they are
# how a change to one function's entry reaches exactly that function.
npx --no -- nx sync:check

printf '→ functions a change between %s and %s reaches:\n' "$(git rev-parse --short "$base")" "$(git rev-parse --short "$head")"
affected=$(npx --no -- nx show projects --affected --base="$base" --head="$head" --withTarget=publish)
if [[ -z $affected ]]; then
  printf '  (none: nothing to publish)\n'
  exit 0
fi
# shellcheck disable=SC2086 # one line per project
printf "  %s\n" $affected

npx --no -- nx affected -t publish --base="$base" --head="$head" --output-style=static ${dry_run[@]+"${dry_run[@]}"}
