#!/usr/bin/env bash
# Checks the deployment files without Docker or Kong running (docs/deployment.md, "Checks"):
#   1. decK validates kong.yml and kong.split.yml offline (`deck validate`: schema and references,
#      no Kong contacted), and refuses a broken fixture.
#   2. Compose validates docker-compose.yml alone and merged with docker-compose.split.yml
#      (`docker compose config -q` when the plugin exists, else Debian's docker-compose 1.29;
#      neither needs the Docker daemon), and refuses a broken fixture.
#   3. dclint checks both compose files against the compose-spec JSON schema and its lint rules.
#   4. test/deployment (vitest): the app's real route table against both Kong files, the split
#      routing against each service's MODULES, every variable against src/platform/config.ts, the
#      compose schema, the Dockerfile, the secrets compose requires, the address the app trusts for
#      X-Forwarded-For, the operator routes restricted at Kong; each check also shown failing on a
#      broken fixture.
# Installs decK (and docker-compose) from Debian when missing. Exits non-zero if anything fails.
set -uo pipefail
cd "$(dirname "$0")/.."

failures=()
passed=0
FIXTURES=test/deployment/fixtures

check() {
  local label=$1
  shift
  printf -- '-- %s\n' "$label"
  if "$@"; then
    printf '   ok\n'
    passed=$((passed + 1))
  else
    printf '   FAILED: %s\n' "$label"
    failures+=("$label")
  fi
}

# Succeeds only when the command fails: a check must refuse the broken fixture.
refuses() {
  local output
  if output=$("$@" 2>&1); then
    printf '   accepted a broken file: %s\n' "$*"
    return 1
  fi
  printf '   refused as it should:\n%s\n' "$(printf '%s\n' "$output" | sed 's/^/     | /' | head -n 8)"
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "   $* is missing and installing it needs root (apt-get install -y $*)" >&2
    return 1
  fi
  local log
  log=$(mktemp)
  if { [ -n "${APT_UPDATED:-}" ] || apt-get -o DPkg::Lock::Timeout=300 update -qq; } >"$log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a \
      apt-get -o DPkg::Lock::Timeout=300 install -y -qq "$@" >>"$log" 2>&1; then
    APT_UPDATED=1
    rm -f "$log"
    return 0
  fi
  sed 's/^/   apt | /' "$log" >&2
  rm -f "$log"
  return 1
}

# --- 1. decK --------------------------------------------------------------------------------------
if ! command -v deck >/dev/null 2>&1; then
  echo "decK not found: installing the Debian package deck"
  apt_install deck || true
fi
if command -v deck >/dev/null 2>&1; then
  echo "using $(deck version 2>/dev/null | head -n 1)"
  check "deck validate -s kong.yml" deck validate -s kong.yml
  check "deck validate -s kong.split.yml" deck validate -s kong.split.yml
  check "deck refuses $FIXTURES/kong.dangling-reference.yml" refuses deck validate -s "$FIXTURES/kong.dangling-reference.yml"
else
  check "decK is installed" false
fi

# --- 2. compose config ----------------------------------------------------------------------------
compose=()
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "no docker compose plugin and no docker-compose: installing the Debian package docker-compose"
  if apt_install docker-compose && command -v docker-compose >/dev/null 2>&1; then compose=(docker-compose); fi
fi

if [ ${#compose[@]} -gt 0 ]; then
  echo "using $("${compose[@]}" version 2>/dev/null | head -n 1)"
  # A scratch project folder: the compose files as they are, and .env made from .env.example as an
  # operator fills it in (every empty value made the way the file says; the real .env is never
  # committed), so `config` resolves the interpolation. .env.example as committed leaves the
  # passwords and the secret empty, and compose must refuse it.
  project=$(mktemp -d)
  trap 'rm -rf "$project"' EXIT
  for file in docker-compose.yml docker-compose.split.yml kong.yml kong.split.yml Dockerfile .dockerignore; do
    ln -s "$PWD/$file" "$project/$file"
  done
  ln -s "$PWD/$FIXTURES/docker-compose.invalid.yml" "$project/docker-compose.invalid.yml"
  fill_env() {
    local name value
    while IFS= read -r line; do
      if [[ $line =~ ^([A-Z_]+)=$ ]]; then
        name=${BASH_REMATCH[1]}
        case $name in
          JWT_SECRET) value=$(openssl rand -base64 48 | tr -d '\n') ;;
          *_EMAIL) value=ops@shop.example ;;
          *) value=$(openssl rand -hex 24) ;;
        esac
        printf '%s=%s\n' "$name" "$value"
      else
        printf '%s\n' "$line"
      fi
    done <.env.example
  }
  in_project() { (cd "$project" && "$@"); }
  cp .env.example "$project/.env"
  check "${compose[*]} refuses .env.example as committed (no default passwords)" \
    refuses in_project "${compose[@]}" -f docker-compose.yml config -q
  fill_env >"$project/.env"
  check "${compose[*]} -f docker-compose.yml config -q" \
    in_project "${compose[@]}" -f docker-compose.yml config -q
  check "${compose[*]} -f docker-compose.yml -f docker-compose.split.yml config -q" \
    in_project "${compose[@]}" -f docker-compose.yml -f docker-compose.split.yml config -q
  check "${compose[*]} refuses $FIXTURES/docker-compose.invalid.yml" \
    refuses in_project "${compose[@]}" -f docker-compose.invalid.yml config -q
else
  echo "no compose tool could be had: the compose files are checked by the JSON schema only (dclint, test/deployment)"
fi

# --- 3. dclint (compose-spec JSON schema and lint rules) -----------------------------------------
if [ -x node_modules/.bin/dclint ]; then
  dclint=(node_modules/.bin/dclint -c test/deployment/dclint.config.json)
  check "dclint docker-compose.yml docker-compose.split.yml" \
    "${dclint[@]}" --max-warnings 0 docker-compose.yml docker-compose.split.yml
  check "dclint refuses $FIXTURES/docker-compose.invalid.yml" \
    refuses "${dclint[@]}" "$FIXTURES/docker-compose.invalid.yml"
else
  check "dclint is installed (npm ci)" false
fi

# --- 4. the route, environment, schema and Dockerfile tests ---------------------------------------
# Whichever project holds them: postgres when it answers (the pglite project then runs only the
# engine-parity suites), else pglite.
check "vitest run test/deployment" npx vitest run test/deployment

echo
if [ ${#failures[@]} -gt 0 ]; then
  printf 'deployment checks FAILED (%d of %d):\n' "${#failures[@]}" "$((passed + ${#failures[@]}))"
  printf '  - %s\n' "${failures[@]}"
  exit 1
fi
printf 'deployment checks: all %d ok\n' "$passed"
