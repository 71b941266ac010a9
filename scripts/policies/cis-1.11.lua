-- CIS AWS Foundations Benchmark v3.0.0 1.11: console users have no active access key that was never used (one handed out at set-up "just in case").
local aws = require "aws"
local ipairs = ipairs
local null = aws.null
local ROOT = "<root_account>"

return {
    id = "cis-1.11",
    title = "Do not setup access keys during initial user setup for all IAM users that have a console password",
    severity = "low",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.11" },
    resource_type = "AwsIamUser",
    rationale = "Keys created with a console user by default are rarely needed, never "
        .. "rotated and easily forgotten; a key should exist only once someone uses it.",
    remediation = "Delete the never-used access keys of the listed users; create keys "
        .. "only when a user asks for programmatic access.",
    check = function(ctx)
        for _, row in ipairs(ctx.facts:credential_report()) do
            if row.user ~= ROOT and row.password_enabled == true then
                local unused = {}
                for n = 1, 2 do
                    local p = "access_key_" .. n
                    if row[p .. "_active"] == true and row[p .. "_last_used_date"] == null then
                        unused[#unused + 1] = n
                    end
                end
                if #unused > 0 then
                    ctx:fail(row.user, ("console user with %d active access key(s) never used"):format(#unused),
                        { resource_arn = row.arn })
                else
                    ctx:pass(row.user, "console user without a never-used active access key",
                        { resource_arn = row.arn })
                end
            end
        end
    end,
}
