-- audit.codec: the two decodings IAM's answers need before they are data:
-- base64 (the credential report's Content blob) and percent-encoding (policy
-- documents, which IAM returns URL-encoded as RFC 3986 says).
local string_byte, string_char, string_format = string.byte, string.char, string.format
local table_concat, tonumber = table.concat, tonumber

local M = {}

local B64 = {}
do
    local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    for i = 1, 64 do B64[string_byte(alphabet, i)] = i - 1 end
end

-- base64_decode(s) -> bytes | nil, message. Whitespace is skipped; any
-- other byte outside the alphabet, or a length that is not a whole number
-- of quads, is an error (a truncated blob must not decode to a shorter
-- report that looks whole).
function M.base64_decode(s)
    s = s:gsub("%s+", "")
    local n = #s
    if n % 4 ~= 0 then return nil, "base64 length is not a multiple of 4" end
    local out, o = {}, 0
    local pad = 0
    if n > 0 and s:sub(-1) == "=" then pad = s:sub(-2) == "==" and 2 or 1 end
    local body = n - (pad > 0 and 4 or 0)
    local chunk = {}
    for i = 1, body, 4 do
        local a, b, c, d = string_byte(s, i, i + 3)
        a, b, c, d = B64[a], B64[b], B64[c], B64[d]
        if not (a and b and c and d) then
            return nil, string_format("invalid base64 at offset %d", i - 1)
        end
        local v = a * 262144 + b * 4096 + c * 64 + d
        chunk[#chunk + 1] = string_char(v >> 16, (v >> 8) & 255, v & 255)
        if #chunk == 4096 then
            o = o + 1
            out[o] = table_concat(chunk)
            chunk = {}
        end
    end
    if pad > 0 then
        local a, b, c = string_byte(s, n - 3, n - 1)
        a, b = B64[a], B64[b]
        if not (a and b) then return nil, "invalid base64 in the last quad" end
        if pad == 1 then
            c = B64[c]
            if not c then return nil, "invalid base64 in the last quad" end
            local v = a * 4096 + b * 64 + c
            chunk[#chunk + 1] = string_char(v >> 10, (v >> 2) & 255)
        else
            chunk[#chunk + 1] = string_char(((a << 2) | (b >> 4)) & 255)
        end
    end
    o = o + 1
    out[o] = table_concat(chunk)
    return table_concat(out)
end

-- url_decode(s) -> text | nil, message: %XX sequences to bytes ('+' is a
-- plus sign: IAM encodes spaces as %20). A '%' not followed by two hex
-- digits is an error, not kept, so a mangled document is refused.
function M.url_decode(s)
    local bad
    local out = s:gsub("%%(..?)", function(h)
        if #h == 2 and h:match("^%x%x$") then return string_char(tonumber(h, 16)) end
        bad = bad or h
        return ""
    end)
    if bad then return nil, "invalid percent-encoding near '%" .. bad .. "'" end
    return out
end

return M
