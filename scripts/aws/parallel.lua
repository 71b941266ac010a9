-- aws.parallel: runs fn(item) for every item as a task (a coroutine). A
-- request inside a task parks it (the C side yields a private sentinel)
-- and a scheduler here resumes it when core.wait() reports its answer in,
-- so tasks read as sequential code while their requests overlap over
-- kept-alive connections. Policy lives here: concurrency cap, results in
-- input order, collect-all or fail-fast.
--
-- Composition (docs/LIFETIMES.md): every aws.parallel call is a scheduler
-- with its own ready queue. Only the outermost one waits on the transport;
-- each completion is routed to the scheduler that owns the task, so one
-- scheduler's completions reach only that scheduler. An aws.parallel
-- inside a task of another is a sub-task of it: when none of its tasks is
-- ready it parks its host task like a request does, and the outer loop
-- resumes the host when one of its tasks is woken. Tasks parked with
-- nothing in flight and nothing ready is a deadlock: it is raised, never
-- spun on.
local core = require "aws.core"

local coroutine, debug, type, error, pcall = coroutine, debug, type, error, pcall
local setmetatable, pairs, tostring, rawget = setmetatable, pairs, tostring, rawget
local co_create, co_resume, co_status = coroutine.create, coroutine.resume, coroutine.status
local co_yield, co_running, co_close = coroutine.yield, coroutine.running, coroutine.close
local co_isyieldable = coroutine.isyieldable
local table_pack, table_unpack = table.pack, table.unpack
local core_wait, core_cancel, core_in_flight = core.wait, core.cancel, core.in_flight
local core_ready_count, core_interrupted = core.ready_count, core.interrupted
local core_cwrap, core_sleep, core_monotonic = core.cwrap, core.sleep, core.monotonic

local SENTINEL = core.sentinel
local M = {}

-- The task a coroutine works for: a task maps to itself; a coroutine a
-- task resumes (coroutine.wrap iterators, user coroutines) maps to the
-- task that resumed it last. Weak: coroutines die freely.
local task_of = setmetatable({}, { __mode = "k" })
-- The scheduler that runs each task.
local owner = setmetatable({}, { __mode = "k" })

-- coroutine.resume that passes host yields outward: when the inner
-- coroutine parks (on a request, an inner scheduler, aws.once), the task
-- parks too, and when the task is resumed the inner coroutine is resumed
-- in turn (NSE does this in nse_main.lua). Outside tasks it behaves
-- exactly like the original.
local function resume(co, ...)
    local s = owner[co]
    if s and s.live[co] then
        -- Its scheduler resumes it when what it waits for is done.
        return false, "cannot resume a task of aws.parallel"
    end
    local task = task_of[co_running()]
    -- A task resumed by hand from another keeps its own identity.
    if task and owner[co] == nil then task_of[co] = task end
    local r = table_pack(co_resume(co, ...))
    while task and r[1] and r[2] == SENTINEL and co_status(co) == "suspended" do
        co_yield(SENTINEL)
        r = table_pack(co_resume(co))
    end
    return table_unpack(r, 1, r.n)
end

-- coroutine.wrap over the resume above, with lua5.4's auxwrap semantics:
-- a coroutine that dies of an error has its pending to-be-closed
-- variables closed before the error propagates, and a string error gets
-- the caller's position.
local function wrap(f)
    if type(f) ~= "function" then
        error("bad argument #1 to 'coroutine.wrap' (function expected, got "
            .. (f == nil and "no value" or type(f)) .. ")", 2)
    end
    local co = co_create(f)
    return core_cwrap(function(...)
        local r = table_pack(resume(co, ...))
        if r[1] then return table_unpack(r, 2, r.n) end
        local e = r[2]
        if co_status(co) == "dead" then
            local ok, ce = co_close(co)
            if not ok then e = ce end
        end
        error(e, 0) -- core.cwrap adds the caller's position to a string
    end)
end

-- Installed once when `aws` loads, so user code that takes
-- coroutine.resume/wrap later gets the task-aware versions. Both behave
-- as the originals outside tasks.
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

-- Puts a parked task on its scheduler's ready queue. When that scheduler
-- is itself parked inside a task of another, that host task is woken in
-- turn, up to a scheduler that is running or already has it queued.
local function wake(task)
    local s = owner[task]
    while s and s.live[task] and not s.queued[task] do
        s.queued[task] = true
        s.tail = s.tail + 1
        s.ready[s.tail] = task
        if not s.parked then return end
        task, s = s.host, owner[s.host]
    end
