-- retry_params.lua URL USERS: every request is throttled once by the
-- proxy and sent again after a backoff, while the garbage collector runs
-- between the attempts (the client's debug function collects on every
-- trace line, and IAMLUA_GC_STRESS may be set). Number, boolean and
-- string parameters go through every entry point: iam:call outside a
-- task (blocking), inside aws.parallel tasks, iam:paginate, and a nested
-- aws.parallel. The retried bodies must equal the first ones (the proxy
-- log is compared by test_lifetimes.py) and the answers must be right.
local aws = require "aws"
local C = dofile(arg[0]:match("^(.*)/[^/]*$") .. "/common.lua")
local url, nusers = arg[1], tonumber(arg[2])

local traced = 0
local iam = C.client(aws, url, { debug = function()
    traced = traced + 1
    collectgarbage("collect")
end })

-- Numbers built at run time, so no constant string of them exists.
local function n(x) return math.tointeger(x * 1) end

-- Blocking, outside any task.
local r, err = iam:call("ListUsers", { MaxItems = n(3), PathPrefix = "/" })
-- (moto answers ListUsers whole, whatever MaxItems says; the bytes sent
-- are checked at the proxy.)
C.check("blocking call with a number parameter, retried after GC",
    r and #r.Users == nusers, err)
r, err = iam:call("ListPolicies", { Scope = "Local", OnlyAttached = false,
    MaxItems = n(2) })
C.check("blocking call with boolean and number parameters, retried",
    r ~= nil, err)

-- The client's raw entry point, which takes already flattened pairs:
-- a number value there is converted by the C side (and must be copied,
-- not borrowed from a stack slot that is popped before the retry).
r, err = iam:_send("ListUsers", { { "MaxItems", n(3) }, { "PathPrefix", "/" } })
C.check("_send with a number value, blocking, retried after GC",
    r and #r.Users == nusers, err)
res = aws.parallel({ 4, 5 }, function(k)
    local page = iam:_send("ListUsers", { { "MaxItems", n(k) }, { "PathPrefix", "/" } })
    return page and #page.Users == nusers and k
end)
C.check("_send with number values in tasks, retried after GC",
    res[1] == 4 and res[2] == 5, ("%s %s"):format(res[1], res[2]))

-- Inside tasks, at once.
local sizes = { 1, 2, 4, 5 }
local res, errs = aws.parallel(sizes, function(k)
    local page, e = iam:call("ListUsers", { MaxItems = n(k), PathPrefix = "/" })
    if not page then return nil, e end
    return #page.Users == nusers and k
end, { concurrency = 4 })
local good = true
for i, k in ipairs(sizes) do good = good and res[i] == k end
C.check("tasks with number parameters, retried after GC", good,
    ("%s %s"):format(table.concat(res, ","), tostring(errs[1])))

-- paginate: MaxItems on every page, the Marker string from the answer.
local count = 0
for _ in iam:paginate("ListUsers", { MaxItems = n(7) }, "Users") do
    count = count + 1
end
C.check("paginate with a number parameter over retried pages",
    count == nusers, count)

-- Nested: per group, per size.
res = aws.parallel({ 1, 2 }, function(g)
    local inner = aws.parallel({ 1, 3 }, function(k)
        local page = iam:call("ListUsers", { MaxItems = n(k + g), PathPrefix = "/" })
        return page and #page.Users == nusers and k + g
    end, { concurrency = 2 })
    return inner[1] + inner[2]
end, { concurrency = 2 })
C.check("nested tasks with number parameters, retried",
    res[1] == 2 + 4 and res[2] == 3 + 5, ("%s %s"):format(res[1], res[2]))
C.check("the debug function ran (GC between attempts)", traced > 20, traced)
