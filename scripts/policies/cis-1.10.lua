-- CIS AWS Foundations Benchmark v3.0.0 1.10: every user with a console password has MFA (from the credential report).
local ipairs = ipairs
local ROOT = "<root_account>"

return {
    id = "cis-1.10",
    title = "Ensure multi-factor authentication (MFA) is enabled for all IAM users that have a console password",
    severity = "high",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.10" },
    resource_type = "AwsIamUser",
    rationale = "A console password can be phished or guessed; MFA keeps the "
        .. "password alone from being enough.",
    remediation = "Have each listed user assign an MFA device, or remove the console "
        .. "password of users who do not sign in.",
    check = function(ctx)
        for _, row in ipairs(ctx.facts:credential_report()) do
            if row.user ~= ROOT and row.password_enabled == true then
                if row.mfa_active == true then
                    ctx:pass(row.user, "console password with MFA", { resource_arn = row.arn })
                else
                    ctx:fail(row.user, "console password without MFA", { resource_arn = row.arn })
                end
            end
        end
    end,
}
