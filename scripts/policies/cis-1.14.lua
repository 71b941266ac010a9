-- CIS AWS Foundations Benchmark v3.0.0 1.14: active access keys are rotated within `max_age_days` days.
local ipairs, pcall, tostring = ipairs, pcall, tostring

return {
    id = "cis-1.14",
    title = "Ensure access keys are rotated every 90 days or less",
    severity = "medium",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.14" },
    resource_type = "AwsIamAccessKey",
    params = { max_age_days = 90 },
    rationale = "An old key has had more chances to be copied somewhere; rotating "
        .. "bounds how long a copy keeps working.",
    remediation = "Create a new key, move its users over, deactivate the old key "
        .. "(iamlua audit --remediate --apply deactivates, never deletes).",
    check = function(ctx)
        local max = ctx.params.max_age_days
        ctx:map(ctx.facts:users(), function(u)
            local name = u.UserName
            local ok, keys = pcall(ctx.facts.access_keys, ctx.facts, name)
            if not ok then
                ctx:error(name, tostring(keys), { user = name, resource_type = "AwsIamUser" })
                return
            end
            for _, k in ipairs(keys) do
                local age = ctx:days_since(k.CreateDate)
                local extra = { user = name, key = k }
                if k.Status ~= "Active" then
                    ctx:pass(k.AccessKeyId, "inactive", extra)
                elseif age and age > max then
                    ctx:fail(k.AccessKeyId, ("active, created %d days ago"):format(age), extra)
                else
                    ctx:pass(k.AccessKeyId, ("active, created %s days ago"):format(tostring(age)), extra)
                end
            end
        end)
    end,
    remediate = function(ctx, finding)
        local x = finding.extra
        if not x.key then return {} end
        return { { "UpdateAccessKey", { UserName = x.user, AccessKeyId = finding.resource,
                                        Status = "Inactive" } } }
    end,
}
