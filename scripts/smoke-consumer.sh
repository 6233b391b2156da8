#!/usr/bin/env bash
# Smoke test of the service binding outside the test runner: the example consumer and the
# limiter in one `wrangler dev` session (the first config is the one served), then requests
# to the consumer until the limiter says 429. Passes only on 200s followed by a 429.
set -euo pipefail
cd "$(dirname "$0")/.."
# Node 22 and wrangler from node_modules, also when run as plain `bash scripts/...`.
export PATH="$PWD/node_modules/.bin:$PATH"

port="${SMOKE_PORT:-8790}"
base="http://127.0.0.1:$port"
user="smoke-$(date +%s)-$$" # dev state persists across runs: a new user starts afresh
log="$(mktemp)"
headers="$(mktemp)"
body="$(mktemp)"

# The limiter reads its secrets from the .dev.vars beside its own config.
node scripts/dev-vars.ts

# Job control gives wrangler its own process group, so its workerd children die with it.
set -m
wrangler dev -c examples/consumer/wrangler.toml -c wrangler.toml --port "$port" >"$log" 2>&1 &
dev_pid=$!
set +m

stop() {
  if kill -0 "$dev_pid" 2>/dev/null; then
    kill -TERM -- "-$dev_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 "$dev_pid" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL -- "-$dev_pid" 2>/dev/null || true
  fi
  rm -f "$log" "$headers" "$body"
}
trap stop EXIT
trap 'exit 130' INT TERM

fail() {
  echo "FAIL: $*" >&2
  echo "--- wrangler dev output (last 40 lines) ---" >&2
  tail -n 40 "$log" >&2
  exit 1
}

printf 'waiting for wrangler dev on %s ' "$base"
ready=""
for _ in $(seq 1 60); do
  kill -0 "$dev_pid" 2>/dev/null || fail "wrangler dev exited early"
  # Any HTTP answer, even the consumer's 404 for /, means both workers are up.
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/" || true)" != "000" ]; then
    ready=yes
    break
  fi
  printf '.'
  sleep 1
done
echo
[ -n "$ready" ] || fail "no answer from $base within 60 s"

header() { grep -i "^$1:" "$headers" | head -n 1 | cut -d' ' -f2- | tr -d '\r' || true; }

# The consumer's GET /hello names user_throttle, whose limit is whatever policies.json says:
# the smoke test reads it from the answers. Twice the limit leaves room for a policy that
# refills while the requests go out on a slow machine.
ok=0
limit=""
while :; do
  status="$(curl -s -D "$headers" -o "$body" -w '%{http_code}' -H "X-User: $user" \
    "$base/hello")"
  printf 'GET /hello #%-2s -> %s  RateLimit: %s  Retry-After: %s\n' \
    "$((ok + 1))" "$status" "$(header RateLimit)" "$(header Retry-After)"
  case "$status" in
    200)
      ok=$((ok + 1))
      limit="$(header X-RateLimit-Limit)"
      [ -n "$limit" ] || fail "200 without X-RateLimit-Limit"
      [ "$limit" -le 1000 ] || fail "limit $limit is too many requests for a smoke test"
      [ "$ok" -le $((2 * limit)) ] || fail "no 429 after $ok x 200 (limit $limit)"
      ;;
    429)
      echo "429 body: $(cat "$body")"
      [ "$ok" -gt 0 ] || fail "429 before any 200"
      [ -n "$(header Retry-After)" ] || fail "429 without Retry-After"
      echo "PASS: $ok x 200, then 429 from the limiter over the service binding"
      exit 0
      ;;
    *) fail "unexpected status $status: $(cat "$body")" ;;
  esac
done
