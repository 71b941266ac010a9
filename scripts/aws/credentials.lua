-- aws.credentials: the credentials a script gives a client, instead of the
-- credential chain: a `credentials` table (fixed), a `credentials`
-- function (called when the client first signs, and again when what it
-- returned nears its expiration), or `assume_role` (STS AssumeRole with the
-- client's own source credentials, renewed before expiry).
--
-- Renewal follows the windows the host uses for temporary credentials
-- (core/creds_int.h, botocore's): 15 minutes before expiry a renewal is
-- tried and a failure keeps the old credentials (advisory); 10 minutes
-- before, it must succeed (mandatory). For credentials issued for less
-- than 30 minutes the windows shrink to a half and a third of their
-- lifetime, so a 15-minute AssumeRole session (the shortest AWS grants)
-- is not renewed on every request, as botocore would.
--
-- A fetch runs once at a time per client (aws.once): inside aws.parallel
-- it parks its task like any request (AssumeRole for many accounts goes
-- out at once), and other tasks of the same client that need credentials
-- meanwhile wait for it, or go on with the old ones while those are still
-- outside the mandatory window.
local core = require "aws.core"
local options = require "aws.options"
local parallel = require "aws.parallel"

local type, pcall, tostring, setmetatable, error = type, pcall, tostring, setmetatable, error
local ipairs = ipairs
local os_time, math_type, string_format = os.time, math.type, string.format

local M = {}

local ADVISORY, MANDATORY = 900, 600 -- seconds; CREDS_ADVISORY/MANDATORY

local providers = setmetatable({}, { __mode = "k" }) -- client -> provider

local function fail(code, message)
    return setmetatable({ code = code, message = message, kind = "credentials" },
        core.error_mt)
end

-- The refresh windows for credentials that lived `lifetime` seconds.
function M.windows(lifetime)
    if not lifetime or lifetime >= 2 * ADVISORY then return ADVISORY, MANDATORY end
    return lifetime / 2, lifetime / 3
end

-- Epoch seconds of an `expiration` (epoch number or ISO 8601), or nil, why.
local function expiry_of(v)
    if v == nil then return 0 end
    if type(v) == "number" then
        if v ~= v or v < 0 or v >= 1e12 then return nil, "expiration out of range" end
        return v
    end
    local t = require("aws.time").parse(v)
    if not t then
        return nil, string_format("expiration is not an ISO 8601 time: %q", v)
    end
    return t
end

-- Hands c (a checked credentials table) to the client.
local function install(client, c, source)
    local exp, why = expiry_of(c.expiration)
    if not exp then return nil, fail("CredentialRetrievalError", why) end
    local ok, err = client:_set_credentials(c.access_key_id, c.secret_access_key,
        c.session_token, exp, source)
    if not ok then return nil, err end
    return exp
end

-- A provider: fetch() -> credentials table | nil, err. `no_renew`: what it
-- returned may be used until it expires but not fetched again (an MFA code
-- that was typed once).
local Provider = {}
Provider.__index = Provider

-- One fetch, installed into the client: true, or nil, err.
function Provider:renew(client)
    local ok, c, err = pcall(self.fetch, self)
    if not ok then
        return nil, fail("CredentialRetrievalError", string_format(
            "Error when retrieving credentials from %s: %s", self.name, tostring(c)))
    end
    if not c then return nil, err end
    local new_exp, ierr = install(client, c, self.source)
    if not new_exp then return nil, ierr end
    local now = os_time()
    self.lifetime = new_exp > 0 and new_exp - now or nil
    if new_exp > 0 and new_exp <= now then
        return nil, fail("RuntimeError", "Credentials were refreshed, but the "
            .. "refreshed credentials are still expired.")
    end
    return true
end

-- Makes sure the client has credentials it may sign with now; fetches
-- when there are none or they are in a refresh window. One fetch at a
-- time (aws.once): a task that needs credentials while another fetches
-- waits for that fetch, unless the ones it has are still good (advisory).
function Provider:ensure(client)
    local exp = client:_credentials_expiry()
    local mandatory = true
    if exp then
        if exp == 0 then return true end
        local left = exp - os_time()
        local advisory, must = M.windows(self.lifetime)
        if left >= advisory then return true end
        mandatory = left < must
        if self.no_renew then
            if left > 0 and not mandatory then return true end
            return nil, fail("RefreshWithMFAUnsupportedError",
                "Cannot refresh credentials: MFA token required.")
        end
    end
    if self.running and not mandatory then return true end
    local get = self.running
    if not get then
        get = parallel.once(function()
            local ok, err = self:renew(client)
            self.running = nil
            return ok, err
        end)
        self.running = get
    end
    local pok, ok, err = pcall(get)
    if not pok then -- a caller that cannot wait (outside a task, under C)
        return nil, fail("CredentialRetrievalError", string_format(
            "Error when retrieving credentials from %s: %s", self.name, tostring(ok)))
    end
    if not ok and mandatory then return nil, err end
    return true -- renewed, or an advisory renewal failed: keep the old ones
end

-- A credentials function: what it returns is checked as a credentials
-- table; raising or returning something else fails the call.
local function function_provider(fn)
    local p = setmetatable({ name = "the credentials function", source = "credentials-function" },
        Provider)
    function p.fetch()
        local ok, c = pcall(fn)
        if not ok then
            return nil, fail("CredentialRetrievalError",
                "Error when retrieving credentials from the credentials function: "
                .. tostring(c))
        end
        if type(c) ~= "table" then
            return nil, fail("CredentialRetrievalError",
                "Error when retrieving credentials from the credentials function: "
                .. "it returned " .. type(c) .. ", not a table")
        end
        local vok, verr = pcall(options.check_credentials, c, 1)
        if not vok then
            local why = tostring(verr):match("%((.*)%)$") or tostring(verr)
            return nil, fail("CredentialRetrievalError",
                "Error when retrieving credentials from the credentials function: " .. why)
        end
        if c.expiration ~= nil and not expiry_of(c.expiration) then
            local _, why = expiry_of(c.expiration)
            return nil, fail("CredentialRetrievalError",
                "Error when retrieving credentials from the credentials function: " .. why)
        end
        return c
    end
    return p
end

-- The AssumeRole parameters of an assume_role table (without TokenCode).
local function role_params(ar)
    local params = {
        RoleArn = ar.role_arn,
        RoleSessionName = ar.role_session_name or ("iamlua-session-" .. os_time()),
        ExternalId = ar.external_id, DurationSeconds = ar.duration_seconds,
        SourceIdentity = ar.source_identity, SerialNumber = ar.serial_number,
    }
    if type(ar.policy) == "table" then
        params.Policy = require("aws.json").encode(ar.policy)
    else
        params.Policy = ar.policy
    end
    if ar.tags then
        local value = require "aws.value"
        if value.type(ar.tags) == "array" then
            params.Tags = ar.tags
        else -- { key = "value", ... }
            local list = value.array({})
            for _, k in ipairs(value.keys(ar.tags)) do
                list[#list + 1] = { Key = k, Value = ar.tags[k] }
            end
            params.Tags = list
        end
    end
    return params
end

-- Checks what AssumeRole will be sent against the model now, so a bad
-- assume_role table raises at aws.client like any other misuse.
function M.check_assume_role(ar, level)
    local params = role_params(ar)
    params.TokenCode = type(ar.token_code) == "string" and ar.token_code or nil
    local shape = require("shapes.sts.AssumeRole").input
    local ok, verr = require("aws.params").validate(params, shape)
    if not ok then
        options.bad(level + 1, "assume_role: " .. verr:gsub("^Parameter validation failed:\n", ""))
    end
end

-- assume_role: an STS client of its own (the source credentials: the
-- client's profile, credentials or the default chain; the endpoint: where
-- the credential chain's STS calls go, or assume_role.endpoint_url).
local function role_provider(opts, make_client)
    local ar = opts.assume_role
    local p = setmetatable({ name = "assume_role", source = "assume-role" }, Provider)
    local sts
    function p.fetch()
        if not sts then
            sts = make_client("sts", {
                profile = opts.profile, region = opts.region,
                endpoint_url = ar.endpoint_url, ca_bundle = opts.ca_bundle,
                verify_ssl = opts.verify_ssl, connect_timeout = opts.connect_timeout,
                read_timeout = opts.read_timeout, retry_mode = opts.retry_mode,
                max_attempts = opts.max_attempts, user_agent = opts.user_agent,
                correct_clock_skew = opts.correct_clock_skew,
                credentials = opts.credentials, _credential_sts = true,
            })
        end
        local params = role_params(ar)
        if ar.serial_number then
            local code = ar.token_code
            if type(code) == "function" then
                local ok, c = pcall(code, ar.serial_number)
                if not ok or type(c) ~= "string" then
                    return nil, fail("CredentialRetrievalError",
                        "Error when retrieving credentials from assume_role: the token_code "
                        .. "function " .. (ok and ("returned " .. type(c)) or ("raised: " .. tostring(c))))
                end
                code = c
            else
                p.no_renew = true -- a typed code cannot be used twice
            end
            params.TokenCode = code
        end
        if opts.debug then
            pcall(opts.debug, "Calling STS AssumeRole for " .. ar.role_arn)
        end
        local r, err = sts:call("AssumeRole", params)
        if not r then return nil, err end
        local c = r.Credentials
        if type(c) ~= "table" or type(c.AccessKeyId) ~= "string"
            or type(c.SecretAccessKey) ~= "string" or type(c.SessionToken) ~= "string"
            or type(c.Expiration) ~= "string" or not expiry_of(c.Expiration) then
            return nil, fail("CredentialRetrievalError",
                "Error when retrieving credentials from assume_role: the AssumeRole "
                .. "answer lacks valid credentials")
        end
        return { access_key_id = c.AccessKeyId, secret_access_key = c.SecretAccessKey,
                 session_token = c.SessionToken, expiration = c.Expiration }
    end
    return p
end

-- What aws.client checks beyond names and types (options.lua): a fixed
-- credentials table's expiration, and the AssumeRole call assume_role
-- makes. Raises "bad argument #2 to 'client' (...)" at level.
function M.check(opts, level)
    local c = opts.credentials
    if type(c) == "table" and c.expiration ~= nil then
        local ok, why = expiry_of(c.expiration)
        if not ok then options.bad(level + 1, "credentials." .. why) end
    end
    if opts.assume_role then M.check_assume_role(opts.assume_role, level + 1) end
end

-- After core.client(service, copy): gives the client what opts asks for.
-- make_client(service, opts) makes a client without checking opts again.
function M.attach(client, opts, make_client)
    if opts.assume_role then
        providers[client] = role_provider(opts, make_client)
    elseif type(opts.credentials) == "function" then
        providers[client] = function_provider(opts.credentials)
    elseif type(opts.credentials) == "table" then
        local ok, err = install(client, opts.credentials, "explicit")
        if not ok then error(err, 0) end
    end
end

-- Wraps client:_send so that every request (retries happen inside it)
-- first makes sure the client's provider has given it credentials.
function M.install(methods)
    local send = methods._send
    methods._send = function(self, ...)
        local p = providers[self]
        if p then
            local ok, err = p:ensure(self)
            if not ok then return nil, err end
        end
        return send(self, ...)
    end
end

return M
