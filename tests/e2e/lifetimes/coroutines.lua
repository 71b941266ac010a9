-- coroutines.lua URL: the scheduler's coroutine handling (issue 17 item
-- 13): tasks that yield something else, coroutine.wrap closing what it
-- must, a parked task resumed by hand, deadlocks reported, aws.once.
-- `coroutine.wrap`'s behaviour outside tasks is compared with lua5.4's
-- by test_lifetimes.py (wrap_semantics.lua run by both).
local aws = require "aws"
local core = require "aws.core"
local C = dofile(arg[0]:match("^(.*)/[^/]*$") .. "/common.lua")
local url = arg[1]
local iam = C.client(aws, url)

-- A task that yields a value of its own is an error, and it is closed:
-- its to-be-closed variables run.
local closed = false
local res, errs = aws.parallel({ 1 }, function()
    local _ <close> = setmetatable({}, { __close = function() closed = true end })
    coroutine.yield("not the host's")
    return "not reached"
end)
C.check("a task yielding its own value is an error",
    res[1] == nil and tostring(errs[1]):find("attempt to yield from a task", 1, true),
    errs[1])
C.check("... and its <close> variables run", closed)

-- A task that raises is closed too.
closed = false
res, errs = aws.parallel({ 1 }, function()
    local _ <close> = setmetatable({}, { __close = function() closed = true end })
    error("boom")
end)
C.check("a raising task's <close> variables run", closed and errs[1] ~= nil, errs[1])

-- nil, err from a task is recorded as its error.
res, errs = aws.parallel({ "AKIAAAAAAAAAAAAAAAAA", "ok" }, function(k)
    if k == "ok" then return "fine" end
    return iam:call("GetAccessKeyLastUsed", { AccessKeyId = k })
end)
C.check("a task returning nil, err records errors[i] = err",
    res[1] == nil and errs[1] and errs[1].code == "NoSuchEntity"
        and res[2] == "fine" and errs[2] == nil, tostring(errs[1]))

