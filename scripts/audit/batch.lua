-- audit.batch: runs many jobs (Lua coroutines: checks, derived facts) that
-- read shared facts, fetching each fact once.
--
-- Jobs run until every one of them is either done or waiting for facts;
-- the facts they wait for are then fetched together, one aws.parallel task
-- each, with at most `concurrency` requests in flight; the jobs whose facts
-- are all in run again; and so on until nothing waits. A fact asked for by
-- five jobs at once is one queued fetch with five waiters, so concurrent
-- askers wait on the same request instead of repeating it (Haxl's batching,
-- in the place of NSE's condition variables). Nothing here nests
-- aws.parallel: jobs never run inside a task, only fetches do, and a fetch
-- only makes requests.
--
-- The number of rounds is the depth of the facts' dependencies (users ->
-- their keys -> each key's last use), not the number of facts.
local aws = require "aws"

local coroutine, debug = coroutine, debug
local co_create, co_resume, co_status, co_yield, co_running =
    coroutine.create, coroutine.resume, coroutine.status, coroutine.yield, coroutine.running
local error, xpcall, type, tostring, ipairs, setmetatable =
    error, xpcall, type, tostring, ipairs, setmetatable
local table_pack, table_unpack = table.pack, table.unpack

local M = {}

-- What a waiting job yields: private, so a stray yield in a check is told
-- apart from a wait.
local WAIT = setmetatable({}, { __name = "audit.batch.wait" })

local Exec = {}
Exec.__index = Exec

-- new{ concurrency = N, progress = fn(event) | nil } -> executor
-- progress(ev) is called with ev.kind = "job" (a job finished) or "fetch"
-- (a fetch finished), and ev.fetching (fetches left in the round).
function M.new(opts)
    opts = opts or {}
    return setmetatable({
        concurrency = opts.concurrency or 16,
        progress = opts.progress,
        runnable = {},      -- jobs ready to resume, in order
        queue = {},         -- cells to fetch in the next round
        job_of = setmetatable({}, { __mode = "k" }), -- coroutine -> job
        rounds = 0, fetches = 0,
    }, Exec)
end

-- A cell holds one fact (or a job's result): state "new" | "pending" |
-- "done", then ok, value (or err); waiters are jobs. cell.fetch is a
-- function run inside an aws.parallel task (requests only); cell.derive
-- a function run as a job of its own (it may wait for other cells).
function M.cell(fetch, derive)
    return { state = "new", fetch = fetch, derive = derive, waiters = {} }
end

local function wake(self, cell)
    local waiters = cell.waiters
    cell.waiters = nil
    for _, job in ipairs(waiters) do
        job.waiting = job.waiting - 1
        if job.waiting == 0 then self.runnable[#self.runnable + 1] = job end
    end
end

local function settle(self, cell, ok, v)
    cell.state, cell.ok = "done", ok
    if ok then cell.value = v else cell.err = v end
    wake(self, cell)
end

-- Error values keep their type (aws.error tables stay tables); the
-- traceback is taken from the job's own stack.
local function traceback_of(co, e)
    if type(e) == "table" then return e, debug.traceback(co, tostring(e)) end
    return e, debug.traceback(co, tostring(e))
end

local function step(self, job, ...)
    local r = table_pack(co_resume(job.co, ...))
    if not r[1] then
        local e, tb = traceback_of(job.co, r[2])
        job.traceback = tb
        settle(self, job.cell, false, e)
        if self.progress then self.progress({ kind = "job", job = job }) end
        return
    end
    if co_status(job.co) == "dead" then
        settle(self, job.cell, true, r[2])
        if self.progress then self.progress({ kind = "job", job = job }) end
        return
    end
    if r[2] ~= WAIT then
        -- A request outside a task blocks, so only a user coroutine.yield
        -- gets here: a check is not a generator.
        job.traceback = debug.traceback(job.co, "a check must not yield")
        settle(self, job.cell, false, "a check must not yield (coroutine.yield outside a coroutine of its own)")
        return
    end
end

-- spawn(fn, ...) -> job: runs fn(...) as a job; job.cell settles with its
-- result or error. Safe to call from inside a job.
function Exec:spawn(fn, ...)
    local args = table_pack(...)
    local job = { waiting = 0 }
    job.cell = { state = "pending", waiters = {}, job = job }
    job.co = co_create(function() return fn(table_unpack(args, 1, args.n)) end)
    self.job_of[job.co] = job
    self.runnable[#self.runnable + 1] = job
    return job
end

-- Starts a cell's computation if nobody has yet.
local function start(self, cell)
    if cell.state ~= "new" then return end
    cell.state = "pending"
    if cell.derive then
        local job = self:spawn(cell.derive)
        -- the job's own cell forwards into this one
        job.cell = cell
    else
        self.queue[#self.queue + 1] = cell
    end
end

-- await(cells) from inside a job: returns once every cell is done (at
-- once if they all are). Raises if not called from a job.
function Exec:await(cells)
    local job = self.job_of[co_running()]
    if not job then error("audit facts can only be read from a check (or a job it runs)", 2) end
    local n = 0
    for _, cell in ipairs(cells) do
        if cell.state ~= "done" then
            start(self, cell)
            if cell.state ~= "done" then
                cell.waiters[#cell.waiters + 1] = job
                n = n + 1
            end
        end
    end
    if n == 0 then return end
    job.waiting = n
    co_yield(WAIT)
end

-- A string raised by a fetch is a bug: keep where it came from.
local function handler(e)
    if type(e) == "string" then return debug.traceback(e, 2) end
    return e
end

-- One round of fetches: every queued cell in one aws.parallel run.
local function fetch_round(self)
    local q = self.queue
    self.queue = {}
    self.rounds = self.rounds + 1
    local left = #q
    local results, errors = aws.parallel(q, function(cell)
        return table_pack(xpcall(cell.fetch, handler))
    end, {
        concurrency = self.concurrency,
        progress = self.progress and function()
            left = left - 1
            self.progress({ kind = "fetch", fetching = left })
        end or false,
    })
    for i, cell in ipairs(q) do
        local r = results[i]
        self.fetches = self.fetches + 1
        if r then
            settle(self, cell, r[1], r[2])
        else
            local e = errors[i]
            settle(self, cell, false, e ~= nil and e or "fetch task returned nothing")
        end
    end
end

-- run(): until no job can make progress. Jobs left waiting at the end
-- (a cell nobody fetches) fail with a message rather than hang.
function Exec:run()
    while true do
        while #self.runnable > 0 do
            local batch = self.runnable
            self.runnable = {}
            for _, job in ipairs(batch) do step(self, job) end
        end
        if #self.queue == 0 then break end
        fetch_round(self)
    end
end

M.Exec = Exec
return M
