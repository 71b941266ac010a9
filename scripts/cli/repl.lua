-- cli.repl: `iamlua -i`, an interactive Lua prompt with `aws` loaded.
--
-- As lua.c's REPL: a line is first tried as `return <line>` so that an
-- expression prints its values, then as a statement; an incomplete chunk
-- (the parser stops at <eof>) asks for more with ">>". Tables print as
-- indented JSON (aws.json.encode, aws.null as null) unless they have a
-- __tostring (aws.error, aws.null), other values as tostring(). An error
-- prints its message (with the line's traceback for string errors) and
-- the session goes on. Ctrl-C while a line runs cancels it and its
-- requests (bindings/main.c's hook and the transport's flag, reset
-- afterwards); Ctrl-C at the prompt drops the line; Ctrl-D on an empty
-- line ends the session with 0. Tab completes global names, fields and
-- methods of tables and clients, and a client's action names inside
-- call("...", paginate("...", pages("...". The line editor is libedit
-- (bindings/lrepl.c) with a history in $XDG_STATE_HOME/iamlua/history,
-- else ~/.local/state/iamlua/history.
--
-- Loaded before the script's pcall and xpcall are replaced (cli.run), so
-- the xpcall here is Lua's own: the prompt catches the interrupt instead
-- of passing it on.
local xpcall, load, pcall, type, tostring, select = xpcall, load, pcall, type, tostring, select
local rawequal, rawget, getmetatable, pairs, ipairs, next = rawequal, rawget, getmetatable, pairs, ipairs, next
local io_stdout, io_stderr, os_getenv = io.stdout, io.stderr, os.getenv
local table_pack, table_concat, table_sort = table.pack, table.concat, table.sort
local string_rep, math_max, math_floor = string.rep, math.max, math.floor

local run = require "cli.run"

local M = {}

-- $XDG_STATE_HOME/iamlua/history, else ~/.local/state/iamlua/history.
function M.history_path()
    local state = os_getenv("XDG_STATE_HOME")
    if state and state ~= "" then return state .. "/iamlua/history" end
    local home = os_getenv("HOME")
    if home and home ~= "" then return home .. "/.local/state/iamlua/history" end
    return nil
end

-- ------------------------------------------------------------ values ----

-- One value as the prompt shows it.
local function show(aws, v)
    if type(v) ~= "table" then return tostring(v) end
    local mt = getmetatable(v)
    if type(mt) == "table" and mt.__tostring then return tostring(v) end
    local ok, text = pcall(aws.json.encode, v, { indent = 4 })
    if ok then return text end
    return tostring(v)
end
M.show = show

-- ------------------------------------------------------------- chunks ----

-- The chunk for `src`: `return src` when that compiles (an expression),
-- else src itself. The second result is the error message, the third true
-- when src is only incomplete.
local function compile(src)
    local chunk = load("return " .. src, "=stdin", "t")
    if chunk then return chunk end
    local err
    chunk, err = load(src, "=stdin", "t")
    if chunk then return chunk end
    if err:sub(-5) == "<eof>" then return nil, err, true end
    return nil, err, false
end
M.compile = compile

-- ---------------------------------------------------------- completion ----

local function is_ident(s)
    return type(s) == "string" and s:find("^[%a_][%w_]*$") ~= nil
end

-- The table whose keys a value offers: itself (a table) and the
-- __index tables of its metatable (methods of clients, fields of
-- objects), without calling any metamethod.
local function key_sources(v)
    local out, seen = {}, {}
    local depth = 0
    while v ~= nil and depth < 4 and not seen[v] do
        seen[v] = true
        if type(v) == "table" then out[#out + 1] = v end
        local mt = getmetatable(v)
        if type(mt) ~= "table" then break end
        v = rawget(mt, "__index")
        if type(v) ~= "table" then break end
        depth = depth + 1
    end
    return out
end

-- Resolves a dotted path ("aws.json") from the globals, through tables
-- and __index tables only.
local function resolve(path)
    local v = _G
    for part in path:gmatch("[^.:]+") do
        local found
        for _, t in ipairs(key_sources(v)) do
            found = rawget(t, part)
            if found ~= nil then break end
        end
        if found == nil then return nil end
        v = found
    end
    return v
end

local function common_prefix(list)
    local p = list[1]
    for i = 2, #list do
        local s, n = list[i], 0
        while n < #p and n < #s and p:byte(n + 1) == s:byte(n + 1) do n = n + 1 end
        p = p:sub(1, n)
    end
    return p
end

-- Candidates laid out in columns as wide as the terminal.
local function columns(list, width)
    local w = 0
    for _, s in ipairs(list) do w = math_max(w, #s) end
    w = w + 2
    local per = math_max(1, math_floor(width / w))
    local out, row = {}, {}
    for i, s in ipairs(list) do
        row[#row + 1] = s .. string_rep(" ", w - #s)
        if #row == per or i == #list then
            out[#out + 1] = table_concat(row):gsub("%s+$", "")
            row = {}
        end
    end
    return table_concat(out, "\n")
end

-- (insert, listing) for a partial word and its candidates.
local function offer(partial, cands, width)
    table_sort(cands)
    if #cands == 0 then return nil, nil end
    if #cands == 1 then return cands[1]:sub(#partial + 1), nil end
    local p = common_prefix(cands)
    if #p > #partial then return p:sub(#partial + 1), nil end
    return nil, columns(cands, width)
end

-- Tab: before is the line up to the cursor.
function M.complete(aws, before, width)
    width = width or 80
    -- an action name: client:call("Get  /  client:paginate('List
    local obj, partial = before:match("([%a_][%w_%.]*)%s*:%s*[%a_]+%s*%(%s*[\"']([%w]*)$")
    if obj then
        local client = resolve(obj)
        local service = client ~= nil and aws._service_of(client)
        if not service then return nil, nil end
        local cands = {}
        for _, a in ipairs(aws._actions(service)) do
            if a:sub(1, #partial) == partial then cands[#cands + 1] = a end
        end
        return offer(partial, cands, width)
    end
    local expr = before:match("([%a_][%w_%.:]*)$")
    if not expr then return nil, nil end
    local base, sep, part = expr:match("^(.*)([.:])([%w_]*)$")
    local sources
    if base then
        if base:find("[.:]$") or base == "" then return nil, nil end
        local v = resolve(base)
        if v == nil then return nil, nil end
        sources = key_sources(v)
    else
        part, sources = expr, key_sources(_G)
    end
    local cands, seen = {}, {}
    for _, t in ipairs(sources) do
        for k, v in next, t do
            -- private names (_send, _info) only when asked for
            if is_ident(k) and not seen[k] and k:sub(1, #part) == part
                and (k:sub(1, 1) ~= "_" or part:sub(1, 1) == "_")
                and (sep ~= ":" or type(v) == "function") then
                seen[k] = true
                cands[#cands + 1] = k
            end
        end
    end
    return offer(part, cands, width)
end

-- ---------------------------------------------------------------- loop ----

local function eval(host, g, aws, chunk)
    local r = table_pack(xpcall(chunk, function(e)
        if rawequal(e, host.interrupt) then return e end
        local text, trace = run.describe(e)
        if trace or g.debug then return run.user_traceback(text, 2) end
        return text
    end))
    if not r[1] then
        if rawequal(r[2], host.interrupt) then error(r[2], 0) end
        io_stderr:write(tostring(r[2]), "\n")
        return
    end
    if r.n > 1 then
        local parts = {}
        for i = 2, r.n do parts[i - 1] = show(aws, r[i]) end
        io_stdout:write(table_concat(parts, "\t"), "\n")
    end
end

-- One prompt: read (more lines while incomplete), run, print. Returns
-- "eof" at the end of input.
local function step(host, g, aws, editor)
    local buffer
    while true do
        local line, why = editor:read(buffer and ">> " or "> ")
        if not line then
            if why == "eof" then return "eof" end
            return -- ^C at the prompt: the line is dropped
        end
        local src = buffer and (buffer .. "\n" .. line) or line
        local chunk, err, incomplete = compile(src)
        if incomplete then
            buffer = src
        else
            if src:find("%S") then editor:remember(src) end
            if not chunk then
                io_stderr:write(err, "\n")
            else
                eval(host, g, aws, chunk)
            end
            return
        end
    end
end

return function(host, g, aws)
    if host.stdin_kind() == "tty" then
        io_stdout:write(("iamlua %s (Lua %s): aws is loaded. Tab completes, "
            .. "Ctrl-C cancels, Ctrl-D exits.\n"):format(host.versions().iamlua,
            host.versions().lua))
    end
    -- fields aws loads lazily through __index functions, loaded now so
    -- that Tab sees them
    local _ = aws.json.encode, aws.yaml.decode
    local editor = host.editor {
        history = M.history_path(),
        complete = function(before)
            return M.complete(aws, before, host.term_columns())
        end,
    }
    while true do
        local ok, r = xpcall(step, function(e) return e end, host, g, aws, editor)
        io_stdout:flush()
        if host.interrupted() then
            io_stderr:write("interrupted\n")
            host.interrupt_reset()
        elseif not ok then
            io_stderr:write(tostring(r), "\n")
        elseif r == "eof" then
            io_stdout:write("\n")
            editor:close()
            return 0
        end
    end
end
