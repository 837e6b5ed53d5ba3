-- export.lua: validators download the public log, as kq verify does: the latest signed checkpoint,
-- then the whole log as NDJSON (GET /api/v1/public/log). The rate is in downloads per minute; the
-- record of each download keeps its size (bytes) and the X-Log-Size it was cut at.
--   wrk ... -s export.lua URL -- name=export-a instance=a records=DIR t0_us=.. phases=.. rates=.. conns=N
package.path = (os.getenv("KQ_LUA_DIR") or "./lua") .. "/?.lua;" .. package.path
local kq = require("kq")

local d, opts

function setup(thread) kq.setup(thread) end

function init(args)
  opts = kq.parse_args(args)
  d = kq.driver(opts, tid)
  records_path, records_dir, records_name = d.rec.path, opts.records, opts.name
end

local function get(endpoint, path)
  return { class = "export", endpoint = endpoint, req = wrk.format("GET", path, { ["Accept-Encoding"] = "identity" }) }
end

local visit = { jobs = {} }

local function new_visit() return { get("checkpoint", "/api/v1/public/checkpoint"), get("log", "/api/v1/public/log") } end

function request() return d:request_visit(visit, new_visit) end

local function on_response(_, job, status, headers, body)
  if job.endpoint == "log" then return nil, kq.header(headers, "X-Log-Size"), nil, false end
  return nil, nil, nil, false
end

function response(status, headers, body) d:response(status, headers, body, on_response) end


function done(summary, latency, requests) kq.done(summary, latency, requests) end
