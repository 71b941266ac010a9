-- cli.prompt: the auto-prompt (--cli-auto-prompt, AWS_CLI_AUTO_PROMPT,
-- profile cli_auto_prompt = on | on-partial), after awscli/autoprompt and
-- clidriver.AWSCLIEntryPoint. The CLI's full-screen prompt_toolkit panel
-- becomes one libedit line (host.readline): Tab completes and lists
-- options with their docs, F3 shows the docs, Enter runs, Ctrl-C and
-- Ctrl-D end with 130.
local require, ipairs, type, error, pcall, xpcall = require, ipairs, type, error, pcall, xpcall
local debug_traceback = debug.traceback
local io_stdout, io_stderr, io_stdin, io_open = io.stdout, io.stderr, io.stdin, io.open
local os_getenv, table_concat, table_sort, table_remove = os.getenv, table.concat, table.sort, table.remove

local errors = require "cli.errors"
local globals = require "cli.globals"

local M = {}

-- The global options in the CLI's menu order, with its menu text.
local GLOBAL_DOCS = {
    { "--debug", "boolean", "Turn on debug logging." },
    { "--endpoint-url", "string", "Override command's default URL with the given URL." },
    { "--no-verify-ssl", "boolean", "By default, the AWS CLI uses SSL when communicating with AWS services.  For each SSL connection, the AWS CLI will verify SSL certificates. This option overrides the default behavior of verifying SSL certificates." },
    { "--no-paginate", "boolean", "Disable automatic pagination." },
    { "--output", "string", "The formatting style for command output." },
    { "--query", "string", "A JMESPath query to use in filtering the response data." },
    { "--profile", "string", "Use a specific profile from your credential file." },
    { "--region", "string", "The region to use. Overrides config/env settings." },
    { "--version", "string", "Display the version of this tool." },
    { "--color", "string", "Turn on/off color output." },
    { "--no-sign-request", "boolean", "Do not sign requests.  Credentials will not be loaded if this argument is provided." },
    { "--ca-bundle", "string", "The CA certificate bundle to use when verifying SSL certificates. Overrides config/env settings." },
    { "--cli-read-timeout", "int", "The maximum socket read time in seconds. If the value is set to 0, the socket read will be blocking and not timeout. The default value is 60 seconds." },
    { "--cli-connect-timeout", "int", "The maximum socket connect time in seconds. If the value is set to 0, the socket connect will be blocking and not timeout. The default value is 60 seconds." },
    { "--cli-binary-format", "string", "The formatting style to be used for binary blobs." },
    { "--no-cli-pager", "boolean", "Disable cli pager for output." },
}

local INPUT_DOCS = {
    { "--cli-input-json", "string", "Reads arguments from the JSON string provided. The JSON string follows the format provided by ``--generate-cli-skeleton``." },
    { "--cli-input-yaml", "string", "Reads arguments from the YAML string provided. The YAML string follows the format provided by ``--generate-cli-skeleton``." },
    { "--generate-cli-skeleton", "string", "Prints a JSON skeleton to standard output without sending an API request." },
}

local function has(list, word)
    for _, a in ipairs(list) do if a == word then return true end end
    return false
end

-- shlex.quote
local function quote(s)
    if s == "" then return "''" end
    if not s:find("[^%w@%%+=:,./_-]") then return s end
    return "'" .. s:gsub("'", "'\"'\"'") .. "'"
end