end

-- Tasks in aws.sleep: { t = monotonic deadline, task = task }, sorted
-- by deadline. Whichever loop waits on the transport wakes them.
local sleepers = {}

local function wake_sleepers()
    local now = core_monotonic()
    while sleepers[1] and sleepers[1].t <= now do
        wake(table.remove(sleepers, 1).task)
    end
end

-- Waits for completions (or the next sleeper's deadline, at most 100 ms)
-- and routes them; returns how many came.
local function wait_and_route()
    local timeout = 100
    if sleepers[1] then
        local ms = math.ceil((sleepers[1].t - core_monotonic()) * 1000)
        timeout = math.max(0, math.min(timeout, ms))
        if core_in_flight() == 0 and core_ready_count() == 0 then
            core_sleep(timeout / 1000) -- nothing to poll: just wait
        end
    end
    local ths = core_wait(timeout)
    for k = 1, #ths do
        local th = ths[k]
        wake(task_of[th] or th)
    end
    wake_sleepers()
    return #ths
end

local function next_ready(s)
    if s.head > s.tail then return nil end
    local task = s.ready[s.head]
    s.ready[s.head] = nil
    s.head = s.head + 1
    s.queued[task] = nil
    return task
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

-- Cancels the requests of a scheduler's live tasks and closes them (their
-- to-be-closed variables run; a host task's inner scheduler abandons its
-- own tasks the same way).
local function abandon(s)
    for co in pairs(s.live) do
        s.live[co] = nil
        core_cancel(co)
        for th, t in pairs(task_of) do
            if t == co and th ~= co then core_cancel(th) end
        end
        co_close(co)
    end
end

local OPTIONS = { concurrency = true, fail_fast = true, progress = true }

local function closest_option(k)
    local ratio, best, score = require("cli.argparse").ratio, nil, 0.6
    for name in pairs(OPTIONS) do
        local r = ratio(k, name)
        if r >= score then best, score = name, r end
    end
    return best
end

local function deadlock(s)
    return ("aws.parallel: deadlock: %d task(s) waiting with no request "
        .. "in flight and nothing ready"):format(s.running)
end

function M.parallel(list, fn, opts)
    if type(list) ~= "table" then
        error("bad argument #1 to 'parallel' (table expected, got " .. type(list) .. ")", 2)
    end
    if type(fn) ~= "function" then
        error("bad argument #2 to 'parallel' (function expected, got " .. type(fn) .. ")", 2)
    end
    opts = opts or {}
    if type(opts) ~= "table" then
        error("bad argument #3 to 'parallel' (table expected, got " .. type(opts) .. ")", 2)
    end
    for k in pairs(opts) do
        if not OPTIONS[k] then -- a misspelt option must not be ignored
            local near = type(k) == "string" and closest_option(k)
            error(("bad argument #3 to 'parallel' (unknown option '%s'%s)"):format(
                tostring(k), near and ("; did you mean '" .. near .. "'?") or ""), 2)
        end
    end
    if opts.progress ~= nil and opts.progress ~= false
        and type(opts.progress) ~= "function" then
        -- false: no progress line even on a terminal
        error("bad argument #3 to 'parallel' (progress must be a function or false)", 2)
    end
    local limit = opts.concurrency or 16
    if type(limit) ~= "number" or limit < 1 then
        error("bad argument #3 to 'parallel' (concurrency must be a positive number)", 2)
    end
    local n = #list
    local results, errors = {}, {}
    local index, nexti, stop = {}, 1, false
    local progress = opts.progress
    if progress == nil and n > 1 and core.isatty(2) then
        progress = M.progress_line(n)
    end
    -- Nested when called from a task that can park; otherwise this loop
    -- waits on the transport itself (routing every completion, also those
    -- of other schedulers' tasks, to their owners' queues).
    local cur = co_running()
    local host = task_of[cur]
    local s = { ready = {}, head = 1, tail = 0, queued = {}, live = {},
                running = 0, parked = false,
                host = (host and co_isyieldable()) and host or nil }

    local done, failed = 0, 0
    local function step(co, ...)
        local r = table_pack(co_resume(co, ...))
        local i = index[co]
        if not r[1] then
            errors[i] = traceback_of(co, r[2])
            failed = failed + 1
            co_close(co) -- a coroutine dead of an error keeps its
                         -- to-be-closed variables open until closed
            if opts.fail_fast then stop = true end
        elseif co_status(co) ~= "dead" then
            if r[2] == SENTINEL then return end -- parked
            errors[i] = traceback_of(co, "attempt to yield from a task")
            failed = failed + 1
            co_close(co) -- its to-be-closed variables still run
        else
            results[i] = r[2]
            if r[2] == nil and r[3] ~= nil then -- nil, err: Lua's convention
                errors[i] = r[3]
                failed = failed + 1
            end
        end
        s.running = s.running - 1
        s.live[co] = nil
        index[co] = nil -- a finished task keeps nothing (10,000-task runs)
        done = done + 1
        if progress then progress(done, n, failed) end
    end

    local function run()
        while true do
            while not stop and s.running < limit and nexti <= n do
                local co = co_create(fn)
                task_of[co] = co
                owner[co] = s
                index[co] = nexti
                s.live[co] = true
                s.running = s.running + 1
                nexti = nexti + 1
                step(co, list[nexti - 1])
            end
            if s.running == 0 or stop then return end
            local task = next_ready(s)
            if task then
                step(task)
            elseif s.host then
                s.parked = true
                co_yield(SENTINEL) -- the outer scheduler resumes the host
                s.parked = false
            else
                local got = wait_and_route()
                if core_interrupted() then error("interrupted!", 0) end
                if got == 0 and s.head > s.tail and core_in_flight() == 0
                    and core_ready_count() == 0 and not sleepers[1] then
                    error(deadlock(s), 0)
                end
            end
        end
    end

    core.sched_enter()
    -- Closed on every way out, also when the host task is abandoned by
    -- an outer scheduler (coroutine.close runs this).
    local _ <close> = setmetatable({}, { __close = function()
        abandon(s)
        core.sched_leave()
    end })
    local ok, err = pcall(run)
    if progress and progress ~= opts.progress then progress(nil) end
    if not ok then error(err, 0) end
    return results, errors
