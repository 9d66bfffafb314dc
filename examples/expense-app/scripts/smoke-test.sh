#!/usr/bin/env bash
# Smoke tests after a deploy (the seed's post-deployment checklist: "Run smoke tests (signup/login/profile) against
# the live domain"). Runs in a job without AWS credentials; APP_URL comes from the workflow (a repository variable).
#   scripts/smoke-test.sh backend   the API behind /api/*: signup, login, profile
#   scripts/smoke-test.sh frontend  the SPA: the page and its API base
set -euo pipefail
: "${APP_URL:?APP_URL is not set}"
user="smoke-$(date +%s)@example.com"
body_file="$(mktemp)"
trap 'rm -f "$body_file"' EXIT

check() { # METHOD PATH [BODY]
  local method="$1" path="$2" body="${3:-}" status
  status="$(curl -sS -o "$body_file" -w '%{http_code}' -X "$method" -H 'content-type: application/json' \
    ${body:+--data "$body"} "$APP_URL$path")"
  if [ "${status:0:1}" != 2 ]; then
    echo "::error::smoke test: $method $path answered $status: $(head -c 300 "$body_file")"
    return 1
  fi
  echo "ok   $method $path ($status)"
}

case "${1:-backend}" in
  backend)
    check POST /api/auth/signup "{\"email\":\"$user\",\"password\":\"smoke-only-not-a-secret\"}"
    check POST /api/auth/login "{\"email\":\"$user\",\"password\":\"smoke-only-not-a-secret\"}"
    check GET /api/profile
    ;;
  frontend)
    check GET /
    ;;
  *) echo "::error::smoke test: unknown part $1"; exit 2 ;;
esac
