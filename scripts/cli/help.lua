-- cli.help: `iamlua help`, `iamlua iam help`, `iamlua iam COMMAND help`,
-- rendered from the command declarations (the same source as the man page).
local ipairs, require = ipairs, require
local io_stdout = io.stdout

local function wrap(text, indent, width)
    local out, line = {}, indent
    for word in text:gmatch("%S+") do
        if #line + #word + 1 > width and line ~= indent then
            out[#out + 1] = line
            line = indent .. word
        elseif line == indent then
            line = line .. word
        else
            line = line .. " " .. word
        end
    end
    if line ~= indent then out[#out + 1] = line end
    return table.concat(out, "\n")
end

local function command_help(cmd)
    local o = {}
    o[#o + 1] = cmd.name:upper() .. "()\n\n"
    o[#o + 1] = "NAME\n       " .. cmd.name .. " -\n\n"
    o[#o + 1] = "DESCRIPTION\n"
    for _, p in ipairs(cmd.description) do o[#o + 1] = wrap(p, "       ", 79) .. "\n\n" end
    o[#o + 1] = "       See also: AWS API Documentation\n\n"
    o[#o + 1] = "SYNOPSIS\n            " .. cmd.name .. "\n"
    for _, p in ipairs(cmd.parameters) do
        o[#o + 1] = "          " .. p.option .. " <value>\n"
    end
    o[#o + 1] = "          [--cli-input-json | --cli-input-yaml]\n"
        .. "          [--generate-cli-skeleton <value>]\n"
        .. "          [--debug] [--endpoint-url <value>] [--no-verify-ssl]\n"
        .. "          [--no-paginate] [--output <value>] [--query <value>]\n"
        .. "          [--profile <value>] [--region <value>] [--version <value>]\n"
        .. "          [--color <value>] [--no-sign-request] [--ca-bundle <value>]\n"
        .. "          [--cli-read-timeout <value>] [--cli-connect-timeout <value>]\n\n"
    o[#o + 1] = "OPTIONS\n"
    for _, p in ipairs(cmd.parameters) do
        o[#o + 1] = "       " .. p.option .. " (" .. p.type .. ")\n"
        for _, d in ipairs(p.doc) do o[#o + 1] = wrap(d, "          ", 79) .. "\n\n" end
    end
    o[#o + 1] = "       --cli-input-json | --cli-input-yaml (string) Reads arguments from\n"
        .. "       the JSON or YAML string provided; explicit arguments override it.\n\n"
        .. "       --generate-cli-skeleton (string) Prints a JSON skeleton (input),\n"
        .. "       a YAML skeleton (yaml-input) or a sample output (output) without\n"
        .. "       sending a request.\n\n"
    o[#o + 1] = "EXAMPLES\n"
    for _, e in ipairs(cmd.examples or {}) do
        o[#o + 1] = "       " .. e.title .. "\n\n" .. wrap(e.text, "       ", 79) .. "\n\n"
            .. "          " .. e.command .. "\n\n       Output:\n\n"
        for line in (e.output .. "\n"):gmatch("(.-)\n") do o[#o + 1] = "          " .. line .. "\n" end
        o[#o + 1] = "\n"
    end
    o[#o + 1] = "OUTPUT\n"
    for _, d in ipairs(cmd.output_doc or {}) do
        local depth = select(2, d[1]:gsub("%.", ""))
        local pad = ("   "):rep(depth)
        o[#o + 1] = "       " .. pad .. d[1]:match("[^.]+$") .. " -> (" .. d[2] .. ")\n"
        o[#o + 1] = wrap(d[3], "          " .. pad, 79) .. "\n\n"
    end
    return table.concat(o)
end

-- `iamlua help lua`: the aws module's reference (cli.luaref, the source
-- of iamlua-lua(3) too) as text.
local function lua_help()
    local ref = require "cli.luaref"
    local o = { "IAMLUA-LUA(3)\n\nNAME\n       " .. ref.title .. " - " .. ref.summary .. "\n\n" }
    local function para(text, indent)
        o[#o + 1] = wrap(text, indent, 79) .. "\n\n"
    end
    local function code(text)
        for line in (text .. "\n"):gmatch("(.-)\n") do
            o[#o + 1] = (line == "" and "" or "          " .. line) .. "\n"
        end
        o[#o + 1] = "\n"
    end
    o[#o + 1] = "DESCRIPTION\n"
    for _, p in ipairs(ref.intro) do para(p, "       ") end
    for _, sec in ipairs(ref.sections) do
        o[#o + 1] = sec.title .. "\n"
        for _, e in ipairs(sec.entries) do
            o[#o + 1] = "   " .. e.synopsis .. "\n"
            for _, p in ipairs(e.text or {}) do para(p, "       ") end
            for _, it in ipairs(e.items or {}) do
                o[#o + 1] = "       " .. it[1] .. "\n"
                para(it[2], "              ")
            end
            if e.example then code(e.example:gsub("^\n", "")) end
        end
    end
    for _, n in ipairs(ref.notes) do
        o[#o + 1] = n.title .. "\n"
        for _, p in ipairs(n.text) do para(p, "       ") end
        if n.example then code(n.example:gsub("^\n", "")) end
    end
    o[#o + 1] = "SEE ALSO\n       iamlua(1), lua(1)\n"
    return table.concat(o)
end

return function(host, g, rest)
    local service, name = rest[2], rest[3]
    if service == "run" and name == nil then
        io_stdout:write(require("cli.run").USAGE)
        return 0
    elseif service == "lua" and name == nil then
        io_stdout:write(lua_help())
        return 0
    end
    if service and name then
        local cmd = host.load("commands." .. service .. "." .. name)()
        io_stdout:write(command_help(cmd))
        return 0
    end
    local o = { "IAMLUA()\n\nNAME\n       iamlua - a scriptable, fast drop-in for the AWS CLI's IAM access-key\n"
        .. "       commands\n\nSYNOPSIS\n          iamlua [options] <command> <subcommand> [parameters]\n"
        .. "          iamlua run SCRIPT.lua [ARG ...]\n"
        .. "          iamlua run - [ARG ...]\n"
        .. "          iamlua -e CODE [ARG ...]\n"
        .. "          iamlua -i\n\nAVAILABLE COMMANDS\n" }
    -- host.list gives one level; commands live under the services a
    -- client can call (shipped or user commands/SERVICE/NAME.lua).
    for _, svc in ipairs({ "iam", "sts" }) do
        for _, m in ipairs(host.list("commands." .. svc .. ".")) do
            o[#o + 1] = "       o " .. svc .. " " .. m:match("([^.]+)$") .. "\n"
        end
    end
    o[#o + 1] = "       o run\n\n"
        .. "SEE ALSO\n       iamlua help run (scripts), iamlua help lua (the aws Lua module)\n\n"
    io_stdout:write(table.concat(o))
    return 0
end
