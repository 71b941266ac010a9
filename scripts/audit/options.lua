-- audit.options: `iamlua audit`'s own options (the global ones — --output,
-- --query, --profile, --region, --endpoint-url, --debug, ... — are taken
-- by the CLI driver before this sees the words), and the checks on their
-- values that need the policies (--checks ids, --param names and types).
-- Every problem is a usage error (exit 252) naming the option.
local aws = require "aws"
local argparse = require "cli.argparse"
local findings = require "audit.findings"

local ipairs, tonumber, type, tostring, pairs = ipairs, tonumber, type, tostring, pairs
local math_type, string_format = math.type, string.format
local fail = argparse.fail

local M = {}

-- name -> { dest, kind }: flag, value, list (comma-separated, repeatable,
-- accumulates), append (one value per use).
M.SPECS = {
    ["--list"] = { "list", "flag" },
    ["--checks"] = { "checks", "list" },
    ["--exclude-checks"] = { "exclude", "list" },
    ["--severity"] = { "severity", "value" },
    ["--status"] = { "status", "append" },
    ["--param"] = { "param", "append" },
    ["--policies"] = { "policies", "append" },
    ["--now"] = { "now", "value" },
    ["--concurrency"] = { "concurrency", "value" },
    ["--accounts"] = { "accounts", "list" },
    ["--organization"] = { "organization", "flag" },
    ["--role-name"] = { "role_name", "value" },
    ["--remediate"] = { "remediate", "flag" },
    ["--apply"] = { "apply", "flag" },
}

