-- aws.parallel: runs fn(item) for every item as a task (a coroutine). A
-- request inside a task parks it (the C side yields a private sentinel)
-- and the loop here resumes it when core.wait() reports its answer in, so
-- tasks read as sequential code while their requests overlap over kept-
-- alive connections. Policy lives here: concurrency cap, results in input
-- order, collect-all or fail-fast.
local core = require "aws.core"

local coroutine, debug, type, select, error, pcall = coroutine, debug, type, select, error, pcall
local setmetatable, ipairs, pairs, tostring, rawget = setmetatable, ipairs, pairs, tostring, rawget
local co_create, co_resume, co_status = coroutine.create, coroutine.resume, coroutine.status
local co_yield, co_running, co_close = coroutine.yield, coroutine.running, coroutine.close
local table_pack, table_unpack = table.pack, table.unpack

local SENTINEL = core.sentinel
local M = {}

-- The task each coroutine runs for (weak: coroutines die freely).
local task_of = setmetatable({}, { __mode = "k" })
local tasks = setmetatable({}, { __mode = "k" })

-- coroutine.resume that passes host yields outward: when the inner
-- coroutine parks on a request, the current task parks too, and when the
-- task is resumed the inner coroutine is resumed in turn (NSE does this in
-- nse_main.lua). Outside tasks it behaves exactly like the original.
local function resume(co, ...)
    local cur = co_running()
    local task = task_of[cur] or (tasks[cur] and cur)
    if task and task_of[co] == nil then task_of[co] = task end
    local r = table_pack(co_resume(co, ...))
    while task and r[1] and r[2] == SENTINEL and co_status(co) == "suspended" do
        co_yield(SENTINEL)
        r = table_pack(co_resume(co))
    end
    return table_unpack(r, 1, r.n)
end

local function wrap(f)
    local co = co_create(f)
    return function(...)
        local r = table_pack(resume(co, ...))
        if not r[1] then
            local e = r[2]
            if type(e) == "string" then error(e, 0) end
            error(e, 0)
        end
        return table_unpack(r, 2, r.n)
    end
end

-- Installed once when `aws` loads, so user code that takes
-- coroutine.resume/wrap later gets the task-aware versions.
function M.install()
    coroutine.resume = resume
    coroutine.wrap = wrap
end

local function traceback_of(co, e)
    if type(e) == "table" then
        if rawget(e, "traceback") == nil then
            pcall(function() e.traceback = debug.traceback(co, tostring(e)) end)
        end
        return e
    end
    return debug.traceback(co, tostring(e))
end

-- A progress reporter drawing one line on stderr (done/total, rate,
-- errors, ETA), redrawn at most ten times a second; progress(nil) clears it.
function M.progress_line(total)
    local start, last = core.monotonic(), 0
    local stderr = io.stderr
    return function(done, _, failed)
        if done == nil then
            stderr:write("\r\27[K")
            return
        end
        local now = core.monotonic()
        if now - last < 0.1 and done < total then return end
        last = now
        local rate = done / math.max(now - start, 1e-6)
        local eta = rate > 0 and (total - done) / rate or 0
        stderr:write(("\r\27[K%d/%d  %.0f/s  %d errors  ETA %ds"):format(
            done, total, rate, failed, math.floor(eta + 0.5)))
        stderr:flush()
    end
end

function M.parallel(list, fn, opts)
    if type(list) ~= "table" then
        error("bad argument #1 to 'parallel' (table expected, got " .. type(list) .. ")", 2)
    end
    if type(fn) ~= "function" then
        error("bad argument #2 to 'parallel' (function expected, got " .. type(fn) .. ")", 2)
    end
    opts = opts or {}
    local limit = opts.concurrency or 16
    if type(limit) ~= "number" or limit < 1 then
        error("bad argument #3 to 'parallel' (concurrency must be a positive number)", 2)
    end
    local n = #list
    local results, errors = {}, {}
    local index, running, nexti, stop = {}, 0, 1, false
    local live = {}
    local progress = opts.progress
    if progress == nil and n > 1 and core.isatty(2) then
        progress = M.progress_line(n)
    end

    local done, failed = 0, 0
    local function step(co, ...)
        local r = table_pack(co_resume(co, ...))
        local i = index[co]
        if not r[1] then
            errors[i] = traceback_of(co, r[2])
            failed = failed + 1
            if opts.fail_fast then stop = true end
        elseif co_status(co) ~= "dead" then
            if r[2] == SENTINEL then return end -- parked on a request
            errors[i] = traceback_of(co, "attempt to yield from a task")
            failed = failed + 1
        else
            results[i] = r[2]
        end
        running = running - 1
        live[co] = nil
        index[co] = nil -- a finished task keeps nothing (10,000-task runs)
        done = done + 1
        if progress then progress(done, n, failed) end
    end

    local function run()
        while true do
            while not stop and running < limit and nexti <= n do
                local co = co_create(fn)
                tasks[co] = true
                index[co] = nexti
                live[co] = true
                running = running + 1
                nexti = nexti + 1
                step(co, list[nexti - 1])
            end
            if running == 0 or stop then return end
            for _, th in ipairs(core.wait(100)) do
                local task = task_of[th] or th
                if live[task] and not stop then step(task) end
            end
        end
    end

    core.sched_enter()
    local ok, err = pcall(run)
    core.sched_leave()
    if progress and progress ~= opts.progress then progress(nil) end
    -- Abandoned tasks (fail-fast, or an error in the loop): cancel their
    -- requests so nothing stays in flight, then close them.
    for co in pairs(live) do
        core.cancel(co)
        for th, t in pairs(task_of) do
            if t == co then core.cancel(th) end
        end
        co_close(co)
    end
    if not ok then error(err, 0) end
    return results, errors
end

return M
