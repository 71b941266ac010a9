-- cli.output: picks the format (shipped or user output/NAME.lua) and writes
-- the formatted result to stdout or the pager, as the CLI's
-- OutputStreamFactory and TableFormatter do:
--   * the table is coloured with --color on, or auto on a terminal; its
--     ColorizedStyler starts colorama (autoreset): every write to stdout
--     is followed by ESC[0m, and colorama's exit hook writes one more to
--     a terminal. Output to a pager is not wrapped: colours, no resets.
--   * on a terminal the pager is --no-cli-pager's none, else AWS_PAGER
--     (set but empty: none), the profile's cli_pager, PAGER, "less"; its
--     words are split as shlex.split does and run without a shell, with
--     LESS=FRX unless LESS is set, and only when there is something to
--     write (LazyPager). A pager that is not found is the CLI's
--     PagerInitializationException (253).
-- Loading and calling the format is aws.format's (scripts/aws/format.lua),
-- so scripts get the same bytes and a broken user format the same error.
local pcall, error, ipairs, io_stdout = pcall, error, ipairs, io.stdout
local io_popen, os_getenv, concat = io.popen, os.getenv, table.concat

local M = {}

local RESET = "\27[0m"

-- shlex.split(s) (posix mode, no comments): words split on whitespace;
-- '...' literal; "..." where a backslash escapes only \ and "; a backslash
-- outside quotes escapes any character. Python's ValueError texts.
function M.shlex(s)
    local words, cur, i, n = {}, nil, 1, #s
    local function add(c) cur = (cur or "") .. c end
    while i <= n do
        local c = s:sub(i, i)
        if c:match("%s") then
            if cur then words[#words + 1] = cur; cur = nil end
        elseif c == "\\" then
            if i == n then error({ kind = "internal", code = "ValueError",
                                   message = "No escaped character" }, 0) end
            i = i + 1
            add(s:sub(i, i))
        elseif c == "'" or c == '"' then
            local j = i + 1
            add("")
            while true do
                if j > n then error({ kind = "internal", code = "ValueError",
                                      message = "No closing quotation" }, 0) end
                local d = s:sub(j, j)
                if d == c then break end
                if c == '"' and d == "\\" and j < n and s:sub(j + 1, j + 1):match('[\\"]') then
                    j = j + 1
                    d = s:sub(j, j)
                end
                add(d)
                j = j + 1
            end
            i = j
        else
            add(c)
        end
        i = i + 1
    end
    if cur then words[#words + 1] = cur end
    return words
end

local function sh_quote(w)
    return "'" .. w:gsub("'", "'\\''") .. "'"
end

-- Popen(argv): FileNotFoundError when argv[0] is not found.
local function found(cmd)
    local p = io_popen("command -v -- " .. sh_quote(cmd) .. " >/dev/null 2>&1 && echo y")
    local ok = p and p:read("a") == "y\n"
    if p then p:close() end
    return ok
end

local function pager_error(name)
    error({ kind = "config", code = "ConfigurationError", message =
        "Unable to redirect output to pager. Received the following error "
        .. "when opening pager:\n[Errno 2] No such file or directory: "
        .. require("cli.settings").repr(name) .. "\n\nLearn more about "
        .. 'configuring the output pager by running "aws help config-vars".' }, 0)
end

-- Writes text through the pager command; nothing starts for no text.
local function to_pager(pager, text)
    local argv = M.shlex(pager)
    if text == "" then return end
    if #argv == 0 then pager_error("") end -- Popen([]) is an IndexError in fact
    if not found(argv[1]) then pager_error(argv[1]) end
    local quoted = {}
    for i, w in ipairs(argv) do quoted[i] = sh_quote(w) end
    -- A pager that quits early is not an error (the CLI ignores the broken
    -- pipe): what it leaves unread is drained, so no write meets EPIPE.
    local p = io_popen('LESS="${LESS-FRX}" ' .. concat(quoted, " ")
        .. "; exec cat >/dev/null", "w")
    if not p then pager_error(argv[1]) end
    p:write(text)
    p:close()
end

function M.print(host, fmt, data, g, cmd, params)
    local format = require "aws.format"
    local mod, file = format.load(fmt, host.load)
    if not mod then
        error({ kind = "internal", code = "ValueError",
                message = "Unknown output type: " .. fmt }, 0)
    end
    local color = g.color or "auto"
    local tty = host.isatty(1)
    local colored = color == "on" or (color == "auto" and tty)
    local pager = tty and M.pager(g)
    local text = format.render(mod, file, data, {
        command = cmd.name, operation = cmd.operation, title = cmd.operation,
        color = colored, autoreset = not pager,
        width = tty and host.term_width() or 80,
        is_query = g.query ~= nil, params = params,
    }, file:sub(1, 8) == "scripts/")
    -- colorama's exit hook, for a terminal, once the table's styler ran
    local exit_reset = fmt == "table" and colored and tty
    if fmt == "table" and colored then require("cli.errors").colorama = true end
    if pager then
        local pok, perr = pcall(to_pager, pager, text)
        if not pok then
            if exit_reset then io_stdout:write(RESET) end
            error(perr, 0)
        end
    else
        io_stdout:write(text)
    end
    if exit_reset then io_stdout:write(RESET) end
    return 0
end

-- The pager: none with --no-cli-pager; else AWS_PAGER (set but empty means
-- none), the profile's cli_pager, PAGER, "less".
function M.pager(g)
    if g.pager == false then return nil end
    local p = os_getenv("AWS_PAGER")
    if p == nil then p = g.cli_pager end
    if p == nil then p = os_getenv("PAGER") end
    if p == nil then p = "less" end
    return p ~= "" and p or nil
end

return M
