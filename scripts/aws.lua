-- aws: the module every script gets with `require "aws"` (DESIGN.md 1.2).
-- The C half (aws.core) signs, sends and decodes; this half holds policy:
-- parameter flattening, shapes, pagination, JSON/JMESPath front ends.
local core = require "aws.core"
local value = require "aws.value"

local type, error, setmetatable, require = type, error, setmetatable, require
local pairs, tostring, select = pairs, tostring, select

local M = {}

M.null = value.null
M.value = value
M.sign = core.sign
-- Decodes a saved Query response body with a shape (tests, offline use).
M._xml_decode = core._xml_decode
M.error_mt = core.error_mt

-- aws.json: decode in C (jansson), encode in Lua (byte-exact output).
M.json = setmetatable({ decode = core.json_decode }, {
    __index = function(t, k)
        if k == "encode" then
            local enc = require("aws.json").encode
            t.encode = enc
            return enc
        end
    end,
})

-- aws.yaml.decode comes from libyaml when the host has it.
M.yaml = setmetatable({}, {
    __index = function(t, k)
        if k == "decode" and core.yaml_decode then
            t.decode = core.yaml_decode
            return t.decode
        end
    end,
})

M.time = require "aws.time"

-- aws.query(expr, data) -> result | nil, err (JMESPath, jmespath.py dialect)
function M.query(expr, data)
    if type(expr) ~= "string" then
        error("bad argument #1 to 'query' (string expected, got "
            .. type(expr) .. ")", 2)
    end
    return require("jmespath").search(expr, data)
end

local client_methods = core.client_mt.__index
local params = require "aws.params"
M.params = params

-- Shapes of the actions the shipped scripts know, loaded one action at a
-- time so that start-up reads nothing it does not use.
local function shape_of(service, action)
    local ok, shape = pcall(require, "shapes." .. service .. "." .. action)
    if ok then return shape end
    return nil
end

local service_of = setmetatable({}, { __mode = "k" })

-- client:call(Action, params) -> result | nil, err
function client_methods.call(self, action, args)
    if type(action) ~= "string" then
        error("bad argument #1 to 'call' (string expected, got "
            .. type(action) .. ")", 2)
    end
    if args ~= nil and type(args) ~= "table" then
        error("bad argument #2 to 'call' (table expected, got "
            .. type(args) .. ")", 2)
    end
    local shape = shape_of(service_of[self] or "iam", action)
    local flat, verr = params.flatten(args or {}, shape and shape.input)
    if not flat then
        return nil, setmetatable({
            code = "ParamValidationError", kind = "usage",
            message = verr, operation = action }, core.error_mt)
    end
    return self:_send(action, flat, shape and shape.output)
end

-- client:paginate(Action, params, ResultKey): iterator over the items of
-- ResultKey across pages, following Marker / IsTruncated; raises if a page
-- fails.
function client_methods.paginate(self, action, args, result_key)
    args = args or {}
    local marker, page, i, done = nil, nil, 0, false
    return function()
        while true do
            if page then
                i = i + 1
                local items = page[result_key]
                if items and items[i] ~= nil then return items[i] end
            end
            if done then return nil end
            local req = {}
            for k, v in pairs(args) do req[k] = v end
            req.Marker = marker
            local r, err = self:call(action, req)
            if not r then error(err, 2) end
            page, i = r, 0
            if r.IsTruncated and r.Marker then
                marker = r.Marker
            else
                done = true
            end
        end
    end
end

-- aws.client(service, opts) -> client
function M.client(service, opts)
    if type(service) ~= "string" then
        error("bad argument #1 to 'client' (string expected, got "
            .. type(service) .. ")", 2)
    end
    local c = core.client(service, opts)
    service_of[c] = service
    return c
end

-- aws.parallel(list, fn, opts) -> results, errors (scripts/aws/parallel.lua)
local parallel = require "aws.parallel"
parallel.install()
M.parallel = parallel.parallel
-- aws.once(fn) -> get: fn runs once; concurrent callers wait for it.
M.once = parallel.once

return M
