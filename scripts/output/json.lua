-- --output json, as AWS CLI v2's JSONFormatter writes it.
--
-- Input: the value that reaches the CLI's formatter, i.e. the parsed
-- response with ResponseMetadata removed and --query applied (aws.value
-- model: ordered objects, arrays, aws.null, strings, numbers, booleans).
-- Output: json.dumps(data, indent=4, ensure_ascii=False) plus "\n", keys in
-- the order they arrive (the CLI does not sort them here). An empty object
-- prints nothing at all: the CLI treats it as "no response body".
-- opts is not used.

local json = require("aws.json")
local value = require("aws.value")

local encode, vtype, vlen = json.encode, value.type, value.len
local ENCODE_OPTS = { indent = 4, ensure_ascii = false }

local M = {}

function M.format(data, opts)
    if vtype(data) == "object" and vlen(data) == 0 then return "" end
    return encode(data, ENCODE_OPTS) .. "\n"
end

return M
