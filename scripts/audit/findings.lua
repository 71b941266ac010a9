-- audit.findings: findings in the order, shape and summary DESIGN 1.5 gives.
--
-- Order: check id in natural order (cis-1.4 before cis-1.10: runs of
-- digits compare as numbers), then account, then resource, then the order
-- the check reported them. JSON fields: check, title, severity, status,
-- account, resource_type, resource, resource_arn, message, and with
-- --remediate a remediation list of { action, params, outcome }.
local aws = require "aws"

local value = aws.value
local null = value.null
local ipairs, tonumber, type, tostring, error, setmetatable =
    ipairs, tonumber, type, tostring, error, setmetatable
local table_sort, math_min = table.sort, math.min

local M = {}

M.SEVERITIES = { "informational", "low", "medium", "high", "critical" }
M.RANK = {}
for i, s in ipairs(M.SEVERITIES) do M.RANK[s] = i end
M.STATUSES = { "PASS", "FAIL", "ERROR" }

-- Splits "cis-1.10" into { "cis-", 1, ".", 10 } for natural comparison.
local function chunks(s)
    local out = {}
    for text, num in s:gmatch("(%D*)(%d*)") do
        if text ~= "" then out[#out + 1] = text end
        if num ~= "" then out[#out + 1] = tonumber(num) end
    end
    return out
end

-- natural_lt(a, b): numbers below text; numbers by value, text by bytes.
function M.natural_lt(a, b)
    if a == b then return false end
    local x, y = chunks(a), chunks(b)
    for i = 1, math_min(#x, #y) do
        local p, q = x[i], y[i]
        if p ~= q then
            local tp, tq = type(p), type(q)
            if tp ~= tq then return tp == "number" end
            return p < q
        end
    end
    if #x ~= #y then return #x < #y end
    return a < b
end

function M.sort(list)
    for i, f in ipairs(list) do f.seq = f.seq or i end
    table_sort(list, function(a, b)
        local ia, ib = a.policy.id, b.policy.id
        if ia ~= ib then return M.natural_lt(ia, ib) end
        local aa, ab = a.account or "", b.account or ""
        if aa ~= ab then return aa < ab end
        if a.resource ~= b.resource then return a.resource < b.resource end
        return a.seq < b.seq
    end)
    return list
end

local function or_null(v)
    if v == nil then return null end
    return v
end

-- to_value(f, with_remediation) -> aws.value object with the JSON fields
function M.to_value(f, with_remediation)
    local p = f.policy
    local o = value.object(
        "check", p.id, "title", p.title or "", "severity", p.severity,
        "status", f.status, "account", or_null(f.account),
        "resource_type", f.resource_type or p.resource_type or "Other",
        "resource", f.resource, "resource_arn", or_null(f.resource_arn),
        "message", f.message or "")
    if with_remediation then
        local list = value.array({})
        for _, c in ipairs(f.remediation or {}) do
            list[#list + 1] = value.object("action", c.action, "params", c.params,
                                           "outcome", c.outcome or "planned")
        end
        o.remediation = list
    end
    return o
end

-- to_array(list, opts) -> aws.value array. opts.status: set of statuses to
-- keep (nil: all); opts.remediate: add the remediation field.
function M.to_array(list, opts)
    local out = value.array({})
    for _, f in ipairs(list) do
        if not opts.status or opts.status[f.status] then
            out[#out + 1] = M.to_value(f, opts.remediate)
        end
    end
    return out
end

-- exit_code(list) -> 0 all PASS, 1 some FAIL, 2 some ERROR (wins)
function M.exit_code(list)
    local rc = 0
    for _, f in ipairs(list) do
        if f.status == "ERROR" then return 2 end
        if f.status == "FAIL" then rc = 1 end
    end
    return rc
end

-- is_findings(data) -> true when data is an array of finding objects (the
-- findings-only formats refuse anything else).
function M.is_findings(data)
    if value.type(data) ~= "array" then return false end
    for _, f in ipairs(data) do
        if value.type(f) ~= "object" or type(f.check) ~= "string" or type(f.status) ~= "string" then
            return false
        end
    end
    return true
end

-- The error a findings-only format raises for other data: a usage error
-- (exit 252) that says what the format is for.
local USAGE_MT = { __tostring = function(e) return e.message end }

function M.not_findings(format)
    error(setmetatable({ kind = "usage", code = "ParamValidationError", message = ("the %s format writes "
        .. "audit findings (iamlua audit --output %s); this output is not a list of "
        .. "findings"):format(format, format) }, USAGE_MT), 0)
end

return M
