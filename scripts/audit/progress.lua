-- audit.progress: one status line on stderr while an audit runs on a
-- terminal ("checks 5/16 · 32 requests in flight · 410 sent"), redrawn at
-- most ten times a second and cleared at the end. Nothing when stderr is a
-- pipe or a file, so captured output stays clean.
local core = require "aws.core"

local M = {}

-- new(stats) -> progress function for audit.batch / audit.engine, or nil
-- when stderr is not a terminal.
function M.new(stats_of)
    if not core.isatty(2) then return nil end
    local stderr = io.stderr
    local total, done, last = 0, 0, 0
    local function draw(force)
        local now = core.monotonic()
        if not force and now - last < 0.1 then return end
        last = now
        stderr:write(("\r\27[Kaudit: checks %d/%d, %d requests in flight, %d sent"):format(
            done, total, core.in_flight(), stats_of()))
        stderr:flush()
    end
    return function(ev)
        if ev == nil then
            stderr:write("\r\27[K")
            stderr:flush()
            return
        end
        if ev.kind == "start" then
            total = total + ev.checks
        elseif ev.kind == "job" and ev.job and ev.job.check then
            done = done + 1
        end
        draw(ev.kind == "start")
    end
end

return M
