-- An operator submitting applications, POST /api/v1/applications, each with its own child and Idempotency-Key.
dofile(os.getenv("KQ_SCRIPTS") .. "/count.lua")
local token = os.getenv("KQ_TOKEN")
local district, kindergarten = os.getenv("KQ_DISTRICT"), os.getenv("KQ_KINDERGARTEN")
local birth, desired = os.getenv("KQ_BIRTH"), os.getenv("KQ_DESIRED")
local counter = 0

function request()
  counter = counter + 1
  local key = string.format("overload-%d-%d-%d", math.random(1, 2^30), counter, os.time())
  local body = string.format('{"child":{"name":"Нагрузка %s","birthDate":"%s"},"parent":{"name":"Родитель %s","phone":"+7 900 000-00-00"},'
    .. '"district":"%s","preferences":["%s"],"desiredStart":"%s"}', key, birth, key, district, kindergarten, desired)
  return wrk.format("POST", "/api/v1/applications",
    { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token, ["Idempotency-Key"] = key }, body)
end
