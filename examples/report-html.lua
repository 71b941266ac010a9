-- Renders the access-key audit as one self-contained HTML page: inline CSS, an inline SVG bar chart of key ages, and a table of every key with findings highlighted.
--
--   iamlua run examples/report-html.lua [options] --out report.html
--
-- The audit is the one of examples/audit-access-keys.lua (same options, same
-- rules, same exit codes; shared code in examples/lib/audit.lua). The page
-- loads nothing from anywhere: no scripts, fonts, images or style sheets.

local HELP = [[
usage: iamlua run report-html.lua [options]

Runs the access-key audit of audit-access-keys.lua (see its --help for the
rules) and writes the result as one self-contained HTML file: a summary, an
SVG bar chart of key ages (Active and Inactive keys stacked, buckets past
--max-age-days in red) and a table of every key, rows with findings
highlighted and incomplete lookups marked.

options:
  --out FILE              write the page to FILE (default: standard output)
  --title TEXT            page title (default "IAM access key audit")
  --endpoint-url URL      IAM endpoint
  --region REGION         region to sign for
  --profile NAME          credentials/config profile
  --concurrency N         requests in flight (default 16)
  --users U1,U2,...       audit only these users (default: every user)
  --user NAME             audit this user (repeatable; for names with commas)
  --max-unused-days N     unused threshold in days (default 45)
  --max-age-days N        rotation threshold in days (default 90)
  --grace-days N          new keys exempt from the unused rule (default 7)
  --now ISO8601           evaluate as of this time (default: now)
  -h, --help              this text

exit status: 0 no findings, 1 findings, 2 incomplete (wins over 1),
252 usage error, 255 internal error or --out not writable.
]]

local NAME = "report-html"
local audit = require "lib.audit"      -- lib/audit.lua next to this script

local aws = require "aws"
local html = require "aws.html"  -- escaping and the chart's axis, as --output html
local null = aws.null
local ipairs, tostring, string_format, table_concat = ipairs, tostring, string.format, table.concat
local math_max, math_floor = math.max, math.floor
local h = html.escape

