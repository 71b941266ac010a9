-- audit.policydoc: IAM policy documents as data, and the questions checks
-- ask of them.
--
-- IAM returns a document URL-encoded (RFC 3986) inside the XML; decoding
-- gives JSON, and aws.json.decode gives tables that keep every distinction
-- JSON makes (null is aws.null, [] stays an array). Some endpoints (moto)
-- send the JSON unencoded: a document that already starts with "{" is
-- taken as it is, since an encoded one starts with "%7B".
local aws = require "aws"
local codec = require "audit.codec"

local value = aws.value
local type, ipairs, tostring = type, ipairs, tostring
local vtype = value.type

local M = {}

-- decode(text) -> document table | nil, message
function M.decode(text)
    if type(text) ~= "string" then
        if vtype(text) == "object" then return text end -- already decoded
        return nil, "policy document: expected a string, got " .. vtype(text)
    end
    local json = text
    if not text:match("^%s*{") then
        local err
        json, err = codec.url_decode(text)
        if not json then return nil, "policy document: " .. err end
    end
    local doc, err = aws.json.decode(json)
    if doc == nil then return nil, "policy document is not JSON: " .. tostring(err) end
    if vtype(doc) ~= "object" then
        return nil, "policy document is not a JSON object"
    end
    return doc
end

-- The statements of a document as a list (a single statement object is
-- allowed by the grammar).
function M.statements(doc)
    local st = doc.Statement
    local t = vtype(st)
    if t == "array" then return st end
    if t == "object" then return { st } end
    return {}
end

-- True when v is "*" or a list holding "*".
local function has_star(v)
    if v == "*" then return true end
    if vtype(v) == "array" then
        for _, x in ipairs(v) do
            if x == "*" then return true end
        end
    end
    return false
end

-- allows_full_admin(doc) -> true | false: some statement has Effect Allow,
-- Action "*" and Resource "*" (CIS 1.16's definition of full
-- administrative privileges; a Condition does not lift it).
function M.allows_full_admin(doc)
    for _, s in ipairs(M.statements(doc)) do
        if vtype(s) == "object" and s.Effect == "Allow"
            and has_star(s.Action) and has_star(s.Resource) then
            return true
        end
    end
    return false
end

return M
