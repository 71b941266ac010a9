-- jmespath.functions: the built-in functions, with jmespath.py's argument
-- checks, results and error texts.
--
-- Number types follow Python: sum of integers is an integer, avg is a
-- float, ceil/floor give integers, to_number("1.0") is a float. Sorting is
-- stable. Exprefs come from jmespath.interp as { node =, visit = }.

local value = require "aws.value"
local compare = require "jmespath.compare"
local errors = require "jmespath.errors"
local json = require "jmespath.json"
local pyfmt = require "jmespath.pyfmt"

local find, sub = string.find, string.sub
local concat, math_type, pairs = table.concat, math.type, pairs
local ceil, floor, abs, huge = math.ceil, math.floor, math.abs, math.huge
local rawlen, ipairs, type, format = rawlen, ipairs, type, string.format
local null, vtype, vkeys, vlen = value.null, value.type, value.keys,
    value.len
local new_array, new_object = value.array, value.object
local pytype, py_eq, order = pyfmt.pytype, compare.py_eq, compare.order

local M = {}

-- jmespath type -> Python type names it admits (REVERSE_TYPES_MAP).
local REVERSE = {
    boolean = { bool = true }, array = { list = true },
    object = { dict = true }, null = { NoneType = true },
    string = { str = true }, number = { float = true, int = true },
    expref = { _Expression = true },
}
-- Python type name -> jmespath type (TYPES_MAP).
local JTYPE = {
    bool = "boolean", list = "array", dict = "object", NoneType = "null",
    str = "string", float = "number", int = "number",
    _Expression = "expref",
}
local function jtype(pt) return JTYPE[pt] or "unknown" end

local FUNCS = {}

