-- --output ocsf: audit findings as OCSF 1.1 Detection Finding events
-- (class_uid 2004, category Findings), one per finding, in a JSON array —
-- the shape Prowler's json-ocsf output and Amazon Security Lake read.
--
-- Mapping: severity -> severity_id (1 Informational .. 5 Critical); the
-- finding's status -> status_code (PASS/FAIL/ERROR) with status New for
-- FAIL and ERROR, Resolved for PASS; check and title -> finding_info (uid
-- unique per check, account and resource); the resource -> resources[0]
-- and the account -> cloud.account (the cloud profile, declared in
-- metadata.profiles); the message -> message and
-- status_detail. `time` is when the document was written (epoch ms).
-- Anything but a list of findings is a usage error (exit 252).
local value = require "aws.value"
local json = require "aws.json"
local findings = require "audit.findings"

local ipairs, tostring, os_time = ipairs, tostring, os.time
local null = value.null

local SEVERITY = { informational = { 1, "Informational" }, low = { 2, "Low" },
                   medium = { 3, "Medium" }, high = { 4, "High" }, critical = { 5, "Critical" } }
local STATUS = { PASS = { 4, "Resolved" }, FAIL = { 1, "New" }, ERROR = { 1, "New" } }

local function str(v)
    if v == nil or v == null then return nil end
    return tostring(v)
end

local function event(f, now_ms)
    local sev = SEVERITY[f.severity] or { 99, "Other" }
    local st = STATUS[f.status] or { 99, "Other" }
    local account = str(f.account)
    local resource = value.object(
        "uid", str(f.resource_arn) or str(f.resource) or "",
        "name", str(f.resource) or "",
        "type", str(f.resource_type) or "Other")
    resource.cloud_partition = "aws"
    resource.region = "global"
    local e = value.object(
        "metadata", value.object(
            "version", "1.1.0",
            "product", value.object("name", "iamlua", "vendor_name", "iamlua",
                                    "feature", value.object("name", "audit")),
            "event_code", f.check,
            "profiles", value.array({ "cloud" })),
        "category_uid", 2, "category_name", "Findings",
        "class_uid", 2004, "class_name", "Detection Finding",
        "activity_id", 1, "activity_name", "Create",
        "type_uid", 200401, "type_name", "Detection Finding: Create",
        "time", now_ms,
        "severity_id", sev[1], "severity", sev[2],
        "status_id", st[1], "status", st[2],
        "status_code", f.status, "status_detail", str(f.message) or "",
        "message", str(f.message) or "",
        "finding_info", value.object(
            "uid", ("iamlua-%s-%s-%s"):format(f.check, account or "", str(f.resource) or ""),
            "title", str(f.title) or f.check,
            "desc", str(f.title) or f.check,
            "types", value.array({ "Software and Configuration Checks" }),
            "created_time", now_ms),
        "resources", value.array({ resource }))
    if account then
        e.cloud = value.object("provider", "AWS", "region", "global",
            "account", value.object("uid", account, "type", "AWS Account", "type_id", 10))
    end
    local rem = f.remediation
    if rem ~= nil and rem ~= null then
        e.unmapped = value.object("remediation", rem)
    end
    return e
end

return {
    format = function(data, opts)
        if not findings.is_findings(data) then findings.not_findings("ocsf") end
        local now_ms = (opts and opts.time or os_time()) * 1000
        local out = value.array({})
        for i, f in ipairs(data) do out[i] = event(f, now_ms) end
        return json.encode(out, { indent = 2 }) .. "\n"
    end,
}
