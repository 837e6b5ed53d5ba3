-- staff.lua: department staff on a timetable: capacity loads (a dry run, then the load) and the
-- allocation round at the peak (POST /api/v1/rounds with dryRun=true, then the real round).
--   wrk -t1 -c1 ... -s staff.lua URL -- name=staff-b instance=b actions=FILE records=DIR run=ID t0_us=..
-- actions: one line per request, in order, tab-separated:
--   at_s  endpoint  method  path  content-type  body-file  token-file  keyed(1: send an Idempotency-Key)
-- Each goes out at t0 + at_s, and never before the one above it was answered; one that got no answer
-- or a 5xx is retried with the same key (a round or a load must not happen twice).
package.path = (os.getenv("KQ_LUA_DIR") or "./lua") .. "/?.lua;" .. package.path
local kq = require("kq")

local d, opts, actions

function setup(thread) kq.setup(thread) end

function init(args)
  opts = kq.parse_args(args)
  actions = {}
  local times = {}
  for _, line in ipairs(kq.read_lines(opts.actions)) do
    local f = kq.split(line, "\t")
    assert(#f == 8, "actions line has " .. #f .. " fields: " .. line)
    actions[#actions + 1] = {
      at = tonumber(f[1]), endpoint = f[2], method = f[3], path = f[4], content_type = f[5],
      body = (f[6] ~= "-") and kq.read_file(f[6]) or nil, token = kq.trim(kq.read_file(f[7])), keyed = f[8] == "1",
    }
    times[#times + 1] = tonumber(f[1])
  end
  d = kq.driver(opts, tid, kq.timetable(tonumber(opts.t0_us), times))
  records_path, records_dir, records_name = d.rec.path, opts.records, opts.name
end

local function next_job(driver)
  local i = driver.pacer.index
  local a = actions[i]
  if a == nil then return nil end
  local headers = { ["Authorization"] = "Bearer " .. a.token }
  if a.content_type ~= "-" then headers["Content-Type"] = a.content_type end
  local key = nil
  if a.keyed then
    key = string.format("ld-%s-%s-%d", opts.run, a.endpoint, i)
    headers["Idempotency-Key"] = key
  end
  return { class = "staff", endpoint = a.endpoint, key = key, req = wrk.format(a.method, a.path, headers, a.body), retryable = true }
end

local function on_response(_, job, status, headers, body)
  local seq = string.match(body or "", '"seq":(%d+)')
  -- A round's answer: how many offers it made.
  local offered = string.match(body or "", '"offered":(%d+)')
  return nil, seq, offered and ("offered=" .. offered) or nil, false
end

function request() return d:request(next_job) end

function response(status, headers, body) d:response(status, headers, body, on_response) end


function done(summary, latency, requests) kq.done(summary, latency, requests) end
