-- Shared by the access-key audit examples: option parsing, and the audit itself as rows per key — the CIS rules are iamlua's shipped policies, run by its audit engine.
--
-- Loaded by examples/audit-access-keys.lua and examples/report-html.lua as
-- require "lib.audit": require looks in the running script's own directory
-- first, so this works wherever the examples are copied.
--
--   local audit = require "lib.audit"
--   local opts, err = audit.parse_args(arg, extra_options)
--   local report = audit.run(opts)   -- { rows = ..., exit = 0|1|2, ... }
--
-- Rules (CIS AWS Foundations Benchmark v3.0.0, the policies cis-1.12,
-- cis-1.13 and cis-1.14 in iamlua's scripts/policies/):
--   unused-credentials    1.12  an Active key not used for >= max_unused_days;
--                               a never-used key is judged by its CreateDate;
--                               keys younger than grace_days are exempt
--   key-not-rotated       1.14  an Active key older than max_age_days
--   multiple-active-keys  1.13  the user has more than one Active key (the
--                               finding is on each of that user's Active keys)
-- Days are whole days, floor((now - t) / 86400), at least 0. A failed lookup marks the
-- key incomplete (incomplete = true, error = the AWS CLI's message): its
-- other findings are still computed, "unused" cannot be (cis-1.12 reports
-- ERROR for it) and is left out.

local aws = require "aws"

local value = aws.value
local null = aws.null
local ipairs, pairs, tostring, tonumber, type, pcall = ipairs, pairs, tostring, tonumber, type, pcall
local math_floor, table_sort = math.floor, table.sort
local string_format = string.format
local os_time = os.time

local M = {}

M.EXIT_CLEAN, M.EXIT_FINDINGS, M.EXIT_INCOMPLETE = 0, 1, 2
M.EXIT_USAGE, M.EXIT_INTERNAL = 252, 255   -- 252 as the AWS CLI's usage errors

M.FINDINGS = {
    { id = "unused-credentials", cis = "1.12", title = "Active key unused for the threshold or longer" },
    { id = "key-not-rotated", cis = "1.14", title = "Active key older than the rotation threshold" },
    { id = "multiple-active-keys", cis = "1.13", title = "User has more than one active key" },
}

M.DEFAULTS = {
    concurrency = 16,
    max_unused_days = 45,
    max_age_days = 90,
    grace_days = 7,
}

-- Options shared by every audit script: name -> { key, kind }.
-- kinds: "string", "int" (>= 0), "posint" (>= 1), "list" (comma-separated),
-- "append" (one exact value per use), "time" (ISO 8601), "flag", "name".
-- --users and --user both add to opts.users: IAM user names may contain
-- commas ([\w+=,.@-]+), so --user takes one name as it is.
M.OPTIONS = {
    ["--endpoint-url"] = { "endpoint_url", "string" },
    ["--region"] = { "region", "string" },
    ["--profile"] = { "profile", "string" },
    ["--concurrency"] = { "concurrency", "posint" },
    ["--users"] = { "users", "list" },
    ["--user"] = { "users", "append" },
    ["--max-unused-days"] = { "max_unused_days", "int" },
    ["--max-age-days"] = { "max_age_days", "int" },
    ["--grace-days"] = { "grace_days", "int" },
    ["--now"] = { "now", "time" },
    ["--help"] = { "help", "flag" },
    ["-h"] = { "help", "flag" },
}

-- The directory a script lives in (for files shipped next to it).
function M.script_dir(script)
    script = script or (arg and arg[0]) or ""
    return script:match("^(.*)/[^/]*$") or "."
end

-- parse_args(argv, extra) -> opts | nil, message
-- argv: lua(1)-style `arg` (argv[1..n]); extra: more name -> { key, kind }.
-- Accepts `--name value` and `--name=value`.
function M.parse_args(argv, extra)
    local spec = {}
    for k, v in pairs(M.OPTIONS) do spec[k] = v end
    for k, v in pairs(extra or {}) do spec[k] = v end
    local opts = {}
    for k, v in pairs(M.DEFAULTS) do opts[k] = v end
    local i, n = 1, #argv
    while i <= n do
        local a = argv[i]
        local name, inline = a:match("^(%-%-[%w-]+)=(.*)$")
        name = name or a
        local s = spec[name]
        if not s then
            if a:sub(1, 1) == "-" then return nil, "unknown option: " .. a end
            return nil, "unexpected argument: " .. a
        end
        local key, kind = s[1], s[2]
        if kind == "flag" then
            if inline then return nil, name .. " takes no value" end
            opts[key] = true
        else
            local v = inline
            if v == nil then
                i = i + 1
                v = argv[i]
                if v == nil then return nil, name .. " expects a value" end
            end
            if kind == "int" or kind == "posint" then
                local x = v:match("^%d+$") and tonumber(v)
                if not x or math.type(x) ~= "integer" or (kind == "posint" and x < 1) then
                    return nil, string_format("%s expects a %s integer, got %q", name,
                        kind == "posint" and "positive" or "non-negative", v)
                end
                v = x
            elseif kind == "list" or kind == "append" then
                local list = opts[key] or {}
                local before = #list
                local function add(item)
                    for _, x in ipairs(list) do if x == item then return end end
                    list[#list + 1] = item
                end
                if kind == "append" then
                    if v == "" then return nil, name .. " expects a name" end
                    add(v)
                else
                    for item in v:gmatch("[^,]+") do
                        item = item:match("^%s*(.-)%s*$")
                        if item ~= "" then add(item) end
                    end
                    if #list == before and not v:match("[^,%s]") then
                        return nil, name .. " expects at least one name"
                    end
                end
                v = list
            elseif kind == "time" then
                local t = aws.time.parse(v)
                if not t then
                    return nil, string_format("%s expects an ISO 8601 time (2024-02-29T13:07:42Z), got %q", name, v)
                end
                opts.now_iso = v
                v = t
            elseif kind == "name" then
                if not v:match("^[%w_.-]+$") or v:match("^%.") then
                    return nil, string_format("%s: invalid name %q", name, v)
                end
            end
            opts[key] = v
        end
        i = i + 1
    end
    return opts
end

-- Whole days from t to now, rounded down; never negative (a key used while
-- the audit runs, or a time after --now, is 0 days old, not -1).
local function days(now, t)
    local d = math_floor((now - t) / 86400)
    if d < 0 then return 0 end
    return d
end
M.days = days

local function iso_utc(t)
    return os.date("!%Y-%m-%dT%H:%M:%SZ", math_floor(t))
end
M.iso_utc = iso_utc

-- The CIS rules are the shipped policies cis-1.12 (keys only), cis-1.13
-- and cis-1.14 run by iamlua's audit engine; this file only turns their
-- findings into one row per key. A fourth policy of its own reads the row
-- data (every key's last use, Inactive ones too) through the same facts,
-- so no request is made twice.
local RULE_OF = { ["cis-1.12"] = "unused-credentials", ["cis-1.14"] = "key-not-rotated",
                  ["cis-1.13"] = "multiple-active-keys" }

-- A policy that reports nothing: it collects each user's keys and each
-- key's last use (or the error that stopped it) into `into`.
local function rows_policy(into)
    return {
        id = "example-rows", title = "row data", severity = "informational",
        check = function(ctx)
            ctx:map(ctx.facts:users(), function(u)
                local user = u.UserName
                local ok, keys = pcall(ctx.facts.access_keys, ctx.facts, user)
                if not ok then
                    into[user] = { err = tostring(keys) }
                    return
                end
                local entry = { keys = keys, last = {}, errs = {} }
                into[user] = entry
                ctx:map(keys, function(k)
                    local okl, r = pcall(ctx.facts.access_key_last_used, ctx.facts, k.AccessKeyId)
                    if okl then entry.last[k.AccessKeyId] = r.AccessKeyLastUsed
                    else entry.errs[k.AccessKeyId] = tostring(r) end
                end)
            end)
        end,
    }
end

-- The audit. opts: as parse_args returns (endpoint_url, region, profile,
-- concurrency, users, max_unused_days, max_age_days, grace_days, now).
-- Returns report | nil, message (when the audit cannot start or users
-- cannot be listed):
--   report.rows      aws.value array of per-key objects, sorted by user then key id
--   report.exit      0 clean, 1 findings, 2 incomplete
--   report.now       evaluation time (epoch), report.counts {keys, active,
--                    with_findings, incomplete, users, by_finding = {id = n}}
function M.run(opts)
    local engine = require "audit.engine"
    local now = opts.now or os_time()
    -- opts.iam: a client made by the caller (another account's, through
    -- assume_role: examples/org-audit-access-keys.lua)
    local ok, iam = true, opts.iam
    if not iam then
        ok, iam = pcall(aws.client, "iam", {
            endpoint_url = opts.endpoint_url, region = opts.region, profile = opts.profile,
        })
    end
    if not ok then return nil, "cannot create the IAM client: " .. tostring(iam) end
    local users
    if opts.users then
        users = {}
        for i, u in ipairs(opts.users) do users[i] = u end
        table_sort(users)
    end
    local data = {}
    local policies = {}
    for i, id in ipairs({ "cis-1.12", "cis-1.13", "cis-1.14" }) do policies[i] = require("policies." .. id) end
    policies[4] = rows_policy(data)
    -- the account is the credentials' own; its id is not needed here, so
    -- no STS call is made for it
    local account = { iam = iam, id = "-", partition = "aws", users = users }
    local report = engine.run({
        policies = policies, accounts = { account }, now = now,
        concurrency = opts.concurrency,
        params = {
            ["cis-1.12"] = { max_unused_days = opts.max_unused_days, grace_days = opts.grace_days,
                             passwords = false },
            ["cis-1.14"] = { max_age_days = opts.max_age_days },
        },
    })
    local cell = account.facts.cells.users
    if not users and cell and cell.state == "done" and not cell.ok then
        return nil, "cannot list users: " .. tostring(cell.err)
    end

    -- findings per resource (key id or user name), in rule order
    local by_resource = {}
    for _, f in ipairs(report.findings) do
        if f.status == "FAIL" and RULE_OF[f.policy.id] then
            local t = by_resource[f.resource] or {}
            by_resource[f.resource] = t
            t[f.policy.id] = true
        end
    end

    local names = {}
    for name in pairs(data) do names[#names + 1] = name end
    table_sort(names)
    local counts = { keys = 0, active = 0, with_findings = 0, incomplete = 0,
                     users = #names, by_finding = {} }
    for _, f in ipairs(M.FINDINGS) do counts.by_finding[f.id] = 0 end
    local rows = value.array({})
    local any_finding, any_incomplete = false, false
    for _, user in ipairs(names) do
        local d = data[user]
        if d.err then
            rows[#rows + 1] = value.object(
                "user", user, "access_key_id", null, "status", null, "created", null,
                "age_days", null, "last_used", null, "days_since_last_use", null,
                "service", null, "region", null, "findings", value.array({}),
                "incomplete", true, "error", d.err)
            any_incomplete = true
            counts.incomplete = counts.incomplete + 1
        else
            local keys = {}
            for i, k in ipairs(d.keys) do keys[i] = k end
            table_sort(keys, function(a, b) return a.AccessKeyId < b.AccessKeyId end)
            local user_f = by_resource[user] or {}
            for _, k in ipairs(keys) do
                local id = k.AccessKeyId
                counts.keys = counts.keys + 1
                local created = aws.time.parse(k.CreateDate)
                local age = created and days(now, created)
                local active = k.Status == "Active"
                if active then counts.active = counts.active + 1 end
                local last_used, since, service, region = null, null, null, null
                local last = d.last[id]
                if last then
                    service = last.ServiceName or null
                    region = last.Region or null
                    local lu = last.LastUsedDate
                    local t = lu and lu ~= null and aws.time.parse(lu)
                    if t then last_used, since = lu, days(now, t) else last_used = "never" end
                end
                local kf = by_resource[id] or {}
                local findings = value.array({})
                if active and kf["cis-1.12"] then findings[#findings + 1] = "unused-credentials" end
                if active and kf["cis-1.14"] then findings[#findings + 1] = "key-not-rotated" end
                if active and user_f["cis-1.13"] then findings[#findings + 1] = "multiple-active-keys" end
                for _, f in ipairs(findings) do counts.by_finding[f] = counts.by_finding[f] + 1 end
                if #findings > 0 then
                    any_finding = true
                    counts.with_findings = counts.with_findings + 1
                end
                local err = d.errs[id]
                if err then
                    any_incomplete = true
                    counts.incomplete = counts.incomplete + 1
                end
                rows[#rows + 1] = value.object(
                    "user", user, "access_key_id", id, "status", k.Status or null,
                    "created", k.CreateDate or null, "age_days", age or null,
                    "last_used", last_used, "days_since_last_use", since,
                    "service", service, "region", region, "findings", findings,
                    "incomplete", err ~= nil, "error", err or null)
            end
        end
    end
    local exit = any_incomplete and M.EXIT_INCOMPLETE
        or any_finding and M.EXIT_FINDINGS or M.EXIT_CLEAN
    return { rows = rows, exit = exit, now = now, counts = counts, opts = opts }
end

-- An output format by name: $IAMLUA_PATH/output/NAME.lua or a shipped one
-- (require), else DIR/output/NAME.lua next to the script.
-- Returns the module | nil, message.
function M.load_format(name, dir)
    if not name:match("^[%w_-]+$") then return nil, "invalid output format name: " .. name end
    local ok, mod = pcall(require, "output." .. name)
    if ok then return mod end
    if not tostring(mod):find("module 'output." .. name .. "' not found", 1, true) then
        return nil, tostring(mod)          -- it exists but failed to load
    end
    local path = dir .. "/output/" .. name .. ".lua"
    local f = io.open(path, "r")
    if not f then return nil, "unknown output format: " .. name end
    f:close()
    local chunk, err = loadfile(path, "t")
    if not chunk then return nil, err end
    local okc, m = pcall(chunk)
    if not okc then return nil, tostring(m) end
    if type(m) ~= "table" or type(m.format) ~= "function" then
        return nil, path .. ": an output format must return { format = function(data, opts) }"
    end
    return m
end

-- Runs main(argv) -> exit code, turning a Lua error into exit 255 with a
-- traceback on stderr (an uncaught error would otherwise exit 1, which
-- means "findings" here).
function M.main(name, main)
    local ok, rc = xpcall(main, function(e) return debug.traceback(tostring(e), 2) end)
    if not ok then
        io.stdout:flush()
        io.stderr:write(name, ": internal error: ", tostring(rc), "\n")
        return M.EXIT_INTERNAL
    end
    io.stdout:flush()
    return rc
end

function M.usage_error(name, msg)
    io.stderr:write(name, ": error: ", msg, "\n", "Try '", name, " --help'.\n")
    return M.EXIT_USAGE
end

return M
