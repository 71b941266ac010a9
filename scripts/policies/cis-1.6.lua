-- CIS AWS Foundations Benchmark v3.0.0 1.6: the root user's MFA is a hardware device, not a virtual one.
local ipairs, type = ipairs, type

-- A virtual device belongs to root when IAM names it root's
-- (root-account-mfa-device) or assigns it to the root ARN.
local function roots_virtual_device(devices)
    for _, d in ipairs(devices) do
        local serial = type(d.SerialNumber) == "string" and d.SerialNumber or ""
        local user_arn = type(d.User) == "table" and type(d.User.Arn) == "string" and d.User.Arn or ""
        if serial:match(":mfa/root%-account%-mfa%-device$") or user_arn:match(":root$") then
            return serial
        end
    end
    return nil
end

return {
    id = "cis-1.6",
    title = "Ensure hardware MFA is enabled for the 'root' user account",
    severity = "high",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.6" },
    resource_type = "AwsAccount",
    rationale = "A virtual MFA lives on a phone or laptop that is itself exposed; a "
        .. "hardware key is a separate object an attacker must hold.",
    remediation = "Sign in as root, remove the virtual MFA device and assign a hardware "
        .. "TOTP token or FIDO security key.",
    check = function(ctx)
        local arn = ("arn:%s:iam::%s:root"):format(ctx.partition, ctx.account)
        if ctx.facts:account_summary().AccountMFAEnabled ~= 1 then
            ctx:fail(ctx.account, "the root user has no MFA device at all", { resource_arn = arn })
            return
        end
        local serial = roots_virtual_device(ctx.facts:virtual_mfa_devices())
        if serial then
            ctx:fail(ctx.account, "the root user's MFA is a virtual device (" .. serial .. ")",
                { resource_arn = arn })
        else
            ctx:pass(ctx.account, "the root user's MFA is not a virtual device", { resource_arn = arn })
        end
    end,
}