local function split_list(name, v, into)
    local n = 0
    for item in v:gmatch("[^,]+") do
        item = item:match("^%s*(.-)%s*$")
        if item ~= "" then
            into[#into + 1] = item
            n = n + 1
        end
    end
    if n == 0 then fail(string_format("argument %s: expected at least one id", name)) end
end

-- parse(words, first) -> opts; words[first..] are what the driver left.
function M.parse(words, first)
    local o = { status = nil, param = {}, policies = {} }
    local unknown = {}
    local i = first
    while i <= #words do
        local a = words[i]
        local name, inline = a, nil
        local eq = a:find("=", 3, true)
        if a:sub(1, 2) == "--" and eq then name, inline = a:sub(1, eq - 1), a:sub(eq + 1) end
        local spec = M.SPECS[name]
        if not spec then
            unknown[#unknown + 1] = a
        elseif spec[2] == "flag" then
            if inline then fail(string_format("argument %s: ignored explicit argument '%s'", name, inline)) end
            o[spec[1]] = true
        else
            local v = inline
            if v == nil then
                i = i + 1
                v = words[i]
                if v == nil or (v:sub(1, 2) == "--" and #v > 2) then
                    fail(string_format("argument %s: expected one argument", name))
                end
            end
            if spec[2] == "value" then
                o[spec[1]] = v
            elseif spec[2] == "list" then
                o[spec[1]] = o[spec[1]] or {}
                split_list(name, v, o[spec[1]])
            else
                o[spec[1]] = o[spec[1]] or {}
                local t = o[spec[1]]
                t[#t + 1] = v
            end
        end
        i = i + 1
    end
    if #unknown > 0 then argparse.unknown(unknown) end
    return M.check(o)
end

-- Value checks that need nothing but the words.
function M.check(o)
    if o.severity and not findings.RANK[o.severity] then
        fail(argparse.choice_message("--severity", o.severity, findings.SEVERITIES))
    end
    if o.status then
        local set = {}
        for _, s in ipairs(o.status) do
            for one in s:gmatch("[^,]+") do
                local up = one:upper()
                if up ~= "PASS" and up ~= "FAIL" and up ~= "ERROR" then
                    fail(argparse.choice_message("--status", one, findings.STATUSES))
                end
                set[up] = true
            end
        end
        o.status = set
    end
    if o.now then
        local t = aws.time.parse(o.now)
        if not t or not require("audit.credreport").valid_date(
                o.now:match("T") and o.now or (o.now .. "T00:00:00Z")) then
            fail(string_format("argument --now: expected an ISO 8601 time such as "
                .. "2024-02-29T13:07:42Z, got '%s'", o.now))
        end
        o.now_epoch = t
    end
    if o.concurrency then
        local n = o.concurrency:match("^%d+$") and tonumber(o.concurrency)
        if not n or math_type(n) ~= "integer" or n < 1 or n > 1024 then
            fail(string_format("argument --concurrency: expected a whole number from 1 to 1024, got '%s'",
                o.concurrency))
        end
        o.concurrency = n
    end
    for _, id in ipairs(o.accounts or {}) do
        if not id:match("^%d%d%d%d%d%d%d%d%d%d%d%d$") then
            fail(string_format("argument --accounts: '%s' is not a 12-digit account id", id))
        end
    end
    if o.accounts and o.organization then
        fail("argument --organization: not allowed with argument --accounts")
    end
    if o.role_name and not (o.accounts or o.organization) then
        fail("argument --role-name: only with --accounts or --organization")
    end
    if o.role_name and not o.role_name:match("^[%w+=,.@_/-]+$") then
        fail(string_format("argument --role-name: invalid role name '%s'", o.role_name))
    end
    if o.apply and not o.remediate then
        fail("argument --apply: only with --remediate")
    end
    return o
end

-- The policy ids named by --checks / --exclude-checks must exist; an id
-- IAM's API cannot decide (not_covered) is refused with the reason.
function M.select(o, policies, by_id, not_covered)
    local nc = {}
    for _, n in ipairs(not_covered) do nc[n.id] = n end
    local function known(name, id)
        if by_id[id] then return end
        if nc[id] then
            fail(string_format("argument %s: %s is not covered: %s", name, id, nc[id].why))
        end
        fail(string_format("argument %s: no check '%s' (iamlua audit --list shows them)", name, id))
    end
    local want, drop = nil, {}
    if o.checks then
        want = {}
        for _, id in ipairs(o.checks) do known("--checks", id); want[id] = true end
    end
    for _, id in ipairs(o.exclude or {}) do known("--exclude-checks", id); drop[id] = true end
    local min = o.severity and findings.RANK[o.severity] or 1
    local out = {}
    for _, p in ipairs(policies) do
        if (not want or want[p.id]) and not drop[p.id] and findings.RANK[p.severity] >= min then
            out[#out + 1] = p
        end
    end
    return out
end

-- --param ID.NAME=VALUE -> { [id] = { [name] = typed value } }: the value
-- takes the type of the policy's declared default.
function M.params(o, by_id)
    local out = {}
    for _, p in ipairs(o.param) do
        local id, name, raw = p:match("^(.+)%.([%a_][%w_]*)=(.*)$")
        if not id then
            fail(string_format("argument --param: expected ID.NAME=VALUE, got '%s'", p))
        end
        local policy = by_id[id]
        if not policy then
            fail(string_format("argument --param: no check '%s'", id))
        end
        local defaults = policy.params or {}
        local default = defaults[name]
        if default == nil then
            local names = {}
            for k in pairs(defaults) do names[#names + 1] = k end
            table.sort(names)
            fail(string_format("argument --param: check %s has no parameter '%s'%s", id, name,
                #names > 0 and (" (it has: " .. table.concat(names, ", ") .. ")") or " (it has none)"))
        end
        local v
        if math_type(default) == "integer" then
            v = raw:match("^%-?%d+$") and tonumber(raw)
            if math_type(v) ~= "integer" then v = nil end
        elseif type(default) == "number" then
            v = tonumber(raw)
        elseif type(default) == "boolean" then
            if raw == "true" then v = true elseif raw == "false" then v = false end
        else
            v = raw
        end
        if v == nil then
            local kind = math_type(default) == "integer" and "an integer"
                or type(default) == "number" and "a number" or "true or false"
            fail(string_format("argument --param: %s.%s expects %s, got '%s'", id, name, kind, raw))
        end
        out[id] = out[id] or {}
        out[id][name] = v
    end
    return out
end

return M
