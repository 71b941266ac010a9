-- gen_man.lua OUTDIR VERSION DATE COMMAND.lua...: writes iamlua.1 and one
-- iamlua-SERVICE-NAME.1 per command script into OUTDIR, from the same
-- declarations `iamlua help` renders (scripts/commands/*/*.lua and
-- scripts/cli/globals.lua), so the pages cannot drift from the CLI; and
-- iamlua-lua.3, the aws Lua module's reference, from scripts/cli/luaref.lua
-- (the data `iamlua help lua` renders and tests/unit/luaref.lua checks
-- against the module). Run from the source root by lua5.4 (mk/install.mk).
local G = dofile("tools/global_options.lua")
local outdir, version, date = arg[1], arg[2], arg[3]
local files = table.move(arg, 4, #arg, 1, {})
local globals, commands = G.load(files)

-- Text -> roff: backslashes escaped, no line may start with a control
-- character, URLs may break after a slash.
local function esc(s)
    s = s:gsub("\\", "\\e")
    s = s:gsub("(https?://%S+)", function(u)
        return "\\%" .. u:gsub("/", "/\\:")
    end)
    return (s:gsub("^([.'])", "\\&%1"):gsub("\n([.'])", "\n\\&%1"))
end

-- An option name in bold with real minus signs.
local function opt(name)
    return "\\fB" .. name:gsub("%-", "\\-") .. "\\fR"
end

local function page(title, sect)
    local o = {}
    o[#o + 1] = ('.TH "%s" %d "%s" "iamlua %s" "iamlua manual"\n'):format(
        title:upper():gsub("%-", "\\-"), sect or 1, date, version)
    return o
end

local function section(o, name) o[#o + 1] = ".SH " .. name .. "\n" end
local function para(o, text) o[#o + 1] = ".PP\n" .. esc(text) .. "\n" end

-- .TP entry: the option, its type and value list, then its description.
local function option_entry(o, name, typ, choices, doc, nargs)
    local head = opt(name)
    if nargs == 1 or (nargs == nil and typ ~= "boolean") then
        head = head .. " \\fI" .. typ .. "\\fR"
    elseif nargs == "?" then
        head = head .. " [\\fI" .. typ .. "\\fR]"
    end
    o[#o + 1] = ".TP\n" .. head .. "\n" .. esc(doc) .. "\n"
    if choices then
        o[#o + 1] = ".RS\n.PP\nOne of: " .. esc(table.concat(choices, ", "))
            .. ".\n.RE\n"
    end
end

local function write(name, o)
    local path = outdir .. "/" .. name
    local fh = assert(io.open(path .. ".tmp", "wb"))
    fh:write(table.concat(o))
    fh:close()
    assert(os.rename(path .. ".tmp", path))
end

local function first_sentence(text)
    return text:match("^(.-%.)%s") or text
end

local function command_title(cmd)
    return "iamlua-" .. cmd.service .. "-" .. cmd.name
end

local function global_options(o)
    for _, name in ipairs(G.ordered(globals.specs)) do
        local s, d = globals.specs[name], G.doc[name]
        local nargs = s.nargs
        if name == "--version" then nargs = 0 end
        option_entry(o, name, d[1], s.choices, d[2], nargs)
    end
end

local function see_also(o, extra)
    section(o, "SEE ALSO")
    local refs = {}
    for _, r in ipairs(extra) do refs[#refs + 1] = r end
    refs[#refs + 1] = "\\fBaws\\fR(1)"
    refs[#refs + 1] = "\\fBlua\\fR(1)"
    o[#o + 1] = table.concat(refs, ",\n") .. "\n"
end

local function main_page()
    local o = page("iamlua")
    section(o, "NAME")
    o[#o + 1] = "iamlua \\- a scriptable, fast drop\\-in for the AWS CLI's IAM "
        .. "access\\-key commands\n"
    section(o, "SYNOPSIS")
    o[#o + 1] = ".SY iamlua\n[\\fIglobal options\\fR] \\fIservice\\fR "
        .. "\\fIcommand\\fR [\\fIparameters\\fR]\n.YS\n"
        .. ".SY iamlua\nrun \\fISCRIPT.lua\\fR [\\fIARG\\fR ...]\n.YS\n"
        .. ".SY iamlua\nrun \\- [\\fIARG\\fR ...]\n.YS\n"
        .. ".SY iamlua\n\\-e \\fICODE\\fR [\\fIARG\\fR ...]\n.YS\n"
        .. ".SY iamlua\n\\-i\n.YS\n"
        .. ".SY iamlua\n\\-\\-version\n.YS\n"
        .. ".SY iamlua\nhelp\n.YS\n"
    section(o, "DESCRIPTION")
    para(o, "iamlua is a small C runtime that embeds Lua 5.4. The C core "
        .. "signs requests (AWS Signature Version 4), sends them over "
        .. "kept-alive connections, decodes responses and resolves "
        .. "credentials and configuration; commands, output formats and "
        .. "your own audit scripts are Lua.")
    para(o, "Its commands are drop-ins for the AWS CLI v2 commands of the "
        .. "same name: the same options, the same output bytes and the "
        .. "same exit codes.")
    section(o, "COMMANDS")
    for _, cmd in ipairs(commands) do
        o[#o + 1] = ".TP\n\\fB" .. cmd.service .. " " .. cmd.name .. "\\fR\n"
            .. esc(first_sentence(cmd.description[1])) .. " See \\fB"
            .. command_title(cmd) .. "\\fR(1).\n"
    end
    o[#o + 1] = ".TP\n\\fBrun\\fR \\fISCRIPT.lua\\fR [\\fIARG\\fR ...]\n"
        .. "Runs a Lua script with \\fBrequire \"aws\"\\fR available; "
        .. "\\fIarg\\fR is set as \\fBlua\\fR(1) sets it and the arguments are "
        .. "also passed as \\fB...\\fR. \\fBrun \\-\\fR reads the script "
        .. "from standard input; \\fB\\-e\\fR \\fICODE\\fR runs a chunk and "
        .. "\\fB\\-i\\fR an interactive prompt, both with \\fBaws\\fR a "
        .. "global. Global options given before them (\\-\\-profile, "
        .. "\\-\\-region, \\-\\-endpoint\\-url, \\-\\-debug, "
        .. "\\-\\-no\\-verify\\-ssl, \\-\\-ca\\-bundle, "
        .. "\\-\\-cli\\-read\\-timeout, \\-\\-cli\\-connect\\-timeout, "
        .. "\\-\\-color) are the defaults of the script's clients and "
        .. "outputs; any other is a usage error. See \\fBiamlua\\-lua\\fR(3).\n"
        .. ".TP\n\\fBhelp\\fR\nLists the commands. "
        .. "\\fBiamlua\\fR \\fIservice command\\fR \\fBhelp\\fR shows a "
        .. "command's help.\n"
    section(o, "GLOBAL OPTIONS")
    global_options(o)
    section(o, "SCRIPT DIRECTORIES")
    para(o, "Shipped scripts are compiled into the binary. A user "
        .. "directory is searched first: each directory of $IAMLUA_PATH "
        .. "(colon-separated), else $XDG_CONFIG_HOME/iamlua, else "
        .. "~/.config/iamlua. The current directory is never searched.")
    o[#o + 1] = ".TP\n\\fIoutput/NAME.lua\\fR\nadds \\fB\\-\\-output\\fR "
        .. "\\fINAME\\fR.\n"
        .. ".TP\n\\fIcommands/SERVICE/NAME.lua\\fR\nadds the command "
        .. "\\fISERVICE NAME\\fR.\n"
        .. ".TP\n\\fIpolicies/ID.lua\\fR\nadds an audit policy.\n"
        .. ".PP\nA file there with a shipped extension's name (for example "
        .. "\\fIoutput/json.lua\\fR) overrides it. iamlua's own modules "
        .. "(aws, cli, jmespath, shapes, ...) are never taken from a user "
        .. "directory.\n"
    section(o, "LUA MODULE")
    para(o, "Scripts run by iamlua get the module with require \"aws\": "
        .. "aws.client, client:call, client:paginate, client:pages, aws.parallel, "
        .. "aws.sign, aws.query, aws.format, aws.print, aws.json, aws.yaml, "
        .. "aws.time and aws.null; iamlua-lua(3) (also iamlua help lua) "
        .. "documents every function. require finds a script's own modules "
        .. "beside it, then on package.path and package.cpath as lua(1) "
        .. "does (LUA_PATH_5_4, LUA_PATH, LUA_CPATH_5_4, LUA_CPATH).")
    para(o, "aws.client(SERVICE, OPTIONS) makes a client of iam, sts or "
        .. "organizations (the AWS JSON protocol). OPTIONS: profile, region, "
        .. "endpoint_url, ca_bundle, verify_ssl, connect_timeout, "
        .. "read_timeout, retry_mode, max_attempts, correct_clock_skew, "
        .. "timestamp_format, user_agent, sign, debug (a function given "
        .. "each trace line), credentials (a table { access_key_id, "
        .. "secret_access_key, session_token, expiration } or a function "
        .. "returning one, called again as they near expiration) and "
        .. "assume_role ({ role_arn, role_session_name, external_id, "
        .. "duration_seconds, policy, tags, source_identity, serial_number, "
        .. "token_code, endpoint_url }: STS AssumeRole with the client's "
        .. "own credentials, renewed before expiry). An unknown option or a "
        .. "value of the wrong type raises an error naming it.")
    para(o, "client:paginate(ACTION, PARAMS [, RESULTKEY]) iterates over the "
        .. "items of the action's result key across pages, following the "
        .. "paginator of the AWS CLI's model (Marker and IsTruncated, "
        .. "NextToken); client:pages(ACTION, PARAMS) over whole pages.")
    para(o, "The same module is installed for a stock Lua 5.4 interpreter as "
        .. "aws.so, in the interpreter's C module directory "
        .. "(/usr/lib/<multiarch>/lua/5.4 for the Debian package, "
        .. "PREFIX/lib/lua/5.4 for make install), with the same API and the "
        .. "same script lookup.")
    section(o, "ENVIRONMENT")
    for _, v in ipairs({
        { "IAMLUA_PATH", "Colon-separated user script directories." },
        { "XDG_CONFIG_HOME", "Its iamlua directory is the user script "
          .. "directory when IAMLUA_PATH is unset." },
        { "AWS_PROFILE", "The profile to use, as --profile." },
        { "AWS_REGION, AWS_DEFAULT_REGION", "The region, as --region." },
        { "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN",
          "Credentials." },
        { "AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE", "The config and "
          .. "credentials files (default ~/.aws/config and "
          .. "~/.aws/credentials)." },
        { "AWS_DEFAULT_OUTPUT", "The output format, as --output." },
        { "AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM", "The endpoint, as "
          .. "--endpoint-url." },
        { "AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_ORGANIZATIONS", "The "
          .. "endpoint of STS (AssumeRole for profiles and scripts' "
          .. "assume_role) and of a script's Organizations clients." },
        { "AWS_CA_BUNDLE", "The CA bundle, as --ca-bundle." },
        { "AWS_PAGER", "The pager for output." },
        { "AWS_MAX_ATTEMPTS, AWS_RETRY_MODE", "Retries." },
        { "AWS_CLI_AUTO_PROMPT", "Auto-prompt mode (on, on-partial)." },
        { "HTTP_PROXY, HTTPS_PROXY, NO_PROXY", "Proxies, for every request." },
    }) do
        o[#o + 1] = ".TP\n\\fB" .. v[1] .. "\\fR\n" .. esc(v[2]) .. "\n"
    end
    section(o, "EXIT STATUS")
    for _, v in ipairs({
        { "0", "Success." },
        { "130", "Interrupted (Ctrl-C)." },
        { "252", "Usage or parameter error." },
        { "253", "Missing credentials or region." },
        { "254", "The service returned an error." },
        { "255", "Any other error." },
    }) do
        o[#o + 1] = ".TP\n\\fB" .. v[1] .. "\\fR\n" .. esc(v[2]) .. "\n"
    end
    para(o, "iamlua run (and -e) exits with the script's integer result, 1 "
        .. "if it returned false or raised, 130 after Ctrl-C whatever the "
        .. "script caught, else 0.")
    section(o, "EXAMPLES")
    o[#o + 1] = ".EX\n"
    for _, cmd in ipairs(commands) do
        for _, e in ipairs(cmd.examples or {}) do
            o[#o + 1] = esc(e.command) .. "\n"
        end
    end
    o[#o + 1] = "iamlua run audit\\-access\\-keys.lua \\-\\-concurrency 32\n"
        .. "IAMLUA_PATH=examples iamlua iam get\\-access\\-key\\-last\\-used "
        .. "\\e\n    \\-\\-access\\-key\\-id AKIA... \\-\\-output csv\n.EE\n"
    para(o, "Example scripts and output formats are installed in "
        .. "/usr/share/doc/iamlua/examples (PREFIX/share/doc/iamlua/examples "
        .. "for make install).")
    local refs = {}
    for _, cmd in ipairs(commands) do
        refs[#refs + 1] = "\\fB" .. command_title(cmd) .. "\\fR(1)"
    end
    refs[#refs + 1] = "\\fBiamlua\\-lua\\fR(3)"
    see_also(o, refs)
    write("iamlua.1", o)
end

local function command_page(cmd)
    local title = command_title(cmd)
    local o = page(title)
    section(o, "NAME")
    o[#o + 1] = title:gsub("%-", "\\-") .. " \\- "
        .. esc(first_sentence(cmd.description[1]):gsub("%.$", "")) .. "\n"
    section(o, "SYNOPSIS")
    o[#o + 1] = ".SY \"iamlua " .. cmd.service .. " " .. cmd.name .. "\"\n"
    for _, p in ipairs(cmd.parameters) do
        local s = opt(p.option) .. " \\fI" .. p.type .. "\\fR"
        o[#o + 1] = (p.required and s or "[" .. s .. "]") .. "\n"
    end
    o[#o + 1] = "[" .. opt("--cli-input-json") .. " | "
        .. opt("--cli-input-yaml") .. " \\fIstring\\fR]\n"
        .. "[" .. opt("--generate-cli-skeleton")
        .. " [\\fBinput\\fR|\\fByaml\\-input\\fR|\\fBoutput\\fR]]\n"
        .. "[\\fIglobal options\\fR]\n.YS\n"
        .. ".SY \"iamlua " .. cmd.service .. " " .. cmd.name .. "\"\nhelp\n.YS\n"
    section(o, "DESCRIPTION")
    for _, d in ipairs(cmd.description) do para(o, d) end
    if cmd.see_also then
        para(o, "See also: AWS API Documentation, " .. cmd.see_also)
    end
    section(o, "OPTIONS")
    for _, p in ipairs(cmd.parameters) do
        local doc = table.concat(p.doc, " ")
        local limits = {}
        if p.required then limits[#limits + 1] = "Required." end
        if p.min or p.max then
            limits[#limits + 1] = ("Length %s to %s."):format(p.min or 0,
                                                            p.max or "any")
        end
        if p.pattern then
            limits[#limits + 1] = "Pattern: " .. p.pattern .. "."
        end
        option_entry(o, p.option, p.type, p.choices,
                     doc .. (#limits > 0 and " " .. table.concat(limits, " ")
                             or ""), 1)
    end
    for _, c in ipairs(G.command_options) do
        option_entry(o, c.option, c.type, c.choices, c.doc, c.nargs)
    end
    section(o, "GLOBAL OPTIONS")
    para(o, "Every global option of iamlua(1) is accepted:")
    local names = {}
    for _, n in ipairs(G.ordered(globals.specs)) do names[#names + 1] = opt(n) end
    o[#o + 1] = ".PP\n" .. table.concat(names, ",\n") .. ".\n"
    if cmd.examples and #cmd.examples > 0 then
        section(o, "EXAMPLES")
        for _, e in ipairs(cmd.examples) do
            o[#o + 1] = ".SS " .. esc(e.title) .. "\n"
            para(o, e.text)
            o[#o + 1] = ".PP\n.EX\n" .. esc(e.command) .. "\n.EE\n"
            para(o, "Output:")
            o[#o + 1] = ".PP\n.EX\n" .. esc(e.output) .. "\n.EE\n"
            if e.more then para(o, e.more) end
        end
    end
    if cmd.output_doc then
        section(o, "OUTPUT")
        for _, d in ipairs(cmd.output_doc) do
            local depth = select(2, d[1]:gsub("%.", ""))
            if depth > 0 then o[#o + 1] = (".RS\n"):rep(depth) end
            o[#o + 1] = ".TP\n\\fB" .. d[1]:match("[^.]+$") .. "\\fR ("
                .. d[2] .. ")\n" .. esc(d[3]) .. "\n"
            if depth > 0 then o[#o + 1] = (".RE\n"):rep(depth) end
        end
    end
    section(o, "EXIT STATUS")
    para(o, "0 on success, 252 for usage and parameter errors, 253 for "
        .. "missing credentials or region, 254 for service errors, 255 for "
        .. "anything else, as AWS CLI v2.")
    see_also(o, { "\\fBiamlua\\fR(1)" })
    write(title .. ".1", o)
end

-- A block of Lua code.
local function example(o, code)
    o[#o + 1] = ".PP\n.EX\n" .. esc(code:gsub("^\n", "")) .. "\n.EE\n"
end

-- iamlua-lua(3): the aws module, from scripts/cli/luaref.lua.
local function lua_page()
    local ref = dofile("scripts/cli/luaref.lua")
    local o = page(ref.title, 3)
    o[#o + 1] = ".nh\n" -- names like aws.value.is_array are not words to break
    section(o, "NAME")
    o[#o + 1] = "iamlua\\-lua \\- " .. esc(ref.summary) .. "\n"
    section(o, "SYNOPSIS")
    o[#o + 1] = ".EX\nlocal aws = require \"aws\"\n.EE\n"
    section(o, "DESCRIPTION")
    for _, p in ipairs(ref.intro) do para(o, p) end
    for _, sec in ipairs(ref.sections) do
        section(o, sec.title)
        for _, e in ipairs(sec.entries) do
            o[#o + 1] = ".SS " .. esc(e.synopsis) .. "\n"
            for _, p in ipairs(e.text or {}) do para(o, p) end
            for _, it in ipairs(e.items or {}) do
                o[#o + 1] = ".TP\n\\fB" .. esc(it[1]) .. "\\fR\n" .. esc(it[2]) .. "\n"
            end
            if e.example then example(o, e.example) end
        end
    end
    for _, n in ipairs(ref.notes) do
        section(o, n.title)
        for _, p in ipairs(n.text) do para(o, p) end
        if n.example then example(o, n.example) end
    end
    section(o, "SEE ALSO")
    o[#o + 1] = "\\fBiamlua\\fR(1),\n\\fBlua\\fR(1)\n"
    write("iamlua-lua.3", o)
end

main_page()
for _, cmd in ipairs(commands) do command_page(cmd) end
lua_page()