-- coroutine.wrap inside a task: an error in the wrapped function closes
-- its to-be-closed variables (as lua5.4's wrap does) and propagates.
closed = false
res, errs = aws.parallel({ 1 }, function()
    local f = coroutine.wrap(function()
        local _ <close> = setmetatable({}, { __close = function() closed = true end })
        iam:call("ListUsers", { MaxItems = 1 }) -- parks through the wrap
        error("inner")
    end)
    local ok, e = pcall(f)
    return (not ok) and tostring(e)
end)
C.check("wrap in a task: a parked wrapped function that errors is closed",
    closed and res[1] and res[1]:find("inner", 1, true), res[1] or errs[1])

-- A parked task belongs to its scheduler: coroutine.resume refuses it.
-- Resumed anyway through the original resume (dug out of the wrapper's
-- upvalues, as a C module calling lua_resume would), it is never handed
-- an unfinished answer: it parks again and gets its real one.
local raw_resume
for i = 1, 20 do
    local name, v = debug.getupvalue(coroutine.resume, i)
    if name == "co_resume" then raw_resume = v end
    if not name then break end
end
local victim
res, errs = aws.parallel({ "victim", "meddler" }, function(role)
    if role == "victim" then
        victim = coroutine.running()
        local r, e = iam:call("ListUsers", { PathPrefix = "/slow1/" })
        return r and ("answered " .. #r.Users) or tostring(e)
    end
    iam:call("ListUsers", { MaxItems = 1 })
    local ok, msg = coroutine.resume(victim)
    local refused = not ok and msg == "cannot resume a task of aws.parallel"
    raw_resume(victim) -- the victim's request is still in flight
    return refused
end, { concurrency = 2 })
C.check("coroutine.resume refuses a parked task", res[2] == true, res[2])
C.check("a parked task resumed by lua_resume anyway gets its real answer",
    res[1] == "answered 0", tostring(res[1]) .. " " .. tostring(errs[1]))

-- Deadlock: two once-values waiting on each other, raised, not spun.
local o1, o2
o1 = aws.once(function() iam:call("ListUsers", { MaxItems = 1 }); return o2() end)
o2 = aws.once(function() iam:call("ListUsers", { MaxItems = 1 }); return o1() end)
local t0 = core.monotonic()
local ok, e = pcall(aws.parallel, { 1, 2 }, function(i)
    if i == 1 then return o1() else return o2() end
end)
C.check("a deadlock is raised", not ok and tostring(e):find("deadlock", 1, true), e)
C.check("... promptly", core.monotonic() - t0 < 5, core.monotonic() - t0)

-- The same in a nested scheduler: the outer loop reports it.
o1 = aws.once(function() iam:call("ListUsers", { MaxItems = 1 }); return o2() end)
o2 = aws.once(function() iam:call("ListUsers", { MaxItems = 1 }); return o1() end)
ok, e = pcall(aws.parallel, { 1 }, function()
    return aws.parallel({ 1, 2 }, function(i)
        if i == 1 then return o1() else return o2() end
    end)
end)
res = ok and e -- parallel returns results; the inner error is the task's
C.check("a deadlock inside a nested aws.parallel is raised", not ok or
    (type(e) == "table" and e[1] == nil), tostring(e))

-- aws.once: five tasks ask at once, one request is made.
local calls = 0
local users = aws.once(function()
    calls = calls + 1
    return iam:call("ListUsers", { PathPrefix = "/slow1/" })
end)
res = aws.parallel({ 1, 2, 3, 4, 5 }, function() return users() end, { concurrency = 5 })
local same = true
for i = 2, 5 do same = same and res[i] == res[1] end
C.check("aws.once: five concurrent askers share one call", calls == 1 and same and res[1] ~= nil, calls)
C.check("aws.once: a later asker gets the value at once", users() == res[1])
local bad = aws.once(function() error("denied") end)
local r1 = { pcall(bad) }
local r2 = { pcall(bad) }
C.check("aws.once: an error is raised to every caller",
    r1[1] == false and r2[1] == false and tostring(r2[2]):find("denied", 1, true), r2[2])
local rec
rec = aws.once(function() return rec() end)
ok, e = pcall(rec)
C.check("aws.once: calling itself is an error, not a hang",
    not ok and tostring(e):find("its own function", 1, true), e)
-- aws.sleep: tasks sleep at once, not one after another; a sleeping
-- task beside a request is not a deadlock; outside tasks it blocks.
t0 = core.monotonic()
res = aws.parallel({ 0.4, 0.3, 0.2, "call" }, function(x)
    if x == "call" then
        return (iam:call("ListUsers", { MaxItems = 1 })) ~= nil
    end
    aws.sleep(x)
    return core.monotonic() - t0
end, { concurrency = 4 })
local took = core.monotonic() - t0
C.check("aws.sleep parks tasks side by side (0.4 s in all, not 0.9 s)",
    took >= 0.39 and took < 0.75 and res[3] < res[1] and res[4] == true,
    ("%.2f %s %s"):format(took, tostring(res[3]), tostring(res[1])))
res = aws.parallel({ 1 }, function()
    return aws.parallel({ 0.2, 0.1 }, function(x) aws.sleep(x); return x end)[1]
end)
C.check("aws.sleep in a nested aws.parallel", res[1] == 0.2, res[1])
t0 = core.monotonic()
aws.sleep(0.1)
C.check("aws.sleep outside tasks blocks for the time asked",
    core.monotonic() - t0 >= 0.099, core.monotonic() - t0)
ok, e = pcall(aws.sleep, -1)
C.check("aws.sleep(-1) raises", not ok and tostring(e):find("non-negative", 1, true), e)

ok, e = pcall(aws.parallel, { 1 }, function() end, { concurency = 4 })
C.check("aws.parallel refuses a misspelt option, naming the right one",
    not ok and tostring(e):find("unknown option 'concurency'; did you mean 'concurrency'", 1, true), e)
ok, e = pcall(aws.parallel, { 1 }, function() end, { fail_fast = true, progress = 3 })
C.check("aws.parallel refuses a progress that is not a function",
    not ok and tostring(e):find("progress must be a function or false", 1, true), e)
ok = pcall(aws.parallel, { 1 }, function() end, { progress = false })
C.check("aws.parallel takes progress = false (no progress line)", ok)

C.check("nothing left in flight", core.in_flight() == 0, core.in_flight())
