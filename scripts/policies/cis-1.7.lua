-- CIS AWS Foundations Benchmark v3.0.0 1.7: the root user is not used for daily work (no sign-in or key use in the last `days` days).
local ipairs = ipairs

local COLUMNS = {
    { "password_last_used", "signed in" },
    { "access_key_1_last_used_date", "used access key 1" },
    { "access_key_2_last_used_date", "used access key 2" },
}

return {
    id = "cis-1.7",
    title = "Eliminate use of the 'root' user for administrative and daily tasks",
    severity = "high",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.7" },
    resource_type = "AwsAccount",
    params = { days = 90 },
    rationale = "Root can do anything and no policy limits it; using it routinely "
        .. "multiplies the moments its credentials are exposed.",
    remediation = "Do administrative work as an IAM user or role with the permissions "
        .. "it needs, keep root for the few tasks only root can do.",
    check = function(ctx)
        local row = ctx.facts:root_usage()
        local arn = ("arn:%s:iam::%s:root"):format(ctx.partition, ctx.account)
        for _, c in ipairs(COLUMNS) do
            local d = ctx:days_since(row[c[1]])
            if d and d < ctx.params.days then
                ctx:fail(ctx.account, ("the root user %s %d days ago (%s)"):format(c[2], d, row[c[1]]),
                    { resource_arn = arn })
                return
            end
        end
        ctx:pass(ctx.account, ("the root user was not used in the last %d days"):format(ctx.params.days),
            { resource_arn = arn })
    end,
}
