-- cli.query: --query as the AWS CLI applies it. A syntax error is found
-- while parsing arguments (exit 252, "Bad value for --query"); a failure
-- while evaluating is a general error (exit 255).
local jmespath = require "jmespath"

local M = {}

function M.compile(expr)
    local ast, err = jmespath.compile(expr)
    if not ast then
        error({ kind = "usage", code = "ParamError",
                message = "Bad value for --query " .. expr .. ": " .. err.message }, 0)
    end
    return ast
end

function M.search(ast, expr, data)
    local v, err = jmespath.search(ast, data)
    if v == nil and err then
        error({ kind = "internal", code = err.code, message = err.message }, 0)
    end
    return v
end

return M
