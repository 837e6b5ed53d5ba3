-- site.lua: visits to the public site, each a first visit as a browser makes it (no cache, no ETag,
-- Accept-Encoding: br, gzip). The rate is in visits per minute; a visit's requests follow each other
-- at once on the same connection, as a browser's would.
--   wrk ... -s site.lua URL -- name=site-a instance=a region=FILE records=DIR t0_us=.. phases=.. rates=.. conns=N
-- A dashboard visit (60 %): the page, its style sheet, icon and three scripts, GET /api/v1/public/dashboard
-- and /api/v1/public/private-reads. A kindergarten visit (40 %): its page, style sheet and scripts,
-- GET /api/v1/public/kindergartens/{id}; one in four also loads the kindergarten table (/public/kindergartens).
package.path = (os.getenv("KQ_LUA_DIR") or "./lua") .. "/?.lua;" .. package.path
local kq = require("kq")

local d, opts, kindergartens

function setup(thread) kq.setup(thread) end

function init(args)
  opts = kq.parse_args(args)
  d = kq.driver(opts, tid)
  records_path, records_dir, records_name = d.rec.path, opts.records, opts.name
  math.randomseed(tonumber(opts.seed or "1") * 131 + tid * 9001 + #opts.name)
  kindergartens = {}
  for _, line in ipairs(kq.read_lines(opts.region)) do
    local kind, id = string.match(line, "^(%a+)\t([^\t]+)")
    if kind == "kindergarten" then kindergartens[#kindergartens + 1] = id end
  end
end

local headers = { ["Accept-Encoding"] = "br, gzip" }

local function get(endpoint, path)
  return { class = "site", endpoint = endpoint, req = wrk.format("GET", path, headers) }
end

local function new_visit()
  local v = {}
  if math.random(100) <= 60 then
    v = {
      get("page", "/"), get("asset", "/assets/site.css"), get("asset", "/assets/favicon.svg"),
      get("asset", "/assets/common.js"), get("asset", "/assets/charts.js"), get("asset", "/assets/dashboard.js"),
      get("dashboard", "/api/v1/public/dashboard"), get("private-reads", "/api/v1/public/private-reads"),
    }
  else
    local id = kindergartens[math.random(#kindergartens)]
    v = {
      get("page", "/kindergarten.html?id=" .. id), get("asset", "/assets/site.css"), get("asset", "/assets/common.js"),
      get("asset", "/assets/charts.js"), get("asset", "/assets/kindergarten.js"),
      get("kindergarten", "/api/v1/public/kindergartens/" .. id),
    }
    if math.random(4) == 1 then v[#v + 1] = get("kindergartens", "/api/v1/public/kindergartens") end
  end
  return v
end

local visit = { jobs = {} }

function request() return d:request_visit(visit, new_visit) end

function response(status, headers, body) d:response(status, headers, body, nil) end


function done(summary, latency, requests) kq.done(summary, latency, requests) end
