-- --output sarif: audit findings as a SARIF 2.1.0 log, which code-scanning
-- dashboards (GitHub, Azure DevOps, ...) import.
--
-- One run of the tool "iamlua"; one rule per check (in the findings'
-- order), with the title, the CIS recommendation as a tag and the severity
-- both as defaultConfiguration.level (critical/high error, medium warning,
-- low/informational note) and as security-severity; one result per
-- finding that did not pass: FAIL as kind "fail" at its rule's level,
-- ERROR as kind "open" (the check could not decide). The resource is a
-- logical location (its ARN when known, else account/resource). Anything
-- but a list of findings is a usage error (exit 252).
local value = require "aws.value"
local json = require "aws.json"
local findings = require "audit.findings"

local ipairs, tostring = ipairs, tostring
local null = value.null

local LEVEL = { critical = "error", high = "error", medium = "warning", low = "note", informational = "note" }
local SCORE = { critical = "9.5", high = "8.0", medium = "5.5", low = "3.0", informational = "0.0" }

local function str(v)
    if v == nil or v == null then return nil end
    return tostring(v)
end

return {
    format = function(data)
        if not findings.is_findings(data) then findings.not_findings("sarif") end
        local rules, index, results = value.array({}), {}, value.array({})
        for _, f in ipairs(data) do
            if not index[f.check] then
                local title = str(f.title) or f.check
                rules[#rules + 1] = value.object(
                    "id", f.check, "name", f.check,
                    "shortDescription", value.object("text", title),
                    "fullDescription", value.object("text", title),
                    "defaultConfiguration", value.object("level", LEVEL[f.severity] or "warning"),
                    "properties", value.object(
                        "security-severity", SCORE[f.severity] or "5.5",
                        "tags", value.array({ "security", "iam", tostring(f.severity) })))
                index[f.check] = #rules - 1
            end
            if f.status ~= "PASS" then
                local account, resource = str(f.account) or "", str(f.resource) or ""
                local where = str(f.resource_arn) or (account .. "/" .. resource)
                local r = value.object(
                    "ruleId", f.check, "ruleIndex", index[f.check])
                if f.status == "FAIL" then
                    r.kind = "fail"
                    r.level = LEVEL[f.severity] or "warning"
                else
                    r.kind = "open"
                    r.level = "none"
                end
                r.message = value.object("text", ("%s %s: %s"):format(f.status, resource, str(f.message) or ""))
                r.locations = value.array({ value.object("logicalLocations", value.array({
                    value.object("name", resource, "fullyQualifiedName", where, "kind", "resource") })) })
                r.partialFingerprints = value.object("iamlua/v1", f.check .. "/" .. account .. "/" .. resource)
                r.properties = value.object("account", account, "resource_type", str(f.resource_type) or "Other",
                                            "status", f.status)
                results[#results + 1] = r
            end
        end
        local log = value.object(
            "$schema", "https://json.schemastore.org/sarif-2.1.0.json",
            "version", "2.1.0",
            "runs", value.array({ value.object(
                "tool", value.object("driver", value.object(
                    "name", "iamlua",
                    "rules", rules)),
                "results", results) }))
        return json.encode(log, { indent = 2 }) .. "\n"
    end,
}
