-- CIS AWS Foundations Benchmark v3.0.0 1.17: a support role exists (AWSSupportAccess is attached to at least one role).
local table_concat = table.concat
local ipairs = ipairs

return {
    id = "cis-1.17",
    title = "Ensure a support role has been created to manage incidents with AWS Support",
    severity = "low",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.17" },
    resource_type = "AwsAccount",
    rationale = "During an incident someone must be able to open AWS Support cases "
        .. "without borrowing broader rights.",
    remediation = "Create a role for your incident responders and attach the AWS "
        .. "managed policy AWSSupportAccess to it.",
    check = function(ctx)
        local arn = ("arn:%s:iam::aws:policy/AWSSupportAccess"):format(ctx.partition)
        local roles = ctx.facts:entities_for_policy(arn).PolicyRoles
        local names = {}
        for _, r in ipairs(roles) do names[#names + 1] = r.RoleName end
        if #names > 0 then
            ctx:pass(ctx.account, "AWSSupportAccess is attached to role(s) " .. table_concat(names, ", "))
        else
            ctx:fail(ctx.account, "AWSSupportAccess is attached to no role")
        end
    end,
}
