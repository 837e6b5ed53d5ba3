-- kq.lua: what the launch-day wrk scripts share.
--
-- Every wrk run of the harness is started with as many threads as connections (-t N -c N), so each
-- thread's Lua state drives exactly one connection. That is what makes the per-request records
-- honest: wrk calls request() just before it stamps the request's start and response() when the
-- response is complete, and with one connection per state the two calls belong to the same request.
-- With several connections per thread, responses could not be matched to their requests.
--
-- Per request, one tab-separated line goes to RECORDS_DIR/<name>-<thread>.tsv (line buffered, so
-- nothing is lost when wrk exits):
--   t_us lat_us status class endpoint instance attempt key number seq extra lag_us bytes retry_after replayed
-- t_us: wall clock (CLOCK_REALTIME, microseconds) when the request was built, i.e. sent;
-- lat_us: until the response was complete (CLOCK_MONOTONIC difference);
-- class: write, lookup, site, export, staff, or probe (GET /healthz: sent after a second with nothing
-- due, and first on a connection that failed; recorded so that the lines add up to wrk's own count,
-- left out of every figure);
-- status: the HTTP status, 0 when the connection failed before a response (reset, refused: wrk
-- reconnects and asks for the next request, which is how the script learns of it), -1 when the
-- request was still in flight when wrk stopped (written by done());
-- key: the Idempotency-Key of a write (the number looked up, for lookups); number, seq: what a 201
-- named (seq: the X-Log-Size of a log download); extra: a submission's access code, a round's offers,
-- "wrong-application" when a lookup's 200 named another application, "overloaded" on a 503 whose
-- problem is service.overloaded (shed by admission control: nothing was done, come back later);
-- lag_us: how late the request went out against the pacing schedule (see pacer below).
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } kq_timespec;
int clock_gettime(int clk_id, kq_timespec *tp);
int poll(void *fds, unsigned long nfds, int timeout);
int getpid(void);
]]

local M = {}
local ts = ffi.new("kq_timespec")

--- Wall clock in microseconds (CLOCK_REALTIME): comparable across processes and with run.sh's `date +%s%6N`.
function M.now_us()
  ffi.C.clock_gettime(0, ts)
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

--- Monotonic clock in microseconds, for durations.
function M.mono_us()
  ffi.C.clock_gettime(1, ts)
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

--- Blocks this thread (and so its only connection). Used for client back-off and waiting for the schedule.
function M.sleep_ms(ms)
  if ms >= 1 then ffi.C.poll(nil, 0, math.floor(ms)) end
end

function M.pid() return ffi.C.getpid() end

--- wrk passes the words after "--" as args[1..n] (args[0] is the URL); each is key=value.
function M.parse_args(args)
  local o = {}
  for i = 1, #args do
    local k, v = string.match(args[i], "^([%w_]+)=(.*)$")
    if k then o[k] = v else error("argument '" .. args[i] .. "' is not key=value") end
  end
  return o
end

function M.split(s, sep)
  local out = {}
  if s == nil or s == "" then return out end
  for part in string.gmatch(s, "([^" .. sep .. "]+)") do out[#out + 1] = part end
  return out
end

function M.read_file(path)
  local f = assert(io.open(path, "rb"), "cannot read " .. path)
  local s = f:read("*a")
  f:close()
  return s
end

function M.read_lines(path)
  local out = {}
  for line in io.lines(path) do
    if line ~= "" and string.sub(line, 1, 1) ~= "#" then out[#out + 1] = line end
  end
  return out
end

function M.trim(s) return (string.gsub(s, "^%s*(.-)%s*$", "%1")) end

function M.header(headers, name)
  local v = headers[name]
  if v ~= nil then return v end
  local lower = string.lower(name)
  for k, val in pairs(headers) do
    if string.lower(k) == lower then return val end
  end
  return nil
end

-- Dates: the region's "today" comes from run.sh (Europe/Moscow, the criteria's zone).
function M.parse_date(s)
  local y, m, d = string.match(s, "^(%d+)-(%d+)-(%d+)$")
  return os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 })