local CSS = [[
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --head:#f6f8fa;
        --active:#0969da; --inactive:#9ab8e0; --over:#cf222e; --overlight:#f0a8ae;
        --warn:#fff1e5; --warnline:#fb8f44; --inc:#fff8c5; --incline:#d4a72c; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif;
       color: var(--fg); background: var(--bg); }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.meta { color: var(--muted); margin: 0; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin-top: 16px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 16px; min-width: 130px; background: var(--head); }
.card .n { font-size: 26px; font-weight: 600; display: block; }
.card .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.bad .n { color: var(--over); }
.card.inc .n { color: #9a6700; }
svg text { font: 12px -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; fill: var(--fg); }
svg .axis { stroke: var(--muted); stroke-width: 1; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .bar-active { fill: var(--active); }
svg .bar-inactive { fill: var(--inactive); }
svg .over .bar-active { fill: var(--over); }
svg .over .bar-inactive { fill: var(--overlight); }
.legend span { display: inline-block; margin-right: 16px; color: var(--muted); }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 6px; vertical-align: -1px; border-radius: 2px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--head); position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.mono, td.nowrap { white-space: nowrap; }
td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
tr.finding td { background: var(--warn); }
tr.finding td:first-child { box-shadow: inset 4px 0 0 var(--warnline); }
tr.incomplete td { background: var(--inc); }
tr.incomplete td:first-child { box-shadow: inset 4px 0 0 var(--incline); }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; margin: 1px 2px; font-size: 12px;
         background: #ffebe9; color: #82071e; border: 1px solid #ff8182; white-space: nowrap; }
.badge.incomplete { background: #fff8c5; color: #7d4e00; border-color: #d4a72c; }
.status-Inactive { color: var(--muted); }
.err { color: #7d4e00; font-size: 12px; }
footer { margin-top: 24px; color: var(--muted); font-size: 12px; }
]]

-- Age buckets in days, [lo, hi) with hi nil = open, cut at the thresholds
-- so a bar is either wholly within the rotation limit or wholly past it.
local function buckets(o)
    local cuts, seen = {}, {}
    for _, v in ipairs({ 0, 30, o.grace_days, o.max_unused_days, o.max_age_days + 1, 180, 365, 730 }) do
        if not seen[v] then
            seen[v] = true
            cuts[#cuts + 1] = v
        end
    end
    table.sort(cuts)
    local b = {}
    for i, lo in ipairs(cuts) do b[i] = { lo, cuts[i + 1] } end
    return b
end

local function bucket_label(b)
    if not b[2] then return b[1] .. "+ d" end
    if b[2] - 1 == b[1] then return b[1] .. " d" end
    return b[1] .. "\u{2013}" .. (b[2] - 1) .. " d"
end

local function chart(rows, o)
    local BUCKETS = buckets(o)
    local counts = {}
    for i in ipairs(BUCKETS) do counts[i] = { active = 0, inactive = 0 } end
    for _, r in ipairs(rows) do
        local age = r.age_days
        if age ~= nil and age ~= null then
            for i, b in ipairs(BUCKETS) do
                if age >= b[1] and (not b[2] or age < b[2]) then
                    local c = counts[i]
                    if r.status == "Active" then c.active = c.active + 1 else c.inactive = c.inactive + 1 end
                    break
                end
            end
        end
    end
    local top = 1
    for _, c in ipairs(counts) do top = math_max(top, c.active + c.inactive) end
    local step, ymax = html.scale(top, 6)

    local W, H, L, R, T, B = 1100, 300, 56, 16, 16, 44
    local pw, ph = W - L - R, H - T - B
    local slot = pw / #BUCKETS
    local bw = slot * 0.62
    local out = {}
    out[#out + 1] = string_format(
        '<svg id="age-chart" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="age-chart-title">',
        W, H, W, H)
    out[#out + 1] = '<title id="age-chart-title">Access keys by age in days</title>'
    html.grid(out, L, W - R, T + ph, ph, ymax, step)
    for i, b in ipairs(BUCKETS) do
        local c = counts[i]
        local over = b[1] > o.max_age_days
        local x = L + slot * (i - 1) + (slot - bw) / 2
        local ha = ph * c.active / ymax
        local hi = ph * c.inactive / ymax
        out[#out + 1] = string_format('<g class="bar%s" data-bucket="%s" data-active="%d" data-inactive="%d">',
            over and " over" or "", h(bucket_label(b)), c.active, c.inactive)
        out[#out + 1] = string_format('<title>%s: %d active, %d inactive</title>', h(bucket_label(b)), c.active, c.inactive)
        if c.active > 0 then
            out[#out + 1] = string_format('<rect class="bar-active" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>',
                x, T + ph - ha, bw, ha)
        end
        if c.inactive > 0 then
            out[#out + 1] = string_format('<rect class="bar-inactive" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>',
                x, T + ph - ha - hi, bw, hi)
        end
        local total = c.active + c.inactive
        out[#out + 1] = string_format('<text x="%.1f" y="%.1f" text-anchor="middle">%d</text>',
            x + bw / 2, T + ph - ha - hi - 6, total)
        out[#out + 1] = string_format('<text x="%.1f" y="%d" text-anchor="middle">%s</text>',
            x + bw / 2, T + ph + 18, h(bucket_label(b)))
        out[#out + 1] = '</g>'
    end
    out[#out + 1] = string_format('<text x="%d" y="%d" text-anchor="middle" fill="#59636e">key age (days since creation)</text>',
        L + pw // 2, H - 4)
    out[#out + 1] = '</svg>'
    return table_concat(out, "\n")
end

-- "2026-11-27T22:35:44.268862+00:00" -> <time> showing "2026-11-27 22:35"
-- (the full value in datetime= and the tooltip); other text as it is.
local function when(v)
    if v == nil or v == null then return "" end
    local d, hm = tostring(v):match("^(%d%d%d%d%-%d%d%-%d%d)T(%d%d:%d%d)")
    if not d then return h(v) end
    return string_format('<time datetime="%s" title="%s">%s %s</time>', h(v), h(v), d, hm)
end

local function table_rows(rows)
    local out = {}
    for _, r in ipairs(rows) do
        local classes = {}
        local findings = r.findings or {}
        if #findings > 0 then classes[#classes + 1] = "finding" end
        if r.incomplete == true then classes[#classes + 1] = "incomplete" end
        local badges = {}
        for _, f in ipairs(findings) do
            badges[#badges + 1] = '<span class="badge">' .. h(f) .. '</span>'
        end
        if r.incomplete == true then
            badges[#badges + 1] = '<span class="badge incomplete">incomplete</span>'
            if r.error ~= nil and r.error ~= null then
                badges[#badges + 1] = '<div class="err">' .. h(r.error) .. '</div>'
            end
        end
        local since = r.days_since_last_use
        out[#out + 1] = table_concat({
            string_format('<tr class="%s" data-key-id="%s" data-user="%s">',
                table_concat(classes, " "), h(r.access_key_id), h(r.user)),
            '<td>' .. h(r.user) .. '</td>',
            '<td class="mono">' .. h(r.access_key_id) .. '</td>',
            '<td class="status-' .. h(r.status) .. '">' .. h(r.status) .. '</td>',
            '<td class="mono">' .. when(r.created) .. '</td>',
            '<td class="num">' .. h(r.age_days) .. '</td>',
            '<td class="mono">' .. when(r.last_used) .. '</td>',
            '<td class="num">' .. h(since) .. '</td>',
            '<td>' .. h(r.service) .. '</td>',
            '<td class="nowrap">' .. h(r.region) .. '</td>',
            '<td>' .. table_concat(badges, " ") .. '</td>',
            '</tr>',
        })
    end
    return table_concat(out, "\n")
end

local function page(report, title)
    local o, c = report.opts, report.counts
    local parts = {}
    local function add(s) parts[#parts + 1] = s end
    add('<!DOCTYPE html>')
    add('<html lang="en">')
    add('<head>')
    add('<meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add('<title>' .. h(title) .. '</title>')
    add('<style>' .. CSS .. '</style>')
    add('</head>')
    add('<body>')
    add('<header>')
    add('<h1>' .. h(title) .. '</h1>')
    add(string_format('<p class="meta">Evaluated as of %s &middot; unused &ge; %d days &middot; rotation &gt; %d days &middot; grace %d days &middot; CIS AWS Foundations 1.12, 1.13, 1.14</p>',
        h(audit.iso_utc(report.now)), o.max_unused_days, o.max_age_days, o.grace_days))
    add('<div class="cards">')
    local function card(cls, n, label, id)
        add(string_format('<div class="card %s" id="%s"><span class="n">%d</span><span class="l">%s</span></div>',
            cls, id, n, h(label)))
    end
    card("", c.users, "users", "n-users")
    card("", c.keys, "access keys", "n-keys")
    card("", c.active, "active keys", "n-active")
    card(c.with_findings > 0 and "bad" or "", c.with_findings, "keys with findings", "n-findings")
    card(c.incomplete > 0 and "inc" or "", c.incomplete, "incomplete", "n-incomplete")
    for _, f in ipairs(audit.FINDINGS) do
        card(c.by_finding[f.id] > 0 and "bad" or "", c.by_finding[f.id], f.id .. " (CIS " .. f.cis .. ")", "n-" .. f.id)
    end
    add('</div>')
    add('</header>')
    add('<section>')
    add('<h2>Key ages</h2>')
    add('<p class="legend"><span><i style="background:#0969da"></i>active</span><span><i style="background:#9ab8e0"></i>inactive</span>'
        .. string_format('<span><i style="background:#cf222e"></i>active, older than %d days</span><span><i style="background:#f0a8ae"></i>inactive, older than %d days</span></p>',
            o.max_age_days, o.max_age_days))
    add(chart(report.rows, o))
    add('</section>')
    add('<section>')
    add('<h2>Access keys</h2>')
    add('<table id="keys">')
    add('<thead><tr><th>User</th><th>Access key ID</th><th>Status</th><th>Created (UTC)</th><th>Age (days)</th><th>Last used (UTC)</th><th>Days since use</th><th>Service</th><th>Region</th><th>Findings</th></tr></thead>')
    add('<tbody>')
    add(table_rows(report.rows))
    add('</tbody>')
    add('</table>')
    add('</section>')
    add(string_format('<footer>Generated by iamlua examples/report-html.lua &middot; exit status %d (%s)</footer>',
        report.exit, report.exit == 0 and "clean" or report.exit == 1 and "findings" or "incomplete"))
    add('</body>')
    add('</html>')
    return table_concat(parts, "\n") .. "\n"
end

return audit.main(NAME, function()
    local opts, perr = audit.parse_args(arg, {
        ["--out"] = { "out", "string" },
        ["--title"] = { "title", "string" },
    })
    if not opts then return audit.usage_error(NAME, perr) end
    if opts.help then
        io.stdout:write(HELP)
        return 0
    end
    local report, err = audit.run(opts)
    if not report then
        io.stderr:write(NAME, ": ", err, "\n")
        return audit.EXIT_INCOMPLETE
    end
    local html = page(report, opts.title or "IAM access key audit")
    if opts.out and opts.out ~= "-" then
        local f, ferr = io.open(opts.out, "wb")
        if not f then
            io.stderr:write(NAME, ": cannot write ", ferr, "\n")
            return audit.EXIT_INTERNAL
        end
        f:write(html)
        f:close()
    else
        io.stdout:write(html)
    end
    return report.exit
end)
