-- --output html: audit findings as one self-contained HTML page — summary
-- cards, an SVG bar chart of findings per severity stacked by status, and
-- a table of every finding (failures first within each check's order).
--
-- Inline CSS and SVG only: no script, font, image or style sheet is
-- loaded from anywhere, so the page opens offline and leaks nothing.
-- opts.title sets the heading (default "iamlua audit"). Anything but a list
-- of findings is a usage error (exit 252).
local html = require "aws.html"
local findings = require "audit.findings"

local ipairs, string_format = ipairs, string.format
local table_concat, math_max = table.concat, math.max
local h = html.escape

local SEVERITIES = { "critical", "high", "medium", "low", "informational" }
local STATUSES = { "FAIL", "ERROR", "PASS" }
local COLOUR = { FAIL = "#cf222e", ERROR = "#bf8700", PASS = "#1a7f37" }

local CSS = [[
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --head:#f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: var(--fg); background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 120px; background: var(--head); }
.card .n { font-size: 26px; font-weight: 600; display: block; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.FAIL .n { color: #cf222e; } .card.ERROR .n { color: #9a6700; } .card.PASS .n { color: #1a7f37; }
svg text { font: 12px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; fill: var(--fg); }
svg .grid { stroke: var(--line); } svg .axis { stroke: var(--muted); }
.legend span { display: inline-block; margin-right: 16px; color: var(--muted); }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); position: sticky; top: 0; }
td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
td.id { white-space: nowrap; word-break: normal; }
tr.FAIL td { background: #fff1f0; } tr.ERROR td { background: #fff8c5; }
.st { font-weight: 600; } .st.FAIL { color: #cf222e; } .st.ERROR { color: #9a6700; } .st.PASS { color: #1a7f37; }
footer { margin-top: 24px; color: var(--muted); font-size: 12px; }
]]

local function counts(data)
    local c, total = {}, { PASS = 0, FAIL = 0, ERROR = 0 }
    for _, s in ipairs(SEVERITIES) do c[s] = { PASS = 0, FAIL = 0, ERROR = 0 } end
    for _, f in ipairs(data) do
        local sc = c[f.severity] or c.medium
        if sc[f.status] then
            sc[f.status] = sc[f.status] + 1
            total[f.status] = total[f.status] + 1
        end
    end
    return c, total
end

local function chart(c)
    local top = 1
    for _, s in ipairs(SEVERITIES) do top = math_max(top, c[s].PASS + c[s].FAIL + c[s].ERROR) end
    local step, ymax = html.scale(top, 5)
    local W, H, L, R, T, B = 760, 260, 48, 16, 16, 40
    local pw, ph = W - L - R, H - T - B
    local slot = pw / #SEVERITIES
    local bw = slot * 0.55
    local out = { string_format('<svg id="summary-chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
        .. 'viewBox="0 0 %d %d" role="img" aria-labelledby="summary-chart-title">', W, H, W, H),
        '<title id="summary-chart-title">Findings per severity, by status</title>' }
    html.grid(out, L, W - R, T + ph, ph, ymax, step)
    for i, s in ipairs(SEVERITIES) do
        local x = L + slot * (i - 1) + (slot - bw) / 2
        local y = T + ph
        local sc = c[s]
        out[#out + 1] = string_format('<g class="bar" data-severity="%s" data-pass="%d" data-fail="%d" data-error="%d">',
            s, sc.PASS, sc.FAIL, sc.ERROR)
        out[#out + 1] = string_format('<title>%s: %d fail, %d error, %d pass</title>', s, sc.FAIL, sc.ERROR, sc.PASS)
        for _, st in ipairs(STATUSES) do
            local hgt = ph * sc[st] / ymax
            if hgt > 0 then
                y = y - hgt
                out[#out + 1] = string_format('<rect class="seg-%s" fill="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>',
                    st, COLOUR[st], x, y, bw, hgt)
            end
        end
        out[#out + 1] = string_format('<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>', x + bw / 2, y - 6,
            sc.PASS + sc.FAIL + sc.ERROR)
        out[#out + 1] = string_format('<text x="%.1f" y="%d" text-anchor="middle">%s</text>', x + bw / 2, T + ph + 18, s)
        out[#out + 1] = '</g>'
    end
    out[#out + 1] = '</svg>'
    return table_concat(out, "\n")
end

local function rows(data)
    local out = {}
    for _, f in ipairs(data) do
        out[#out + 1] = table_concat({
            string_format('<tr class="%s" data-check="%s" data-status="%s">', h(f.status), h(f.check), h(f.status)),
            '<td class="mono id">' .. h(f.check) .. '</td>',
            '<td>' .. h(f.title) .. '</td>',
            '<td>' .. h(f.severity) .. '</td>',
            '<td class="st ' .. h(f.status) .. '">' .. h(f.status) .. '</td>',
            '<td class="mono id">' .. h(f.account) .. '</td>',
            '<td class="mono" title="' .. h(f.resource_arn) .. '">' .. h(f.resource) .. '</td>',
            '<td>' .. h(f.message) .. '</td>',
            '</tr>',
        })
    end
    return table_concat(out, "\n")
end

return {
    format = function(data, opts)
        if not findings.is_findings(data) then findings.not_findings("html") end
        local title = opts and opts.title or "iamlua audit"
        local c, total = counts(data)
        local p = {
            '<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<title>' .. h(title) .. '</title>', '<style>' .. CSS .. '</style>', '</head>', '<body>',
            '<header>', '<h1>' .. h(title) .. '</h1>',
            string_format('<p class="meta">%d findings from %s</p>', #data, "CIS AWS Foundations v3.0.0 IAM checks and your policies"),
            '<div class="cards">',
        }
        for _, st in ipairs(STATUSES) do
            p[#p + 1] = string_format('<div class="card %s" id="n-%s"><span class="n">%d</span><span class="l">%s</span></div>',
                st, st, total[st], st)
        end
        p[#p + 1] = '</div>'
        p[#p + 1] = '</header>'
        p[#p + 1] = '<section>'
        p[#p + 1] = '<h2>Findings per severity</h2>'
        p[#p + 1] = '<p class="legend"><span><i style="background:#cf222e"></i>FAIL</span>'
            .. '<span><i style="background:#bf8700"></i>ERROR</span><span><i style="background:#1a7f37"></i>PASS</span></p>'
        p[#p + 1] = chart(c)
        p[#p + 1] = '</section>'
        p[#p + 1] = '<section>'
        p[#p + 1] = '<h2>Findings</h2>'
        p[#p + 1] = '<table id="findings">'
        p[#p + 1] = '<thead><tr><th>Check</th><th>Title</th><th>Severity</th><th>Status</th><th>Account</th>'
            .. '<th>Resource</th><th>Message</th></tr></thead>'
        p[#p + 1] = '<tbody>'
        p[#p + 1] = rows(data)
        p[#p + 1] = '</tbody>'
        p[#p + 1] = '</table>'
        p[#p + 1] = '</section>'
        p[#p + 1] = '<footer>Generated by iamlua audit</footer>'
        p[#p + 1] = '</body>'
        p[#p + 1] = '</html>'
        return table_concat(p, "\n") .. "\n"
    end,
}
