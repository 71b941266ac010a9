-- calls.lua URL SPEC_JSON: phases of GetAccessKeyLastUsed calls through one
-- client, for test_retries.py (adaptive rate limiting, retry quota).
-- SPEC: { client = { retry_mode =, max_attempts = } (omitted: from env/config),
--         phases = { { key = ID, n = N, concurrency = C }, ... } }
-- concurrency 1 runs the phase as a plain loop (no aws.parallel).
-- Prints one JSON line: { phases = { { ok = K, messages = { [msg] = count } } },
--                         secs = S }.  Its twin for botocore is in test_retries.py.
local aws = require "aws"
local core = require "aws.core"
local url, spec = arg[1], aws.json.decode(arg[2])

local opts = { endpoint_url = url, region = "us-east-1" }
local c = spec.client
if c ~= nil and c ~= aws.null then
    if c.retry_mode ~= nil then opts.retry_mode = c.retry_mode end
    if c.max_attempts ~= nil then opts.max_attempts = math.tointeger(c.max_attempts) end
end
local iam = aws.client("iam", opts)

local function one(key)
    local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = key })
    if r then return "ok" end
    return tostring(err)
end

local out = { phases = {} }
local t0 = core.monotonic()
for _, ph in ipairs(spec.phases) do
    local n, conc = math.tointeger(ph.n), math.tointeger(ph.concurrency or 1)
    assert(n and n >= 1 and n <= 1000, "phase n must be 1..1000")
    local res = {}
    if conc == 1 then
        for i = 1, n do res[i] = one(ph.key) end
    else
        local list = {}
        for i = 1, n do list[i] = ph.key end
        local r, errs = aws.parallel(list, one, { concurrency = conc })
        for i = 1, n do res[i] = r[i] or ("raised: " .. tostring(errs and errs[i])) end
    end
    local okc, msgs = 0, {}
    for i = 1, n do
        if res[i] == "ok" then okc = okc + 1 else msgs[res[i]] = (msgs[res[i]] or 0) + 1 end
    end
    out.phases[#out.phases + 1] = { ok = okc, messages = msgs }
end
out.secs = core.monotonic() - t0
print(aws.json.encode(out))
