-- wrap_semantics.lua: coroutine.wrap and coroutine.resume as lua5.4 has
-- them, printed line by line. test_lifetimes.py runs it under lua5.4 and
-- under iamlua (after require "aws", which installs task-aware versions)
-- and compares the output.
if arg[1] == "aws" then require "aws" end
local out = {}
local function say(...) local t = table.pack(...) for i = 1, t.n do t[i] = tostring(t[i]) end out[#out + 1] = table.concat(t, " ") end

-- Errors: position info added to strings, tables passed as they are.
local f = coroutine.wrap(function() error("plain") end)
say(pcall(f))
f = coroutine.wrap(function() error({ code = 1 }) end)
local ok, e = pcall(f)
say(ok, type(e), e.code)
f = coroutine.wrap(function() error("nolevel", 0) end)
say(pcall(f))
-- Called from a Lua function: the caller's position is prefixed.
f = coroutine.wrap(function() error("nolevel", 0) end)
say(pcall(function() return f() end))
f = coroutine.wrap(function() local x = nil; return x.y end)
say(pcall(function() return f() end))
-- A dead coroutine.
f = coroutine.wrap(function() return 1 end)
say(f())
say(pcall(f))
-- <close> variables of a wrapped function that errors run before the
-- error propagates; an error in __close replaces the original.
local log = {}
f = coroutine.wrap(function()
    local _ <close> = setmetatable({}, { __close = function(_, err) log[#log + 1] = "closed:" .. tostring(err) end })
    coroutine.yield(1)
    error("after yield")
end)
say(f())
say(pcall(f))
say(table.concat(log, ";"))
f = coroutine.wrap(function()
    local _ <close> = setmetatable({}, { __close = function() error("in close") end })
    error("original")
end)
say(pcall(f))
-- Values through yields and resumes.
local co = coroutine.create(function(a, b)
    local c = coroutine.yield(a + b)
    local d, e2 = coroutine.yield(c * 2)
    return d, e2, "end"
end)
say(coroutine.resume(co, 1, 2))
say(coroutine.resume(co, 10))
say(coroutine.resume(co, "x", "y"))
say(coroutine.resume(co))
say(coroutine.status(co))
-- wrap of a non-function.
say(pcall(coroutine.wrap, 42))
say(pcall(coroutine.wrap))
-- Generators.
local gen = coroutine.wrap(function() for i = 1, 3 do coroutine.yield(i) end end)
say(gen(), gen(), gen())
for _, l in ipairs(out) do print(l) end
