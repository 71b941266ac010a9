-- global_options.lua: what each global option of scripts/cli/globals.lua
-- does, in the AWS CLI's words, for the man page and zsh's descriptions.
-- check(specs) fails the build when globals.lua gains or loses an option
-- this table does not describe, so the two cannot drift apart.
local M = {}

M.doc = {
    ["--debug"] = { "boolean", "Turn on debug logging: endpoint, credential "
        .. "source, canonical request, string to sign, status and response "
        .. "on stderr, with secrets redacted." },
    ["--endpoint-url"] = { "string", "Override the command's default URL with "
        .. "the given URL." },
    ["--no-verify-ssl"] = { "boolean", "Do not verify TLS certificates. By "
        .. "default every HTTPS connection verifies the server's certificate." },
    ["--no-paginate"] = { "boolean", "Disable automatic pagination: make one "
        .. "call, for the first page of results." },
    ["--output"] = { "string", "The formatting style for command output. "
        .. "User formats found as output/NAME.lua in the script directories "
        .. "(see SCRIPT DIRECTORIES) are accepted too." },
    ["--query"] = { "string", "A JMESPath query to use in filtering the "
        .. "response data." },
    ["--profile"] = { "string", "Use a specific profile from your "
        .. "credentials or config file." },
    ["--region"] = { "string", "The region to use. Overrides config/env "
        .. "settings." },
    ["--version"] = { "boolean", "Display the version of this tool and of "
        .. "the libraries it uses, then exit." },
    ["--color"] = { "string", "Turn on/off color output." },
    ["--no-sign-request"] = { "boolean", "Do not sign requests. Credentials "
        .. "will not be loaded if this argument is provided." },
    ["--ca-bundle"] = { "string", "The CA certificate bundle to use when "
        .. "verifying TLS certificates. Overrides config/env settings." },
    ["--cli-read-timeout"] = { "int", "The maximum socket read time in "
        .. "seconds. If the value is set to 0, the socket read will be "
        .. "blocking and not timeout. The default value is 60 seconds." },
    ["--cli-connect-timeout"] = { "int", "The maximum socket connect time in "
        .. "seconds. If the value is set to 0, the socket connect will be "
        .. "blocking and not timeout. The default value is 60 seconds." },
    ["--cli-binary-format"] = { "string", "The formatting style to be used "
        .. "for binary blobs." },
    ["--no-cli-pager"] = { "boolean", "Disable the cli pager for output." },
    ["--cli-auto-prompt"] = { "boolean", "Automatically prompt for CLI input "
        .. "parameters." },
    ["--no-cli-auto-prompt"] = { "boolean", "Disable automatically prompt "
        .. "for CLI input parameters." },
}

-- The options every command accepts besides its parameters, as
-- scripts/cli/service.lua builds them (command_specs).
M.command_options = {
    { option = "--cli-input-json", type = "string", nargs = 1,
      doc = "Reads arguments from the JSON string provided (file://PATH "
        .. "reads a file). Explicit arguments on the command line override "
        .. "the values in it." },
    { option = "--cli-input-yaml", type = "string", nargs = 1,
      doc = "Reads arguments from the YAML string provided (file://PATH "
        .. "reads a file). Explicit arguments on the command line override "
        .. "the values in it." },
    { option = "--generate-cli-skeleton", type = "string", nargs = "?",
      choices = { "input", "yaml-input", "output" },
      doc = "Prints a JSON skeleton of the input (input, the default), a "
        .. "YAML skeleton (yaml-input) or a sample output (output) without "
        .. "sending a request." },
}

-- Raises unless every option in specs is described and every description
-- names an option in specs.
function M.check(specs)
    for name in pairs(specs) do
        if not M.doc[name] then
            error(("tools/global_options.lua: no description of %s, "
                .. "which scripts/cli/globals.lua declares"):format(name), 0)
        end
    end
    for name in pairs(M.doc) do
        if not specs[name] then
            error(("tools/global_options.lua: describes %s, which "
                .. "scripts/cli/globals.lua does not declare"):format(name), 0)
        end
    end
end

-- The global options in the order `aws help` lists them, then the rest
-- sorted: names, as an array.
function M.ordered(specs)
    local first = { "--debug", "--endpoint-url", "--no-verify-ssl",
        "--no-paginate", "--output", "--query", "--profile", "--region",
        "--version", "--color", "--no-sign-request", "--ca-bundle",
        "--cli-read-timeout", "--cli-connect-timeout" }
    local out, seen, rest = {}, {}, {}
    for _, n in ipairs(first) do
        if specs[n] then out[#out + 1] = n; seen[n] = true end
    end
    for n in pairs(specs) do
        if not seen[n] then rest[#rest + 1] = n end
    end
    table.sort(rest)
    for _, n in ipairs(rest) do out[#out + 1] = n end
    return out
end

-- Loads the declarations the CLI reads: globals and the command scripts
-- given as paths (scripts/commands/SERVICE/NAME.lua), each checked to be
-- the command its path names.
function M.load(command_files)
    local globals = dofile("scripts/cli/globals.lua")
    M.check(globals.specs)
    local commands = {}
    for _, path in ipairs(command_files) do
        local svc, name = path:match("commands/([^/]+)/([^/]+)%.lua$")
        local cmd = dofile(path)
        assert(cmd.service == svc and cmd.name == name,
               path .. ": declares " .. tostring(cmd.service) .. " "
               .. tostring(cmd.name))
        commands[#commands + 1] = cmd
    end
    table.sort(commands, function(a, b)
        return a.service .. " " .. a.name < b.service .. " " .. b.name
    end)
    return globals, commands
end

return M
