-- CIS AWS Foundations Benchmark v3.0.0 1.13: each IAM user has at most one active access key.
local table_concat = table.concat
local ipairs, pcall, tostring = ipairs, pcall, tostring

return {
    id = "cis-1.13",
    title = "Ensure there is only one active access key available for any single IAM user",
    severity = "medium",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.13" },
    resource_type = "AwsIamUser",
    rationale = "Two active keys are only needed during a rotation; left that way, "
        .. "the old key stays live and nobody knows which one is in use.",
    remediation = "Finish the rotation: move users of the older key to the newer one, "
        .. "then deactivate and delete the older key.",
    check = function(ctx)
        ctx:map(ctx.facts:users(), function(u)
            local name = u.UserName
            local ok, keys = pcall(ctx.facts.access_keys, ctx.facts, name)
            if not ok then
                ctx:error(name, tostring(keys), { user = name })
                return
            end
            local active = {}
            for _, k in ipairs(keys) do
                if k.Status == "Active" then active[#active + 1] = k.AccessKeyId end
            end
            local extra = { user = name, active = active, resource_arn = u.Arn }
            if #active > 1 then
                ctx:fail(name, ("%d active access keys: %s"):format(#active, table_concat(active, ", ")), extra)
            else
                ctx:pass(name, ("%d active access key(s)"):format(#active), extra)
            end
        end)
    end,
}
