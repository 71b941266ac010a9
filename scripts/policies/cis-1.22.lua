-- CIS AWS Foundations Benchmark v3.0.0 1.22: AWSCloudShellFullAccess is attached to no user, group or role.
local ipairs, pcall, tostring = ipairs, pcall, tostring

local KINDS = {
    { list = "PolicyUsers", name = "UserName", fact = "user", type = "AwsIamUser" },
    { list = "PolicyGroups", name = "GroupName", fact = "group", type = "AwsIamGroup" },
    { list = "PolicyRoles", name = "RoleName", fact = "role", type = "AwsIamRole" },
}

return {
    id = "cis-1.22",
    title = "Ensure access to AWSCloudShellFullAccess is restricted",
    severity = "medium",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.22" },
    resource_type = "AwsAccount",
    rationale = "CloudShell's full access includes moving files in and out of the "
        .. "shell environment, a path around data-exfiltration controls.",
    remediation = "Detach AWSCloudShellFullAccess from the listed entities; grant a "
        .. "narrower CloudShell policy to those who need it.",
    check = function(ctx)
        local policy = ("arn:%s:iam::aws:policy/AWSCloudShellFullAccess"):format(ctx.partition)
        local e = ctx.facts:entities_for_policy(policy)
        local found = {}
        for _, kind in ipairs(KINDS) do
            for _, ent in ipairs(e[kind.list]) do found[#found + 1] = { kind = kind, name = ent[kind.name] } end
        end
        if #found == 0 then
            ctx:pass(ctx.account, "AWSCloudShellFullAccess is attached to nothing")
            return
        end
        -- the finding names the entity's ARN, which needs its path
        ctx:map(found, function(x)
            local ok, ent = pcall(ctx.facts[x.kind.fact], ctx.facts, x.name)
            if not ok then
                ctx:error(ctx:arn(x.kind.fact, x.name), tostring(ent), { resource_type = x.kind.type })
                return
            end
            ctx:fail(ent.Arn, ("AWSCloudShellFullAccess is attached to %s %s"):format(x.kind.fact, x.name),
                { resource_arn = ent.Arn, resource_type = x.kind.type })
        end)
    end,
}
