-- common.lua: what the lifetime scripts share (loaded with dofile by path,
-- so it works whatever `require` finds). check() prints one TAP line.
local M = {}

function M.check(name, cond, detail)
    print((cond and "ok - " or "not ok - ") .. name
        .. (cond and "" or ": " .. tostring(detail):gsub("\n", "\\n")))
    return cond
end

-- The client every script uses: through the fault proxy at URL, with a
-- CA bundle set (unused over http, but a string the request must own).
function M.client(aws, url, extra)
    local opts = { endpoint_url = url, region = "us-east-1",
                   ca_bundle = "/etc/ssl/certs/ca-certificates.crt" }
    for k, v in pairs(extra or {}) do opts[k] = v end
    return aws.client("iam", opts)
end

return M
