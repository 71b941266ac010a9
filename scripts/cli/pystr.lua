-- cli.pystr: byte strings as the AWS CLI's Python sees them.
--
-- Python decodes argv and the environment as UTF-8 with surrogateescape:
-- every byte that starts no valid UTF-8 sequence becomes one lone
-- surrogate, U+DC80..U+DCFF. Such a str counts one code point per bad byte,
-- prints on stderr (backslashreplace) as `\udcff`, and cannot be encoded
-- back to UTF-8 when a request is built. iamlua keeps the bytes; these
-- functions give the same lengths, text and errors. "Valid" is strict UTF-8
-- as Python decodes it: no overlong forms, no surrogates, nothing past
-- U+10FFFF (Lua's utf8 library without `lax`).
local utf8_len, byte, format, sub = utf8.len, string.byte, string.format,
    string.sub
local concat = table.concat

local M = {}

-- Calls fn(i, j) for each valid run s[i..j] and fn(i, nil) for each bad
-- byte at i, in order.
local function walk(s, fn)
    local i, n = 1, #s
    while i <= n do
        local ok, bad = utf8_len(s, i)
        if ok then
            fn(i, n)
            return
        end
        if bad > i then fn(i, bad - 1) end
        fn(bad, nil)
        i = bad + 1
    end
end

-- True when s is valid UTF-8 (no surrogates after decoding).
function M.valid(s)
    return utf8_len(s) ~= nil
end

-- len(str): code points, one per bad byte.
function M.len(s)
    local n = utf8_len(s)
    if n then return n end
    n = 0
    walk(s, function(i, j)
        n = n + (j and utf8_len(s, i, j) or 1)
    end)
    return n
end

-- The text Python writes to stderr for the str: bad bytes as `\udcXX`.
function M.printable(s)
    if utf8_len(s) then return s end
    local out = {}
    walk(s, function(i, j)
        out[#out + 1] = j and sub(s, i, j) or format("\\udc%02x", byte(s, i))
    end)
    return concat(out)
end

-- str.encode('utf-8')'s UnicodeEncodeError text for s, or nil when s
-- encodes. Python reports the first run of consecutive surrogates, by
-- code point positions.
function M.encode_error(s)
    if utf8_len(s) then return nil end
    local _, bad = utf8_len(s)
    local first = utf8_len(s, 1, bad - 1)
    local last = bad
    while last < #s and not utf8_len(s, last + 1, last + 1) do
        last = last + 1
    end
    if last == bad then
        return format("'utf-8' codec can't encode character '\\udc%02x' in "
            .. "position %d: surrogates not allowed", byte(s, bad), first)
    end
    return format("'utf-8' codec can't encode characters in position %d-%d: "
        .. "surrogates not allowed", first, first + last - bad)
end

return M
