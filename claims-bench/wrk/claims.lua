-- wrk's requests for claims-bench (BENCHMARKS.md), after "--":
--   heartbeat <tenant> <claims> <key>          one POST .../claims/worker-N/epochs/1/heartbeats, N random per request
--   batch <tenant> <claims> <key> <size>       one POST /v1/tenants/<tenant>/heartbeats with <size> random claims
--   get <path>                                 the same GET each time
-- done() prints one line the benchmark parses: requests, errors, non-2xx answers, failed heartbeats inside 200
-- batch answers, latency percentiles in microseconds.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local requests = {}
local batch = {}

local function heartbeat_path(tenant, n)
  return "/v1/tenants/" .. tenant .. "/claims/worker-" .. n .. "/epochs/1/heartbeats"
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  failed_items = 0
  local mode = args[1]
  if mode == "heartbeat" then
    local headers = { ["Authorization"] = "Bearer " .. args[4] }
    for n = 0, tonumber(args[3]) - 1 do
      requests[n + 1] = wrk.format("POST", heartbeat_path(args[2], n), headers)
    end
  elseif mode == "batch" then
    batch.path = "/v1/tenants/" .. args[2] .. "/heartbeats"
    batch.claims = tonumber(args[3])
    batch.headers = { ["Authorization"] = "Bearer " .. args[4], ["Content-Type"] = "application/json" }
    batch.size = tonumber(args[5])
    response = function(status, headers, body)
      if status == 200 then
        for item in body:gmatch('"status":(%d+)') do
          if item ~= "200" then
            failed_items = failed_items + 1
          end
        end
      end
    end
  elseif mode == "get" then
    requests[1] = wrk.format("GET", args[2])
  else
    error("unknown mode " .. tostring(mode))
  end
end

function request()
  if batch.path then
    local items = {}
    for i = 1, batch.size do
      items[i] = '{"consumer_id":"worker-' .. math.random(0, batch.claims - 1) .. '","epoch":1}'
    end
    return wrk.format("POST", batch.path, batch.headers, '{"heartbeats":[' .. table.concat(items, ",") .. ']}')
  end
  return requests[math.random(#requests)]
end

function done(summary, latency, _)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failed_items")
  end
  local errors = summary.errors
  io.write(string.format("WRK requests=%d duration_us=%d non2xx=%d socket_errors=%d failed_items=%d"
      .. " p50_us=%d p99_us=%d max_us=%d\n", summary.requests, summary.duration, errors.status,
      errors.connect + errors.read + errors.write + errors.timeout, failed, latency:percentile(50),
      latency:percentile(99), latency.max))
end
