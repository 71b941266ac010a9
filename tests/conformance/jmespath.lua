-- JMESPath conformance: every case of the jmespath.test suite (the dialect
-- of jmespath.py, which the AWS CLI uses) plus jmespath.py's legacy
-- literal cases, scored strictly.
--
--   ./iamlua run tests/conformance/jmespath.lua [DIR]
--
-- DIR defaults to $IAMLUA_CONFORMANCE/jmespath, else
-- tests/conformance/data/jmespath (the copy this repository carries). Results must equal the expected value
-- with types counted (value.equal); error cases must fail with the
-- expected category; bench cases must compile ("parse") or evaluate
-- ("full", "interpret") without error. Prints a TAP line per case:
-- `ok - FILE#SUITE#CASE EXPR` (suite and case numbered from 1).
--
-- JSON comes from aws.json.decode. Without the host (plain lua5.4),
-- IAMLUA_JSON_FALLBACK may name a Lua file returning { decode = fn }.

local value = require "aws.value"
local jmespath = require "jmespath"

local io_open, os_getenv, os_exit = io.open, os.getenv, os.exit
local print, pcall, require, dofile = print, pcall, require, dofile
local ipairs, error, tostring, format = ipairs, error, tostring, string.format
local gsub, type, arg = string.gsub, type, arg

local FILES = {
    "basic.json", "benchmarks.json", "boolean.json", "current.json",
    "escape.json", "filters.json", "functions.json", "identifiers.json",
    "indices.json", "literal.json", "multiselect.json", "pipe.json",
    "slice.json", "syntax.json", "unicode.json", "wildcard.json",
    "legacy/literal.json",
}

local function json_module()
    local ok, aws = pcall(require, "aws")
    if ok and type(aws) == "table" and aws.json then return aws.json end
    local fallback = os_getenv("IAMLUA_JSON_FALLBACK")
    if fallback then return dofile(fallback) end
    error("no JSON decoder: run under ./iamlua or set IAMLUA_JSON_FALLBACK")
end

local function conformance_dir()
    if arg and arg[1] then return arg[1] end
    local root = os_getenv("IAMLUA_CONFORMANCE")
    if root then return root .. "/jmespath" end
    return "tests/conformance/data/jmespath"
end

local function read_file(path)
    local f = io_open(path, "rb")
    if not f then error("cannot open " .. path) end
    local text = f:read("a")
    f:close()
    return text
end

local json = json_module()

local function show(v)
    if json.encode then
        local ok, s = pcall(json.encode, v)
        if ok then return s end
    end
    return tostring(v)
end

-- Returns nil when the case passes, else what went wrong.
local function check(case, given)
    local expr = case.expression
    if case.bench == "parse" then
        local c, err = jmespath.compile(expr)
        return not c and ("compile failed: " .. err.message) or nil
    end
    local got, err = jmespath.search(expr, given)
    if case.error ~= nil then
        if not err then return "expected " .. case.error .. " error, got " .. show(got) end
        if err.code ~= case.error then
            return format("expected %s error, got %s: %s", case.error, err.code, err.message)
        end
        return nil
    end
    if err then return format("%s error: %s", err.code, err.message) end
    if case.bench ~= nil then return nil end
    if not value.equal(got, case.result) then
        return format("expected %s, got %s", show(case.result), show(got))
    end
    return nil
end

local function load_cases(dir)
    local cases = {}
    for _, file in ipairs(FILES) do
        local suites = json.decode(read_file(dir .. "/" .. file))
        for si, suite in ipairs(suites) do
            for ci, case in ipairs(suite.cases) do
                cases[#cases + 1] = { id = format("%s#%d#%d", file, si, ci),
                    case = case, given = suite.given }
            end
        end
    end
    return cases
end

local function main()
    local cases = load_cases(conformance_dir())
    print("1.." .. (#cases + 1))
    local failed = 0
    -- A lost or truncated file must fail loudly, not shrink the suite:
    -- 908 cases in the jmespath.test files plus 9 legacy literals.
    if #cases == 917 then
        print("ok - case count 917")
    else
        failed = failed + 1
        print(format("not ok - case count: %d cases, want 917", #cases))
    end
    for _, c in ipairs(cases) do
        local expr = gsub(c.case.expression, "\n", "\\n")
        local ok, detail = pcall(check, c.case, c.given)
        if ok and detail == nil then
            print(format("ok - %s %s", c.id, expr))
        else
            failed = failed + 1
            detail = ok and detail or ("raised: " .. tostring(detail))
            print(format("not ok - %s %s: %s", c.id, expr, gsub(detail, "\n", "\\n")))
        end
    end
    print(format("# jmespath conformance: %d passed, %d failed, %d cases",
        #cases + 1 - failed, failed, #cases))
    return failed == 0
end

os_exit(main())
