-- lookup.lua: parents look up their position and fetch a receipt.
--   wrk ... -s lookup.lua URL -- name=lookup-a instance=a seeds=FILE receipts=30 bad=1 records=DIR t0_us=.. phases=.. rates=.. conns=N
-- seeds: "number<TAB>accessCode" lines of applications submitted before the campaign (the queue the
-- region already has). receipts: percentage of POST /api/v1/public/receipts (the rest are
-- POST /api/v1/public/positions). bad: percentage of lookups with a wrong access code (expected 404).
package.path = (os.getenv("KQ_LUA_DIR") or "./lua") .. "/?.lua;" .. package.path
local kq = require("kq")

local d, opts, seeds
local receipts_pct, bad_pct

function setup(thread) kq.setup(thread) end

function init(args)
  opts = kq.parse_args(args)
  d = kq.driver(opts, tid)
  records_path, records_dir, records_name = d.rec.path, opts.records, opts.name
  math.randomseed(tonumber(opts.seed or "1") * 31 + tid * 7717 + #opts.name)
  seeds = {}
  for _, line in ipairs(kq.read_lines(opts.seeds)) do
    local number, code = string.match(line, "^([^\t]+)\t([^\t]+)$")
    if number then seeds[#seeds + 1] = { number, code } end
  end
  assert(#seeds > 0, "no seeded applications in " .. opts.seeds)
  receipts_pct = tonumber(opts.receipts or "30")
  bad_pct = tonumber(opts.bad or "0")
end

local function next_job()
  local s = seeds[math.random(#seeds)]
  local endpoint = (math.random(100) <= receipts_pct) and "receipts" or "positions"
  local code = s[2]
  local bad = math.random(1000) <= bad_pct * 10
  if bad then
    endpoint = endpoint .. "-wrong-code"
    code = "WRONG" .. string.sub(code, 6)
  end
  local path = string.match(endpoint, "^receipts") and "/api/v1/public/receipts" or "/api/v1/public/positions"
  local req = wrk.format("POST", path, { ["Content-Type"] = "application/json" },
    string.format('{"number":"%s","accessCode":"%s"}', s[1], code))
  return { class = "lookup", endpoint = endpoint, key = s[1], req = req }
end

local function on_response(_, job, status, headers, body)
  -- A 200 must be about the application asked for: the number appears in the answer.
  if status == 200 and not string.find(body, job.key, 1, true) then return nil, nil, "wrong-application", false end
  return nil, nil, nil, false
end

function request() return d:request(next_job) end

function response(status, headers, body) d:response(status, headers, body, on_response) end


function done(summary, latency, requests) kq.done(summary, latency, requests) end
