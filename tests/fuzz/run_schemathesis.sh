#!/usr/bin/env bash
# Fuzz Thaw's JSON API with schemathesis against a real, throwaway server (loopback only).
#
#   tests/fuzz/run_schemathesis.sh
#
# schemathesis is a pinned dev dependency (make setup-dev installs it).
#
# What it does, all in a fresh temporary directory (nothing is written to the repository):
#   1. starts `thaw serve` on 127.0.0.1:<free port> with a new THAW_DATA_DIR (SQLite; any
#      DATABASE_URL in the environment is ignored so a real database is never fuzzed),
#   2. creates fuzz@example.org (and fuzz-second@example.org), gets a bearer token, seeds
#      check-ins, assessments and a safety plan so that ids exist,
#   3. runs four schemathesis passes, each with `--checks all` and capped by a timeout:
#        destructive  DELETE /tokens/{token_id} and DELETE /me as a second account
#                     (fuzz-second@example.org), each case with its own fresh token
#                     (otherwise the fuzzer revokes the token the other passes use)
#        auth         every other operation with the token; phases examples, coverage,
#                     fuzzing and stateful
#        docs         check-ins, insights and assessments with the request schemas
#                     tightened to what docs/API.md says (words from /emotions, since/until
#                     as date-times with boundary examples, ...; see thaw_fuzz_hooks.py),
#                     so that generation gets past "not a word" to the code behind it
#        noauth       every operation without credentials (must answer 401, never 500)
#   4. prints per pass: requests sent, schemathesis failures, 5xx responses, server
#      tracebacks; then one SUMMARY line, stops the server and exits 1 if anything failed.
#
# Knobs (environment):
#   FUZZ_EXAMPLES      max test cases per operation and phase (-n)       default 200
#   FUZZ_SEED          schemathesis seed                                  default 1
#   FUZZ_PASS_TIMEOUT  hard cap in seconds for each pass                  default 300
#   FUZZ_WORKERS       schemathesis workers                               default 2
# Reports (HAR, JUnit, NDJSON), each pass's output and the server's stderr stay in the work
# directory printed at the end.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN="$ROOT/.venv/bin"
EXAMPLES=${FUZZ_EXAMPLES:-200}
SEED=${FUZZ_SEED:-1}
PASS_TIMEOUT=${FUZZ_PASS_TIMEOUT:-300}
WORKERS=${FUZZ_WORKERS:-2}
EMAIL=fuzz@example.org
SECOND_EMAIL=fuzz-second@example.org
PASSWORD='fuzz passphrase 1'

if [[ ! -x "$BIN/schemathesis" ]]; then
    echo "schemathesis is not installed: run  $BIN/pip install schemathesis" >&2
    exit 2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/thaw-fuzz.XXXXXX")
unset DATABASE_URL
# Loopback only: never route the fuzz traffic through a proxy from the environment.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
export THAW_DATA_DIR="$WORK/data"
PORT=$("$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
SCHEMA="$BASE/api/v1/openapi.json"
SERVER_PID=

stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 1 30); do
            kill -0 "$SERVER_PID" 2>/dev/null || break
            sleep 0.5
        done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=
}
trap stop_server EXIT

echo "work dir: $WORK"
(cd "$WORK" && exec "$BIN/thaw" serve --host 127.0.0.1 --port "$PORT" --workers 2 \
    >"$WORK/server.out" 2>"$WORK/server.err") &
SERVER_PID=$!

for _ in $(seq 1 120); do
    curl -sf -o "$WORK/openapi.json" "$SCHEMA" && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited:" >&2; cat "$WORK/server.err" >&2; exit 2; }
    sleep 0.5
done
[[ -s "$WORK/openapi.json" ]] || { echo "the server did not answer on $BASE" >&2; exit 2; }
echo "server: $BASE (pid $SERVER_PID)"

for account in "$EMAIL" "$SECOND_EMAIL"; do
    (cd "$WORK" && THAW_PASSWORD="$PASSWORD" "$BIN/thaw" user add "$account" >/dev/null)
done

api() {  # api METHOD PATH [JSON]  -> body on stdout
    local method=$1 path=$2 data=${3:-}
    curl -sS -X "$method" "$BASE/api/v1$path" -H "Authorization: Bearer ${TOKEN:-}" \
        -H 'Content-Type: application/json' ${data:+-d "$data"}
}
TOKEN=$(api POST /auth/token "{\"email\": \"$EMAIL\", \"password\": \"$PASSWORD\", \"name\": \"fuzz\"}" |
    "$BIN/python" -c 'import json, sys; print(json.load(sys.stdin)["token"])')
for note in "fuzz seed one" "fuzz seed two" "fuzz seed three"; do
    api POST /checkins "{\"emotions\": [{\"word\": \"lonely\", \"intensity\": 6}, {\"word\": \"numb\", \"intensity\": 3}], \"numbness\": 7, \"body\": [\"chest/tight\"], \"tags\": [\"work\"], \"note\": \"$note\"}" >/dev/null
done
api POST /assessments '{"instrument": "phq9", "answers": [0, 1, 2, 1, 0, 0, 1, 0, 0]}' >/dev/null
api POST /assessments '{"instrument": "phq9", "answers": [2, 2, 2, 2, 2, 2, 2, 2, 0]}' >/dev/null
api POST /assessments '{"instrument": "gad7", "answers": [0, 1, 2, 1, 0, 0, 1]}' >/dev/null
api PUT /safety-plan '{"reasons": "seeded by the fuzz script"}' >/dev/null
echo "seeded: users $EMAIL and $SECOND_EMAIL; for $EMAIL 3 check-ins, 3 assessments, a safety plan"

