-- A parent's position lookup, POST /api/v1/public/positions with a demo application's number and code.
dofile(os.getenv("KQ_SCRIPTS") .. "/count.lua")
local body = string.format('{"number":"%s","accessCode":"%s"}', os.getenv("KQ_NUMBER"), os.getenv("KQ_CODE"))

function request()
  return wrk.format("POST", "/api/v1/public/positions", { ["Content-Type"] = "application/json" }, body)
end
