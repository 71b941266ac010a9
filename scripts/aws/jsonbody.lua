-- aws.jsonbody: request parameters as the body of an AWS JSON-protocol
-- request (Organizations), as botocore's JSONSerializer writes it:
-- structures by the input shape (members in shape order, location names),
-- lists, maps, timestamps as whole epoch seconds (unixtimestamp), blobs
-- base64. Parameters are validated by aws.params first, as for Query.
--
--   encode(params, input_shape) -> JSON text | nil, message
local value = require "aws.value"
local json = require "aws.json"
local params = require "aws.params"

local type, ipairs, math_floor = type, ipairs, math.floor

local M = {}

local base64 = params.base64

local convert

local function structure(v, shape)
    local out = value.object()
    if shape and shape.members then
        for _, m in ipairs(shape.members) do
            local x = v[m.name]
            if x ~= nil and x ~= value.null then
                out[m.location_name or m.name] = convert(x, m.shape)
            end
        end
    else
        for _, k in ipairs(value.keys(v)) do out[k] = convert(v[k], nil) end
    end
    return out
end

convert = function(v, shape)
    local ty = shape and shape.type
    if type(v) == "table" and value.type(v) == "bytes" then
        return base64(v[1])
    elseif ty == "timestamp" then
        local t = type(v) == "string" and require("aws.time").parse(v) or v
        return type(t) == "number" and math_floor(t) or v
    elseif ty == "blob" and type(v) == "string" then
        return base64(v)
    elseif type(v) ~= "table" then
        return v
    elseif ty == "list" or (not shape and value.type(v) == "array") then
        local out = value.array({})
        for i = 1, #v do out[i] = convert(v[i], shape and shape.member) end
        return out
    elseif ty == "map" then
        local out = value.object()
        for _, k in ipairs(value.keys(v)) do
            out[k] = convert(v[k], shape.value)
        end
        return out
    end
    return structure(v, shape)
end

function M.encode(args, shape)
    if shape then
        local ok, err = params.validate(args, shape)
        if not ok then return nil, err end
    end
    return json.encode(structure(args, shape))
end

return M
