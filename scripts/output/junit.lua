-- --output junit: audit findings as JUnit XML, which CI systems (Jenkins,
-- GitLab, GitHub Actions reporters) show as test results.
--
-- <testsuites> holds one <testsuite> per check (name = check id, in the
-- findings' order) and one <testcase> per finding (name = the resource,
-- classname = check id and account); a FAIL carries a <failure>, an ERROR
-- an <error>, each with the message and severity; PASS is a plain
-- testcase. Counts (tests, failures, errors) are on every suite and the
-- root. Text is XML-escaped and characters XML 1.0 cannot hold are
-- replaced by U+FFFD. Anything but a list of findings is a usage error.
local value = require "aws.value"
local findings = require "audit.findings"

local ipairs, tostring, pcall, string_format = ipairs, tostring, pcall, string.format
local utf8 = utf8
local table_concat = table.concat
local null = value.null

local ESC = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&apos;" }

-- Escapes text for an attribute or element; control characters other than
-- tab, LF and CR are not allowed in XML 1.0.
local function x(v)
    if v == nil or v == null then return "" end
    local s = tostring(v):gsub("[&<>\"']", ESC)
    s = s:gsub("[%z\1-\8\11\12\14-\31\127]", "\u{FFFD}")
    -- as character references, line breaks and tabs survive attribute
    -- value normalisation (a literal newline in an attribute reads back
    -- as a space)
    s = s:gsub("[\t\n\r]", { ["\t"] = "&#9;", ["\n"] = "&#10;", ["\r"] = "&#13;" })
    -- bytes that are not UTF-8 would make the document unparseable
    if not utf8.len(s) then
        local out = {}
        local i = 1
        while i <= #s do
            local ok, nxt = pcall(utf8.codepoint, s, i)
            if ok then
                local c = utf8.char(nxt)
                out[#out + 1] = c
                i = i + #c
            else
                out[#out + 1] = "\u{FFFD}"
                i = i + 1
            end
        end
        s = table_concat(out)
    end
    return s
end

return {
    format = function(data)
        if not findings.is_findings(data) then findings.not_findings("junit") end
        local suites, order = {}, {}
        for _, f in ipairs(data) do
            local s = suites[f.check]
            if not s then
                s = { id = f.check, title = f.title, cases = {}, failures = 0, errors = 0 }
                suites[f.check] = s
                order[#order + 1] = s
            end
            s.cases[#s.cases + 1] = f
            if f.status == "FAIL" then s.failures = s.failures + 1 end
            if f.status == "ERROR" then s.errors = s.errors + 1 end
        end
        local tests, failures, errors = 0, 0, 0
        local body = {}
        for _, s in ipairs(order) do
            tests, failures, errors = tests + #s.cases, failures + s.failures, errors + s.errors
            body[#body + 1] = string_format(
                '  <testsuite name="%s" tests="%d" failures="%d" errors="%d" skipped="0">',
                x(s.id), #s.cases, s.failures, s.errors)
            body[#body + 1] = string_format('    <properties><property name="title" value="%s"/></properties>',
                x(s.title))
            for _, f in ipairs(s.cases) do
                local head = string_format('    <testcase name="%s" classname="%s.%s"',
                    x(f.resource), x(f.check), x(f.account))
                if f.status == "PASS" then
                    body[#body + 1] = head .. "/>"
                else
                    local tag = f.status == "FAIL" and "failure" or "error"
                    body[#body + 1] = head .. ">"
                    body[#body + 1] = string_format('      <%s message="%s" type="%s">%s (severity %s, %s)</%s>',
                        tag, x(f.message), x(f.status), x(f.message), x(f.severity),
                        x(f.resource_arn ~= null and f.resource_arn or f.resource), tag)
                    body[#body + 1] = "    </testcase>"
                end
            end
            body[#body + 1] = "  </testsuite>"
        end
        return table_concat({
            '<?xml version="1.0" encoding="UTF-8"?>',
            string_format('<testsuites name="iamlua audit" tests="%d" failures="%d" errors="%d">',
                tests, failures, errors),
            table_concat(body, "\n"),
            "</testsuites>",
        }, "\n"):gsub("\n\n", "\n") .. "\n"
    end,
}
