-- Shared by the overload scripts: counts answers by status in every wrk thread and prints them at the end.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do total[code] = (total[code] or 0) + n end
  end
  local codes = {}
  for code in pairs(total) do table.insert(codes, code) end
  table.sort(codes)
  io.write(string.format("%s statuses:", os.getenv("KQ_LABEL") or "requests"))
  for _, code in ipairs(codes) do io.write(string.format(" %d=%d", code, total[code])) end
  io.write(string.format("\n%s latency ms: p50 %.1f p90 %.1f p99 %.1f max %.1f; %d requests in %.1f s\n",
    os.getenv("KQ_LABEL") or "requests", latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.requests, summary.duration / 1e6))
end
