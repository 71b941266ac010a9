-- cli.automode: whether the auto-prompt is on for a command line
-- (AutoPromptDriver.resolve_mode). Kept apart from cli.prompt, the
-- biggest module the CLI has, so a command that does not prompt (almost
-- every one) never loads it.
local require, ipairs, type, error, pcall = require, ipairs, type, error, pcall
local os_getenv = os.getenv

local M = {}

local function has(list, word)
    for _, a in ipairs(list) do if a == word then return true end end
    return false
end

-- AutoPromptDriver.resolve_mode: help and --version never prompt, the
-- flags beat the environment, which beats the profile; anything but
-- on / on-partial (any case) is off. Asked only for AWS commands: the
-- caller (cli.lua) keeps Lua's modes (run, -e, -i) from prompting.
function M.mode(host, args)
    local on, off = has(args, "--cli-auto-prompt"), has(args, "--no-cli-auto-prompt")
    if on and off then
        error({ kind = "usage", code = "ParamValidationError", message = "Both "
            .. "--cli-auto-prompt and --no-cli-auto-prompt cannot be specified "
            .. "at the same time." }, 0)
    end
    if has(args, "help") or has(args, "--version") or off then return "off" end
    if on then return "on" end
    local v = os_getenv("AWS_CLI_AUTO_PROMPT")
    if v == nil then
        -- Only read the config files when the environment does not decide:
        -- a client is the one place that resolves the profile's settings.
        -- Like the CLI, --profile is not applied yet (its session reads
        -- the setting before parsing): AWS_PROFILE or default only.
        local ok, setting = pcall(function()
            local client = require("aws").client("iam", {})
            return (client:_setting("cli_auto_prompt"))
        end)
        if ok then v = setting end
    end
    v = type(v) == "string" and v:lower() or "off"
    if v == "on" or v == "on-partial" then return v end
    return "off"
end

return M