SUMMARY_PY='
import collections, glob, json, re, sys, urllib.parse
work, name, rc = sys.argv[1], sys.argv[2], sys.argv[3]
spec = json.load(open(f"{work}/openapi.json"))
templates = [(re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"), p) for p in spec["paths"]]
def template(path):
    return next((t for rx, t in templates if rx.match(path)), path)
entries = []
for har in glob.glob(f"{work}/{name}/har-*.json"):
    entries += json.load(open(har))["log"]["entries"]
per_endpoint = collections.Counter()
per_status = collections.defaultdict(collections.Counter)
for e in entries:
    key = (e["request"]["method"], template(urllib.parse.urlsplit(e["request"]["url"]).path))
    per_endpoint[key] += 1
    per_status[key][e["response"]["status"]] += 1
with open(f"{work}/{name}/endpoints.txt", "w") as out:
    for key in sorted(per_endpoint, key=lambda k: (k[1], k[0])):
        statuses = " ".join(f"{s}x{n}" for s, n in sorted(per_status[key].items()))
        out.write(f"{per_endpoint[key]:6d}  {key[0]:7s} {key[1]:40s} {statuses}\n")
five = sum(n for st in per_status.values() for s, n in st.items() if s >= 500)
output = open(f"{work}/{name}/output.txt", errors="replace").read()
found = re.search(r"(\d+) unique failures?", output)
failures = int(found.group(1)) if found else (0 if "No issues found" in output else -1)
cases = re.search(r"(\d+) generated", output)
cases = cases.group(1) if cases else "?"
log = open(f"{work}/{name}/server.err", errors="replace").read()
tracebacks = log.count("Traceback (most recent call last)")
print(f"pass={name} test_cases={cases} requests={len(entries)} "
      f"failures={failures} http_5xx={five} server_tracebacks={tracebacks} schemathesis_rc={rc}")
'

TOTALS="$WORK/totals.txt"
: >"$TOTALS"
run_pass() {  # run_pass NAME [schemathesis options...]
    local name=$1 rc start
    shift
    mkdir -p "$WORK/$name"
    start=$(wc -l <"$WORK/server.err")
    echo
    echo "== pass $name"
    set +e
    (cd "$WORK" && timeout --signal=INT --kill-after=30 "$PASS_TIMEOUT" \
        "$BIN/schemathesis" run "$SCHEMA" --checks all -n "$EXAMPLES" --seed "$SEED" -w "$WORKERS" \
        --continue-on-failure --generation-database none --request-timeout 30 --no-color \
        --report har,junit,ndjson --report-dir "$WORK/$name" "$@") >"$WORK/$name/output.txt" 2>&1
    rc=$?
    set -e
    tail -n +"$((start + 1))" "$WORK/server.err" >"$WORK/$name/server.err"
    sed -n '/^=* SUMMARY =*$/,$p' "$WORK/$name/output.txt" | grep -E '❌|generated|Tested|Selected' || true
    "$BIN/python" -c "$SUMMARY_PY" "$WORK" "$name" "$rc" | tee -a "$TOTALS"
}

export PYTHONPATH="$ROOT/tests/fuzz${PYTHONPATH:+:$PYTHONPATH}"
export SCHEMATHESIS_HOOKS=thaw_fuzz_hooks PYTHONDONTWRITEBYTECODE=1
export THAW_FUZZ_BASE="$BASE" THAW_FUZZ_EMAIL="$EMAIL" THAW_FUZZ_PASSWORD="$PASSWORD"

# Destructive operations first, as a second account with a fresh token per case: revoking
# tokens or erasing the account must not pull the main token from under the other passes
# (a revoke that crossed accounts would show up as 401s in the later passes). First, too,
# because the later passes send wrong passwords from 127.0.0.1, which the sign-in throttle
# counts, and this pass signs in once per case.
DESTRUCTIVE='thaw_accounts_api_(revoke_token|erase_me)$'
THAW_FUZZ_EMAIL="$SECOND_EMAIL" THAW_FUZZ_FRESH_TOKEN=1 run_pass destructive \
    --phases examples,coverage,fuzzing \
    --include-operation-id-regex "$DESTRUCTIVE"
run_pass auth -H "Authorization: Bearer $TOKEN" \
    --phases examples,coverage,fuzzing,stateful \
    --exclude-operation-id-regex "$DESTRUCTIVE"
THAW_FUZZ_DOC_FORMATS=1 run_pass docs -H "Authorization: Bearer $TOKEN" \
    --phases examples,coverage,fuzzing,stateful \
    --include-operation-id-regex '_checkin$|list_checkins|get_insights|_assessments?$'
run_pass noauth --phases examples,coverage,fuzzing

stop_server
echo
echo "requests per endpoint and status: $WORK/<pass>/endpoints.txt; server log: $WORK/server.err"
"$BIN/python" - "$TOTALS" "$WORK" <<'EOF'
import re, sys
rows = [dict(re.findall(r"(\w+)=(\S+)", line)) for line in open(sys.argv[1])]
total = {k: sum(int(r[k]) for r in rows) for k in ("requests", "failures", "http_5xx", "server_tracebacks")}
print("SUMMARY passes={} requests={requests} failures={failures} http_5xx={http_5xx} "
      "server_tracebacks={server_tracebacks} reports={}".format(len(rows), sys.argv[2], **total))
clean = all(r["failures"] == "0" for r in rows) and not (total["http_5xx"] or total["server_tracebacks"])
sys.exit(0 if clean else 1)
EOF
