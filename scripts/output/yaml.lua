-- --output yaml, as AWS CLI v2's YAMLFormatter writes it.
--
-- Input: the value that reaches the CLI's formatter, i.e. the parsed
-- response with ResponseMetadata removed and --query applied (aws.value
-- model). opts is not used.
--
-- The CLI dumps with ruamel.yaml YAML(typ="safe"), default_flow_style=False,
-- which runs libyaml's C emitter with its defaults: indent 2, line width 80,
-- allow_unicode, block style, sequences inside mappings not indented, keys
-- sorted, empty lists/objects as [] and {}. A string is written plain when
-- libyaml allows it and it would not read back as another type under
-- ruamel's YAML 1.2 resolver (null ~ '' true false, ints incl. 0o17 0x1F
-- 0b1 1_000, floats incl. 1e3 .5 .inf .nan, timestamps, <<, =); otherwise
-- single-quoted, or double-quoted when it holds characters libyaml will not
-- write raw (control characters, tab, BOM, characters above U+FFFF, ...).
-- Long plain and quoted scalars are folded at spaces past column 80.
-- A top-level scalar is written as one line of JSON instead (the CLI does
-- that to avoid YAML's "..." document end marker); an empty object prints
-- nothing. M.dump(v) is the YAML document alone, used by yaml-stream.

local value = require("aws.value")
local json = require("aws.json")

local type, error, tostring, ipairs, select = type, error, tostring, ipairs, select
local getmetatable = getmetatable
local math_type, math_huge = math.type, math.huge
local string_byte, string_sub, string_find = string.byte, string.sub, string.find
local string_format, string_lower, string_rep = string.format, string.lower, string.rep
local table_concat, table_sort = table.concat, table.sort
local utf8_len = utf8.len

local vtype, vkeys, vlen, null = value.type, value.keys, value.len, value.null
local float_repr, json_encode = json.float_repr, json.encode

local M = {}

local BEST_INDENT, BEST_WIDTH = 2, 80

---------------------------------------------------------------------------
-- ruamel.yaml.resolver.Resolver (YAML 1.2 rules): would this string, written
-- plain, read back as something other than a string?

local function digits_us(s, i)          -- [0-9_]* from i; returns next index
    local _, e = string_find(s, "^[%d_]*", i)
    return e + 1
end

local function is_float(s)
    local body = s
    local c = string_sub(s, 1, 1)
    if c == "-" or c == "+" then body = string_sub(s, 2) end
    if body == ".inf" or body == ".Inf" or body == ".INF" then return true end
    if s == ".nan" or s == ".NaN" or s == ".NAN" then return true end
    if string_find(body, "^%d") then
        local i = digits_us(body, 2)
        local ch = string_sub(body, i, i)
        if ch == "." then
            i = digits_us(body, i + 1)
            if i > #body then return true end
            return string_find(body, "^[eE][-+]?%d+$", i) ~= nil
        end
        return string_find(body, "^[eE][-+]?%d+$", i) ~= nil
    elseif string_find(body, "^%.[%d_]") then
        local i = digits_us(body, 2)
        if i > #body then return true end
        return string_find(body, "^[eE][-+]%d+$", i) ~= nil
    end
    return false
end

local function is_int(s)
    local body = s
    local c = string_sub(s, 1, 1)
    if c == "-" or c == "+" then body = string_sub(s, 2) end
    return string_find(body, "^0b[01_]+$") ~= nil
        or string_find(body, "^0o?[0-7_]+$") ~= nil
        or string_find(body, "^[%d_]+$") ~= nil
        or string_find(body, "^0x[%x_]+$") ~= nil
end

local function is_timestamp(s)
    if string_find(s, "^%d%d%d%d%-%d%d%-%d%d$") then return true end
    local i = select(2, string_find(s, "^%d%d%d%d%-%d%d?%-%d%d?"))
    if not i then return false end
    i = i + 1
    local sep = select(2, string_find(s, "^[Tt]", i)) or select(2, string_find(s, "^[ \t]+", i))
    if not sep then return false end
    i = select(2, string_find(s, "^%d%d?:%d%d:%d%d", sep + 1))
    if not i then return false end
    i = i + 1
    local frac = select(2, string_find(s, "^%.%d*", i))
    if frac then i = frac + 1 end
    if i > #s then return true end
    local ws = select(2, string_find(s, "^[ \t]*", i))
    i = ws + 1
    if string_sub(s, i) == "Z" then return true end
    return string_find(s, "^[-+]%d%d?$", i) ~= nil or string_find(s, "^[-+]%d%d?:%d%d$", i) ~= nil
end

local function resolves_other(s)
    if s == "" then return true end
    local c = string_sub(s, 1, 1)
    if c == "~" or c == "n" or c == "N" then
        if s == "~" or s == "null" or s == "Null" or s == "NULL" then return true end
    elseif c == "t" or c == "T" or c == "f" or c == "F" then
        if s == "true" or s == "True" or s == "TRUE" or s == "false" or s == "False"
            or s == "FALSE" then return true end
    elseif c == "<" then
        return s == "<<"
    elseif c == "=" then
        return s == "="
    elseif c == "!" or c == "&" or c == "*" then
        return #s == 1
    end
    if string_find(c, "^[-+%d.]") and is_float(s) then return true end
    if string_find(c, "^[-+%d]") and is_int(s) then return true end
    if string_find(c, "^%d") and is_timestamp(s) then return true end
    return false
end

-- Python's re `$` also matches before a final newline.
local function plain_implicit(s)
    if resolves_other(s) then return false end
    if string_sub(s, -1) == "\n" and resolves_other(string_sub(s, 1, -2)) then return false end
    return true
end
M._plain_implicit = plain_implicit

---------------------------------------------------------------------------
-- libyaml's character classes, on the bytes at i.

local function width_at(s, i)
    local c = string_byte(s, i)
    if c < 0x80 then return 1 end
    if c & 0xE0 == 0xC0 then return 2 end
    if c & 0xF0 == 0xE0 then return 3 end
    if c & 0xF8 == 0xF0 then return 4 end
    return 1                            -- not UTF-8: step one byte
end

local function is_printable(s, i)
    local c = string_byte(s, i)
    if c == 0x0A or (c >= 0x20 and c <= 0x7E) then return true end
    local c1 = string_byte(s, i + 1) or 0
    if c == 0xC2 then return c1 >= 0xA0 end
    if c > 0xC2 and c < 0xED then return true end
    if c == 0xED then return c1 < 0xA0 end
    if c == 0xEE then return true end
    if c == 0xEF then
        local c2 = string_byte(s, i + 2) or 0
        if c1 == 0xBB and c2 == 0xBF then return false end
        if c1 == 0xBF and (c2 == 0xBE or c2 == 0xBF) then return false end
        return true
    end
    return false
end

local function is_break(s, i)
    local c = string_byte(s, i)
    if c == 0x0D or c == 0x0A then return true end
    if c == 0xC2 then return string_byte(s, i + 1) == 0x85 end
    if c == 0xE2 then
        return string_byte(s, i + 1) == 0x80
            and (string_byte(s, i + 2) == 0xA8 or string_byte(s, i + 2) == 0xA9)
    end
    return false
end

local function is_blankz(s, i)          -- past the end reads libyaml's NUL
    local c = string_byte(s, i)
    if c == nil or c == 0 or c == 0x20 or c == 0x09 then return true end
    return is_break(s, i)
end

local function is_bom(s, i)
    return string_byte(s, i) == 0xEF and string_byte(s, i + 1) == 0xBB
        and string_byte(s, i + 2) == 0xBF
end

-- yaml_emitter_analyze_scalar: which styles may write s.
local EMPTY = { multiline = false, flow_plain = false, block_plain = true,
                single = true, block = false }
local SAFE = { multiline = false, flow_plain = true, block_plain = true,
               single = true, block = true }
-- Strings with nothing the analysis looks at (typical names, ids, ARNs
-- without ':', dates without time): no indicator, space only inside.
local SAFE1 = "^[A-Za-z0-9_/(][A-Za-z0-9_./+=()$^;~@%-]*$"
local SAFE2 = "^[A-Za-z0-9_/(][A-Za-z0-9_./+=()$^;~@%- ]*[A-Za-z0-9_./+=()$^;~@%-]$"
-- The same plus flow indicators inside (timestamps, ARNs): plain only
-- outside flow collections, provided no ':' is followed by a space.
local FLOW_ONLY = { multiline = false, flow_plain = false, block_plain = true,
                    single = true, block = true }
local SAFE3 = "^[A-Za-z0-9_/(][A-Za-z0-9_./+=()$^;~@%-:,?%[%]{} ]*[A-Za-z0-9_./+=()$^;~@%-,?%[%]{}]$"

local FIRST_INDICATOR = {}      -- '#,[]{}&*!|>\'"%@`' at the start
for c in string.gmatch("#,[]{}&*!|>'\"%@`", ".") do FIRST_INDICATOR[string_byte(c)] = true end
local FLOW_INDICATOR = {}       -- ',?[]{}' inside
for c in string.gmatch(",?[]{}", ".") do FLOW_INDICATOR[string_byte(c)] = true end

local function analyze(s)
    local len = #s
    if len == 0 then return EMPTY end
    if string_find(s, SAFE1) or string_find(s, SAFE2) then return SAFE end
    if string_find(s, SAFE3) and not string_find(s, ": ", 1, true) then return FLOW_ONLY end

    local block_ind, flow_ind = false, false
    local line_breaks, special = false, false
    local leading_space, leading_break, trailing_space, trailing_break = false, false, false, false
    local break_space, space_break = false, false
    local prev_space, prev_break = false, false

    local head = string_sub(s, 1, 3)
    if head == "---" or head == "..." then block_ind, flow_ind = true, true end

    local preceded_ws = true
    local followed_ws = is_blankz(s, 1 + width_at(s, 1))
    local i = 1
    while i <= len do
        local c = string_byte(s, i)
        if i == 1 then
            if FIRST_INDICATOR[c] then
                flow_ind, block_ind = true, true
            elseif c == 0x3F or c == 0x3A then          -- ? :
                flow_ind = true
                if followed_ws then block_ind = true end
            elseif c == 0x2D and followed_ws then       -- -
                flow_ind, block_ind = true, true
            end
        else
            if FLOW_INDICATOR[c] then
                flow_ind = true
            elseif c == 0x3A then                       -- :
                flow_ind = true
                if followed_ws then block_ind = true end
            elseif c == 0x23 and preceded_ws then       -- #
                flow_ind, block_ind = true, true
            end
        end
        local w, brk
        if c < 0x80 then
            w = 1
            if c == 0x0A then
                brk = true
            elseif c < 0x20 or c == 0x7F then
                special = true
                brk = c == 0x0D
            else
                brk = false
            end
        else
            w = width_at(s, i)
            if not is_printable(s, i) then special = true end   -- allow_unicode
            brk = is_break(s, i)
        end
        if brk then line_breaks = true end
        if c == 0x20 then
            if i == 1 then leading_space = true end
            if i == len then trailing_space = true end
            if prev_break then break_space = true end
            prev_space, prev_break = true, false
            preceded_ws = true
        elseif brk then
            if i == 1 then leading_break = true end
            if i + w > len then trailing_break = true end
            if prev_space then space_break = true end
            prev_space, prev_break = false, true
            preceded_ws = true
        else
            prev_space, prev_break = false, false
            preceded_ws = c == 0x09 or c == 0
        end
        i = i + w
        if i <= len then followed_ws = is_blankz(s, i + width_at(s, i)) end
    end

    if not (leading_space or leading_break or trailing_space or trailing_break or break_space
            or space_break or special or line_breaks or flow_ind or block_ind) then
        return SAFE
    end
    local a = { multiline = line_breaks, flow_plain = true, block_plain = true,
                single = true, block = true }
    if leading_space or leading_break or trailing_space or trailing_break then
        a.flow_plain, a.block_plain = false, false
    end
    if trailing_space then a.block = false end
    if break_space then a.flow_plain, a.block_plain, a.single = false, false, false end
    if space_break or special then
        a.flow_plain, a.block_plain, a.single, a.block = false, false, false, false
    end
    if line_breaks then a.flow_plain, a.block_plain = false, false end
    if flow_ind then a.flow_plain = false end
    if block_ind then a.block_plain = false end
    return a
end

---------------------------------------------------------------------------
-- The emitter: libyaml's state for the events a JSON-shaped value makes.

local DQ_ESCAPES = {
    [0x00] = "0", [0x07] = "a", [0x08] = "b", [0x09] = "t", [0x0A] = "n",
    [0x0B] = "v", [0x0C] = "f", [0x0D] = "r", [0x1B] = "e", [0x22] = '"',
    [0x5C] = "\\", [0x85] = "N", [0xA0] = "_", [0x2028] = "L", [0x2029] = "P",
}

local function new_emitter()
    local out, n = {}, 0
    local column, whitespace, indention = 0, true, true
    local indent, indents, ni = -1, {}, 0
    local flow_level = 0
    local mapping_context, simple_key_context = false, false

    local function put(s)               -- ASCII only
        n = n + 1; out[n] = s
        column = column + #s
    end
    local function put_break()
        n = n + 1; out[n] = "\n"
        column = 0
    end
    local function write_chars(s, i, j)     -- s[i..j], counting characters
        local piece = string_sub(s, i, j)
        n = n + 1; out[n] = piece
        column = column + (utf8_len(piece) or #piece)
    end

    local function increase_indent(flow, indentless)
        ni = ni + 1; indents[ni] = indent
        if indent < 0 then
            indent = flow and BEST_INDENT or 0
        elseif not indentless then
            indent = indent + BEST_INDENT
        end
    end
    local function pop_indent()
        indent = indents[ni]; indents[ni] = nil; ni = ni - 1
    end

    local function write_indent()
        local ind = indent >= 0 and indent or 0
        if not indention or column > ind or (column == ind and not whitespace) then
            put_break()
        end
        if column < ind then put(string_rep(" ", ind - column)) end
        whitespace, indention = true, true
    end

    local function write_indicator(ind, need_ws, is_ws, is_indention)
        if need_ws and not whitespace then put(" ") end
        put(ind)
        whitespace = is_ws
        indention = indention and is_indention
    end

    local function write_break(s, i, w)     -- WRITE_BREAK
        if w == 1 and string_byte(s, i) == 0x0A then
            put_break()
        else
            n = n + 1; out[n] = string_sub(s, i, i + w - 1)
            column = 0
        end
    end

    local function write_plain(s, allow_breaks)
        local len = #s
        if not whitespace and (len > 0 or flow_level > 0) then put(" ") end
        if not allow_breaks or column + (utf8_len(s) or len) <= BEST_WIDTH then
            if len > 0 then write_chars(s, 1, len) end
        else
            local spaces = false
            local i = 1
            while i <= len do
                local b = string_byte(s, i)
                if b == 0x20 then
                    if allow_breaks and not spaces and column > BEST_WIDTH
                        and string_byte(s, i + 1) ~= 0x20 then
                        write_indent()
                    else
                        put(" ")
                    end
                    spaces = true
                    i = i + 1
                else
                    local w = width_at(s, i)
                    write_chars(s, i, i + w - 1)
                    indention, spaces = false, false
                    i = i + w
                end
            end
        end
        whitespace, indention = false, false
    end

    local function write_single(s, allow_breaks)
        write_indicator("'", true, false, false)
        local len = #s
        if column + (utf8_len(s) or len) <= BEST_WIDTH and not string_find(s, "['\r\n\194\226]") then
            if len > 0 then write_chars(s, 1, len) end
        else
            local spaces, breaks = false, false
            local i = 1
            while i <= len do
                local b = string_byte(s, i)
                local w = width_at(s, i)
                if b == 0x20 then
                    if allow_breaks and not spaces and column > BEST_WIDTH
                        and i ~= 1 and i ~= len and string_byte(s, i + 1) ~= 0x20 then
                        write_indent()
                    else
                        put(" ")
                    end
                    spaces = true
                elseif is_break(s, i) then
                    if not breaks and b == 0x0A then put_break() end
                    write_break(s, i, w)
                    indention, breaks = true, true
                else
                    if breaks then write_indent() end
                    if b == 0x27 then put("'") end
                    write_chars(s, i, i + w - 1)
                    indention, spaces, breaks = false, false, false
                end
                i = i + w
            end
            if breaks then write_indent() end
        end
        write_indicator("'", false, false, false)
        whitespace, indention = false, false
    end

    local function write_double(s, allow_breaks)
        write_indicator('"', true, false, false)
        local len = #s
        local spaces = false
        local i = 1
        while i <= len do
            local b = string_byte(s, i)
            local w = width_at(s, i)
            if not is_printable(s, i) or is_bom(s, i) or is_break(s, i)
                or b == 0x22 or b == 0x5C then
                local cp = b
                if w > 1 then
                    cp = b & (w == 2 and 0x1F or w == 3 and 0x0F or 0x07)
                    for k = 1, w - 1 do cp = (cp << 6) + ((string_byte(s, i + k) or 0) & 0x3F) end
                end
                local e = DQ_ESCAPES[cp]
                if e then
                    put("\\" .. e)
                elseif cp <= 0xFF then
                    put(string_format("\\x%02X", cp))
                elseif cp <= 0xFFFF then
                    put(string_format("\\u%04X", cp))
                else
                    put(string_format("\\U%08X", cp))
                end
                spaces = false
            elseif b == 0x20 then
                if allow_breaks and not spaces and column > BEST_WIDTH and i ~= 1 and i ~= len then
                    write_indent()
                    if string_byte(s, i + 1) == 0x20 then put("\\") end
                else
                    put(" ")
                end
                spaces = true
            else
                write_chars(s, i, i + w - 1)
                spaces = false
            end
            i = i + w
        end
        write_indicator('"', false, false, false)
        whitespace, indention = false, false
    end

    -- A scalar event: text, and whether it may be written plain as far as
    -- the resolver goes (plain_implicit).
    local function emit_scalar(s, implicit)
        local a = analyze(s)
        local style = "plain"
        if simple_key_context and a.multiline then style = "double" end
        if style == "plain" then
            if (flow_level > 0 and not a.flow_plain) or (flow_level == 0 and not a.block_plain) then
                style = "single"
            end
            if #s == 0 and (flow_level > 0 or simple_key_context) then style = "single" end
            if not implicit then style = "single" end
        end
        if style == "single" and not a.single then style = "double" end
        increase_indent(true, false)
        local allow_breaks = not simple_key_context
        if style == "plain" then
            write_plain(s, allow_breaks)
        elseif style == "single" then
            write_single(s, allow_breaks)
        else
            write_double(s, allow_breaks)
        end
        pop_indent()
    end

    local emit_node

    -- SafeRepresenter: the scalar text and tag resolution of a value.
    local function scalar_of(v)
        local tv = type(v)
        if tv == "string" then return v, plain_implicit(v) end
        if tv == "boolean" then return v and "true" or "false", true end
        if tv == "number" then
            if math_type(v) == "integer" then return string_format("%d", v), true end
            if v ~= v then return ".nan", true end
            if v == math_huge then return ".inf", true end
            if v == -math_huge then return "-.inf", true end
            return string_lower(float_repr(v)), true
        end
        if v == nil or v == null then return "null", true end
        if getmetatable(v) == value.datetime_mt then return v[1], true end
        error("cannot represent an object: " .. tostring(v), 0)
    end

    local function simple_key_ok(k)
        if type(k) ~= "string" then return true end
        if #k > 128 then return false end
        return not analyze(k).multiline
    end

    local function sorted_keys(obj)
        local keys = vkeys(obj)
        table_sort(keys, function(a, b)
            local ta, tb = type(a), type(b)
            if ta ~= tb then return ta < tb end
            if ta ~= "string" then return a < b end
            return json._bytes_lt(a, b)
        end)
        return keys
    end

    function emit_node(v, root, sequence, mapping, simple_key)
        mapping_context, simple_key_context = mapping, simple_key
        local t = vtype(v)
        if t == "array" then
            local len = #v
            if len == 0 then
                write_indicator("[", true, true, false)
                increase_indent(true, false)
                pop_indent()
                write_indicator("]", false, false, false)
                return
            end
            increase_indent(false, mapping_context and not indention)
            for i = 1, len do
                write_indent()
                write_indicator("-", true, false, true)
                emit_node(v[i], false, true, false, false)
            end
            pop_indent()
        elseif t == "object" then
            local keys = sorted_keys(v)
            if #keys == 0 then
                write_indicator("{", true, true, false)
                increase_indent(true, false)
                pop_indent()
                write_indicator("}", false, false, false)
                return
            end
            increase_indent(false, false)
            for _, k in ipairs(keys) do
                write_indent()
                local ks, kimplicit = scalar_of(k)
                if simple_key_ok(ks) then
                    mapping_context, simple_key_context = true, true
                    emit_scalar(ks, kimplicit)
                    write_indicator(":", false, false, false)
                else
                    write_indicator("?", true, false, true)
                    mapping_context, simple_key_context = true, false
                    emit_scalar(ks, kimplicit)
                    write_indent()
                    write_indicator(":", true, false, true)
                end
                emit_node(v[k], false, false, true, false)
            end
            pop_indent()
        else
            local s, implicit = scalar_of(v)
            emit_scalar(s, implicit)
        end
    end

    local function document(v)
        emit_node(v, true, false, false, false)
        write_indent()                      -- DOCUMENT-END, implicit
        return table_concat(out, "", 1, n)
    end

    return document
end

-- The YAML document for a list or object (as ruamel's dump writes it).
function M.dump(v)
    return new_emitter()(v)
end

local SCALARS = { null = true, boolean = true, number = true, string = true }

function M.format(data, opts)
    local t = vtype(data)
    if t == "object" and vlen(data) == 0 then return "" end
    if SCALARS[t] then return json_encode(data) .. "\n" end
    return M.dump(data)
end

return M
