-- aws.html: pieces of a self-contained HTML page with an inline SVG bar
-- chart, shared by --output html (scripts/output/html.lua) and
-- examples/report-html.lua.
--
--   escape(v) -> text: v (nil and null as "") with & < > " ' as entities,
--     safe in element text and quoted attributes
--   scale(top, most) -> step, ymax: a round axis step (1, 2, 5 x 10^n)
--     giving at most `most` intervals, and the axis top (a multiple of
--     step, >= top)
--   grid(out, left, right, base, height, ymax, step): appends to `out`
--     the labelled horizontal grid lines 0, step, ... ymax of a plot
--     whose zero line is at y = base, `height` tall, then the x axis
local value = require "aws.value"

local ipairs, tostring, string_format = ipairs, tostring, string.format
local math_ceil = math.ceil
local null = value.null

local M = {}

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;" }
function M.escape(v)
    if v == nil or v == null then return "" end
    return (tostring(v):gsub("[&<>\"']", ESC))
end

local function nice_step(top, most)
    local base = 1
    for _ = 1, 20 do
        for _, m in ipairs({ 1, 2, 5 }) do
            if top / (m * base) <= most then return m * base end
        end
        base = base * 10
    end
    return base
end

function M.scale(top, most)
    local step = nice_step(top, most)
    return step, math_ceil(top / step) * step
end

function M.grid(out, left, right, base, height, ymax, step)
    for v = 0, ymax, step do
        local y = base - height * v / ymax
        out[#out + 1] = string_format('<line class="grid" x1="%d" y1="%.1f" x2="%d" y2="%.1f"/>', left, y, right, y)
        out[#out + 1] = string_format('<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%d</text>',
            left - 8, y, v)
    end
    out[#out + 1] = string_format('<line class="axis" x1="%d" y1="%d" x2="%d" y2="%d"/>', left, base, right, base)
end

return M
