-- CIS AWS Foundations Benchmark v3.0.0 1.15: users get permissions only through groups (no attached or inline user policies).
local ipairs, pcall, tostring = ipairs, pcall, tostring

return {
    id = "cis-1.15",
    title = "Ensure IAM Users Receive Permissions Only Through Groups",
    severity = "low",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.15" },
    resource_type = "AwsIamUser",
    rationale = "Permissions granted per user drift apart and are hard to review; "
        .. "groups keep them in a few places that match job functions.",
    remediation = "Put the listed users in groups carrying the policies, then detach "
        .. "their managed policies and delete their inline ones.",
    check = function(ctx)
        local facts = ctx.facts
        ctx:map(facts:users(), function(u)
            local name = u.UserName
            local res = ctx:map({ "attached_user_policies", "user_policies" }, function(m)
                local ok, v = pcall(facts[m], facts, name)
                return { ok = ok, v = v }
            end)
            for _, r in ipairs(res) do
                if not r.ok then
                    ctx:error(name, tostring(r.v), { resource_arn = u.Arn })
                    return
                end
            end
            local attached, inline = #res[1].v, #res[2].v
            local extra = { resource_arn = u.Arn }
            if attached + inline > 0 then
                ctx:fail(name, ("%d attached and %d inline user policies"):format(attached, inline), extra)
            else
                ctx:pass(name, "no user policies", extra)
            end
        end)
    end,
}
