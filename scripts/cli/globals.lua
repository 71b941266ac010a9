-- cli.globals: the AWS CLI v2 global options, as `aws help` lists them.
-- Each entry: nargs (0 flag, 1 value, "?" optional value), dest, choices.
-- first_word(args) finds the command past them.
local formats = { "json", "text", "table", "yaml", "yaml-stream" }

local specs = {
    ["--debug"] = { nargs = 0, dest = "debug" },
    ["--endpoint-url"] = { nargs = 1, dest = "endpoint_url" },
    ["--no-verify-ssl"] = { nargs = 0, dest = "verify_ssl", const = false },
    ["--no-paginate"] = { nargs = 0, dest = "paginate", const = false },
    ["--output"] = { nargs = 1, dest = "output", choices = formats },
    ["--query"] = { nargs = 1, dest = "query" },
    ["--profile"] = { nargs = 1, dest = "profile" },
    ["--region"] = { nargs = 1, dest = "region" },
    ["--version"] = { nargs = 0, dest = "version" },
    ["--color"] = { nargs = 1, dest = "color", choices = { "on", "off", "auto" } },
    ["--no-sign-request"] = { nargs = 0, dest = "sign", const = false },
    ["--ca-bundle"] = { nargs = 1, dest = "ca_bundle" },
    ["--cli-read-timeout"] = { nargs = 1, dest = "read_timeout", type = "int" },
    ["--cli-connect-timeout"] = { nargs = 1, dest = "connect_timeout", type = "int" },
    ["--cli-binary-format"] = { nargs = 1, dest = "binary_format",
                                choices = { "base64", "raw-in-base64-out" } },
    ["--no-cli-pager"] = { nargs = 0, dest = "pager", const = false },
    ["--cli-auto-prompt"] = { nargs = 0, dest = "auto_prompt", const = "on" },
    ["--no-cli-auto-prompt"] = { nargs = 0, dest = "auto_prompt", const = "off" },
}
for name, s in pairs(specs) do s.name = name end

local function value_error(message)
    error({ kind = "internal", code = "ValueError", message = message }, 0)
end

local function is_ipv4(s)
    local parts = { s:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$") }
    if #parts ~= 4 then return false end
    for _, p in ipairs(parts) do
        if #p > 3 or tonumber(p) > 255 or (#p > 1 and p:sub(1, 1) == "0") then return false end
    end
    return true
end

-- ipaddress.IPv6Address: up to 8 groups of 1 to 4 hex digits, one "::",
-- a dotted IPv4 address as the last two groups, a "%zone" suffix.
local function is_ipv6(s)
    s = s:gsub("%%.+$", "")
    local head, tail = s, nil
    local dc = s:find("::", 1, true)
    if dc then
        head, tail = s:sub(1, dc - 1), s:sub(dc + 2)
        if tail:find("::", 1, true) then return false end
    end
    local n = 0
    local function groups(part, last)
        if part == "" then return true end
        local list = {}
        for g in (part .. ":"):gmatch("([^:]*):") do list[#list + 1] = g end
        for i, g in ipairs(list) do
            if last and i == #list and g:find(".", 1, true) then
                if not is_ipv4(g) then return false end
                n = n + 2
            elseif g:match("^%x%x?%x?%x?$") then
                n = n + 1
            else
                return false
            end
        end
        return true
    end
    if not groups(head, tail == nil) or (tail and not groups(tail, true)) then return false end
    if dc then return n <= 7 end
    return n == 8
end

-- urlsplit's checks of a bracketed host (_check_bracketed_netloc).
local function check_bracketed(netloc)
    local hp = netloc:match("[^@]*$")
    local before, bracketed = hp:match("^([^%[]*)%[(.*)$")
    local host, port
    if before then
        if before ~= "" then value_error("Invalid IPv6 URL") end
        host, port = bracketed:match("^([^%]]*)%]?(.*)$")
        if port ~= "" and port:sub(1, 1) ~= ":" then value_error("Invalid IPv6 URL") end
    else
        host = hp:match("^[^:]*")
    end
    if host:sub(1, 1) == "v" then
        if not host:match("^v%x+%..+$") then value_error("IPvFuture address is invalid") end
    elseif is_ipv4(host) then
        value_error("An IPv4 address cannot be in brackets")
    elseif not is_ipv6(host) then
        value_error(require("cli.settings").repr(host)
            .. " does not appear to be an IPv4 or IPv6 address")
    end
end

-- --endpoint-url as customizations/globalargs.py checks it when the global
-- options are parsed: urlparse() must find a scheme (it raises on bad
-- brackets first). The host is checked later, when a client is made.
local function check_endpoint_url(url)
    -- urlsplit drops leading C0 controls and spaces, and tabs, CR and LF
    local u = url:gsub("^[%z\1-\32]+", ""):gsub("[\t\r\n]", "")
    local scheme = ""
    local i = u:find(":", 1, true)
    if i and i > 1 and u:sub(1, i - 1):match("^%a[%w+%-.]*$") then
        scheme, u = u:sub(1, i - 1):lower(), u:sub(i + 1)
    end
    if u:sub(1, 2) == "//" then
        local netloc = u:sub(3):match("^[^/?#]*")
        local lb, rb = netloc:find("[", 1, true), netloc:find("]", 1, true)
        if (lb == nil) ~= (rb == nil) then value_error("Invalid IPv6 URL") end
        if lb then check_bracketed(netloc) end
    end
    if scheme == "" then
        error({ kind = "usage", code = "ParamError", message = ("Bad value for "
            .. "--endpoint-url \"%s\": scheme is missing.  Must be of the form "
            .. "http://<hostname>/ or https://<hostname>/"):format(url) }, 0)
    end
end

-- The first word that is not a global option or its value (--opt=value
-- is one word): the command, or "run", "-e" or "-i", which start Lua
-- (cli.run) and whose arguments are the script's.
local function first_word(args)
    local i = 1
    while args[i] do
        local a, spec = args[i], specs[args[i]:match("^[^=]*")]
        if a == "-e" or a == "-i" or a == "run" then return a end
        if spec then
            i = i + ((spec.nargs == 1 and not a:find("=", 1, true)) and 2 or 1)
        elseif a:sub(1, 1) == "-" then
            i = i + 1
        else
            return a
        end
    end
end

return { specs = specs, formats = formats, check_endpoint_url = check_endpoint_url,
         first_word = first_word }
