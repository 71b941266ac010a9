-- cli.skeleton: --generate-cli-skeleton [input|yaml-input|output], as the
-- AWS CLI's GenerateCliSkeletonArgument prints it. `output` validates the
-- command's arguments first but needs no credentials and sends nothing.
local aws = require "aws"
local value = aws.value
local ipairs = ipairs
local TIMESTAMP = "1970-01-01T00:00:00"

-- botocore's ArgumentGenerator, use_member_names=True for output samples.
local function sample(shape, name, depth)
    local ty = shape.type
    depth = depth or 0
    if ty == "structure" then
        local o = value.object()
        if depth > 10 then return o end
        for _, m in ipairs(shape.members or {}) do
            o[m.name] = sample(m.shape, m.name, depth + 1)
        end
        return o
    elseif ty == "list" then
        return value.array({ sample(shape.member, name, depth + 1) })
    elseif ty == "map" then
        return value.object(sample(shape.key, "KeyName", depth + 1),
            sample(shape.value, name, depth + 1))
    elseif ty == "timestamp" then
        return TIMESTAMP == "yaml" and value.datetime("1970-01-01 00:00:00") or TIMESTAMP
    elseif ty == "integer" or ty == "long" then
        return 0
    elseif ty == "double" or ty == "float" then
        return 0.0
    elseif ty == "boolean" then
        return true
    end
    return name or ""
end

-- Input skeletons leave every string empty.
local function input_sample(shape, depth)
    local ty = shape.type
    depth = depth or 0
    if ty == "structure" then
        local o = value.object()
        if depth > 10 then return o end
        for _, m in ipairs(shape.members or {}) do o[m.name] = input_sample(m.shape, depth + 1) end
        return o
    elseif ty == "list" then
        return value.array({ input_sample(shape.member, depth + 1) })
    elseif ty == "map" then
        return value.object("KeyName", input_sample(shape.value, depth + 1))
    elseif ty == "integer" or ty == "long" then
        return 0
    elseif ty == "double" or ty == "float" then
        return 0.0
    elseif ty == "boolean" then
        return true
    elseif ty == "timestamp" then
        return "1970-01-01T00:00:00"
    end
    return ""
end

local function yaml_input(cmd, shape)
    local lines = {}
    for _, m in ipairs(shape.input.members) do
        local doc
        for _, p in ipairs(cmd.parameters) do
            if p.member == m.name then doc = p.doc and p.doc[1] end
        end
        local v = input_sample(m.shape)
        local text = type(v) == "string" and "''" or tostring(v)
        lines[#lines + 1] = ("%s: %s  # %s%s"):format(m.name, text,
            m.required and "[REQUIRED] " or "", doc or "")
    end
    return table.concat(lines, "\n") .. "\n"
end

-- fmt: the output format the command resolved (--output, AWS_DEFAULT_OUTPUT,
-- the profile's output), for the `output` sample only.
return function(cmd, opts, g, host, fmt)
    local shape = require("shapes." .. cmd.service .. "." .. cmd.operation)
    local json = require("output.json")
    if opts.skeleton == "output" then
        -- botocore's sample timestamp is a datetime: json prints its
        -- isoformat(), text and table its str().
        fmt = fmt or g.output or "json"
        TIMESTAMP = (fmt == "text" or fmt == "table") and "1970-01-01 00:00:00"
            or (fmt == "yaml" or fmt == "yaml-stream") and "yaml"
            or "1970-01-01T00:00:00"
        local data = sample(shape.output)
        if g.query_ast then
            data = require("cli.query").search(g.query_ast, g.query, data)
        end
        return require("cli.output").print(host, fmt, data, g, cmd)
    elseif opts.skeleton == "yaml-input" then
        io.stdout:write(yaml_input(cmd, shape))
    else
        io.stdout:write(json.format(input_sample(shape.input), {}))
    end
    return 0
end
