-- CIS AWS Foundations Benchmark v3.0.0 1.19: no expired SSL/TLS certificate is stored in IAM.
local aws = require "aws"
local ipairs, type = ipairs, type

return {
    id = "cis-1.19",
    title = "Ensure that all the expired SSL/TLS certificates stored in AWS IAM are removed",
    severity = "medium",
    framework = { ["CIS AWS Foundations v3.0.0"] = "1.19" },
    resource_type = "AwsIamServerCertificate",
    rationale = "An expired certificate serves nobody, and one deployed by mistake "
        .. "to a load balancer breaks clients and trust.",
    remediation = "Delete the listed certificates (aws iam delete-server-certificate) "
        .. "after checking nothing still references them.",
    check = function(ctx)
        for _, c in ipairs(ctx.facts:server_certificates()) do
            local t = type(c.Expiration) == "string" and aws.time.parse(c.Expiration)
            local extra = { resource_arn = c.Arn }
            if not t then
                ctx:error(c.ServerCertificateName, "no readable expiration date", extra)
            elseif t <= ctx.now then
                ctx:fail(c.ServerCertificateName, "expired " .. c.Expiration, extra)
            else
                ctx:pass(c.ServerCertificateName, "valid until " .. c.Expiration, extra)
            end
        end
    end,
}
