-- CIS AWS Foundations Benchmark v3.0.0 1.16: no attached managed policy's default version allows "*" actions on "*" resources.
local policydoc = require "audit.policydoc"
local ipairs, tostring = ipairs, tostring

return {
    id = "cis-1.16",
    title = "Ensure IAM policies that allow full \"*:*\" administrative privileges are not attached",
    severity = "high",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.16" },
    resource_type = "AwsIamPolicy",
    rationale = "A policy granting every action on every resource makes least "
        .. "privilege impossible for whoever holds it.",
    remediation = "Detach the listed policies from every user, group and role and "
        .. "grant the specific permissions each one needs instead.",
    check = function(ctx)
        for _, p in ipairs(ctx.facts:managed_policies()) do
            local arn = p.Arn
            local extra = { resource_arn = arn }
            if p.DocumentError then
                ctx:error(arn, p.DocumentError, extra)
            elseif policydoc.allows_full_admin(p.Document) then
                ctx:fail(arn, ("default version %s allows \"*\" on \"*\" (attached %s times)"):format(
                    p.DefaultVersionId, tostring(p.AttachmentCount)), extra)
            else
                ctx:pass(arn, "default version " .. p.DefaultVersionId .. " does not allow \"*\" on \"*\"", extra)
            end
        end
    end,
}
