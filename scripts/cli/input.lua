-- cli.input: --cli-input-json / --cli-input-yaml, inline or file://, with
-- the AWS CLI's messages for unreadable files and malformed documents.
local aws = require "aws"
local value = aws.value
local io_open, error, tostring, math_type = io.open, error, tostring, math.type
local utf8_len = utf8.len

local M = {}

M.MAX_PARAMFILE = 16 << 20

local function fail(message)
    error({ kind = "usage", code = "ParamError", message = message }, 0)
end

-- paramfile: file:// reads text, fileb:// bytes; anything else is inline.
-- Returns the contents and whether they are bytes (fileb://).
function M.resolve(text, option)
    local path = text:match("^file://(.*)$")
    local binary = not path
    path = path or text:match("^fileb://(.*)$")
    if not path then return text end
    local home = os.getenv("HOME")
    if home then path = path:gsub("^~", home) end
    local function unable(errno, why)
        fail(("Error parsing parameter '--%s': Unable to load paramfile %s: "
            .. "[Errno %d] %s: '%s'"):format(option, text, errno, why, path))
    end
    local f, err, errno = io_open(path, "rb")
    if not f then
        unable(errno or 2, (err or ""):match(": ([^:]*)$") or "No such file or directory")
    end
    -- A directory opens but cannot be read; a device such as /dev/zero
    -- never ends: read at most MAX_PARAMFILE bytes and refuse more.
    local data, rerr, rerrno = f:read(M.MAX_PARAMFILE + 1)
    f:close()
    if data == nil and rerr then unable(rerrno or 21, "Is a directory") end
    data = data or ""
    if #data > M.MAX_PARAMFILE then
        fail(("Error parsing parameter '--%s': paramfile %s is larger than %d bytes")
            :format(option, text, M.MAX_PARAMFILE))
    end
    -- file:// reads text: UTF-8, strictly, as the CLI's open() does here
    if not binary and not utf8_len(data) then
        fail(("Error parsing parameter '--%s': Unable to load paramfile (%s), text "
            .. "contents could not be decoded.  If this is a binary file, please use "
            .. "the fileb:// prefix instead of the file:// prefix."):format(option, path))
    end
    return data, binary
end

-- Python's type name for what a document decoded to.
local function python_type(v)
    local ty = value.type(v)
    if ty == "number" then return math_type(v) == "integer" and "int" or "float" end
    return ({ array = "list", string = "str", boolean = "bool",
              null = "NoneType", object = "dict", bytes = "bytes" })[ty] or ty
end

-- The --cli-input-json / --cli-input-yaml handler: only one may be given
-- (a ParamSyntaxError, checked before the document is read); the document
-- (docs[dest]: the option's value after its paramfile) must be a map.
function M.load(opts, docs)
    if opts.cli_input_json ~= nil and opts.cli_input_yaml ~= nil then
        fail("Only one --cli-input- parameter may be specified.")
    end
    local option = opts.cli_input_json and "cli-input-json" or "cli-input-yaml"
    local data
    if opts.cli_input_json then
        data = aws.json.decode(docs.cli_input_json)
        if data == nil then
            fail("Error parsing parameter 'cli-input-json': Invalid JSON received.")
        end
    else
        data = aws.yaml.decode(docs.cli_input_yaml)
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
