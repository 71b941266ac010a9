-- aws.paginate: client:paginate and client:pages, driven by the action's
-- paginator in the AWS CLI's model (scripts/shapes/paginators/SERVICE.lua,
-- from botocore's paginators-1.json), as botocore's PageIterator:
--
--   for item in client:paginate(Action, params [, ResultKey]) do ... end
--   for page in client:pages(Action, params) do ... end
--
-- Every page sends `params` plus the input token(s) taken from the last
-- page's output token(s) (Marker, NextToken, ...). Paging stops when the
-- paginator's more_results member is false or absent, or when no output
-- token came back; the same token twice is an error, as in botocore (a
-- server that would loop forever). The limit key (MaxItems, MaxResults)
-- is simply a parameter: it sets the page size.
--
-- paginate yields the items of ResultKey, or without it the items of the
-- paginator's result key; for a paginator with several result keys (IAM
-- GetAccountAuthorizationDetails) it yields whole pages. A ResultKey that
-- is not a list member of the action's output raises at once, naming the
-- ones that are. An action without a paginator in the model pages by
-- Marker/IsTruncated or NextToken when its shapes have them, else
-- paginate raises botocore's "Operation cannot be paginated"; an action the
-- service does not have raises call's InvalidAction error (with the closest
-- name) before anything is sent. A page that fails raises its aws.error.
local value = require "aws.value"

local type, error, ipairs, pairs, pcall, require = type, error, ipairs, pairs, pcall, require
local getmetatable = getmetatable
local tostring, string_format, table_concat = tostring, string.format, table.concat

local null = value.null

local M = {}

local function member_type(shape, name)
    for _, m in ipairs(shape and shape.members or {}) do
        if m.name == name then return m.shape and m.shape.type end
    end
end

-- The paginator of service's action: the model's, or one made from the
-- shapes for actions that page the usual way without one.
function M.paginator(service, action, shape)
    local ok, all = pcall(require, "shapes.paginators." .. service)
    local p = ok and type(all) == "table" and all[action]
    if p then return p end
    local out, input = shape and shape.output, shape and shape.input
    if member_type(out, "IsTruncated") == "boolean" and member_type(out, "Marker")
        and member_type(input, "Marker") then
        return { input_token = { "Marker" }, output_token = { "Marker" },
                 more_results = "IsTruncated" }
    end
    if member_type(out, "NextToken") and member_type(input, "NextToken") then
        return { input_token = { "NextToken" }, output_token = { "NextToken" } }
    end
    return nil
end

-- A member path of a page ("NextToken", "Marker", "A.B"); nil when absent.
local function get(page, path)
    for alt in path:gmatch("[^|]+") do -- "A || B": the first one present
        local v = page
        for part in alt:gsub("^%s+", ""):gsub("%s+$", ""):gmatch("[^.]+") do
            if type(v) ~= "table" then v = nil break end
            v = v[part]
        end
        if v ~= nil and v ~= null then return v end
    end
    return nil
end

local function list_members(shape)
    local names = {}
    for _, m in ipairs(shape and shape.members or {}) do
        if m.shape and m.shape.type == "list" then names[#names + 1] = m.name end
    end
    return names
end

-- Iterator over the pages of one pagination.
local function page_iter(client, action, args, pag)
    local tokens, done, last = nil, false, nil
    return function()
        if done then return nil end
        local req
        if getmetatable(args) == value.object_mt then -- keep its order
            req = value.object()
            for _, k in ipairs(value.keys(args)) do req[k] = args[k] end
        else
            req = {}
            for k, v in pairs(args) do req[k] = v end
        end
        if tokens then
            for i, name in ipairs(pag.input_token) do req[name] = tokens[i] end
        end
        local page, err = client:call(action, req)
        if not page then error(err, 0) end
        local more = pag.more_results == nil or get(page, pag.more_results)
        local next_tokens, any, key = {}, false, {}
        for i, path in ipairs(pag.output_token) do
            local t = get(page, path)
            next_tokens[i] = t
            key[i] = tostring(t)
            if t ~= nil and t ~= "" then any = true end
        end
        if not more or not any then
            done = true
        else
            key = table_concat(key, "\0")
            if key == last then
                error(string_format("The same next token was received twice: %s",
                    (key:gsub("%z", ", "))), 0)
            end
            last, tokens = key, next_tokens
        end
        return page
    end
end

-- Checks paginate's arguments; returns the paginator.
local function prepare(client, fname, action, args, helpers)
    if type(action) ~= "string" then
        error(string_format("bad argument #1 to '%s' (string expected, got %s)",
            fname, type(action)), 3)
    end
    if args ~= nil and type(args) ~= "table" then
        error(string_format("bad argument #2 to '%s' (table expected, got %s)",
            fname, type(args)), 3)
    end
    local service = helpers.service_of(client)
    local shape, aerr = helpers.action_shape(service, action)
    if aerr then error(aerr, 0) end -- InvalidAction, with the closest name
    local pag = M.paginator(service, action, shape)
    if not pag then
        error("Operation cannot be paginated: " .. action, 3)
    end
    return pag, shape
end

function M.install(methods, helpers)
    -- client:pages(Action, params) -> iterator over whole result pages
    function methods.pages(self, action, args)
        local pag = prepare(self, "pages", action, args, helpers)
        return page_iter(self, action, args or {}, pag)
    end

    -- client:paginate(Action, params [, ResultKey]) -> iterator over items
    function methods.paginate(self, action, args, result_key)
        local pag, shape = prepare(self, "paginate", action, args, helpers)
        if result_key ~= nil and type(result_key) ~= "string" then
            error("bad argument #3 to 'paginate' (string expected, got "
                .. type(result_key) .. ")", 2)
        end
        local keys = pag.result_key or list_members(shape and shape.output)
        if result_key == nil and #keys ~= 1 then
            return page_iter(self, action, args or {}, pag) -- several: pages
        end
        local key = result_key or keys[1]
        if result_key and shape and shape.output then
            local valid = list_members(shape.output)
            local ok = false
            for _, k in ipairs(valid) do ok = ok or k == key end
            if not ok then
                error(string_format("bad argument #3 to 'paginate' ('%s' is not a list in "
                    .. "the %s output; valid: %s)", key, action,
                    #valid > 0 and table_concat(valid, ", ") or "none"), 2)
            end
        end
        local pages = page_iter(self, action, args or {}, pag)
        local items, i = nil, 0
        return function()
            while true do
                if items then
                    i = i + 1
                    if items[i] ~= nil then return items[i] end
                end
                local page = pages()
                if page == nil then return nil end
                local v = get(page, key)
                if v ~= nil and v ~= null and value.type(v) ~= "array" then
                    error(string_format("'%s' in the %s output is %s, not a list",
                        key, action, value.type(v)), 0)
                end
                items, i = (v ~= null and v) or nil, 0
            end
        end
    end
end

return M