end

-- aws.sleep(seconds): in a task, parks it for that long while the others
-- go on; elsewhere it blocks the process.
function M.sleep(seconds)
    if type(seconds) ~= "number" or seconds ~= seconds or seconds < 0 then
        error("bad argument #1 to 'sleep' (non-negative number expected, got "
            .. (type(seconds) == "number" and tostring(seconds) or type(seconds)) .. ")", 2)
    end
    local task = task_of[co_running()]
    if not task or not co_isyieldable() or not owner[task] then
        core_sleep(seconds)
        return
    end
    local t = core_monotonic() + seconds
    local i = #sleepers + 1
    while i > 1 and sleepers[i - 1].t > t do i = i - 1 end
    table.insert(sleepers, i, { t = t, task = task })
    repeat co_yield(SENTINEL) until core_monotonic() >= t
end

-- aws.once(fn) -> get: get() runs fn the first time and returns what it
-- returned; callers that come while it runs (other tasks) park until it
-- is done; later callers get the same values at once. An error fn raises
-- is raised to every caller. Memoised facts are built on this: a fact
-- five tasks ask for at once is fetched once.
function M.once(fn)
    if type(fn) ~= "function" then
        error("bad argument #1 to 'once' (function expected, got " .. type(fn) .. ")", 2)
    end
    local state, res, waiters, runner = "new", nil, nil, nil
    local function finish(r)
        state, res = "done", r
        local w = waiters
        waiters = nil
        for k = 1, #w do wake(w[k]) end
    end
    local function get()
        if state == "done" then
            if res[1] then return table_unpack(res, 2, res.n) end
            error(res[2], 0)
        end
        local cur = co_running()
        if state == "running" then
            if (task_of[cur] or cur) == (task_of[runner] or runner) then
                error("aws.once: called again from its own function", 2)
            end
            local task = task_of[cur]
            if not task or not co_isyieldable() then
                error("aws.once: the value is being computed by another task "
                    .. "and this caller cannot wait for it (not in a task, or "
                    .. "across a C call boundary)", 2)
            end
            waiters[#waiters + 1] = task
            repeat co_yield(SENTINEL) until state ~= "running"
            return get()
        end
        state, waiters, runner = "running", {}, cur
        -- If the running task is abandoned (fail-fast, an error in an outer
        -- loop), the waiters are told instead of waiting forever.
        local _ <close> = setmetatable({}, { __close = function()
            if state == "running" then
                finish({ false, "aws.once: the task computing the value was abandoned", n = 2 })
            end
        end })
        finish(table_pack(pcall(fn)))
        return get()
    end
    return get
end

return M