-- Registers a function; each argument spec is a list of jmespath.py type
-- names ("number", "array-string", ...); an empty list accepts anything.
local function def(name, sig, fn)
    local specs = {}
    for i, types in ipairs(sig) do
        local allowed, subtypes = {}, {}
        for _, t in ipairs(types) do
            local base, st = t:match("^([^-]+)-(.+)$")
            if st then subtypes[#subtypes + 1] = REVERSE[st] else base = t end
            for k in pairs(REVERSE[base]) do allowed[k] = true end
        end
        specs[i] = { types = types, allowed = allowed, subtypes = subtypes }
    end
    FUNCS[name] = { specs = specs, variadic = sig.variadic, fn = fn }
end

local function check_subtypes(fname, v, spec)
    local subs = spec.subtypes
    local n = rawlen(v)
    if #subs == 1 then
        for i = 1, n do
            local pt = pytype(v[i])
            if not subs[1][pt] then errors.type_error(fname, v[i], pt, spec.types) end
        end
        return
    end
    if n == 0 then return end
    local first, allowed = pytype(v[1]), nil
    for _, s in ipairs(subs) do
        if s[first] then allowed = s break end
    end
    if not allowed then errors.type_error(fname, v[1], first, spec.types) end
    for i = 1, n do
        local pt = pytype(v[i])
        if not allowed[pt] then errors.type_error(fname, v[i], pt, spec.types) end
    end
end

local function check_arg(fname, v, spec)
    if #spec.types == 0 then return end
    local pt = pytype(v)
    if not spec.allowed[pt] then
        errors.type_error(fname, v, jtype(pt), spec.types)
    end
    if #spec.subtypes > 0 then check_subtypes(fname, v, spec) end
end

-- Calls function `name` with n evaluated arguments.
function M.call(name, args, n)
    local f = FUNCS[name]
    if not f then errors.unknown_function(name) end
    local specs = f.specs
    if f.variadic then
        if n < #specs then errors.arity(#specs, n, name, true) end
    elseif n ~= #specs then
        errors.arity(#specs, n, name)
    end
    for i, spec in ipairs(specs) do check_arg(name, args[i], spec) end
    return f.fn(args, n)
end

local function num_lt(a, b) return a < b end

-- Merges the sorted runs src[lo..mid-1] and src[mid..hi] into dst; on
-- ties the left run goes first, which keeps the sort stable.
local function merge(src, dst, lo, mid, hi, keys, lt)
    local i, j = lo, mid
    for k = lo, hi do
        if j > hi or (i < mid and not lt(keys[src[j]], keys[src[i]])) then
            dst[k], i = src[i], i + 1
        else
            dst[k], j = src[j], j + 1
        end
    end
end

-- Stable merge sort of a Lua sequence by keys[i], which are all numbers
-- or all strings (the type checks saw to that), as Python's sorted().
local function merge_sort(items, keys)
    local lt = type(keys[1]) == "string" and compare.str_lt or num_lt
    local n = #items
    local idx, tmp = {}, {}
    for i = 1, n do idx[i] = i end
    local width = 1
    while width < n do
        for lo = 1, n, 2 * width do
            local mid = lo + width
            local hi = mid + width - 1
            if hi > n then hi = n end
            if mid > n then mid = n + 1 end
            merge(idx, tmp, lo, mid, hi, keys, lt)
        end
        idx, tmp = tmp, idx
        width = width * 2
    end
    local out = {}
    for i = 1, n do out[i] = items[idx[i]] end
    return new_array(out)
end

local function seq(v)
    local t = {}
    for i = 1, rawlen(v) do t[i] = v[i] end
    return t
end

local function sum(arr)
    local s = 0
    for i = 1, rawlen(arr) do s = s + arr[i] end
    return s
end

-- Python's max()/min() of a homogeneous list: the first extreme item.
local function extreme(arr, op)
    local n = rawlen(arr)
    if n == 0 then return null end
    local best = arr[1]
    for i = 2, n do
        if order(op, arr[i], best) then best = arr[i] end
    end
    return best
end

local function eval_ref(ref, v)
    local r = ref.visit(ref.node, v)
    if r == nil then return null end
    return r
end

-- A key function for *_by: the expref's result, which must be of one of
-- the allowed jmespath types.
local function key_of(fname, ref, v, allowed)
    local r = eval_ref(ref, v)
    local jt = jtype(pytype(r))
    for _, t in ipairs(allowed) do
        if t == jt then return r end
    end
    errors.type_error(fname, r, jt, allowed)
end

local function extreme_by(fname, op, arr, ref)
    local n = rawlen(arr)
    if n == 0 then return null end
    local allowed = { "number", "string" }
    local best, best_key = arr[1], key_of(fname, ref, arr[1], allowed)
    for i = 2, n do
        local k = key_of(fname, ref, arr[i], allowed)
        if order(op, k, best_key) then best, best_key = arr[i], k end
    end
    return best
end

local function sort_by(arr, ref)
    local n = rawlen(arr)
    if n == 0 then return arr end
    local required = jtype(pytype(eval_ref(ref, arr[1])))
    if required ~= "number" and required ~= "string" then
        errors.type_error("sort_by", arr[1], required, { "string", "number" })
    end
    local keys, allowed = {}, { required }
    for i = 1, n do keys[i] = key_of("sort_by", ref, arr[i], allowed) end
    return merge_sort(seq(arr), keys)
end

-- Python's `search in subject`.
local function contains(subject, search)
    if type(subject) == "string" then
        if type(search) ~= "string" then
            errors.raise("invalid-type", "'in <string>' requires string as "
                .. "left operand, not " .. pytype(search))
        end
        return find(subject, search, 1, true) ~= nil
    end
    for i = 1, rawlen(subject) do
        if py_eq(subject[i], search) then return true end
    end
    return false
end

local function reverse(v)
    local out = {}
    if type(v) == "string" then
        local i = 1
        while i <= #v do
            local _, e = pyfmt.uchar(v, i)
            out[#out + 1] = sub(v, i, e)
            i = e + 1
        end
        local n = #out
        for j = 1, n // 2 do out[j], out[n + 1 - j] = out[n + 1 - j], out[j] end
        return concat(out)
    end
    local n = rawlen(v)
    for i = 1, n do out[i] = v[n + 1 - i] end
    return new_array(out)
end

local function to_number(v)
    local t = vtype(v)
    if t == "number" then return v end
    if t == "string" then
        local r = pyfmt.parse_number(v)
        if r == nil then return null end
        return r
    end
    if t == "expref" then
        errors.raise("invalid-type", "int() argument must be a string, a "
            .. "bytes-like object or a real number, not '_Expression'")
    end
    return null
end

-- ceil()/floor() give Python ints, which NaN and infinity cannot be.
local function integral(f, x)
    if math_type(x) == "integer" then return x end
    if x ~= x then errors.raise("invalid-value", "cannot convert float NaN to integer") end
    if x == huge or x == -huge then
        errors.raise("invalid-value", "cannot convert float infinity to integer")
    end
    return f(x)
end

-- The items Python gets iterating over v (a string's characters, an
-- object's keys), or nil if v is not iterable.
local function py_iter(v)
    local t = vtype(v)
    if t == "array" then return seq(v) end
    if t == "object" then return vkeys(v) end
    if t ~= "string" then return nil end
    local out, i = {}, 1
    while i <= #v do
        local _, e = pyfmt.uchar(v, i)
        out[#out + 1], i = sub(v, i, e), e + 1
    end
    return out
end

-- dict.update(arg) for merge's later arguments, which jmespath.py does
-- not type-check: an object, or a sequence of key/value pairs.
local function update(dst, src)
    if vtype(src) == "object" then
        for _, k in ipairs(vkeys(src)) do dst[k] = src[k] end
        return
    end
    local items = py_iter(src)
    if not items then
        errors.raise("invalid-type", format("'%s' object is not iterable", pytype(src)))
    end
    for i, item in ipairs(items) do
        local p = py_iter(item)
        if not p then
            errors.raise("invalid-type", format("cannot convert dictionary "
                .. "update sequence element #%d to a sequence", i - 1))
        elseif #p ~= 2 then
            errors.raise("invalid-value", format("dictionary update sequence "
                .. "element #%d has length %d; 2 is required", i - 1, #p))
        end
        local k, kt = p[1], vtype(p[1])
        if kt == "array" or kt == "object" then
            errors.raise("invalid-type", "unhashable type: '" .. pytype(k) .. "'")
        elseif kt ~= "string" then
            k = json.dumps(k) -- a non-string key, as json.dumps prints it
        end
        dst[k] = p[2]
    end
end

def("abs", { { "number" } }, function(a) return abs(a[1]) end)
def("avg", { { "array-number" } }, function(a)
    local n = rawlen(a[1])
    if n == 0 then return null end
    return sum(a[1]) / n
end)
def("ceil", { { "number" } }, function(a) return integral(ceil, a[1]) end)
def("floor", { { "number" } }, function(a) return integral(floor, a[1]) end)
def("contains", { { "array", "string" }, {} }, function(a)
    return contains(a[1], a[2])
end)
def("ends_with", { { "string" }, { "string" } }, function(a)
    return a[2] == "" or sub(a[1], -#a[2]) == a[2]
end)
def("starts_with", { { "string" }, { "string" } }, function(a)
    return sub(a[1], 1, #a[2]) == a[2]
end)
def("join", { { "string" }, { "array-string" } }, function(a)
    return concat(seq(a[2]), a[1])
end)
def("keys", { { "object" } }, function(a) return new_array(vkeys(a[1])) end)
def("values", { { "object" } }, function(a)
    local out = {}
    for i, k in ipairs(vkeys(a[1])) do out[i] = a[1][k] end
    return new_array(out)
end)
def("length", { { "string", "array", "object" } }, function(a)
    if type(a[1]) == "string" then return pyfmt.ulen(a[1]) end
    return vlen(a[1])
end)
def("map", { { "expref" }, { "array" } }, function(a)
    local out = {}
    for i = 1, rawlen(a[2]) do out[i] = eval_ref(a[1], a[2][i]) end
    return new_array(out)
end)
def("max", { { "array-number", "array-string" } }, function(a)
    return extreme(a[1], ">")
end)
def("min", { { "array-number", "array-string" } }, function(a)
    return extreme(a[1], "<")
end)
def("max_by", { { "array" }, { "expref" } }, function(a)
    return extreme_by("max_by", ">", a[1], a[2])
end)
def("min_by", { { "array" }, { "expref" } }, function(a)
    return extreme_by("min_by", "<", a[1], a[2])
end)
def("merge", { { "object" }, variadic = true }, function(a, n)
    local out = new_object()
    for i = 1, n do update(out, a[i]) end
    return out
end)
def("not_null", { {}, variadic = true }, function(a, n)
    for i = 1, n do
        if a[i] ~= null then return a[i] end
    end
    return null
end)
def("reverse", { { "array", "string" } }, function(a) return reverse(a[1]) end)
def("sort", { { "array-string", "array-number" } }, function(a)
    local items = seq(a[1])
    return merge_sort(items, items)
end)
def("sort_by", { { "array" }, { "expref" } }, function(a)
    return sort_by(a[1], a[2])
end)
def("sum", { { "array-number" } }, function(a) return sum(a[1]) end)
def("to_array", { {} }, function(a)
    if vtype(a[1]) == "array" then return a[1] end
    return new_array({ a[1] })
end)
def("to_number", { {} }, function(a) return to_number(a[1]) end)
def("to_string", { {} }, function(a)
    if type(a[1]) == "string" then return a[1] end
    return json.dumps(a[1])
end)
def("type", { {} }, function(a)
    local t = vtype(a[1])
    if t == "expref" then return null end
    return t
end)

return M
