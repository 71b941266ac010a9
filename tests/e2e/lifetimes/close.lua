-- close.lua URL: closing a client while its calls are in progress, in
-- every state a request can be in. The proxy (test_lifetimes.py) answers
-- ListUsers with PathPrefix /slow/ after 2 s, throttles /queued/ (so the
-- call waits out a backoff) and passes the rest at once.
local aws = require "aws"
local core = require "aws.core"
local C = dofile(arg[0]:match("^(.*)/[^/]*$") .. "/common.lua")
local url = arg[1]

local function closed(e)
    return e and e.code == "ClientClosed" and e.kind == "usage"
end

-- Whether each of res[1..n] is "answered" or "cancelled", and how many
-- were cancelled.
local function tally(res, n)
    local ok, cancelled = true, 0
    for i = 1, n do
        ok = ok and (res[i] == "answered" or res[i] == "cancelled")
        if res[i] == "cancelled" then cancelled = cancelled + 1 end
    end
    return ok, cancelled
end

-- Parked in flight: the answer is 2 s away when another task closes.
do
    local c = C.client(aws, url)
    local t0 = core.monotonic()
    local res = aws.parallel({ "wait", "close" }, function(role)
        if role == "wait" then
            local r, e = c:call("ListUsers", { PathPrefix = "/slow/" })
            return { r = r, e = e, t = core.monotonic() - t0 }
        end
        c:call("ListUsers", { MaxItems = 1 }) -- lets the other start
        getmetatable(c).__close(c)
        return true
    end, { concurrency = 2 })
    local w = res[1]
    C.check("a parked call of a closed client returns nil, ClientClosed",
        w and w.r == nil and closed(w.e), w and tostring(w.e))
    C.check("... at once, not when the answer would have come",
        w and w.t < 1.5, w and w.t)
    C.check("nothing stays in flight after the close", core.in_flight() == 0,
        core.in_flight())
end

-- Waiting out a backoff (queued): several calls, so that some are queued
-- when the close comes (each backoff is a random fraction of a second).
do
    local c = C.client(aws, url)
    local n = 8
    local list = {}
    for i = 1, n do list[i] = i end
    list[n + 1] = "close"
    local res = aws.parallel(list, function(i)
        if i == "close" then
            c:call("ListUsers", { PathPrefix = "/slow2/" }) -- 0.3 s
            getmetatable(c).__close(c)
            return "closed"
        end
        local r, e = c:call("ListUsers", { PathPrefix = "/queued/" .. i .. "/" })
        if r then return "answered" end
        return closed(e) and "cancelled" or tostring(e)
    end, { concurrency = n + 1 })
    local ok, cancelled = tally(res, n)
    C.check("calls waiting out a backoff end answered or ClientClosed",
        ok and res[n + 1] == "closed", table.concat(res, ","))
    C.check("some were cancelled while queued", cancelled > 0, cancelled)
    C.check("nothing queued stays in the transport", core.in_flight() == 0,
        core.in_flight())
end

-- Waiting for an adaptive send token. After one throttle the limiter
-- sends about 0.5/s, so of eight calls most wait in the transport for
-- admission, the one state in which a request points into its session,
-- when a sibling closes the client.
do
    local c = C.client(aws, url, { retry_mode = "adaptive", max_attempts = 5 })
    local first = c:call("ListUsers", { PathPrefix = "/queued/adaptive/" })
    local n, list = 8, {}
    for i = 1, n do list[i] = i end
    list[n + 1] = "close"
    local t0 = core.monotonic()
    local res = aws.parallel(list, function(i)
        if i == "close" then
            aws.sleep(0.3)
            getmetatable(c).__close(c)
            return "closed"
        end
        local r, e = c:call("ListUsers", { MaxItems = i })
        if r then return "answered" end
        return closed(e) and "cancelled" or tostring(e)
    end, { concurrency = n + 1 })
    local secs = core.monotonic() - t0
    local ok, cancelled = tally(res, n)
    ok = ok and first ~= nil
    C.check("calls waiting for an adaptive send token end answered or ClientClosed",
        ok and res[n + 1] == "closed", table.concat(res, ","))
    C.check("... most of them cancelled, at once (not at 0.5/s)",
        cancelled >= n / 2 and secs < 1.5, ("%d cancelled, %.2f s"):format(cancelled, secs))
    C.check("nothing waiting for a token stays in the transport",
        core.in_flight() == 0, core.in_flight())
end

-- Closed by a <close> variable going out of scope in a sibling task.
do
    local res = aws.parallel({ 1 }, function()
        local c <close> = C.client(aws, url)
        local inner = aws.parallel({ "wait", "leave" }, function(role)
            if role == "leave" then return "left" end
            local r, e = c:call("ListUsers", { PathPrefix = "/slow/" })
            return r and "answered" or (closed(e) and "cancelled" or tostring(e))
        end, { concurrency = 2, fail_fast = false })
        return inner[1]
    end)
    C.check("a call completes when its client's scope waits for it",
        res[1] == "answered", res[1])
end

-- Closed from its own debug function, in the middle of a blocking call.
do
    local c
    c = C.client(aws, url, { debug = function(line)
        if line:find("^Sending") then getmetatable(c).__close(c) end
    end })
    local r, e = c:call("ListUsers", { MaxItems = 1 })
    C.check("a client closed from its debug function: nil, ClientClosed",
        r == nil and closed(e), tostring(e))
    local ok, msg = pcall(c.call, c, "ListUsers", {})
    C.check("the closed client then refuses calls",
        not ok and tostring(msg):find("closed client", 1, true), msg)
end

-- A client closed while unused, then collected; others keep working.
do
    local c = C.client(aws, url)
    getmetatable(c).__close(c)
    getmetatable(c).__close(c) -- twice is harmless
    c = nil
    collectgarbage("collect")
    local d = C.client(aws, url)
    local r, e = d:call("ListUsers", { MaxItems = 1 })
    C.check("other clients are unaffected", r ~= nil, e)
end
