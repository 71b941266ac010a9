-- audit.context: what a check gets as `ctx` — its parameters, the account,
-- the evaluation time, the account's facts, and the ways to report.
--
--   ctx.account, ctx.partition   "123456789012", "aws"
--   ctx.now, ctx.now_iso         epoch seconds and ISO 8601 (--now pins it)
--   ctx.params                   the policy's params with --param applied
--   ctx.facts                    audit.facts of this account
--   ctx:pass(resource, message [, extra])
--   ctx:fail(resource, message [, extra])
--   ctx:error(resource, message [, extra])   this resource could not be decided
--   ctx:map(list, fn) -> results   fn(item) for every item concurrently
--   ctx:days_since(iso) -> whole days since a timestamp (never negative)
--   ctx:arn(kind, name) -> "arn:aws:iam::ACCOUNT:kind/name"
-- extra: resource_arn, resource_type override the finding's; anything
-- else stays with the finding for remediate(ctx, finding) as finding.extra.
local aws = require "aws"

local setmetatable, type, tostring, error = setmetatable, type, tostring, error
local math_floor = math.floor

local M = {}

local Ctx = {}
Ctx.__index = Ctx

function M.new(policy, account, facts, now, params, sink)
    return setmetatable({
        check = policy, account = account.id, partition = account.partition or "aws",
        now = now, now_iso = os.date("!%Y-%m-%dT%H:%M:%SZ", math_floor(now)),
        params = params, facts = facts, _sink = sink, _account = account,
    }, Ctx)
end

local function report(self, status, resource, message, extra, level)
    if resource == nil then resource = self.account end
    if type(resource) ~= "string" and type(resource) ~= "number" then
        error(("bad argument #1 to '%s' (string expected, got %s)"):format(
            status == "PASS" and "pass" or status == "FAIL" and "fail" or "error", type(resource)), level)
    end
    if extra ~= nil and type(extra) ~= "table" then
        error("bad argument #3 (table expected, got " .. type(extra) .. ")", level)
    end
    extra = extra or {}
    local f = {
        policy = self.check, status = status, account = self.account,
        resource = tostring(resource), message = message ~= nil and tostring(message) or "",
        resource_arn = extra.resource_arn, resource_type = extra.resource_type,
        extra = extra,
    }
    self._sink[#self._sink + 1] = f
    return f
end

function Ctx:pass(resource, message, extra) return report(self, "PASS", resource, message, extra, 3) end
function Ctx:fail(resource, message, extra) return report(self, "FAIL", resource, message, extra, 3) end
function Ctx:error(resource, message, extra) return report(self, "ERROR", resource, message, extra, 3) end

function Ctx:map(list, fn)
    return self.facts:map(list, fn)
end

-- Whole days from an ISO 8601 time to ctx.now, rounded down, at least 0;
-- nil for aws.null / nil / text that is not a time.
function Ctx:days_since(iso)
    if type(iso) ~= "string" then return nil end
    local t = aws.time.parse(iso)
    if not t then return nil end
    local d = math_floor((self.now - t) / 86400)
    if d < 0 then return 0 end
    return d
end

function Ctx:arn(kind, name)
    return ("arn:%s:iam::%s:%s/%s"):format(self.partition, self.account, kind, name)
end

return M
