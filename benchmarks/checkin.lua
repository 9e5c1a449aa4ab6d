-- wrk script for benchmarks/checkin_throughput.py (can also be run by hand).
--
--   THAW_TOKEN=thaw_... wrk -t2 -c16 -d15s --latency -s benchmarks/checkin.lua \
--       http://127.0.0.1:8000/api/v1/checkins
--   THAW_BENCH_MODE=healthz wrk -t2 -c16 -d15s --latency -s benchmarks/checkin.lua \
--       http://127.0.0.1:8000/healthz
--
-- THAW_BENCH_MODE=checkin (default) POSTs one JSON check-in per request with the bearer
-- token from THAW_TOKEN and expects 201; THAW_BENCH_MODE=healthz GETs /healthz and
-- expects 200; THAW_BENCH_MODE=get GETs the URL given to wrk and expects 200. wrk itself only counts socket errors and statuses outside 2xx/3xx, so
-- every response's status is checked here: each wrk thread has its own Lua state, so the
-- per-thread tallies are globals that done() (which runs in the main state) collects
-- through the thread objects kept by setup(). done() prints one line that starts with
-- "THAW_STATUS" for the benchmark script to parse.

local mode = os.getenv("THAW_BENCH_MODE") or "checkin"
local expected

if mode == "healthz" then
   wrk.method = "GET"
   wrk.path = "/healthz"
   expected = 200
elseif mode == "get" then
   -- any page, as given on wrk's command line (benchmarks/learn_bench.py: an article)
   wrk.method = "GET"
   expected = 200
elseif mode == "checkin" then
   local token = os.getenv("THAW_TOKEN")
   if token == nil or token == "" then
      error("set THAW_TOKEN to an API token (POST /api/v1/auth/token)")
   end
   wrk.method = "POST"
   wrk.path = "/api/v1/checkins"
   wrk.body = '{"emotions":[{"word":"lonely","intensity":6},{"word":"tired","intensity":4}],'
      .. '"numbness":7,"tags":["work"],"body":["chest/tight"],"note":"benchmark"}'
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Accept"] = "application/json"
   wrk.headers["Authorization"] = "Bearer " .. token
   expected = 201
else
   error("THAW_BENCH_MODE must be checkin, healthz or get, not " .. mode)
end

-- main Lua state: remember every thread so done() can read its tallies
local threads = {}

function setup(thread)
   table.insert(threads, thread)
end

-- thread Lua states: tallies are globals so that thread:get() can read them
function init(args)
   matched = 0
   unexpected = 0
   statuses = {}
end

function response(status, headers, body)
   if status == expected then
      matched = matched + 1
   else
      unexpected = unexpected + 1
   end
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total_matched, total_unexpected, by_status = 0, 0, {}
   for _, thread in ipairs(threads) do
      total_matched = total_matched + (thread:get("matched") or 0)
      total_unexpected = total_unexpected + (thread:get("unexpected") or 0)
      for status, count in pairs(thread:get("statuses") or {}) do
         by_status[status] = (by_status[status] or 0) + count
      end
   end
   local keys = {}
   for status, _ in pairs(by_status) do
      table.insert(keys, status)
   end
   table.sort(keys)
   local parts = {}
   for _, status in ipairs(keys) do
      table.insert(parts, status .. ":" .. by_status[status])
   end
   io.write(string.format("THAW_STATUS mode=%s expected=%d matched=%d unexpected=%d statuses=%s\n",
                          mode, expected, total_matched, total_unexpected, table.concat(parts, ",")))
end
