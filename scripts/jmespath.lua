-- jmespath: JMESPath as the AWS CLI evaluates --query (jmespath.py 1.0.1).
--
--   local jmespath = require "jmespath"
--   local expr, err = jmespath.compile("Users[?PasswordLastUsed == null]")
--   local v, err = jmespath.search(expr or "Users[0].UserName", data)
--
-- compile returns a compiled expression or nil and an error for syntax
-- errors; search takes an expression string or a compiled one and returns
-- the result (value.null for JSON null) or nil and an error. Errors are
-- { code =, message = } (jmespath.errors): parse errors come from compile,
-- unknown functions, arity, type and value errors from search, as in
-- jmespath.py, where the AWS CLI reports only the first kind as
-- "Bad value for --query".
--
-- Compiled expressions are cached (least recently used out), since scripts
-- call aws.query in loops.

local value = require "aws.value"
local errors = require "jmespath.errors"
local interp = require "jmespath.interp"
local parser = require "jmespath.parser"

local error, find, getmetatable, pcall, setmetatable, type = error,
    string.find, getmetatable, pcall, setmetatable, type
local null = value.null

local M = {}

M.null = null

local compiled_mt = { __name = "jmespath.expression" }
compiled_mt.__index = compiled_mt

-- LRU cache: expression -> entry in a doubly linked list, newest at head.
local CACHE_SIZE = 128
local cache, count = {}, 0
local head = {}
head.next, head.prev = head, head

local function unlink(e)
    e.prev.next, e.next.prev = e.next, e.prev
end

local function push_front(e)
    e.next, e.prev = head.next, head
    head.next.prev = e
    head.next = e
end

local function cache_get(expr)
    local e = cache[expr]
    if not e then return nil end
    unlink(e)
    push_front(e)
    return e.compiled
end

local function cache_put(expr, compiled)
    local e = { key = expr, compiled = compiled }
    cache[expr] = e
    push_front(e)
    count = count + 1
    if count > CACHE_SIZE then
        local old = head.prev
        unlink(old)
        cache[old.key] = nil
        count = count - 1
    end
end

-- Deep nesting can exhaust the Lua stack; jmespath.py fails the same
-- input with Python's RecursionError, which the AWS CLI also reports as
-- a bad --query.
local function internal(e, code)
    if type(e) == "string" and find(e, "stack overflow", 1, true) then
        return errors.new(code, "maximum recursion depth exceeded")
    end
    error(e, 0)
end

function M.compile(expr)
    if type(expr) ~= "string" then
        error("bad argument #1 to 'compile' (string expected, got "
            .. type(expr) .. ")", 2)
    end
    local c = cache_get(expr)
    if c then return c end
    local ok, ast = pcall(parser.parse, expr)
    if not ok then
        if errors.is(ast) then return nil, errors.finish(ast, expr) end
        return nil, internal(ast, "syntax")
    end
    c = setmetatable({ expression = expr, ast = ast }, compiled_mt)
    cache_put(expr, c)
    return c
end

local function evaluate(c, data)
    if data == nil then data = null end
    local ok, r = pcall(interp.visit, c.ast, data)
    if not ok then
        if errors.is(r) then return nil, r end
        return nil, internal(r, "invalid-value")
    end
    if r == nil then return null end
    return r
end

function M.search(expr, data)
    local c, err = expr, nil
    if type(expr) == "string" then
        c, err = M.compile(expr)
        if not c then return nil, err end
    elseif getmetatable(expr) ~= compiled_mt then
        error("bad argument #1 to 'search' (string or compiled expression "
            .. "expected, got " .. type(expr) .. ")", 2)
    end
    return evaluate(c, data)
end

-- expr:search(data), for a compiled expression.
function compiled_mt.search(c, data)
    return evaluate(c, data)
end

-- True if v is an error returned by compile or search.
M.is_error = errors.is

return M