-- shlex.split (POSIX mode); raises the CLI's ValueError texts.
local function split(s)
    local out, cur, inword, i, n = {}, {}, false, 1, #s
    while i <= n do
        local c = s:sub(i, i)
        if c:match("%s") then
            if inword then out[#out + 1] = table_concat(cur); cur, inword = {}, false end
        elseif c == "'" then
            local j = s:find("'", i + 1, true)
            if not j then return nil, "No closing quotation" end
            cur[#cur + 1] = s:sub(i + 1, j - 1); inword = true; i = j
        elseif c == '"' then
            inword = true
            i = i + 1
            while true do
                if i > n then return nil, "No closing quotation" end
                local d = s:sub(i, i)
                if d == '"' then break end
                if d == "\\" and (s:sub(i + 1, i + 1) == '"' or s:sub(i + 1, i + 1) == "\\") then
                    i = i + 1; d = s:sub(i, i)
                end
                cur[#cur + 1] = d
                i = i + 1
            end
        elseif c == "\\" then
            if i == n then return nil, "No escaped character" end
            cur[#cur + 1] = s:sub(i + 1, i + 1); inword = true; i = i + 1
        else
            cur[#cur + 1] = c; inword = true
        end
        i = i + 1
    end
    if inword then out[#out + 1] = table_concat(cur) end
    return out
end
M.split, M.quote = split, quote

-- Profile names from the config and credentials files, for --profile.
local function profiles()
    local home = os_getenv("HOME") or ""
    local names, seen = {}, {}
    local function scan(path, prefixed)
        local f = path and io_open(path, "r")
        if not f then return end
        for line in f:lines() do
            local sect = line:match("^%s*%[%s*(.-)%s*%]")
            if sect then
                local name = prefixed and (sect:match("^profile%s+(.+)$")
                    or (sect == "default" and sect)) or (not prefixed and sect)
                if name and not seen[name] then seen[name] = true; names[#names + 1] = name end
            end
        end
        f:close()
    end
    scan(os_getenv("AWS_CONFIG_FILE") or home .. "/.aws/config", true)
    scan(os_getenv("AWS_SHARED_CREDENTIALS_FILE") or home .. "/.aws/credentials", false)
    table_sort(names)
    return names
end

local function load_command(host, service, name)
    if service ~= "iam" or not name then return nil end
    local ok, chunk = pcall(host.load, "commands.iam." .. name)
    if not ok then return nil end
    local ok2, cmd = pcall(chunk)
    return ok2 and type(cmd) == "table" and cmd or nil
end

-- Menu entries { name, display, meta, doc } for what can follow `words`.
local function option_entries(host, words)
    local cmd = load_command(host, words[1], words[2])
    local entries = {}
    local function add(name, ty, doc, required)
        if has(words, name) then return end
        entries[#entries + 1] = { name = name, display = name .. (required and " (required)" or ""),
            meta = "[" .. ty .. "] " .. doc, doc = doc }
    end
    if cmd then
        for _, p in ipairs(cmd.parameters) do
            if p.required then add(p.option, p.type, table_concat(p.doc, " "), true) end
        end
        for _, p in ipairs(cmd.parameters) do
            if not p.required then add(p.option, p.type, table_concat(p.doc, " ")) end
        end
        for _, d in ipairs(INPUT_DOCS) do add(d[1], d[2], d[3]) end
    end
    for _, d in ipairs(GLOBAL_DOCS) do add(d[1], d[2], d[3]) end
    return entries, cmd
end

local function value_choices(host, opt)
    if opt == "--output" then
        local out = {}
        for _, f in ipairs(globals.formats) do out[#out + 1] = f end
        for _, m in ipairs(host.list("output.")) do
            local f = m:sub(8)
            if not has(out, f) then out[#out + 1] = f end
        end
        return out
    elseif opt == "--profile" then
        return profiles()
    elseif opt == "--generate-cli-skeleton" then
        return { "input", "output", "yaml-input" }
    end
    local spec = globals.specs[opt]
    return spec and spec.choices
end

local function takes_value(cmd, opt)
    local spec = globals.specs[opt]
    if spec then return spec.nargs ~= 0 end
    if opt == "--cli-input-json" or opt == "--cli-input-yaml" then return true end
    if cmd then
        for _, p in ipairs(cmd.parameters) do if p.option == opt then return true end end
    end
    return false
end

-- The candidates for the word being typed at the end of `before`:
-- returns the entries and the partial word.
local function candidates(host, before)
    local words = {}
    for w in before:gmatch("%S+") do words[#words + 1] = w end
    local partial = ""
    if before ~= "" and not before:match("%s$") then partial = table_remove(words) end
    local entries = {}
    if #words == 0 then
        entries[1] = { name = "iam", display = "iam", meta = "" }
    elseif #words == 1 then
        for _, m in ipairs(host.list("commands." .. words[1] .. ".")) do
            local name = m:sub(#words[1] + 11)
            entries[#entries + 1] = { name = name, display = name, meta = "" }
        end
    else
        local prev = words[#words]
        local all, cmd = option_entries(host, words)
        local choices = prev:sub(1, 2) == "--" and takes_value(cmd, prev) and value_choices(host, prev)
        if choices then
            for _, c in ipairs(choices) do entries[#entries + 1] = { name = c, display = c, meta = "" } end
        elseif not (prev:sub(1, 2) == "--" and takes_value(cmd, prev)) then
            entries = all
        end
    end
    local out = {}
    for _, e in ipairs(entries) do
        if e.name:sub(1, #partial) == partial then out[#out + 1] = e end
    end
    return out, partial
end

-- The completion menu as text: one line per entry, the meta cut to the
-- terminal width with "...", as the CLI's menu shows it.
local function menu(host, entries)
    local width = (host.term_width() or 80) - 1
    local pad = 0
    for _, e in ipairs(entries) do if #e.display > pad then pad = #e.display end end
    local lines = {}
    for i, e in ipairs(entries) do
        if i > 16 then break end -- the CLI's menu_height_max
        local line = (" %-" .. pad .. "s  %s"):format(e.display, e.meta):gsub("%s+$", "")
        if #line > width then line = line:sub(1, width - 3) .. "..." end
        lines[#lines + 1] = line
    end
    return table_concat(lines, "\n")
end

local function common_prefix(entries)
    local p = entries[1].name
    for _, e in ipairs(entries) do
        while e.name:sub(1, #p) ~= p do p = p:sub(1, -2) end
    end
    return p
end

-- Tab: complete the word before the cursor and list the candidates (with
-- each parameter's documentation).
local function complete(host, before)
    local entries, partial = candidates(host, before)
    if #entries == 0 then return nil, nil end
    if #entries == 1 then
        return entries[1].name:sub(#partial + 1) .. " ", menu(host, entries)
    end
    return common_prefix(entries):sub(#partial + 1), menu(host, entries)
end

local function wrap(text, width)
    local out, line = {}, ""
    for word in text:gmatch("%S+") do
        if #line + #word + 1 > width and line ~= "" then out[#out + 1] = line; line = word
        else line = line == "" and word or line .. " " .. word end
    end
    if line ~= "" then out[#out + 1] = line end
    return table_concat(out, "\n")
end

-- F3: the CLI's doc panel: the parameter under the cursor, else the
-- command's description.
local function doc(host, before)
    local words = {}
    for w in before:gmatch("%S+") do words[#words + 1] = w end
    local width = (host.term_width() or 80) - 1
    local entries, cmd = option_entries(host, {})
    for i = #words, 3, -1 do
        for _, e in ipairs(entries) do
            if e.name == words[i] then return nil, e.name .. "\n" .. wrap(e.meta, width) end
        end
    end
    cmd = cmd or load_command(host, words[1], words[2])
    if cmd then
        return nil, "DESCRIPTION\n" .. wrap(table_concat(cmd.description, " "), width)
    end
    return nil, nil
end

-- Reads the command line typed into a pipe: prompt_toolkit reads keys
-- from it until Enter; EOF first is its EOFError.
local function read_pipe()
    local buf = {}
    while true do
        local c = io_stdin:read(1)
        if c == nil then return nil end
        if c == "\r" or c == "\n" then return table_concat(buf) end
        if c ~= "\t" then buf[#buf + 1] = c end
    end
end

-- PromptToolkitPrompter.prompt_for_args: returns the new argv, or nil
-- and the exit code after printing what the CLI prints.
function M.ask(host, args)
    local quoted, dropped = {}, false
    for _, a in ipairs(args) do
        if a == "--cli-auto-prompt" and not dropped then dropped = true
        else quoted[#quoted + 1] = quote(a) end
    end
    local init = table_concat(quoted, " ")
    -- A finished word gets a trailing space so the menu offers what comes
    -- next (_set_input_buffer_text).
    if init ~= "" then
        local entries, partial = candidates(host, init)
        local more = false
        for _, e in ipairs(entries) do if e.name ~= partial then more = true end end
        if not more then init = init .. " " end
    end
    local kind, line, how = host.stdin_kind(), nil, nil
    if kind ~= "tty" then
        io_stderr:write("Warning: Input is not a terminal (fd=0).\n")
        line = kind == "pipe" and read_pipe() or nil
        if line == nil then
            io_stderr:write("\n\n") -- EOFError's empty message, framed
            return nil, 255
        end
        line, how = init .. line, "enter"
    else
        local banner = menu(host, (candidates(host, init)))
        line, how = host.readline {
            prompt = "> aws ", init = init, banner = banner,
            complete = function(before) return complete(host, before) end,
            doc = function(before) return doc(host, before) end,
        }
        if line == nil then
            io_stderr:write("\n\n")
            return nil, 255
        end
    end
    if how ~= "enter" then
        io_stderr:write("> aws ", line, "\n")
        return nil, 130
    end
    io_stdout:write("> aws ", line, "\n")
    io_stdout:flush()
    local argv, err = split(line)
    if not argv then
        io_stderr:write("\n", err, "\n")
        return nil, 255
    end
    return argv
end

-- Runs the command under the resolved mode: `on` prompts first;
-- `on-partial` runs it, and prompts only when it fails with a parameter
-- error (exit 252), which stays silent unless it is "Unknown options".
function M.run(host, args, mode, main)
    if mode == "on-partial" then
        local ok, rc = xpcall(main, function(e)
            if type(e) == "string" then return debug_traceback(e, 2) end
            return e
        end, args, true)
        if ok then return rc end
        local text, code = errors.render(rc)
        if type(rc) ~= "table" or code ~= 252 then error(rc, 0) end
        if rc.unknown then io_stderr:write(text) end
    end
    local argv, rc = M.ask(host, args)
    if not argv then return rc end
    return main(argv, true)
end

return M
