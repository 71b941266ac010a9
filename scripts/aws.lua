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
-- Decodes a saved JSON-protocol response body with a shape.
M._json_decode = core._json_decode
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

-- "query" or "json" (scripts/shapes/services.lua, from the model).
local function protocol_of(service)
    local meta = require("shapes.services")[service or "iam"]
    return meta and meta.protocol or "query"
end

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
    if protocol_of(service_of[self]) == "json" then
        local body, jerr = require("aws.jsonbody").encode(args or {},
            shape and shape.input)
        if not body then
            return nil, setmetatable({
                code = "ParamValidationError", kind = "usage",
                message = jerr, operation = action }, core.error_mt)
        end
        return self:_send(action, body, shape and shape.output)
    end
    local flat, verr = params.flatten(args or {}, shape and shape.input)
    if not flat then
        return nil, setmetatable({
            code = "ParamValidationError", kind = "usage",
            message = verr, operation = action }, core.error_mt)
    end
    return self:_send(action, flat, shape and shape.output)
end

-- client:paginate(Action, params [, ResultKey]) and client:pages(Action,
-- params), from the model's paginators (scripts/aws/paginate.lua).
require("aws.paginate").install(client_methods, {
    service_of = function(c) return service_of[c] or "iam" end,
    shape_of = shape_of,
})

-- Credentials a script gives (options credentials / assume_role), checked
-- before every request's signature (scripts/aws/credentials.lua).
local credentials = require "aws.credentials"
credentials.install(client_methods)

-- A client for checked options: opts' credentials and assume_role go to
-- the credentials module, the rest to the C client (a copy: the caller's
-- table is never changed).
local function new_client(service, opts)
    local copy = {}
    for k, v in pairs(opts) do copy[k] = v end
    copy.credentials, copy.assume_role = nil, nil
    if opts.credentials ~= nil or opts.assume_role ~= nil then
        copy._external_credentials = true
    end
    local c = core.client(service, copy)
    service_of[c] = service
    credentials.attach(c, opts, new_client)
    return c
end

-- aws.client(service, opts) -> client; misuse (unknown option, wrong
-- type) raises "bad argument #2 to 'client' (...)" (scripts/aws/options.lua).
function M.client(service, opts)
    local options = require "aws.options"
    options.check_service(service, 2)
    options.check(opts, 2)
    opts = opts or {}
    credentials.check(opts, 2)
    return new_client(service, opts)
end

-- aws.parallel(list, fn, opts) -> results, errors (scripts/aws/parallel.lua)
local parallel = require "aws.parallel"
parallel.install()
M.parallel = parallel.parallel
-- aws.once(fn) -> get: fn runs once; concurrent callers wait for it.
M.once = parallel.once

return M
