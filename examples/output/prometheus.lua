-- A user output format: `--output prometheus` writes access-key audit results as Prometheus text exposition metrics (for node_exporter's textfile collector or a Pushgateway).
--
-- Install: copy to ~/.config/iamlua/output/prometheus.lua (or a directory on
-- $IAMLUA_PATH). Meant for the rows of examples/audit-access-keys.lua:
--
--   iamlua run examples/audit-access-keys.lua --output prometheus > /var/lib/node_exporter/iam_keys.prom
--
--   # HELP iam_access_key_age_days Days since the access key was created.
--   # TYPE iam_access_key_age_days gauge
--   iam_access_key_age_days{user="alice",key_id="AKIA...",status="Active"} 120
--   ...
--
-- Metrics (labels user, key_id, status unless noted):
--   iam_access_key_age_days               days since CreateDate
--   iam_access_key_days_since_last_use    days since LastUsedDate; OMITTED for
--                                         a key that was never used and for
--                                         one whose lookup failed (absent
--                                         series, rather than a magic -1)
--   iam_access_key_never_used             1 never used, 0 used (omitted when
--                                         unknown)
--   iam_access_key_finding                1 per finding, extra label finding
--   iam_access_key_incomplete             1 if the key's lookup failed, else 0
--                                         (a user whose keys could not be
--                                         listed appears with key_id="")
--   iam_access_key_findings_total         findings per rule (label finding
--                                         only), every rule listed, 0 too
--   iam_access_keys_total                 keys audited (no labels)
--   iam_access_key_audit_incomplete_total keys (or users) whose lookup failed
--   iam_access_key_audit_timestamp_seconds  the evaluation time (opts.now),
--                                         when the script passes it
-- For the output of `iam get-access-key-last-used` (an object with
-- UserName and AccessKeyLastUsed) it writes
-- iam_access_key_last_used_timestamp_seconds{user,key_id,service,region},
-- omitted when the key was never used: one series per key, so two keys of
-- one user never collide. The key id is not in the result; it comes from
-- opts.params.AccessKeyId (the CLI passes the request's parameters; a
-- script passes aws.format(r, "prometheus", { params = { AccessKeyId = id } })),
-- and a result without it raises. Anything else raises an error too.
--
-- Label values are escaped as the exposition format says (\ as \\, " as
-- \", line feed as \n); HELP text escapes \ and line feed. Every line ends in
-- "\n", metric families are contiguous, each with one HELP and one TYPE line.

local value = require("aws.value")
local json = require("aws.json")
local aws_time = require("aws.time")

local vtype, null = value.type, value.null
local table_concat, ipairs, error, tostring, string_format, type =
    table.concat, ipairs, error, tostring, string.format, type
local math_type = math.type

local RULES = { "unused-credentials", "key-not-rotated", "multiple-active-keys" }

local function label_value(s)
    if s == nil or s == null then return "" end
    s = tostring(s)
    return (s:gsub("[\\\"\n]", { ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n" }))
end

local function help_text(s)
    return (s:gsub("[\\\n]", { ["\\"] = "\\\\", ["\n"] = "\\n" }))
end

local function number(x)
    if math_type(x) == "integer" then return tostring(x) end
    if x ~= x then return "NaN" end
    if x == math.huge then return "+Inf" end
    if x == -math.huge then return "-Inf" end
    return json.number(x)
end

-- labels: ordered pairs { {name, value}, ... }
local function sample(name, labels, v)
    local parts = {}
    for i, l in ipairs(labels) do
        parts[i] = l[1] .. '="' .. label_value(l[2]) .. '"'
    end
    local ls = #parts > 0 and ("{" .. table_concat(parts, ",") .. "}") or ""
    return name .. ls .. " " .. number(v)
end

-- Collects families in first-use order so each one is contiguous.
local function new_families()
    local order, by = {}, {}
    local F = {}
    function F.add(name, help, typ, labels, v)
        local f = by[name]
        if not f then
            f = { name = name, lines = {
                "# HELP " .. name .. " " .. help_text(help),
                "# TYPE " .. name .. " " .. typ } }
            by[name] = f
            order[#order + 1] = f
        end
        f.lines[#f.lines + 1] = sample(name, labels, v)
    end
    function F.text()
        local out = {}
        for _, f in ipairs(order) do
            for _, l in ipairs(f.lines) do out[#out + 1] = l end
        end
        if #out == 0 then return "" end
        return table_concat(out, "\n") .. "\n"
    end
    return F
end

local function is_num(v) return vtype(v) == "number" end

local function audit_rows(rows, opts)
    local F = new_families()
    local totals, rules, keys, incomplete = {}, {}, 0, 0
    for i, r in ipairs(RULES) do
        totals[r] = 0
        rules[i] = r
    end
    for _, row in ipairs(rows) do
        local labels = { { "user", row.user }, { "key_id", row.access_key_id },
                         { "status", row.status } }
        if row.access_key_id ~= nil and row.access_key_id ~= null then keys = keys + 1 end
        if is_num(row.age_days) then
            F.add("iam_access_key_age_days", "Days since the access key was created.",
                  "gauge", labels, row.age_days)
        end
        if is_num(row.days_since_last_use) then
            F.add("iam_access_key_days_since_last_use",
                  "Days since the access key was last used (absent when never used or unknown).",
                  "gauge", labels, row.days_since_last_use)
        end
        if row.last_used ~= nil and row.last_used ~= null then
            F.add("iam_access_key_never_used", "1 if the access key was never used, else 0.",
                  "gauge", labels, row.last_used == "never" and 1 or 0)
        end
        local findings = row.findings
        if vtype(findings) == "array" then
            for _, f in ipairs(findings) do
                F.add("iam_access_key_finding",
                      "1 for each CIS finding on the access key (label finding).", "gauge",
                      { labels[1], labels[2], labels[3], { "finding", f } }, 1)
                if totals[f] == nil then
                    totals[f] = 0
                    rules[#rules + 1] = f       -- a rule this file does not know
                end
                totals[f] = totals[f] + 1
            end
        end
        local inc = row.incomplete == true
        if inc then incomplete = incomplete + 1 end
        F.add("iam_access_key_incomplete",
              "1 if a lookup for the access key failed, so its audit is incomplete.",
              "gauge", labels, inc and 1 or 0)
    end
    for _, r in ipairs(rules) do
        F.add("iam_access_key_findings_total", "Access keys with each CIS finding.",
              "gauge", { { "finding", r } }, totals[r] or 0)
    end
    F.add("iam_access_keys_total", "Access keys audited.", "gauge", {}, keys)
    F.add("iam_access_key_audit_incomplete_total",
          "Access keys (or users) whose lookups failed.", "gauge", {}, incomplete)
    if opts and is_num(opts.now) then
        F.add("iam_access_key_audit_timestamp_seconds",
              "When the audit was evaluated, in seconds since the epoch.", "gauge", {}, opts.now)
    end
    return F.text()
end

local function last_used(obj, opts)
    local F = new_families()
    local key_id = opts and type(opts.params) == "table" and opts.params.AccessKeyId
    if type(key_id) ~= "string" then
        error("prometheus: the access key id of a GetAccessKeyLastUsed result is needed as "
            .. "opts.params.AccessKeyId (one series per key)", 0)
    end
    local lu = obj.AccessKeyLastUsed
    local date = vtype(lu) == "object" and lu.LastUsedDate
    if date and date ~= null then
        local t = aws_time.parse(date)
        if t then
            F.add("iam_access_key_last_used_timestamp_seconds",
                  "When the access key was last used, in seconds since the epoch.", "gauge",
                  { { "user", obj.UserName }, { "key_id", key_id },
                    { "service", lu.ServiceName }, { "region", lu.Region } },
                  t)
        end
    end
    return F.text()
end

return {
    format = function(data, opts)
        local t = vtype(data)
        if t == "array" then
            for _, row in ipairs(data) do
                if vtype(row) ~= "object" or row.user == nil then
                    error("prometheus: expected the rows of audit-access-keys.lua (objects with user, access_key_id, ...)", 0)
                end
            end
            return audit_rows(data, opts)
        elseif t == "object" and data.user ~= nil then
            return audit_rows({ data }, opts)
        elseif t == "object" and data.AccessKeyLastUsed ~= nil then
            return last_used(data, opts)
        end
        error(string_format("prometheus: cannot write %s data as metrics (expected audit rows or a GetAccessKeyLastUsed result)", t), 0)
    end,
}
