-- jmespath.interp: evaluates an AST against a value, as jmespath.py's
-- TreeInterpreter does.
--
-- Values are the aws.value model; null is value.null everywhere (never
-- nil). Objects are built with value.object so keys keep the order
-- jmespath.py gives them: a multiselect hash in the order written, a
-- projection in input order.

local value = require "aws.value"
local compare = require "jmespath.compare"
local errors = require "jmespath.errors"
local functions = require "jmespath.functions"

local rawlen, setmetatable, type, ipairs = rawlen, setmetatable, type, ipairs
local null, vtype, vkeys = value.null, value.type, value.keys
local new_array, new_object = value.array, value.object
local is_false, equals, order = compare.is_false, compare.equals,
    compare.order

local M = {}

local EVAL = {}

local function visit(node, v)
    return EVAL[node.type](node, v)
end
M.visit = visit

-- An `&expr` reference; value.type() calls it "expref".
local expref_mt = { __name = "jmespath.expref", __jsontype = "expref" }
M.expref_mt = expref_mt

local function is_array(v)
    return type(v) == "table" and vtype(v) == "array"
end

local function chain(node, v)
    local children = node.children
    for i = 1, #children do v = visit(children[i], v) end
    return v
end
EVAL.subexpression = chain
EVAL.index_expression = chain
EVAL.pipe = chain

EVAL.field = function(node, v)
    if type(v) ~= "table" or vtype(v) ~= "object" then return null end
    local r = v[node.value]
    if r == nil then return null end
    return r
end

EVAL.identity = function(_, v) return v end
EVAL.current = EVAL.identity
-- A copy of a literal array or object: the AST is cached and shared, and
-- a script may well modify the result it gets.
local function copy(v)
    local t = vtype(v)
    if t == "array" then
        local out = {}
        for i = 1, rawlen(v) do out[i] = copy(v[i]) end
        return new_array(out)
    elseif t == "object" then
        local out = new_object()
        for _, k in ipairs(vkeys(v)) do out[k] = copy(v[k]) end
        return out
    end
    return v
end

EVAL.literal = function(node)
    local v = node.value
    if type(v) == "table" and v ~= null then return copy(v) end
    return v
end
EVAL.key_val_pair = function(node, v) return visit(node.children[1], v) end

local COMPARABLE = { number = true, string = true }
local OPS = { lt = "<", gt = ">", lte = "<=", gte = ">=" }

EVAL.comparator = function(node, v)
    local op = node.value
    local l = visit(node.children[1], v)
    local r = visit(node.children[2], v)
    if op == "eq" then return equals(l, r) end
    if op == "ne" then return not equals(l, r) end
    -- Ordering applies to numbers and strings only; else null.
    if not COMPARABLE[type(l)] or not COMPARABLE[type(r)] then return null end
    return order(OPS[op], l, r)
end

EVAL.expref = function(node)
    return setmetatable({ node = node.children[1], visit = visit }, expref_mt)
end

EVAL.function_expression = function(node, v)
    local args, children = {}, node.children
    for i = 1, #children do args[i] = visit(children[i], v) end
    return functions.call(node.value, args, #children)
end

-- Applies rhs to each element, dropping null results.
local function project(list, n, rhs)
    local out, k = {}, 0
    for i = 1, n do
        local cur = visit(rhs, list[i])
        if cur ~= null then k = k + 1 out[k] = cur end
    end
    return new_array(out)
end

EVAL.projection = function(node, v)
    local base = visit(node.children[1], v)
    if not is_array(base) then return null end
    return project(base, rawlen(base), node.children[2])
end

EVAL.value_projection = function(node, v)
    local base = visit(node.children[1], v)
    if type(base) ~= "table" or vtype(base) ~= "object" then return null end
    local keys, vals = vkeys(base), {}
    for i = 1, #keys do vals[i] = base[keys[i]] end
    return project(vals, #keys, node.children[2])
end

EVAL.filter_projection = function(node, v)
    local base = visit(node.children[1], v)
    if not is_array(base) then return null end
    local rhs, cond = node.children[2], node.children[3]
    local out, k = {}, 0
    for i = 1, rawlen(base) do
        local el = base[i]
        if not is_false(visit(cond, el)) then
            local cur = visit(rhs, el)
            if cur ~= null then k = k + 1 out[k] = cur end
        end
    end
    return new_array(out)
end

EVAL.flatten = function(node, v)
    local base = visit(node.children[1], v)
    if not is_array(base) then return null end
    local out, k = {}, 0
    for i = 1, rawlen(base) do
        local el = base[i]
        if is_array(el) then
            for j = 1, rawlen(el) do k = k + 1 out[k] = el[j] end
        else
            k = k + 1
            out[k] = el
        end
    end
    return new_array(out)
end

EVAL.index = function(node, v)
    if not is_array(v) then return null end
    local n, i = rawlen(v), node.value
    if i < 0 then i = n + i end
    if i < 0 or i >= n then return null end
    return v[i + 1]
end

-- Python's slice.indices() bound for start/stop.
local function bound(i, n, default, step)
    if i == nil then return default end
    if i < 0 then
        i = i + n
        if i < 0 then i = step < 0 and -1 or 0 end
    elseif i >= n then
        i = step < 0 and n - 1 or n
    end
    return i
end

EVAL.slice = function(node, v)
    if not is_array(v) then return null end
    local c, n = node.children, rawlen(v)
    local step = c[3] or 1
    if step == 0 then errors.raise("invalid-value", "slice step cannot be zero") end
    local start = bound(c[1], n, step < 0 and n - 1 or 0, step)
    local stop = bound(c[2], n, step < 0 and -1 or n, step)
    local out, k = {}, 0
    local i = start
    while (step > 0 and i < stop) or (step < 0 and i > stop) do
        k = k + 1
        out[k] = v[i + 1]
        i = i + step
    end
    return new_array(out)
end

EVAL.multi_select_dict = function(node, v)
    if v == null then return null end
    local out = new_object()
    for _, child in ipairs(node.children) do
        out[child.value] = visit(child, v)
    end
    return out
end

EVAL.multi_select_list = function(node, v)
    if v == null then return null end
    local out, children = {}, node.children
    for i = 1, #children do out[i] = visit(children[i], v) end
    return new_array(out)
end

EVAL.or_expression = function(node, v)
    local m = visit(node.children[1], v)
    if is_false(m) then m = visit(node.children[2], v) end
    return m
end

EVAL.and_expression = function(node, v)
    local m = visit(node.children[1], v)
    if is_false(m) then return m end
    return visit(node.children[2], v)
end

-- `not` is Python's `not`, which for JSON values (0 aside, special-cased
-- by jmespath.py) is JMESPath falsiness.
EVAL.not_expression = function(node, v)
    return is_false(visit(node.children[1], v))
end

return M
