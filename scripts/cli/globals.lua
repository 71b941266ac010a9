-- cli.globals: the AWS CLI v2 global options, as `aws help` lists them.
-- Each entry: nargs (0 flag, 1 value, "?" optional value), dest, choices.
local formats = { "json", "text", "table", "yaml", "yaml-stream" }

local specs = {
    ["--debug"] = { nargs = 0, dest = "debug" },
    ["--endpoint-url"] = { nargs = 1, dest = "endpoint_url" },
    ["--no-verify-ssl"] = { nargs = 0, dest = "verify_ssl", const = false },
    ["--no-paginate"] = { nargs = 0, dest = "paginate", const = false },
    ["--output"] = { nargs = 1, dest = "output", choices = formats },
    ["--query"] = { nargs = 1, dest = "query" },
    ["--profile"] = { nargs = 1, dest = "profile" },
    ["--region"] = { nargs = 1, dest = "region" },
    ["--version"] = { nargs = 0, dest = "version" },
    ["--color"] = { nargs = 1, dest = "color", choices = { "on", "off", "auto" } },
    ["--no-sign-request"] = { nargs = 0, dest = "sign", const = false },
    ["--ca-bundle"] = { nargs = 1, dest = "ca_bundle" },
    ["--cli-read-timeout"] = { nargs = 1, dest = "read_timeout", type = "int" },
    ["--cli-connect-timeout"] = { nargs = 1, dest = "connect_timeout", type = "int" },
    ["--cli-binary-format"] = { nargs = 1, dest = "binary_format",
                                choices = { "base64", "raw-in-base64-out" } },
    ["--no-cli-pager"] = { nargs = 0, dest = "pager", const = false },
    ["--cli-auto-prompt"] = { nargs = 0, dest = "auto_prompt", const = "on" },
    ["--no-cli-auto-prompt"] = { nargs = 0, dest = "auto_prompt", const = "off" },
}
for name, s in pairs(specs) do s.name = name end

return { specs = specs, formats = formats }
