-- audit.engine: runs policies (audit.discovery loads them) against one or
-- more accounts and returns their findings in the order DESIGN 1.5 gives.
--
--   local engine = require "audit.engine"
--   local report = engine.run{
--       policies = { policy, ... },        -- tables as policy files return
--       params = { ["cis-1.14"] = { max_age_days = 60 } },  -- checked values
--       accounts = { { iam = client, sts = client, id = nil | "1234..." } },
--       now = epoch | nil, concurrency = 16, users = nil | { "alice" },
--       progress = fn | nil, debug = false,
--   }
--   report.findings   sorted list of findings (plain tables, see
--                     audit.findings for the JSON shape)
--   report.accounts   { { id =, facts =, stats = } } for scripts that want
--                     the facts the checks read (no request is repeated)
--   report.stats      { requests =, facts =, hits =, saved =, rounds = }
--
-- Every (account, check) pair is one job of an audit.batch executor, so all
-- checks of all accounts run concurrently and share each account's facts.
-- A check that raises gives one ERROR finding with its message (and the
-- traceback when debug is set); its earlier findings stay, others go on.
local batch = require "audit.batch"
local factsmod = require "audit.facts"
local context = require "audit.context"
local findings = require "audit.findings"

local ipairs, pairs, tostring, type, error = ipairs, pairs, tostring, type, error
local os_time = os.time

local M = {}

-- The parameters a check runs with: its declared defaults, overridden.
function M.params_for(policy, overrides)
    local p = {}
    for k, v in pairs(policy.params or {}) do p[k] = v end
    for k, v in pairs(overrides and overrides[policy.id] or {}) do p[k] = v end
    return p
end

-- Account id and partition: given (--accounts) or asked of STS once
-- (GetCallerIdentity, a fact like any other).
local function identify(account)
    if account.id and account.partition then return end
    local r = account.facts:identity()
    account.id = account.id or r.Account
    account.partition = account.partition or (tostring(r.Arn or "")):match("^arn:([^:]+):") or "aws"
end

local function run_checks(exec, accounts, policies, opts, sink, jobs)
    for _, account in ipairs(accounts) do
        for _, policy in ipairs(policies) do
            local params = M.params_for(policy, opts.params)
            local job = exec:spawn(function()
                identify(account)
                return policy.check(context.new(policy, account, account.facts, opts.now, params, sink))
            end)
            job.check = true
            jobs[#jobs + 1] = { job = job, policy = policy, account = account }
        end
    end
end

-- Turns the jobs that raised into ERROR findings.
local function collect_errors(jobs, sink, debug)
    for _, j in ipairs(jobs) do
        local cell = j.job.cell
        if not cell.ok then
            local msg = tostring(cell.err)
            if debug and j.job.traceback then msg = j.job.traceback end
            sink[#sink + 1] = {
                policy = j.policy, status = "ERROR", account = j.account.id,
                resource = j.account.id or "", message = msg, extra = {},
            }
        end
    end
end

-- Prepares each account for a run: its facts (fresh for every run, so a
-- re-run after remediation sees the account as it is now).
local function fresh(accounts, exec)
    for _, account in ipairs(accounts) do
        account.stats = account.stats or {}
        account.facts = factsmod.new(exec, account)
    end
end

-- run(opts) -> report (see above)
function M.run(opts)
    opts.now = opts.now or os_time()
    local exec = batch.new({ concurrency = opts.concurrency, progress = opts.progress })
    fresh(opts.accounts, exec)
    local sink, jobs = {}, {}
    run_checks(exec, opts.accounts, opts.policies, opts, sink, jobs)
    if opts.progress then opts.progress({ kind = "start", checks = #jobs }) end
    exec:run()
    collect_errors(jobs, sink, opts.debug)
    local report = { findings = sink, jobs = jobs, exec = exec, accounts = opts.accounts }
    findings.sort(sink)
    report.stats = M.stats(opts.accounts, exec)
    return report
end

-- Requests made, facts fetched and what the cache saved, over accounts.
function M.stats(accounts, exec)
    local s = { requests = 0, facts = 0, hits = 0, saved = 0, rounds = exec and exec.rounds or 0 }
    for _, account in ipairs(accounts) do
        s.requests = s.requests + (account.stats.requests or 0)
        local c = account.facts:cache_stats()
        s.facts, s.hits, s.saved = s.facts + c.facts, s.hits + c.hits, s.saved + c.saved
    end
    return s
end

-- rerun(opts, ids) -> report of the checks with these ids only, on fresh
-- facts (after remediation).
function M.rerun(opts, ids)
    local selected = {}
    for _, p in ipairs(opts.policies) do
        if ids[p.id] then selected[#selected + 1] = p end
    end
    local copy = {}
    for k, v in pairs(opts) do copy[k] = v end
    copy.policies = selected
    return M.run(copy)
end

return M
