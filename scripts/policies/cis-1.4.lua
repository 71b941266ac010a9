-- CIS AWS Foundations Benchmark v3.0.0 1.4: the root user has no access key.
local type, error = type, error

return {
    id = "cis-1.4",
    title = "Ensure no 'root' user account access key exists",
    severity = "critical",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.4" },
    resource_type = "AwsAccount",
    rationale = "A root access key cannot be limited by any policy and signs for the "
        .. "whole account; a leaked one is the account. Nothing needs one.",
    remediation = "Sign in as root, open Security credentials, and delete the root "
        .. "user's access keys (after moving whatever used them to a role).",
    check = function(ctx)
        local present = ctx.facts:account_summary().AccountAccessKeysPresent
        if type(present) ~= "number" then
            error("GetAccountSummary did not report AccountAccessKeysPresent", 0)
        end
        local arn = ("arn:%s:iam::%s:root"):format(ctx.partition, ctx.account)
        if present > 0 then
            ctx:fail(ctx.account, "the root user has an access key", { resource_arn = arn })
        else
            ctx:pass(ctx.account, "the root user has no access key", { resource_arn = arn })
        end
    end,
}
