-- wrk script for scripts/bench: one fixed request per scenario, and a count
-- of the answers that are not 2xx (a benchmark of errors is worthless).
--
--   wrk ... -s bench/wrk.lua URL -- METHOD PATH TOKEN [BODY]
--
-- Prints one machine-readable line at the end:
--   BENCH requests=N non2xx=N errors=N rps=F p50_us=N p99_us=N

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local method, path, token, body = args[1], args[2], args[3], args[4]
  local headers = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" }
  if body ~= nil and body ~= "" then
    headers["Content-Type"] = "application/json"
  else
    body = nil
  end
  req = wrk.format(method, path, headers, body)
  responses = 0
  non2xx = 0
end

function request()
  return req
end

function response(status, headers, body)
  responses = responses + 1
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local n, bad = 0, 0
  for _, t in ipairs(threads) do
    n = n + t:get("responses")
    bad = bad + t:get("non2xx")
  end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  io.write(string.format("BENCH requests=%d non2xx=%d errors=%d rps=%.1f p50_us=%d p99_us=%d\n",
    n, bad, errors, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99)))
end
