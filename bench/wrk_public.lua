-- wrk script of bench/public_bench.py: POSTs read from a file, one request per line.
--
--   wrk -t1 -c8 -d20s -s bench/wrk_public.lua http://127.0.0.1:PORT/api/public/check -- \
--       REQUESTS_FILE CONTENT_TYPE EXPECT LIMIT THREADS [REFERER]
--
-- Each line of REQUESTS_FILE is "cookie<TAB>body" (cookie may be empty); wrk thread k
-- of THREADS takes lines k+1, k+1+THREADS, ... and sends them in turn, starting over at
-- its end. A response counts as good when its status is 200 and its body contains
-- EXPECT ("" = any body). LIMIT > 0 stops each thread after LIMIT responses (reports:
-- every line holds a challenge good for one report, so a line must not be sent twice).
-- Identifier checks whose answer says "listed":true are counted, to show the mix.
-- At the end one line "WRK {json}" gives the totals and the latency percentiles (µs)
-- for the Python side to read; wrk's own summary is printed above it.

local threads, made = {}, 0

function setup(thread)
   thread:set("index", made)
   made = made + 1
   table.insert(threads, thread)
end

-- Per thread (each thread has its own Lua state); globals, so that done() can read them.
good, bad, listed, seen = 0, 0, 0, 0
local requests, position, expect, limit = {}, 0, nil, 0

function init(args)
   local file, ctype = args[1], args[2]
   expect = (args[3] ~= nil and args[3] ~= "") and args[3] or nil
   limit = tonumber(args[4] or "0") or 0
   local count = tonumber(args[5] or "1") or 1
   local referer = args[6]
   local line_no = 0
   for line in io.lines(file) do
      if line_no % count == index then
         local cookie, body = line:match("^([^\t]*)\t(.*)$")
         local headers = {["Content-Type"] = ctype}
         if cookie ~= "" then headers["Cookie"] = cookie end
         if referer ~= nil and referer ~= "" then headers["Referer"] = referer end
         requests[#requests + 1] = wrk.format("POST", wrk.path, headers, body)
      end
      line_no = line_no + 1
   end
   if #requests == 0 then
      error("no request for thread " .. index .. " in " .. file)
   end
end

function request()
   position = position % #requests + 1
   return requests[position]
end

function response(status, headers, body)
   seen = seen + 1
   if status == 200 and (expect == nil or (body and body:find(expect, 1, true))) then
      good = good + 1
   else
      bad = bad + 1
   end
   if body and body:find('"listed":true', 1, true) then
      listed = listed + 1
   end
   if limit > 0 and seen >= limit then
      wrk.thread:stop()
   end
end

function done(summary, latency, _requests)
   local g, b, l = 0, 0, 0
   for _, thread in ipairs(threads) do
      g = g + thread:get("good")
      b = b + thread:get("bad")
      l = l + thread:get("listed")
   end
   local e = summary.errors
   io.write(string.format(
      'WRK {"requests": %d, "duration_us": %d, "good": %d, "bad": %d, "listed": %d, ' ..
      '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, ' ..
      '"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f}\n',
      summary.requests, summary.duration, g, b, l, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
      latency.max, latency.mean))
end
