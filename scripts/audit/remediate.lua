-- audit.remediate: the write calls that would fix failing findings
-- (remediate(ctx, finding) of their policies), and sending them.
--
-- plan(): every FAIL finding whose policy has remediate() gets
-- finding.remediation = { { action, params, outcome = "planned" }, ... }.
-- Planning runs as jobs of the same executor as the checks (it may read
-- facts, e.g. the current password policy), and sends nothing. Calls of
-- one account that share a `merge` key (the password policy, which IAM
-- replaces whole) become one call with every finding's changes applied.
--
-- A call aimed at the IAM user whose credentials run the audit (deactivate
-- its key, remove its password) is planned but never sent: outcome
-- "skipped: ...", so an audit cannot lock itself out half-way.
--
-- apply(): sends each distinct call once, all concurrently (one
-- aws.parallel, the client's retries), and records each outcome:
-- "applied" or "failed: <the AWS CLI's message>". A failed write does not
-- stop the others.
local aws = require "aws"
local batch = require "audit.batch"
local context = require "audit.context"
local passwordpolicy = require "audit.passwordpolicy"

local value = aws.value
local ipairs, pairs, type, tostring, error, pcall = ipairs, pairs, type, tostring, error, pcall

local M = {}

-- A planned call as policies may write it: { "Action", { params } } or
-- { action = , params = , merge = , changes = , base = }.
local function normalise(c)
    if type(c) ~= "table" then error("remediate must return a list of calls", 0) end
    local action = c.action or c[1]
    local params = c.params or c[2] or {}
    if type(action) ~= "string" or type(params) ~= "table" then
        error("a remediation call is { \"Action\", { params } }", 0)
    end
    return { action = action, params = params, merge = c.merge, changes = c.changes, base = c.base }
end

-- The name of the IAM user whose credentials the account's audit runs
-- with, or nil (a role, or the identity cannot be had).
local function caller_user(account)
    local ok, id = pcall(account.facts.identity, account.facts)
    if not ok or type(id) ~= "table" then return nil end
    return tostring(id.Arn or ""):match(":user/[^:]-([^/:]+)$")
end

-- plan(report, opts): attaches planned calls to the FAIL findings.
function M.plan(report, opts)
    local exec = batch.new({ concurrency = opts.concurrency })
    local by_account = {}
    for _, a in ipairs(report.accounts) do
        a.facts.exec = exec           -- facts already read stay cached
        by_account[a.id or ""] = a
    end
    local todo = {}
    for _, f in ipairs(report.findings) do
        if f.status == "FAIL" and f.policy.remediate then
            local account = by_account[f.account or ""]
            if account then
                todo[#todo + 1] = { f = f, job = exec:spawn(function()
                    local ctx = context.new(f.policy, account, account.facts, opts.now,
                                            require("audit.engine").params_for(f.policy, opts.params), {})
                    local calls = f.policy.remediate(ctx, f) or {}
                    local me = caller_user(account)
                    local out = {}
                    for i, c in ipairs(calls) do
                        out[i] = normalise(c)
                        if me and out[i].params.UserName == me then
                            out[i].outcome = "skipped: the audit's own user " .. me
                                .. " (its credentials run this audit)"
                        end
                    end
                    return out
                end) }
            end
        end
    end
    exec:run()
    local merged = {}                 -- account .. merge key -> shared call
    for _, t in ipairs(todo) do
        local cell = t.job.cell
        if cell.ok then
            local list = {}
            for _, c in ipairs(cell.value) do
                if c.merge then
                    local key = (t.f.account or "") .. "\0" .. c.merge
                    local m = merged[key]
                    if not m then
                        m = { action = c.action, changes = {}, base = c.base, merge = c.merge,
                              account = t.f.account }
                        merged[key] = m
                    end
                    for k, v in pairs(c.changes or {}) do m.changes[k] = v end
                    m.params = passwordpolicy.params(m.base, m.changes)
                    list[#list + 1] = m
                else
                    -- the same write planned by two checks (1.12 and 1.14
                    -- both deactivate an old unused key) is one call
                    c.account = t.f.account
                    local key = (c.account or "") .. "\0" .. c.action .. "\0"
                        .. aws.json.encode(c.params, { sort_keys = true }) .. "\0" .. tostring(c.outcome)
                    local same = merged[key]
                    if not same then
                        merged[key] = c
                        same = c
                    end
                    list[#list + 1] = same
                end
            end
            t.f.remediation = list
        else
            t.f.remediation = { { action = "(none)", params = value.object(),
                                  outcome = "failed: remediate raised: " .. tostring(cell.err) } }
        end
    end
    -- merged calls may have gained changes after an earlier finding took
    -- them: params are recomputed above, so every finding shows the final
    -- call.
    return report
end

-- The distinct calls of the findings, in finding order.
local function distinct_calls(list)
    local calls, seen = {}, {}
    for _, f in ipairs(list) do
        for _, c in ipairs(f.remediation or {}) do
            if not seen[c] and c.action ~= "(none)" and not c.outcome then
                seen[c] = true
                calls[#calls + 1] = c
            end
        end
    end
    return calls
end

-- apply(report, opts) -> number of failed writes; the set of check ids
-- whose findings were remediated.
function M.apply(report, opts)
    local clients = {}
    for _, a in ipairs(report.accounts) do clients[a.id or ""] = a.iam end
    local calls = distinct_calls(report.findings)
    local results = aws.parallel(calls, function(c)
        local client = clients[c.account or ""]
        local r, err = client:call(c.action, c.params)
        if r then return "applied" end
        return "failed: " .. tostring(err)
    end, { concurrency = opts.concurrency, progress = false })
    local failed = 0
    for i, c in ipairs(calls) do
        c.outcome = results[i] or "failed: the write raised an error"
        if c.outcome ~= "applied" then failed = failed + 1 end
        c.sent = true
    end
    local affected = {}
    for _, f in ipairs(report.findings) do
        if f.remediation and #f.remediation > 0 then affected[f.policy.id] = true end
    end
    return failed, affected
end

return M
