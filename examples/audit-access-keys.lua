-- Audits every IAM user's access keys against the CIS AWS Foundations rules (unused, not rotated, several active) with concurrent GetAccessKeyLastUsed calls.
--
--   iamlua run examples/audit-access-keys.lua [options]
--   iamlua run examples/audit-access-keys.lua --help
--
-- See HELP below for the options, the rules and the exit codes; the shared
-- work is in examples/lib/audit.lua.

local HELP = [[
usage: iamlua run audit-access-keys.lua [options]

Lists the users (ListUsers, every page; or --users), their access keys
(ListAccessKeys) and when each key was last used (GetAccessKeyLastUsed),
with up to --concurrency requests in flight, then applies the CIS AWS
Foundations Benchmark rules to each key:

  unused-credentials    (CIS 1.12) an Active key not used for
                        --max-unused-days or more; a key that was never used
                        counts from its CreateDate; keys younger than
                        --grace-days are exempt (this matters when
                        --max-unused-days is small, e.g. 0 flags every
                        Active key idle since creation except new ones)
  key-not-rotated       (CIS 1.14) an Active key older than --max-age-days
  multiple-active-keys  (CIS 1.13) the user has more than one Active key;
                        reported on each of that user's Active keys

Days are whole days, rounded down, never negative. A lookup that fails (access denied,
throttled past the retries, connection error) marks the key incomplete,
with the error text; its other findings are still reported.

Output: a list with one object per key, ordered by user then key id:
  user, access_key_id, status, created, age_days,
  last_used ("never" if never used, null if unknown), days_since_last_use,
  service, region (as IAM reports them; "N/A" when never used),
  findings (a list of the rule names above), incomplete, error
A user whose keys cannot be listed gets one object with access_key_id null.

options:
  --endpoint-url URL      IAM endpoint (default: as the AWS CLI resolves it)
  --region REGION         region to sign for
  --profile NAME          credentials/config profile
  --concurrency N         requests in flight (default 16)
  --users U1,U2,...       audit only these users (default: every user)
  --user NAME             audit this user (repeatable; for names with commas)
  --output FORMAT         json (default), text, table, yaml, yaml-stream, or
                          a user format: $IAMLUA_PATH/output/FORMAT.lua, else
                          output/FORMAT.lua next to this script (csv, jsonl,
                          markdown, prometheus)
  --max-unused-days N     unused threshold in days (default 45)
  --max-age-days N        rotation threshold in days (default 90)
  --grace-days N          new keys exempt from the unused rule (default 7)
  --now ISO8601           evaluate as of this time (default: now), e.g.
                          2025-01-31T00:00:00Z
  -h, --help              this text

exit status:
  0  no findings           1  findings
  2  incomplete: some lookup failed, or the users could not be listed
     (this wins over 1)
  252 usage error          255 internal error
]]

local NAME = "audit-access-keys"
local dir = (arg and arg[0] or ""):match("^(.*)/[^/]*$") or "."
local audit = require "lib.audit"      -- lib/audit.lua next to this script

return audit.main(NAME, function()
    local opts, perr = audit.parse_args(arg, { ["--output"] = { "output", "name" } })
    if not opts then return audit.usage_error(NAME, perr) end
    if opts.help then
        io.stdout:write(HELP)
        return 0
    end
    local fmt, ferr = audit.load_format(opts.output or "json", dir)
    if not fmt then return audit.usage_error(NAME, ferr) end

    local report, err = audit.run(opts)
    if not report then
        io.stderr:write(NAME, ": ", err, "\n")
        return audit.EXIT_INCOMPLETE
    end
    io.stdout:write(fmt.format(report.rows, {
        operation = "AuditAccessKeys", command = NAME, width = 80, color = false,
        is_query = false, now = report.now,
    }))
    return report.exit
end)
