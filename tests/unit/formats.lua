-- Output formats against the AWS CLI's own bytes.
--
--   ./iamlua run tests/unit/formats.lua [CASE-PATTERN]
--
-- Every document of tests/unit/formats/cases.json goes through every output
-- module and must give exactly the bytes in tests/unit/formats/expected/,
-- which tests/unit/formats_oracle.py rendered with AWS CLI v2's formatters.
-- A file named <case>.<format>.error means the CLI raises there; the module
-- must raise an error whose message is the CLI's message.
-- `encode-*` files check aws.json.encode's options against json.dumps, and
-- `csv` and `example-*` files scripts/output/csv.lua and the user formats in
-- examples/output/ against reference renderings made with Python's csv and
-- json modules.
-- Prints one TAP line per check; exits 1 if any fails.
--
-- The JSON decoder is require("aws").json.decode; FORMATS_JSON_DECODER=FILE
-- (a Lua file returning { decode = ... }) replaces it, e.g. to run the test
-- under plain lua5.4 with LUA_PATH="scripts/?.lua;;".

local dir = (arg and arg[0] or ""):match("^(.*[/\\])") or "./"
local base = dir .. "formats/"
local pattern = arg and arg[1]

local decode
local decoder_file = os.getenv("FORMATS_JSON_DECODER")
if decoder_file and decoder_file ~= "" then
    decode = dofile(decoder_file).decode
else
    decode = require("aws").json.decode
end
local aws_json = require("aws.json")

local FORMATS = {
    { suffix = "json", module = "output.json" },
    { suffix = "text", module = "output.text" },
    { suffix = "table", module = "output.table" },
    { suffix = "table.color", module = "output.table", color = true },
    { suffix = "yaml", module = "output.yaml" },
    { suffix = "yaml-stream", module = "output.yaml-stream" },
    { suffix = "encode-compact",
      encode = { ensure_ascii = false } },
    { suffix = "encode-ascii-sorted",
      encode = { indent = 2, ensure_ascii = true, sort_keys = true } },
    { suffix = "csv", module = "output.csv" },
    { suffix = "example-jsonl", file = "../../examples/output/jsonl.lua" },
}

local function read(path)
    local f = io.open(path, "rb")
    if not f then return nil end
    local s = f:read("a")
    f:close()
    return s
end

local function show(s)
    return (string.format("%q", s):gsub("\\\n", "\\n"))
end

