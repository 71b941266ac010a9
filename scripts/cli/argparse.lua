-- cli.argparse: option parsing with argparse's behaviour where the AWS CLI
-- shows it (`--opt value`, `--opt=value`, "expected one argument",
-- "Invalid choice" tables, the last repeat wins). Errors are raised as
-- usage error tables that cli.errors prints with the CLI's usage text.
local type, error, tostring, ipairs = type, error, tostring, ipairs
local string_format, table_concat = string.format, table.concat
local math_type, tonumber = math.type, tonumber

local M = {}

-- A usage error as the CLI prints it: "<prog>: error: <message>".
function M.fail(message)
    error({ kind = "usage", argparse = true, message = message }, 0)
end

-- "Unknown options: a, b" (printed without the "prog: error:" prefix).
-- The operation's parser has a hidden optional `help` positional: the
-- first stray word fills it and so is listed last; "--" is dropped.
function M.unknown(list)
    local out, first, words = {}, nil, false
    for _, a in ipairs(list) do
        if a == "--" and not words then
            words = true -- argparse consumes it; the rest are positional
        elseif first == nil and (words or a:sub(1, 1) ~= "-") then
            first = a
        else
            out[#out + 1] = a
        end
    end
    out[#out + 1] = first
    error({ kind = "usage", unknown = true,
            message = "Unknown options: " .. table_concat(out, ", ") }, 0)
end

-- argparse's invalid-choice text, two choices per line padded to 40.
function M.choice_message(name, value, choices)
    local msg = { "Invalid choice, valid choices are:\n" }
    for i = 1, #choices, 2 do
        local line = { string_format("%-40s", choices[i]) }
        if choices[i + 1] then line[2] = string_format("%-40s", choices[i + 1]) end
        msg[#msg + 1] = table_concat(line, " | ")
    end
    local close = M.close_matches(value, choices)
    if #close > 0 then
        local extra = { string_format("\n\nInvalid choice: '%s', maybe you meant:\n", value) }
        for _, w in ipairs(close) do extra[#extra + 1] = "  * " .. w end
        msg[#msg + 1] = table_concat(extra, "\n")
    end
    return string_format("argument %s: %s", name, table_concat(msg, "\n"))
end

-- Ratcliff/Obershelp similarity, as difflib.SequenceMatcher.ratio().
local function matching(a, b, alo, ahi, blo, bhi)
    -- longest common substring of a[alo..ahi) and b[blo..bhi)
    local besti, bestj, bestk = alo, blo, 0
    local len = {}
    for i = alo, ahi - 1 do
        local newlen = {}
        for j = blo, bhi - 1 do
            if a:byte(i) == b:byte(j) then
                local k = (len[j - 1] or 0) + 1
                newlen[j] = k
                if k > bestk then besti, bestj, bestk = i - k + 1, j - k + 1, k end
            end
        end
        len = newlen
    end
    if bestk == 0 then return 0 end
    return bestk + matching(a, b, alo, besti, blo, bestj)
        + matching(a, b, besti + bestk, ahi, bestj + bestk, bhi)
end

function M.ratio(a, b)
    local total = #a + #b
    if total == 0 then return 1 end
    return 2 * matching(a, b, 1, #a + 1, 1, #b + 1) / total
end

-- difflib.get_close_matches(word, possibilities, n=3, cutoff=0.8)
function M.close_matches(word, choices)
    local scored = {}
    for _, c in ipairs(choices) do
        local r = M.ratio(word, c)
        if r >= 0.8 then scored[#scored + 1] = { r, c } end
    end
    table.sort(scored, function(x, y)
        if x[1] ~= y[1] then return x[1] > y[1] end
        return x[2] > y[2]
    end)
    local out = {}
    for i = 1, math.min(3, #scored) do out[i] = scored[i][2] end
    return out
end

-- argparse treats "-5" or "-1.5" as a value, not an option, when no
-- option looks like a number.
local function looks_like_option(s)
    if type(s) ~= "string" or s:sub(1, 1) ~= "-" or s == "-" then return false end
    -- argparse: a word with a space in it is a value ("- 1" as YAML)
    if s:find(" ", 1, true) then return false end
    return tonumber(s) == nil
end
M.looks_like_option = looks_like_option

local function convert(spec, v)
    if spec.type == "int" then
        local n = tonumber(v)
        if not n or math_type(n) ~= "integer" or not v:match("^%s*[+-]?%d+%s*$") then
            -- int() raising ValueError escapes argparse in the CLI: exit 255
            error({ kind = "internal", code = "ValueError",
                    message = string_format("invalid literal for int() with base 10: '%s'", v) }, 0)
        end
        return n
    end
    if spec.choices then
        local ok = false
        for _, c in ipairs(spec.choices) do if c == v then ok = true break end end
        if not ok then M.fail(M.choice_message(spec.name, v, spec.choices)) end
    end
    return v
end

-- Parses args[first..] against specs (name -> {name, nargs = 0|1|"?",
-- dest, choices, type}); known options go into `values` by dest, the rest
-- into `rest` in order. `stop(arg, rest)` may end parsing (returns true).
function M.parse(specs, args, first, values, stop)
    local rest = {}
    local i = first or 1
    while i <= #args do
        local a = args[i]
        if a == "--" then
            -- kept, so later parsers and M.unknown know what follows is
            -- positional only
            for j = i, #args do rest[#rest + 1] = args[j] end
            break
        end
        local name, inline = a, nil
        if a:sub(1, 2) == "--" then
            local eq = a:find("=", 3, true)
            if eq then name, inline = a:sub(1, eq - 1), a:sub(eq + 1) end
        end
        local spec = a:sub(1, 2) == "--" and specs[name] or nil
        if spec then
            local dest = spec.dest or name
            if spec.nargs == 0 then
                if inline then
                    M.fail(string_format("argument %s: ignored explicit argument '%s'", name, inline))
                end
                values[dest] = spec.const == nil and true or spec.const
            elseif inline then
                values[dest] = convert(spec, inline)
            elseif spec.nargs == "?" then
                local nxt = args[i + 1]
                if nxt ~= nil and not looks_like_option(nxt) then
                    values[dest] = convert(spec, nxt)
                    i = i + 1
                else
                    values[dest] = spec.const
                end
            else
                local nxt = args[i + 1]
                if nxt == nil or looks_like_option(nxt) then
                    M.fail(string_format("argument %s: expected one argument", name))
                end
                values[dest] = convert(spec, nxt)
                i = i + 1
            end
        else
            rest[#rest + 1] = a
            if stop and stop(a, rest) then
                for j = i + 1, #args do rest[#rest + 1] = args[j] end
                break
            end
        end
        i = i + 1
    end
    return rest
end

return M
