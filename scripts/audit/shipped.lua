-- audit.shipped: the policies compiled into the binary (scripts/policies/),
-- in CIS order, and the CIS IAM recommendations they do not cover. The
-- embedded module table has no directory listing, so this is the list;
-- tests/unit/audit.lua checks that it names every file there.
return {
    policies = {
        "cis-1.4", "cis-1.5", "cis-1.6", "cis-1.7", "cis-1.8", "cis-1.9", "cis-1.10",
        "cis-1.11", "cis-1.12", "cis-1.13", "cis-1.14", "cis-1.15", "cis-1.16",
        "cis-1.17", "cis-1.19", "cis-1.22",
    },
    not_covered = {
        { id = "cis-1.20", title = "Ensure that IAM Access analyzer is enabled for all regions",
          framework = { ["CIS AWS Foundations v3.0.0"] = "1.20" },
          why = "needs the IAM Access Analyzer API (accessanalyzer ListAnalyzers in every region), "
              .. "which iamlua does not speak" },
    },
}
