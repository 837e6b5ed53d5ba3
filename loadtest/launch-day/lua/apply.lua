-- apply.lua: parents (through the portal) or service-centre operators submit applications.
--   wrk -t N -c N -d D -s apply.lua http://127.0.0.1:PORT -- name=apply-parent-a instance=a role=parent \
--       tokens=DIR/parent records=DIR region=FILE today=YYYY-MM-DD run=ID t0_us=.. phases=.. rates=.. conns=N
-- Every request is a valid, unique application in the shape POST /api/v1/applications takes
-- (child, parent, district, preferences, desiredStart, claims, channel) with its own Idempotency-Key.
-- A request that got no answer or a 5xx is retried with the same key and body (a client that keeps
-- its key, as the API asks), after a back-off; a 201 records the number, the seq and the access code.
package.path = (os.getenv("KQ_LUA_DIR") or "./lua") .. "/?.lua;" .. package.path
local kq = require("kq")

local d, opts, tokens, districts, by_district, kindergartens
local counter = 0
local today
local child_names = { "Иван", "Мария", "Алексей", "Анна", "Дмитрий", "Софья", "Артём", "Ева", "Михаил", "Полина", "Лев", "Алиса" }
local family_names = { "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Новиков", "Фёдоров", "Морозов", "Волков", "Соколов" }
local parent_names = { "Ольга", "Сергей", "Елена", "Андрей", "Наталья", "Павел", "Татьяна", "Игорь" }
-- Claimable categories of the default criteria (catchment follows from the district and is never claimed).
local categories = { "judge", "chernobyl", "serviceman", "police", "disability", "large-family", "sibling" }

function setup(thread) kq.setup(thread) end

function init(args)
  opts = kq.parse_args(args)
  d = kq.driver(opts, tid)
  records_path, records_dir, records_name = d.rec.path, opts.records, opts.name
  -- Deterministic per process and thread for a given run: same seed, same applications in the same order.
  math.randomseed(tonumber(opts.seed or "1") * 7919 + tid * 104729 + #opts.name)
  tokens = kq.read_lines(opts.tokens)
  districts, by_district, kindergartens = {}, {}, {}
  for _, line in ipairs(kq.read_lines(opts.region)) do
    local kind, id, district = string.match(line, "^(%a+)\t([^\t]+)\t?(.*)$")
    if kind == "district" then
      districts[#districts + 1] = id
      by_district[id] = {}
    elseif kind == "kindergarten" then
      kindergartens[#kindergartens + 1] = id
      table.insert(by_district[district], id)
    end
  end
  today = kq.parse_date(opts.today)
end

local function pick(t) return t[math.random(#t)] end

local function body_of(n)
  local district = pick(districts)
  local count = math.random(5)
  local prefs, seen = {}, {}
  local tries = 0
  while #prefs < count and tries < 50 do
    tries = tries + 1
    -- Mostly the own district, sometimes anywhere in the region.
    local kg = (math.random(4) == 1) and pick(kindergartens) or pick(by_district[district])
    if not seen[kg] then
      seen[kg] = true
      prefs[#prefs + 1] = '"' .. kg .. '"'
    end
  end
  -- One to five and a half years old today: never too old by the desired start (archive age 7).
  local birth = kq.format_date(kq.add_days(today, -(365 + math.random(0, 365 * 4 + 180))))
  local start = kq.format_date(kq.add_days(today, 2 + math.random(0, 90)))
  local child = pick(child_names) .. " " .. pick(family_names)
  local parent = pick(parent_names) .. " " .. pick(family_names)
  local unique = string.format("%s-%s-%d-%d", opts.run, opts.name, tid, n)
  local claims = ""
  if math.random(100) <= 15 then
    local c = pick(categories)
    if c == "sibling" then
      claims = string.format(',"claims":[{"category":"sibling","kindergarten":%s,"documents":"Справка %s"}]', prefs[1], unique)
    else
      claims = string.format(',"claims":[{"category":"%s","documents":"Удостоверение %s"}]', c, unique)
    end
  end
  local channel = ""
  if opts.role == "operator" then
    channel = (math.random(10) == 1) and ',"channel":"federal"' or ',"channel":"centre"'
  end
  return string.format(
    '{"child":{"name":"%s","birthDate":"%s"},"parent":{"name":"%s","phone":"+7 9%02d %03d-%02d-%02d","email":"%s@example.test"},' ..
    '"district":"%s","preferences":[%s],"desiredStart":"%s"%s%s}',
    child, birth, parent, math.random(0, 99), math.random(0, 999), math.random(0, 99), math.random(0, 99), unique,
    district, table.concat(prefs, ","), start, claims, channel)
end

local function next_job(driver)
  counter = counter + 1
  local key = string.format("ld-%s-%s-%d-%d", opts.run, opts.name, tid, counter)
  local token = tokens[(tid % #tokens) + 1]
  local req = wrk.format("POST", "/api/v1/applications", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
  }, body_of(counter))
  return { class = "write", endpoint = "apply-" .. opts.role, key = key, req = req, retryable = true }
end

local function on_response(_, job, status, headers, body)
  if status == 201 then
    local number = string.match(body, '"number":"([^"]+)"')
    local code = string.match(body, '"accessCode":"([^"]+)"')
    local seq = string.match(body, '"seq":(%d+)')
    return number, seq, code, false
  end
  return nil, nil, nil, false
end

function request() return d:request(next_job) end

function response(status, headers, body) d:response(status, headers, body, on_response) end


function done(summary, latency, requests) kq.done(summary, latency, requests) end
