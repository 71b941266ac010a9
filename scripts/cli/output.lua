-- cli.output: picks the format (shipped or user output/NAME.lua) and writes
-- the formatted result to stdout. Loading and calling the format is
-- aws.format's (scripts/aws/format.lua), so scripts get the same bytes and
-- a broken user format the same one-line error.
local error, io_stdout = error, io.stdout

local M = {}

function M.print(host, fmt, data, g, cmd, params)
    local format = require "aws.format"
    local mod, file = format.load(fmt, host.load)
    if not mod then
        error({ kind = "internal", code = "ValueError",
                message = "Unknown output type: " .. fmt }, 0)
    end
    local color = g.color or "auto"
    local tty = host.isatty(1)
    local text = format.render(mod, file, data, {
        command = cmd.name, operation = cmd.operation, title = cmd.operation,
        color = color == "on" or (color == "auto" and tty),
        width = tty and host.term_width() or 80,
        is_query = g.query ~= nil, params = params,
    }, file:sub(1, 8) == "scripts/")
    local pager = tty and M.pager(g)
    if pager then
        -- Like the CLI's OutputStreamFactory: LESS=FRX unless the user set
        -- LESS, and a pager that quits early is not an error.
        local p = io.popen('export LESS="${LESS-FRX}"; ' .. pager, "w")
        if p then
            p:write(text)
            p:close()
            return 0
        end
    end
    io_stdout:write(text)
    return 0
end

-- The pager: none with --no-cli-pager; else AWS_PAGER (set but empty means
-- none), the profile's cli_pager, "less".
function M.pager(g)
    if g.pager == false then return nil end
    local p = os.getenv("AWS_PAGER")
    if p == nil then p = g.cli_pager end
    if p == nil then p = "less" end
    return p ~= "" and p or nil
end

return M
