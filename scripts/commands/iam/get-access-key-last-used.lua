-- iam get-access-key-last-used: the declaration the CLI driver, `help`, the
-- man page and completion all read. Text from the AWS CLI reference page.
return {
    service = "iam",
    name = "get-access-key-last-used",
    operation = "GetAccessKeyLastUsed",
    description = {
        "Retrieves information about when the specified access key was last "
        .. "used. The information includes the date and time of last use, "
        .. "along with the Amazon Web Services service and Region that were "
        .. "specified in the last request made with that key.",
    },
    see_also = "https://docs.aws.amazon.com/goto/WebAPI/iam-2010-05-08/GetAccessKeyLastUsed",
    parameters = {
        {
            option = "--access-key-id",
            member = "AccessKeyId",
            type = "string",
            required = true,
            min = 16,
            max = 128,
            pattern = "[\\w]+",
            doc = {
                "The identifier of an access key.",
                "This parameter allows (through its regex pattern ) a string "
                .. "of characters that can consist of any upper or lowercased "
                .. "letter or digit.",
            },
        },
    },
    examples = {
        {
            title = "To retrieve information about when the specified access key was last used",
            text = "The following example retrieves information about when "
                .. "the access key ABCDEXAMPLE was last used.",
            command = "iamlua iam get-access-key-last-used --access-key-id ABCDEXAMPLE",
            output = '{\n    "UserName":  "Bob",\n    "AccessKeyLastUsed": {\n'
                .. '        "Region": "us-east-1",\n        "ServiceName": "iam",\n'
                .. '        "LastUsedDate": "2015-06-16T22:45:00Z"\n    }\n}',
            more = "For more information, see Managing Access Keys for IAM "
                .. "Users in the Using IAM guide.",
        },
    },
    output_doc = {
        { "UserName", "string", "The name of the IAM user that owns this access key." },
        { "AccessKeyLastUsed", "structure",
          "Contains information about the last time the access key was used." },
        { "AccessKeyLastUsed.LastUsedDate", "timestamp",
          "The date and time, in ISO 8601 date-time format , when the access "
          .. "key was most recently used. This field is null when the user "
          .. "does not have an access key, when the key exists but has not "
          .. "been used since IAM began tracking this information, or when "
          .. "there is no sign-in data associated with the user." },
        { "AccessKeyLastUsed.ServiceName", "string",
          "The name of the Amazon Web Services service with which this access "
          .. "key was most recently used. The value of this field is \"N/A\" "
          .. "if the key has not been used since IAM started tracking it "
          .. "(April 22, 2015) or if there is no sign-in data associated "
          .. "with the user." },
        { "AccessKeyLastUsed.Region", "string",
          "The Amazon Web Services Region where this access key was most "
          .. "recently used. The value for this field is \"N/A\" if the key "
          .. "has not been used since IAM started tracking it, if there is no "
          .. "sign-in data associated with the user, or if the service is a "
          .. "global service such as IAM." },
    },
}
