-- cli.output: picks the format (shipped or user output/NAME.lua) and writes
-- the formatted result to stdout.
local pcall, error, io_stdout = pcall, error, io.stdout

local M = {}

function M.print(host, fmt, data, g, cmd)
    local ok, loader = pcall(host.load, "output." .. fmt)
    if not ok then
        error({ kind = "internal", code = "ValueError",
                message = "Unknown output type: " .. fmt }, 0)
    end
    local mod = loader()
    local color = g.color or "auto"
    local tty = host.isatty(1)
    local text = mod.format(data, {
        command = cmd.name, operation = cmd.operation,
        color = color == "on" or (color == "auto" and tty),
        width = tty and host.term_width() or 80,
        is_query = g.query ~= nil,
    })
    io_stdout:write(text)
    return 0
end

return M