end

function M.format_date(t) return os.date("%Y-%m-%d", t) end

function M.add_days(t, n) return t + n * 86400 end

---------------------------------------------------------------------------------------------------
-- Records

local Recorder = {}
Recorder.__index = Recorder

--- One file per thread; opened in init() (thread state), appended to by done() (main state) for
--- the request that was still in flight at the end.
function M.recorder(dir, name, tid, instance)
  local path = string.format("%s/%s-%03d.tsv", dir, name, tid)
  local f = assert(io.open(path, "a"))
  f:setvbuf("line")
  return setmetatable({ f = f, path = path, instance = instance }, Recorder)
end

local function field(v)
  if v == nil or v == "" then return "-" end
  return tostring(v)
end

--- r: { t_us, class, endpoint, attempt, key, lag_us, mono }; the response fields come separately.
function Recorder:line(r, lat_us, status, number, seq, code, bytes, retry_after, replayed)
  return table.concat({
    string.format("%d", r.t_us), string.format("%d", lat_us), tostring(status), r.class, r.endpoint, self.instance,
    tostring(r.attempt or 1), field(r.key), field(number), field(seq), field(code),
    string.format("%d", r.lag_us or 0), tostring(bytes or 0), field(retry_after), replayed and "1" or "0",
  }, "\t")
end

function Recorder:write(r, lat_us, status, number, seq, code, bytes, retry_after, replayed)
  self.f:write(self:line(r, lat_us, status, number, seq, code, bytes, retry_after, replayed), "\n")
end

---------------------------------------------------------------------------------------------------
-- Pacing. wrk itself is closed-loop (a connection sends its next request when the previous answer
-- arrived) and has no notion of a rate or a ramp. Here each connection keeps a schedule: the
-- process's rate for each phase (phases and rates come from run.sh), shared by its connections,
-- defines how many requests are due from t0 up to any moment; a connection's k-th slot is when that
-- count reaches k (offset by its share, so that the connections take turns), and request() waits
-- for it. (Not wrk's delay() hook: wrk 4.1 arms a second delay timer when a connection is re-opened
-- during a delay, and the second timer then sends a request while the first is still unanswered,
-- which pipelines two requests and makes answers impossible to match. With one connection per
-- thread, waiting inside request() is the same as the connection waiting, and wrk has no timer.) A connection that falls behind (slow answers) sends at once and records how late it was
-- (lag_us); more than one second behind, it drops the slots it missed instead of bursting to catch
-- up. Planned and achieved rates are compared in the report.

local Pacer = {}
Pacer.__index = Pacer

