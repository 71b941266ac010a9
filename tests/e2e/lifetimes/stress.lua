-- stress.lua URL SEED: a randomised scheduler run (issue 17's stress
-- target). From SEED it builds a tree of nested aws.parallel runs (depth
-- 1-3, 1-8 tasks each, random concurrency and fail_fast), whose tasks make
-- 1-3 requests each through clients that siblings may close at any time,
-- share aws.once values, raise, return nil, err, and run the collector at
-- random points. The server behind the fault proxy (test_stress.py)
-- throttles, fails, stalls and resets at random and answers each
-- GetAccessKeyLastUsed with UserName = "u-" .. AccessKeyId, so a mixed-up
-- or corrupted answer shows. Every task records what it will return;
-- every aws.parallel's results and errors must say exactly that. Prints
-- `ok - seed N: ...` or `not ok - seed N: ...` lines.
local aws = require "aws"
local core = require "aws.core"
local url, seed = arg[1], tonumber(arg[2])
math.randomseed(seed)
local random = math.random

local failures = {}
local function fail(fmt, ...) failures[#failures + 1] = fmt:format(...) end

local ALLOWED = { Throttling = true, InternalFailure = true, ClientClosed = true,
    ConnectionClosedError = true, ReadTimeoutError = true,
    EndpointConnectionError = true }

local nextkey = 0
local function newkey()
    nextkey = nextkey + 1
    return ("AKIA%04d%012d"):format(seed % 10000, nextkey)
end

local clients = {}
local function new_client()
    local c = aws.client("iam", { endpoint_url = url, region = "us-east-1",
        max_attempts = random(1, 3), read_timeout = 2, connect_timeout = 2,
        ca_bundle = random() < 0.5 and "/etc/ssl/certs/ca-certificates.crt" or nil })
    clients[#clients + 1] = c
    return c
end

local function maybe_gc()
    local x = random()
    if x < 0.1 then collectgarbage("collect")
    elseif x < 0.3 then collectgarbage("step", random(1, 50)) end
end

-- One request: checks what came back; returns "ok"/"err"/"closed".
local function request(c)
    local key = newkey()
    maybe_gc()
    local ok, r, err = pcall(c.call, c, "GetAccessKeyLastUsed", { AccessKeyId = key })
    maybe_gc()
    if not ok then
        if not tostring(r):find("closed client", 1, true) then
            fail("call raised %s", tostring(r))
        end
        return "closed"
    end
    if r then
        if r.UserName ~= "u-" .. key then
            fail("answer for %s names %s", key, tostring(r.UserName))
        end
        return "ok"
    end
    if type(err) ~= "table" or not ALLOWED[err.code] then
        fail("unexpected error for %s: %s (%s)", key, tostring(err),
            type(err) == "table" and tostring(err.code) or "?")
    end
    return "err"
end

local shared = {}
for i = 1, 3 do
    shared[i] = aws.once(function()
        return request(clients[1] or new_client())
    end)
end

local run_level

-- A task: does some work, then says what it returns (and returns it).
local function task_body(level, c, id, depth)
    local plan = random()
    for _ = 1, random(0, 3) do request(c) end
    if random() < 0.15 then
        local ok, v = pcall(shared[random(1, #shared)])
        if not ok and not tostring(v):find("abandoned", 1, true) then
            fail("aws.once raised %s", tostring(v))
        end
    end
    if random() < 0.1 then -- close the subtree's client under the others
        getmetatable(c).__close(c)
    end
    if level < depth and random() < 0.6 then
        run_level(level + 1, depth, random() < 0.5 and c or new_client())
    end
    maybe_gc()
    if plan < 0.1 then error({ id = id }) end
    if plan < 0.2 then return nil, { id = id } end
    return id
end

run_level = function(level, depth, c)
    local n = random(1, 8)
    local list = {}
    for i = 1, n do list[i] = ("L%d-%d-%d"):format(level, i, random(1, 1e6)) end
    local fail_fast = random() < 0.15
    local res, errs = aws.parallel(list, function(id)
        return task_body(level, c, id, depth)
    end, { concurrency = random(1, 4), fail_fast = fail_fast })
    local seen_fail = false
    for i, id in ipairs(list) do
        local r, e = res[i], errs[i]
        if r ~= nil then
            if r ~= id then fail("results[%d] = %s, want %s", i, tostring(r), id) end
            if e ~= nil then fail("task %s has a result and an error", id) end
        elseif e ~= nil then
            seen_fail = true
            local eid = type(e) == "table" and e.id
            if eid ~= id and not (type(e) == "string" and e:find("closed client", 1, true))
                and not tostring(e):find("interrupted", 1, true) then
                fail("errors[%d] = %s, want the error of %s", i, tostring(eid or e), id)
            end
        elseif not fail_fast or not seen_fail then
            -- Without fail-fast every task ends with a result or an error.
            if not fail_fast then fail("task %s ended with neither result nor error", id) end
        end
    end
end

local t0 = core.monotonic()
local depth = random(1, 3)
run_level(1, depth, new_client())
if core.in_flight() ~= 0 then fail("%d requests left in flight", core.in_flight()) end
for _, c in ipairs(clients) do
    if random() < 0.5 then getmetatable(c).__close(c) end
end
collectgarbage("collect")
local secs = core.monotonic() - t0
if #failures == 0 then
    print(("ok - seed %d: depth %d, %d requests, %.1f s"):format(seed, depth, nextkey, secs))
else
    print(("not ok - seed %d: %s"):format(seed, table.concat(failures, "; "):sub(1, 600)))
end
