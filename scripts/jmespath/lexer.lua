-- jmespath.lexer: expression text to tokens, as jmespath.py's Lexer.
--
-- Works on bytes: every token but string contents is ASCII, and UTF-8
-- continuation bytes never look like a delimiter. Token positions are byte
-- indexes; errors turn them into code point columns (jmespath.errors).
-- A token is { type = ..., value = ..., start = byte index }.

local errors = require "jmespath.errors"
local json = require "jmespath.json"
local pyfmt = require "jmespath.pyfmt"

local byte, find, gsub, sub = string.byte, string.find, string.gsub,
    string.sub
local tonumber, math_type = tonumber, math.type
local maxinteger, mininteger = math.maxinteger, math.mininteger

local M = {}

local SIMPLE = {
    ["."] = "dot", ["*"] = "star", ["]"] = "rbracket", [","] = "comma",
    [":"] = "colon", ["@"] = "current", ["("] = "lparen", [")"] = "rparen",
    ["{"] = "lbrace", ["}"] = "rbrace",
}

-- Two-character operators: first char -> second char, long type, short type.
local PAIRS = {
    ["|"] = { "|", "or", "pipe" }, ["&"] = { "&", "and", "expref" },
    ["<"] = { "=", "lte", "lt" }, [">"] = { "=", "gte", "gt" },
    ["!"] = { "=", "ne", "not" },
}

local QUOTE_PATTERN = { ["`"] = "[\\`]", ["'"] = "[\\']", ['"'] = '[\\"]' }

-- Text between the delimiter at pos and its unescaped partner; escapes are
-- kept as written (jmespath.py's _consume_until). Returns text, next pos.
local function consume_until(expr, pos, delim)
    local i, pat = pos + 1, QUOTE_PATTERN[delim]
    while true do
        local j = find(expr, pat, i)
        if not j or (byte(expr, j) == 92 and j == #expr) then
            errors.lexer(pos, "Unclosed " .. delim .. " delimiter")
        end
        if byte(expr, j) ~= 92 then return sub(expr, pos + 1, j - 1), j + 1 end
        i = j + 2
    end
end

-- `...`: JSON, or during the JEP-12 deprecation a bare string.
local function literal(expr, pos)
    local raw, nxt = consume_until(expr, pos, "`")
    local lexeme = gsub(raw, "\\`", "`")
    local v = json.loads(lexeme)
    if v == nil then
        v = json.loads('"' .. pyfmt.lstrip(lexeme) .. '"')
        if v == nil then errors.lexer(pos, "Bad token " .. lexeme) end
    end
    return { type = "literal", value = v, start = pos }, nxt
end

local function raw_string(expr, pos)
    local raw, nxt = consume_until(expr, pos, "'")
    return { type = "literal", value = (gsub(raw, "\\'", "'")), start = pos },
        nxt
end

local function quoted_identifier(expr, pos)
    local raw, nxt = consume_until(expr, pos, '"')
    local v, msg = json.loads('"' .. raw .. '"')
    if v == nil then errors.lexer(pos, msg) end
    return { type = "quoted_identifier", value = v, start = pos }, nxt
end

local function number(expr, pos, e)
    local text = sub(expr, pos, e)
    local v = tonumber(text)
    if math_type(v) ~= "integer" then -- beyond 64 bits: clamp
        v = byte(text) == 45 and mininteger or maxinteger
    end
    return { type = "number", value = v, start = pos }, e + 1
end

local function bracket(expr, pos)
    local c = sub(expr, pos + 1, pos + 1)
    if c == "]" then return { type = "flatten", value = "[]", start = pos }, pos + 2 end
    if c == "?" then return { type = "filter", value = "[?", start = pos }, pos + 2 end
    return { type = "lbracket", value = "[", start = pos }, pos + 1
end

local function pair(expr, pos, c)
    local p = PAIRS[c]
    if sub(expr, pos + 1, pos + 1) == p[1] then
        return { type = p[2], value = c .. p[1], start = pos }, pos + 2
    end
    return { type = p[3], value = c, start = pos }, pos + 1
end

-- One token at pos (not whitespace); returns token, next pos.
local function token(expr, pos)
    local c = sub(expr, pos, pos)
    if SIMPLE[c] then return { type = SIMPLE[c], value = c, start = pos }, pos + 1 end
    local _, e = find(expr, "^[A-Za-z_][A-Za-z0-9_]*", pos)
    if e then
        return { type = "unquoted_identifier", value = sub(expr, pos, e),
            start = pos }, e + 1
    end
    if c == "[" then return bracket(expr, pos)
    elseif c == "'" then return raw_string(expr, pos)
    elseif c == "`" then return literal(expr, pos)
    elseif c == '"' then return quoted_identifier(expr, pos)
    elseif PAIRS[c] then return pair(expr, pos, c)
    end
    _, e = find(expr, "^-?[0-9]*", pos)
    if e > pos or (e == pos and c ~= "-") then return number(expr, pos, e) end
    if c == "-" then errors.lexer(pos, "Unknown token '-'") end
    if c == "=" then
        if sub(expr, pos + 1, pos + 1) == "=" then
            return { type = "eq", value = "==", start = pos }, pos + 2
        end
        errors.lexer(pos, "Unknown token '='")
    end
    local _, last = pyfmt.uchar(expr, pos)
    errors.lexer(pos, "Unknown token " .. sub(expr, pos, last))
end

-- All tokens of expr, ending with an eof token.
function M.tokenize(expr)
    if expr == "" then
        errors.raise("syntax", "Invalid JMESPath expression: cannot be empty.")
    end
    local tokens, n, pos, len = {}, 0, 1, #expr
    while true do
        pos = find(expr, "[^ \t\n\r]", pos)
        if not pos then break end
        n = n + 1
        tokens[n], pos = token(expr, pos)
    end
    tokens[n + 1] = { type = "eof", value = "", start = len + 1 }
    return tokens
end

return M
