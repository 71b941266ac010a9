-- parallel.lua URL ADMIN_KEYS_FILE: the scheduler's cases against moto,
-- run by test_parallel.py. Prints `ok - NAME` / `not ok - NAME: DETAIL`.
local aws = require "aws"
local url, keyfile = arg[1], arg[2]

local keys = {}
for line in io.lines(keyfile) do keys[#keys + 1] = line end

local function check(name, cond, detail)
    print((cond and "ok - " or "not ok - ") .. name .. (cond and "" or ": " .. tostring(detail)))
end

local iam = aws.client("iam", { endpoint_url = url, region = "us-east-1" })

local function last_used(k)
    local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = k })
    if not r then error(err) end
    return r.UserName
end

-- Results in input order, identical at concurrency 1 and 16.
local r1 = aws.parallel(keys, last_used, { concurrency = 1 })
local r16 = aws.parallel(keys, last_used, { concurrency = 16 })
local same = #r1 == #keys
for i = 1, #keys do same = same and r1[i] == r16[i] and r1[i] == "p" .. (i - 1) end
check("results in input order, concurrency 1 == 16", same, table.concat(r16, ","))

-- A task that raises keeps its traceback and loses nobody else's result.
local res, errs = aws.parallel(keys, function(k)
    if k == keys[5] then error("boom in task") end
    return last_used(k)
end, { concurrency = 8 })
local others = 0
for i = 1, #keys do if res[i] then others = others + 1 end end
check("a raising task is reported with its traceback",
    errs[5] and tostring(errs[5]):find("boom in task", 1, true)
        and tostring(errs[5]):find("stack traceback", 1, true), errs[5])
check("other tasks keep their results", others == #keys - 1 and res[6] == "p5", others)

-- A task whose requests all fail: nil, err with the service's code.
res, errs = aws.parallel({ "AKIAAAAAAAAAAAAAAAAA", "AKIAAAAAAAAAAAAAAAAB" }, function(k)
    local r, err = iam:call("GetAccessKeyLastUsed", { AccessKeyId = k })
    return r or err.code
end, { concurrency = 2 })
check("failing requests return nil, err inside tasks",
    res[1] == "NoSuchEntity" and res[2] == "NoSuchEntity", tostring(res[1]))

-- fail_fast: the rest are cancelled, nothing stays in flight.
local started = 0
res, errs = aws.parallel(keys, function(k)
    started = started + 1
    if k == keys[2] then error("stop here") end
    return last_used(k)
end, { concurrency = 4, fail_fast = true })
check("fail_fast stops starting tasks", started < #keys, started)
check("fail_fast leaves no request in flight", require("aws.core").in_flight() == 0,
    require("aws.core").in_flight())

-- User coroutines inside tasks (an iterator built on coroutine.wrap).
local function pages(ks)
    return coroutine.wrap(function()
        for _, k in ipairs(ks) do coroutine.yield(k, last_used(k)) end
    end)
end
res = aws.parallel({ { keys[1], keys[2] }, { keys[3], keys[4] } }, function(pair)
    local names = {}
    for _, name in pages(pair) do names[#names + 1] = name end
    return table.concat(names, "+")
end, { concurrency = 2 })
check("coroutine.wrap iterators work inside tasks", res[1] == "p0+p1" and res[2] == "p2+p3",
    tostring(res[1]) .. " " .. tostring(res[2]))

-- The same call outside any task blocks and returns.
check("iam:call outside a task blocks", last_used(keys[1]) == "p0")

-- Many tasks: memory stays bounded (peak RSS is measured by the caller).
local many = {}
local n = tonumber(os.getenv("MANY") or "10000")
for i = 1, n do many[i] = keys[(i - 1) % #keys + 1] end
local t0 = require("aws.core").monotonic()
res, errs = aws.parallel(many, function(k) return last_used(k) ~= nil end, { concurrency = 64 })
local good = 0
for i = 1, n do if res[i] then good = good + 1 end end
check(("%d tasks at concurrency 64 (%.1f s)"):format(n, require("aws.core").monotonic() - t0),
    good == n, good)
