-- The clinic-network mix for benchmarks/network_bench.py (wrk through nginx).
--
-- THAW_IDENTITIES names a file written by the benchmark, one identity per line:
--   person <api token> <session id> <csrf token>
--   clinician <session id> <person id> <person id> ...
-- THAW_MIX chooses the requests: "mixed" (check-in writes 60 %, home 20 %, insights 10 %,
-- caseload 5 %, person detail 5 %), or one of checkin, home, insights, caseload, detail.
-- Statuses are tallied here (wrk itself counts only socket errors and statuses outside 2xx/3xx);
-- per-endpoint statuses (201 for check-ins, 200 otherwise) and latency come from nginx's log.

local mix = os.getenv("THAW_MIX") or "mixed"
local people, clinicians = {}, {}
for line in io.lines(os.getenv("THAW_IDENTITIES")) do
   local fields = {}
   for word in line:gmatch("%S+") do fields[#fields + 1] = word end
   if fields[1] == "person" then
      people[#people + 1] = {token = fields[2], session = fields[3]}
   elseif fields[1] == "clinician" then
      local ids = {}
      for i = 3, #fields do ids[#ids + 1] = fields[i] end
      clinicians[#clinicians + 1] = {session = fields[2], people = ids}
   end
end

local words = {"numb", "empty", "flat", "tired", "lonely", "calm", "anxious", "sad", "hopeful", "content"}
local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   threads[#threads + 1] = thread
end

function init(args)
   math.randomseed(os.time() + (id or 0) * 7919)
   ok, bad = 0, 0
   statuses = {}
end

local function pick()
   if mix ~= "mixed" then return mix end
   local r = math.random(100)
   if r <= 60 then return "checkin" elseif r <= 80 then return "home" elseif r <= 90 then return "insights"
   elseif r <= 95 then return "caseload" else return "detail" end
end

function request()
   kind = pick()
   if kind == "checkin" then
      local p = people[math.random(#people)]
      local body = string.format('{"emotions": [{"word": "%s", "intensity": %d}], "numbness": %d, "tags": ["work"]}',
                                 words[math.random(#words)], math.random(10), math.random(0, 10))
      return wrk.format("POST", "/api/v1/checkins", {["Authorization"] = "Bearer " .. p.token,
                        ["Content-Type"] = "application/json"}, body)
   elseif kind == "home" or kind == "insights" then
      local p = people[math.random(#people)]
      return wrk.format("GET", kind == "home" and "/" or "/insights/", {["Cookie"] = "sessionid=" .. p.session})
   else
      local c = clinicians[math.random(#clinicians)]
      local path = "/clinic/"
      if kind == "detail" then path = "/clinic/people/" .. c.people[math.random(#c.people)] .. "/" end
      return wrk.format("GET", path, {["Cookie"] = "sessionid=" .. c.session})
   end
end

-- wrk interleaves many connections per thread, so a response cannot be matched to the request
-- made last; the benchmark checks each endpoint's statuses in nginx's log instead.
function response(status, headers, body)
   if status == 200 or status == 201 then ok = ok + 1 else bad = bad + 1 end
   statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
   local total_ok, total_bad, merged = 0, 0, {}
   for _, thread in ipairs(threads) do
      total_ok = total_ok + thread:get("ok")
      total_bad = total_bad + thread:get("bad")
      for code, n in pairs(thread:get("statuses")) do merged[code] = (merged[code] or 0) + n end
   end
   local parts = {}
   for code, n in pairs(merged) do parts[#parts + 1] = code .. ":" .. n end
   io.write(string.format("THAW_STATUS mix=%s matched=%d unexpected=%d statuses=%s socket_errors=%d\n", mix,
                          total_ok, total_bad, table.concat(parts, ","),
                          summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
