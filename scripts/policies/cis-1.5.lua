-- CIS AWS Foundations Benchmark v3.0.0 1.5: the root user signs in with MFA.
local type, error = type, error

return {
    id = "cis-1.5",
    title = "Ensure MFA is enabled for the 'root' user account",
    severity = "critical",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.5" },
    resource_type = "AwsAccount",
    rationale = "With MFA a stolen root password alone does not open the account.",
    remediation = "Sign in as root, open Security credentials, and assign an MFA device "
        .. "(a hardware key, see cis-1.6).",
    check = function(ctx)
        local enabled = ctx.facts:account_summary().AccountMFAEnabled
        if type(enabled) ~= "number" then
            error("GetAccountSummary did not report AccountMFAEnabled", 0)
        end
        local arn = ("arn:%s:iam::%s:root"):format(ctx.partition, ctx.account)
        if enabled == 1 then
            ctx:pass(ctx.account, "the root user has MFA", { resource_arn = arn })
        else
            ctx:fail(ctx.account, "the root user has no MFA device", { resource_arn = arn })
        end
    end,
}
