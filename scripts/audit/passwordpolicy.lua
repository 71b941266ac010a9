-- audit.passwordpolicy: the UpdateAccountPasswordPolicy call that raises
-- some settings and keeps every other one as it is. IAM replaces the whole
-- policy on update (a setting left out goes back to its default), so the
-- call carries the current values; calls from several findings of one
-- account merge into one (their `changes` applied together, see
-- audit.remediate).
local aws = require "aws"

local value = aws.value
local null = aws.null
local ipairs, pairs = ipairs, pairs

local M = {}

-- The settings UpdateAccountPasswordPolicy takes, in its order.
M.SETTINGS = {
    "MinimumPasswordLength", "RequireSymbols", "RequireNumbers", "RequireUppercaseCharacters",
    "RequireLowercaseCharacters", "AllowUsersToChangePassword", "MaxPasswordAge",
    "PasswordReusePrevention", "HardExpiry",
}

-- params(current, changes) -> the call's parameters
function M.params(current, changes)
    local p = value.object()
    for _, k in ipairs(M.SETTINGS) do
        local v = changes[k]
        if v == nil and current then v = current[k] end
        if v ~= nil and v ~= null then p[k] = v end
    end
    return p
end

-- call(current, changes) -> a planned call for remediate() to return
function M.call(current, changes)
    local ch = {}
    for k, v in pairs(changes) do ch[k] = v end
    return { action = "UpdateAccountPasswordPolicy", params = M.params(current, ch),
             merge = "password-policy", changes = ch, base = current }
end

return M
