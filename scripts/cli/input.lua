-- cli.input: --cli-input-json / --cli-input-yaml, inline or file://, with
-- the AWS CLI's messages for unreadable files and malformed documents.
local aws = require "aws"
local value = aws.value
local io_open, error, tostring, math_type = io.open, error, tostring, math.type

local M = {}

local function fail(message)
    error({ kind = "usage", code = "ParamError", message = message }, 0)
end

-- paramfile: file:// reads text, fileb:// bytes; anything else is inline.
local function resolve(text, option)
    local path = text:match("^file://(.*)$") or text:match("^fileb://(.*)$")
    if not path then return text end
    local home = os.getenv("HOME")
    if home then path = path:gsub("^~", home) end
    local f, err, errno = io_open(path, "rb")
    if not f then
        local why = (err or ""):match(": ([^:]*)$") or "No such file or directory"
        fail(("Error parsing parameter '--%s': Unable to load paramfile %s: "
            .. "[Errno %d] %s: '%s'"):format(option, text, errno or 2, why, path))
    end
    local data = f:read("a")
    f:close()
    return data
end

-- Python's type name for what a document decoded to.
local function python_type(v)
    local ty = value.type(v)
    if ty == "number" then return math_type(v) == "integer" and "int" or "float" end
    return ({ array = "list", string = "str", boolean = "bool",
              null = "NoneType", object = "dict" })[ty] or ty
end

function M.load(opts)
    local option = opts.cli_input_json and "cli-input-json" or "cli-input-yaml"
    local data
    if opts.cli_input_json then
        data = aws.json.decode(resolve(opts.cli_input_json, option))
        if data == nil then
            fail("Error parsing parameter 'cli-input-json': Invalid JSON received.")
        end
    else
        data = aws.yaml.decode(resolve(opts.cli_input_yaml, option))
        if data == nil then
            fail("Error parsing parameter 'cli-input-yaml': Invalid YAML received.")
        end
    end
    if value.type(data) ~= "object" then
        fail(("Error parsing parameter '--%s': Invalid type: expecting map, "
            .. "received <class '%s'>"):format(option, python_type(data)))
    end
    return data
end

return M
