-- CIS AWS Foundations Benchmark v3.0.0 1.9: the password policy prevents reuse of the last `reuse` passwords.
local passwordpolicy = require "audit.passwordpolicy"
local type = type

return {
    id = "cis-1.9",
    title = "Ensure IAM password policy prevents password reuse",
    severity = "medium",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.9" },
    resource_type = "AwsAccount",
    params = { reuse = 24 },
    rationale = "A password that comes back after a forced change is as exposed as "
        .. "before; remembering 24 makes cycling back impractical.",
    remediation = "Set the account password policy's password reuse prevention to 24 "
        .. "(iamlua audit --remediate --apply keeps the other settings).",
    check = function(ctx)
        local policy = ctx.facts:password_policy()
        local want = ctx.params.reuse
        if not policy then
            ctx:fail(ctx.account, "the account has no password policy (reuse is not prevented)")
            return
        end
        local n = policy.PasswordReusePrevention
        if type(n) ~= "number" or n < want then
            ctx:fail(ctx.account, ("password reuse prevention is %s, want %d or more"):format(
                type(n) == "number" and n or "not set", want))
        else
            ctx:pass(ctx.account, ("password reuse prevention is %d"):format(n))
        end
    end,
    remediate = function(ctx, finding)
        return { passwordpolicy.call(ctx.facts:password_policy(),
                                     { PasswordReusePrevention = ctx.params.reuse }) }
    end,
}