--- opts: t0_us, phases ("d1,d2,..." seconds), rates ("r1,r2,..." requests per minute for the whole
--- process), conns (connections of the process), tid (this thread's index).
function M.pacer(opts, tid)
  local p = setmetatable({}, Pacer)
  p.t0 = tonumber(opts.t0_us)
  p.ends, p.starts, p.per_us = {}, {}, {}
  p.conns = tonumber(opts.conns or 1)
  local t = p.t0
  local durations = M.split(opts.phases, ",")
  local rates = M.split(opts.rates, ",")
  assert(#durations == #rates, "phases and rates differ in length")
  for i = 1, #durations do
    p.starts[i] = t
    t = t + tonumber(durations[i]) * 1000000
    p.ends[i] = t
    -- This connection's requests per microsecond in phase i.
    p.per_us[i] = tonumber(rates[i]) / 60 / 1000000 / p.conns
  end
  p.t_end = t
  p.offset = tid / p.conns
  p.max_behind = 1000000
  p.k = nil
  return p
end

--- Requests due to this connection from t0 up to t.
function Pacer:count_at(t)
  local c = 0
  for i = 1, #self.ends do
    if t <= self.starts[i] then break end
    c = c + (math.min(t, self.ends[i]) - self.starts[i]) * self.per_us[i]
  end
  return c
end

--- When the count reaches n (nil: not before the plan ends).
function Pacer:time_of(n)
  local c = 0
  for i = 1, #self.ends do
    local add = (self.ends[i] - self.starts[i]) * self.per_us[i]
    if self.per_us[i] > 0 and c + add >= n then return self.starts[i] + (n - c) / self.per_us[i] end
    c = c + add
  end
  return nil
end

--- The first slot index whose time is not before t.
function Pacer:first_index_at(t)
  return math.max(0, math.ceil(self:count_at(t) - self.offset))
end

--- When the next request is due (nil: the plan is over).
function Pacer:due()
  if self.k == nil then self.k = self:first_index_at(M.now_us()) end
  return self:time_of(self.k + self.offset)
end

--- Called when the request due at due() goes out at `now`: books the next slot, returns the lag.
function Pacer:sent(now)
  local due = self:due()
  if due == nil then return 0 end
  self.k = self.k + 1
  local nxt = self:time_of(self.k + self.offset)
  if nxt ~= nil and nxt < now - self.max_behind then self.k = self:first_index_at(now) end
  return math.max(0, now - due)
end

--- Blocks until the next slot if it is at most cap_ms away and returns true: a request is due now.
--- Otherwise blocks cap_ms and returns false: send a probe and ask again.
function Pacer:wait_due(cap_ms)
  local due = self:due()
  local ms = (due == nil) and math.huge or (due - M.now_us()) / 1000
  if ms > cap_ms then
    -- Nothing due soon (or the plan is over): wait cap_ms, then a probe keeps the connection open.
    M.sleep_ms(cap_ms)
    return false
  end
  M.sleep_ms(ms)
  return true
end

---------------------------------------------------------------------------------------------------
-- A timetable instead of a rate: each item is due at t0 + its at_s, and after the one before it.

local Timetable = {}
Timetable.__index = Timetable

function M.timetable(t0_us, times_s)
  return setmetatable({ t0 = t0_us, times = times_s, index = 1 }, Timetable)
end

function Timetable:due()
  local at = self.times[self.index]
  if at == nil then return nil end
  return self.t0 + at * 1000000
end

function Timetable:sent(now)
  local due = self:due()
  self.index = self.index + 1
  if due == nil then return 0 end
  return math.max(0, now - due)
end

Timetable.wait_due = Pacer.wait_due

-- No schedule at all (the burst): every connection sends its next request as soon as the answer
-- arrives, from t0 for the length of its phases: closed-loop, like plain wrk.
local Unpaced = {}
Unpaced.__index = Unpaced

function M.unpaced(opts)
  local total = 0
  for _, s in ipairs(M.split(opts.phases, ",")) do total = total + tonumber(s) end
  return setmetatable({ t0 = tonumber(opts.t0_us), t_end = tonumber(opts.t0_us) + total * 1000000 }, Unpaced)
end

function Unpaced:due()
  local now = M.now_us()
  if now >= self.t_end then return nil end
  return math.max(now, self.t0)
end

function Unpaced:sent(now) return 0 end

Unpaced.wait_due = Pacer.wait_due

---------------------------------------------------------------------------------------------------
-- The request cycle shared by every script: a "job" is one request to send (method, path, headers,
-- body and its bookkeeping). Scripts supply next_job() and on_response(); this drives records,
-- failures, back-off and retries.

local Driver = {}
Driver.__index = Driver

--- opts: parsed args (name, instance, records, t0_us, phases, rates, conns, max_attempts);
--- schedule: a pacer (the default) or anything with the same due/sent/wait_due.
function M.driver(opts, tid, schedule)
  local d = setmetatable({}, Driver)
  d.opts = opts
  d.tid = tid
  d.rec = M.recorder(opts.records, opts.name, tid, opts.instance)
  d.pacer = schedule or ((opts.unpaced == "1") and M.unpaced(opts) or M.pacer(opts, tid))
  d.inflight = nil
  d.retry = nil
  d.suspect = false
  d.verifying = (tid == 0)
  d.backoff_ms = 0
  d.max_attempts = tonumber(opts.max_attempts or 20)
  d.probe = wrk.format("GET", "/healthz")
  return d
end

local function next_backoff(ms)
  if ms <= 0 then return 50 end
  return math.min(ms * 2, 1000)
end

--- The previous request got no response (wrk reconnected and asks for the next one). Back off
--- (blocking this thread, i.e. its one connection), and mark the connection suspect.
function Driver:connection_failed(now_mono)
  local j = self.inflight
  self.inflight = nil
  _G.inflight_line = ""
  self.rec:write(j, now_mono - j.mono, 0, nil, nil, nil, 0, nil, false)
  -- Writes keep their key and retry; a read is retried once, as a browser does when a reused
  -- connection turns out dead.
  if (j.retryable and (j.attempt or 1) < self.max_attempts) or (j.class ~= "probe" and (j.attempt or 1) == 1) then
    self.retry = j
  end
  self.suspect = true
  self.backoff_ms = next_backoff(self.backoff_ms)
  M.sleep_ms(self.backoff_ms)
end

--- wrk 4.1 calls request() once in the first thread's state before the run, only to check that the
--- request parses (script_verify_request); that call must not count as a request sent.
function Driver:verification_call()
  if self.verifying then
    self.verifying = false
    return true
  end
  return false
end

function Driver:probe_job() return { class = "probe", endpoint = "healthz", req = self.probe } end

--- wrk's request(): the next request's bytes.
---
--- After a failed connection, wrk has already opened the next socket before it asks for a request,
--- and the back-off happens after that: a request sent now could go out on a socket refused during
--- the outage and fail although the service is back. So the first request on a suspect connection
--- is a probe (GET /healthz, recorded as class probe and left out of every figure); the real
--- request (a retry, or the next one due) goes out only once a probe was answered.
function Driver:request(next_job)
  if self:verification_call() then return self.probe end
  if self.inflight ~= nil then self:connection_failed(M.mono_us()) end
  local job
  if self.suspect then
    job = self:probe_job()
  elseif self.retry ~= nil then
    -- After a 5xx: the back-off before the retry (after no answer, connection_failed waited already).
    M.sleep_ms(self.retry_wait_ms or 0)
    self.retry_wait_ms = 0
    job = self.retry
    self.retry = nil
    job.attempt = (job.attempt or 1) + 1
    job.lag_us = 0
  else
    -- Off schedule (after a reconnect) or nothing planned: wait for the slot, or send a probe.
    if not self.pacer:wait_due(1000) then
      job = self:probe_job()
    else
      local now = M.now_us()
      job = next_job(self)
      if job == nil then
        job = self:probe_job()
      else
        job.attempt = 1
        job.lag_us = self.pacer:sent(now)
      end
    end
  end
  job.t_us = M.now_us()
  job.mono = M.mono_us()
  self.inflight = job
  -- For done(): a request still in flight when wrk stops is recorded with status -1.
  _G.inflight_line = self.rec:line(job, 0, -1, nil, nil, nil, 0, nil, false)
  return job.req
end

--- wrk's response(): records the answer; on_response(job, status, headers, body) returns the fields
--- number, seq, code (what the answer named) and whether to retry.
function Driver:response(status, headers, body, on_response)
  local j = self.inflight
  self.inflight = nil
  _G.inflight_line = ""
  if j == nil then return end
  local lat = M.mono_us() - j.mono
  if j.class == "probe" then
    self.rec:write(j, lat, status, nil, nil, nil, body and #body or 0, nil, false)
    -- The connection works again: a pending retry goes out at once.
    self.suspect = false
    self.backoff_ms = 0
    self.retry_wait_ms = 0
    return
  end
  local number, seq, code, retry = nil, nil, nil, false
  if on_response ~= nil then number, seq, code, retry = on_response(self, j, status, headers, body) end
  if status == 503 and code == nil and body ~= nil and string.find(body, "service.overloaded", 1, true) then code = "overloaded" end
  local replayed = M.header(headers, "Idempotent-Replayed") == "true"
  self.rec:write(j, lat, status, number, seq, code, body and #body or 0, M.header(headers, "Retry-After"), replayed)
  if status >= 500 and j.retryable and (j.attempt or 1) < self.max_attempts then retry = true end
  if retry then
    self.retry = j
    self.backoff_ms = next_backoff(self.backoff_ms)
    local after = tonumber(M.header(headers, "Retry-After") or "")
    if after ~= nil then self.backoff_ms = math.max(self.backoff_ms, math.min(after * 1000, 5000)) end
    self.retry_wait_ms = self.backoff_ms
  else
    self.backoff_ms = 0
  end
end

--- request() for scripts whose traffic comes in visits (a page and what it loads, a checkpoint and the
--- log): the rest of a visit goes out at once on the same connection; a new visit waits for its slot,
--- and after a failed request the rest of the visit is given up, as a browser gives up on a page.
--- visit.jobs holds what is left; next_visit() returns the jobs of a new visit.
function Driver:request_visit(visit, next_visit)
  if self:verification_call() then return self.probe end
  if #visit.jobs > 0 and self.inflight == nil and self.retry == nil and not self.suspect then
    local job = table.remove(visit.jobs, 1)
    job.attempt, job.lag_us = 1, 0
    job.t_us, job.mono = M.now_us(), M.mono_us()
    self.inflight = job
    _G.inflight_line = self.rec:line(job, 0, -1, nil, nil, nil, 0, nil, false)
    return job.req
  end
  if self.inflight ~= nil then visit.jobs = {} end
  return self:request(function()
    visit.jobs = next_visit()
    return table.remove(visit.jobs, 1)
  end)
end

---------------------------------------------------------------------------------------------------
-- The main state: thread indices for setup(), and done(), which records what was in flight and
-- writes wrk's own summary next to the records (a cross-check of the per-request lines).

M.threads = {}

function M.setup(thread)
  thread:set("tid", #M.threads)
  M.threads[#M.threads + 1] = thread
end

function M.done(summary, latency, requests)
  local dir, name
  for _, t in ipairs(M.threads) do
    local path = t:get("records_path")
    local line = t:get("inflight_line")
    if path ~= nil and line ~= nil and line ~= "" then
      -- The latency field of an in-flight request: how long it had been waiting when wrk stopped.
      local t_us = tonumber(string.match(line, "^(%d+)"))
      local waited = M.now_us() - t_us
      line = string.gsub(line, "^(%d+)\t0\t", "%1\t" .. string.format("%d", waited) .. "\t", 1)
      local f = io.open(path, "a")
      if f then
        f:write(line, "\n")
        f:close()
      end
    end
    dir = dir or t:get("records_dir")
    name = name or t:get("records_name")
  end
  if dir == nil then return end
  local f = io.open(string.format("%s/%s.wrk.tsv", dir, name), "w")
  if f == nil then return end
  local e = summary.errors
  f:write("duration_us\trequests\tbytes\tconnect\tread\twrite\tstatus\ttimeout\tp50_us\tp99_us\tmax_us\n")
  f:write(table.concat({
    string.format("%d", summary.duration), string.format("%d", summary.requests), string.format("%d", summary.bytes),
    e.connect, e.read, e.write, e.status, e.timeout,
    string.format("%d", latency:percentile(50.0)), string.format("%d", latency:percentile(99.0)), string.format("%d", latency.max),
  }, "\t"), "\n")
  f:close()
end

return M
