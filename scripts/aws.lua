-- aws: the module every script gets with `require "aws"` (DESIGN.md 1.2).
-- The C half (aws.core) signs, sends and decodes; this half holds policy:
-- parameter flattening, shapes, pagination, JSON/JMESPath front ends.
local core = require "aws.core"
local value = require "aws.value"

local type, error, setmetatable, require = type, error, setmetatable, require
local pairs, ipairs, tostring, select, next = pairs, ipairs, tostring, select, next

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

-- The actions a service has: the shapes shipped for it (generated from
-- the AWS CLI's model), as a list and a set; empty when none are shipped.
local actions_of = {}
local function actions(service)
    local a = actions_of[service]
    if not a then
        a = { list = {}, set = {} }
        local prefix = "shapes." .. service .. "."
        for i, m in ipairs(core.embedded_names(prefix)) do
            local name = m:sub(#prefix + 1)
            a.list[i], a.set[name] = name, true
        end
        actions_of[service] = a
    end
    return a
end

-- The closest action name: the same letters in another case, else the
-- most similar (difflib's ratio, at least 0.6).
local function closest(action, list)
    local lower, best, score = action:lower(), nil, 0.6
    local ratio = require("cli.argparse").ratio
    for _, name in ipairs(list) do
        if name:lower() == lower then return name end
        local r = ratio(action, name)
        if r >= score then best, score = name, r end
    end
    return best
end

-- nil, err for an action the service does not have: refused here, so a
-- misspelt name never reaches the server (which answers an HTML page).
local function unknown_action(service, action, list)
    local near = closest(action, list)
    return nil, setmetatable({
        code = "InvalidAction", kind = "usage", operation = action,
        suggestion = near,
        message = ('Unknown action "%s" for %s%s'):format(action, service,
            near and ('; did you mean "%s"?'):format(near) or "") }, core.error_mt)
end

-- The shape of `action` (nil when none ships for it), or nil, err
-- (InvalidAction) for an action the service does not have. An action with
-- a shipped shape is known; the list of all of them (sorted, 0.7 M
-- instructions to build) is made only to refuse one.
local function action_shape(service, action)
    local shape = shape_of(service, action)
    if shape then return shape end
    local known = actions(service)
    if known.list[1] and not known.set[action] then
        return unknown_action(service, action, known.list)
    end
    return nil
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
    -- After Ctrl-C every request would fail at once: stop the script
    -- here too, whatever caught the interrupt before.
    if core.interrupted() then error(core.interrupt, 0) end
    local service = service_of[self] or "iam"
    local shape, aerr = action_shape(service, action)
    if aerr then return nil, aerr end
    if protocol_of(service) == "json" then
        local body, jerr = require("aws.jsonbody").encode(args or {},
            shape and shape.input)
        if not body then
            return nil, setmetatable({
                code = "ParamValidationError", kind = "usage",
                message = jerr, operation = action }, core.error_mt)
        end
        return self:_send(action, body, shape and shape.output)
    end
    local flat, verr = params.flatten(args or {}, shape and shape.input, "lua")
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
    action_shape = action_shape,
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

-- The defaults the host set from global options before `run` fill the
-- options a client leaves unset, in a copy: the caller's table is not
-- touched and its own options win.
local defaults = require "aws.defaults"
local function with_defaults(opts)
    if next(defaults) == nil then return opts end
    local o = {}
    for k, v in pairs(opts) do o[k] = v end
    for k, v in pairs(defaults) do
        if o[k] == nil and k ~= "color" then o[k] = v end
    end
    return o
end

-- aws.client(service, opts) -> client; misuse (unknown option, wrong
-- type) raises "bad argument #2 to 'client' (...)" (scripts/aws/options.lua).
function M.client(service, opts)
    local options = require "aws.options"
    options.check_service(service, 2)
    options.check(opts, 2)
    opts = with_defaults(opts or {})
    credentials.check(opts, 2)
    return new_client(service, opts)
end

-- For the interactive prompt's completion (cli.repl): a client's service
-- and the actions a service has.
function M._service_of(c) return service_of[c] end
function M._actions(service) return actions(service).list end

-- aws.format(data, name [, opts]) -> the bytes `--output name` prints;
-- aws.print writes them (scripts/aws/format.lua).
local format = require "aws.format"
M.format, M.print = format.format, format.print

-- aws.interrupted() -> true once Ctrl-C was pressed: for cleanup code (a
-- __close handler) that wants to know why it runs.
M.interrupted = core.interrupted

-- aws.parallel(list, fn, opts) -> results, errors (scripts/aws/parallel.lua)
local parallel = require "aws.parallel"
parallel.install()
M.parallel = parallel.parallel
-- aws.once(fn) -> get: fn runs once; concurrent callers wait for it.
M.once = parallel.once
-- aws.sleep(seconds): parks a task (blocks outside tasks).
M.sleep = parallel.sleep

return M
