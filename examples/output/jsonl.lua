-- A user output format: `--output jsonl` writes one compact JSON document per line (JSON Lines).
--
-- Install: copy to ~/.config/iamlua/output/jsonl.lua (or a directory on
-- $IAMLUA_PATH). A list prints one line per element, anything else one
-- line; an empty list prints nothing. Handy with --query and line tools:
--
--   iamlua iam get-access-key-last-used --access-key-id AKIA... --output jsonl
--   {"UserName":"alice","AccessKeyLastUsed":{"LastUsedDate":"2024-02-29T13:07:42+00:00","ServiceName":"iam","Region":"us-east-1"}}

local value = require("aws.value")
local json = require("aws.json")

return {
    format = function(data, opts)
        if value.type(data) ~= "array" then
            return json.encode(data) .. "\n"
        end
        local lines = {}
        for i = 1, #data do
            lines[i] = json.encode(data[i]) .. "\n"
        end
        return table.concat(lines)
    end,
}
