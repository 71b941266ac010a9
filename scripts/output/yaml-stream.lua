-- --output yaml-stream, as AWS CLI v2's StreamedYAMLFormatter writes it.
--
-- Input: the value that reaches the CLI's formatter, i.e. the parsed
-- response with ResponseMetadata removed and --query applied (aws.value
-- model). opts is not used.
--
-- The CLI writes each response (each page, for paginated operations) as a
-- one-item YAML list, so scalars too come out as YAML ("- null",
-- "- '0123'"), never as JSON. An empty object prints nothing. Dumping is
-- output.yaml's (ruamel.yaml safe dumper, libyaml emitter).

local value = require("aws.value")
local yaml = require("output.yaml")

local vtype, vlen, array = value.type, value.len, value.array
local dump = yaml.dump

local M = {}

function M.format(data, opts)
    if vtype(data) == "object" and vlen(data) == 0 then return "" end
    if data == nil then data = value.null end
    return dump(array({ data }))
end

return M
