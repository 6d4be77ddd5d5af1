-- One wrk script for every benchmarked request.
-- Arguments (after `--`): method, path ("{id}" is replaced), body (or ""), bearer token (or ""),
-- lowest id, highest id, id mode ("random" or "seq": each id once, threads interleaved),
-- number of threads.
-- Prints one JSON line at the end: throughput, latency percentiles, and every kind of error,
-- counting each response outside 2xx (wrk itself only counts status >= 400).

local threads = {}
local counter = 0

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  method = args[1]
  template = args[2]
  body = args[3]
  if body == "" then body = nil end
  local token = args[4]
  lo = tonumber(args[5])
  hi = tonumber(args[6])
  mode = args[7]
  nthreads = tonumber(args[8]) or 1
  headers = {}
  if token ~= nil and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
  if body then
    headers["Content-Type"] = "application/json"
  end
  n = 0
  non2xx = 0
  first_bad = ""
  math.randomseed(os.time() + (tid or 0) * 7919)
end

function request()
  local path = template
  if lo and hi and lo > 0 then
    local id
    if mode == "seq" then
      id = lo + tid + n * nthreads
      n = n + 1
    else
      id = math.random(lo, hi)
    end
    path = string.gsub(template, "{id}", tostring(id))
  end
  return wrk.format(method, path, headers, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    if first_bad == "" then
      first_bad = tostring(status) .. " " .. string.sub(body or "", 1, 160)
    end
  end
end

local function quote(s)
  s = string.gsub(s, "\\", "\\\\")
  s = string.gsub(s, '"', '\\"')
  s = string.gsub(s, "[%c]", " ")
  return '"' .. s .. '"'
end

function done(summary, latency, requests)
  local bad = 0
  local sample = ""
  local most = 0
  for _, t in ipairs(threads) do
    bad = bad + (tonumber(t:get("non2xx")) or 0)
    most = math.max(most, tonumber(t:get("n")) or 0)
    local b = t:get("first_bad")
    if sample == "" and b ~= nil and b ~= "" then sample = b end
  end
  local points = {}
  local ps = {1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99}
  for _, p in ipairs(ps) do
    table.insert(points, string.format('"%s": %.1f', tostring(p), latency:percentile(p)))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"duration_us": %d, "requests": %d, "bytes": %d, "non2xx": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d, "status_ge_400": %d, ' ..
    '"latency_mean_us": %.1f, "latency_max_us": %.1f, "percentiles_us": {%s}, "sample_error": %s, ' ..
    '"ids_per_thread": %d}\n',
    summary.duration, summary.requests, summary.bytes, bad,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency.mean, latency.max, table.concat(points, ", "), quote(sample), most))
end