-- First differing byte and some context from both sides.
local function diff(want, got)
    local n = math.min(#want, #got)
    local i = 1
    while i <= n and want:byte(i) == got:byte(i) do i = i + 1 end
    local from = math.max(1, i - 20)
    return string.format("first difference at byte %d (want %d bytes, got %d): want %s got %s",
        i - 1, #want, #got, show(want:sub(from, i + 30)), show(got:sub(from, i + 30)))
end

local cases_text = assert(read(base .. "cases.json"), "cannot read " .. base .. "cases.json")
local cases = decode(cases_text).cases

local modules = {}
local total, failed = 0, 0
local lines = {}

for ci = 1, #cases do
    local case = cases[ci]
    local name = case.name
    if not pattern or name:find(pattern) then
        for _, f in ipairs(FORMATS) do
            local want = read(base .. "expected/" .. name .. "." .. f.suffix)
            local want_error = read(base .. "expected/" .. name .. "." .. f.suffix .. ".error")
            local label = name .. " " .. f.suffix
            local ok, got
            if f.encode then
                ok, got = pcall(aws_json.encode, case.data, f.encode)
            else
                local key = f.module or f.file
                local mod = modules[key]
                if mod == nil then
                    local loaded, m
                    if f.file then
                        loaded, m = pcall(dofile, dir .. f.file)
                    else
                        loaded, m = pcall(require, f.module)
                    end
                    mod = loaded and m or tostring(m)
                    modules[key] = mod
                end
                if type(mod) == "string" then
                    ok, got = false, "cannot load " .. key .. ": " .. mod
                else
                    ok, got = pcall(mod.format, case.data, {
                    command = "get-access-key-last-used",
                    operation = "GetAccessKeyLastUsed",
                    color = f.color or false,
                    width = case.width or 80,
                    is_query = false,
                })
                end
            end
            local problem
            if want_error then
                local msg = want_error:gsub("\n$", ""):gsub("^[%w_]+: ", "")
                if ok then
                    problem = "the CLI fails here (" .. msg .. ") but the module returned "
                        .. show(got:sub(1, 60))
                elseif not tostring(got):find(msg, 1, true) then
                    problem = "error " .. show(tostring(got)) .. ", want " .. show(msg)
                end
            elseif not want then
                problem = "no expected file; run tests/unit/formats_oracle.py"
            elseif not ok then
                problem = "error: " .. tostring(got)
            elseif type(got) ~= "string" then
                problem = "returned " .. type(got)
            elseif got ~= want then
                problem = diff(want, got)
            end
            total = total + 1
            if problem then
                failed = failed + 1
                lines[#lines + 1] = "not ok - " .. label .. ": " .. problem
            else
                lines[#lines + 1] = "ok - " .. label
            end
        end
    end
end

-- aws.json.encode on values no JSON document produces (plain Lua tables,
-- NaN, bad values); expectations are json.dumps' output for the same data.
if not pattern then
    local value = require("aws.value")
    local enc = aws_json.encode
    local function raises(...)
        local ok, err = pcall(enc, ...)
        return ok and "no error" or tostring(err)
    end
    local cyclic = {}
    cyclic.self = cyclic
    local api = {
        { "plain array and object", enc({ 1, 2.0, { a = true, b = {} } }), '[1,2.0,{"a":true,"b":{}}]' },
        { "plain object keys sorted", enc({ b = 1, a = value.null, [1] = 3 }), '{"1":3,"a":null,"b":1}' },
        { "sort_keys indent 0", enc(value.object("b", 1, "a", 2), { sort_keys = true, indent = 0 }),
          '{\n"a": 2,\n"b": 1\n}' },
        { "indent string", enc(value.array({ 1 }), { indent = "\t" }), "[\n\t1\n]" },
        { "separators", enc({ 1, "x" }, { separators = { ", ", ": " } }), '[1, "x"]' },
        { "nan and infinities", enc({ 0 / 0, 1 / 0, -1 / 0 }), "[NaN,Infinity,-Infinity]" },
        { "ensure_ascii", enc("\u{e9}\u{1F600}\127\0", { ensure_ascii = true }),
          '"\\u00e9\\ud83d\\ude00\\u007f\\u0000"' },
        { "raw utf-8 and DEL", enc("\u{e9}\127\31"), '"\u{e9}\127\\u001f"' },
        { "float repr", table.concat({ aws_json.float_repr(1e16), aws_json.float_repr(1e-5),
          aws_json.float_repr(123456789012345680000.0), aws_json.float_repr(-0.0) }, " "),
          "1e+16 1e-05 1.2345678901234568e+20 -0.0" },
        { "allow_nan false raises", raises({ 0 / 0 }, { allow_nan = false }) ~= "no error", true },
        { "function raises", raises({ f = print }):find("not JSON serializable", 1, true) ~= nil, true },
        { "cycle raises", raises(cyclic):find("Circular reference", 1, true) ~= nil, true },
    }
    for _, c in ipairs(api) do
        total = total + 1
        if c[2] == c[3] then
            lines[#lines + 1] = "ok - json-api " .. c[1]
        else
            failed = failed + 1
            lines[#lines + 1] = "not ok - json-api " .. c[1] .. ": got " .. show(tostring(c[2]))
                .. ", want " .. show(tostring(c[3]))
        end
    end
end

print("1.." .. total)
for _, l in ipairs(lines) do print(l) end
print(string.format("# %d checks, %d failed", total, failed))
if failed > 0 then os.exit(1) end
