-- CIS AWS Foundations Benchmark v3.0.0 1.8: the password policy asks for at least `min_length` characters.
local passwordpolicy = require "audit.passwordpolicy"
local type = type

return {
    id = "cis-1.8",
    title = "Ensure IAM password policy requires minimum length of 14 or greater",
    severity = "medium",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.8" },
    resource_type = "AwsAccount",
    params = { min_length = 14 },
    rationale = "Length is what makes a password expensive to guess; short ones fall "
        .. "to offline cracking and spraying.",
    remediation = "Set the account password policy's minimum length to 14 or more "
        .. "(iamlua audit --remediate --apply keeps the other settings).",
    check = function(ctx)
        local policy = ctx.facts:password_policy()
        local want = ctx.params.min_length
        if not policy then
            ctx:fail(ctx.account, "the account has no password policy (IAM's default minimum is 8)")
            return
        end
        local n = policy.MinimumPasswordLength
        if type(n) ~= "number" or n < want then
            ctx:fail(ctx.account, ("minimum password length is %s, want %d or more"):format(
                type(n) == "number" and n or "not set", want))
        else
            ctx:pass(ctx.account, ("minimum password length is %d"):format(n))
        end
    end,
    remediate = function(ctx, finding)
        return { passwordpolicy.call(ctx.facts:password_policy(),
                                     { MinimumPasswordLength = ctx.params.min_length }) }
    end,
}
