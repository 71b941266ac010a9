/* test_jsonproto.c - the JSON protocol's error decoding, success bodies,
 * X-Amz-Target and timestamps, as tables of named cases. Expected values
 * are what botocore 2.9.19's JSONParser and Python's datetime give for the
 * same input (worked out by hand from parsers.py and CPython's
 * _PyTime_ObjectToTimeval; tests/e2e/test_org.py checks the real thing
 * against AWS CLI v2). */
#include "jsonproto.h"
#include "unit.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

static void test_errors(void)
{
    static const struct {
        const char *name;
        long status;
        const char *body, *request_id, *query_error;
        const char *code, *msg;
    } cases[] = {
        {"type and message", 400,
         "{\"__type\":\"AccountNotFoundException\",\"message\":\"no such\"}",
         "rid-1", NULL, "AccountNotFoundException", "no such"},
        {"prefixed type keeps what follows the last hash", 400,
         "{\"__type\":\"com.amazon#x#ThrottlingException\",\"Message\":\"m\"}",
         NULL, NULL, "ThrottlingException", "m"},
        {"message wins over Message", 400,
         "{\"__type\":\"E\",\"Message\":\"big\",\"message\":\"small\"}", NULL,
         NULL, "E", "small"},
        {"no type: the status", 403, "{\"message\":\"denied\"}", NULL, NULL,
         "403", "denied"},
        {"type not a string: the status", 400, "{\"__type\":5}", NULL, NULL,
         "400", ""},
        {"message a number: its text", 400, "{\"__type\":\"E\",\"message\":7}",
         NULL, NULL, "E", "7"},
        {"empty 4xx body", 404, "", NULL, NULL, "404", ""},
        {"HTML 4xx page is the message", 403, "<html>denied</html>", NULL,
         NULL, "403", "<html>denied</html>"},
        {"HTML 5xx page is generic", 502, "  <html><body>x</body></html>",
         NULL, NULL, "502", "Bad Gateway"},
        {"empty 5xx is generic", 503, "", NULL, NULL, "503",
         "Service Unavailable"},
        {"5xx JSON is parsed", 500,
         "{\"__type\":\"ServiceException\",\"message\":\"boom\"}", NULL, NULL,
         "ServiceException", "boom"},
        {"truncated JSON error is text", 400, "{\"__type\":\"E\",\"mess",
         NULL, NULL, "400", "{\"__type\":\"E\",\"mess"},
        {"JSON array error is text", 400, "[1,2]", NULL, NULL, "400", "[1,2]"},
        {"query error header wins", 400, "{\"__type\":\"A\"}", NULL,
         "AWS.SimpleQueueService.NonExistentQueue;Sender",
         "AWS.SimpleQueueService.NonExistentQueue", ""},
        {"query error header needs two fields", 400, "{\"__type\":\"A\"}",
         NULL, "X;Y;Z", "A", ""},
        {"query error header with empty code", 400, "{\"__type\":\"A\"}", NULL,
         ";Sender", "A", ""},
        {"3xx is an error", 301, "{}", NULL, NULL, "301", ""},
        {"nothing after the hash: the status", 400, "{\"__type\":\"a.b#\"}",
         NULL, NULL, "400", ""},
        {"query error code ending in a hash", 400, "{\"__type\":\"A\"}", NULL,
         "x#;Sender", "A", ""},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct jsonproto_resp r = {0};
        struct iam_err err = {0};
        json_t *out = NULL;
        int rc, ok;
        r.status = cases[i].status;
        r.body = cases[i].body;
        r.len = strlen(cases[i].body);
        r.request_id = cases[i].request_id;
        r.query_error = cases[i].query_error;
        rc = jsonproto_response(&r, &out, &err);
        ok = rc == IAM_ESERVICE && !out && err.kind == IAM_KIND_SERVICE &&
             err.http_status == cases[i].status &&
             strcmp(err.code, cases[i].code) == 0 &&
             strcmp(err.msg, cases[i].msg) == 0 &&
             strcmp(err.request_id,
                    cases[i].request_id ? cases[i].request_id : "") == 0;
        unit_check(ok, cases[i].name, "rc=%d code=%s msg=%s rid=%s", rc,
                   err.code, err.msg, err.request_id);
        json_decref(out);
    }
}

static void test_first_error_wins(void)
{
    struct jsonproto_resp r = {0};
    struct iam_err err = {0};
    json_t *out = NULL;
    iam_errc(&err, IAM_ECONN, "Earlier", "earlier");
    r.status = 400;
    r.body = "{\"__type\":\"Later\"}";
    r.len = strlen(r.body);
    jsonproto_response(&r, &out, &err);
    unit_check(strcmp(err.code, "Earlier") == 0 && !out,
               "an error already recorded is kept", "code=%s", err.code);
}

static void test_success(void)
{
    static const struct {
        const char *name, *body;
        int rc;
        const char *dump; /* compact dump of the object on IAM_OK */
    } cases[] = {
        {"object", "{\"Accounts\":[{\"Id\":\"1\"}],\"NextToken\":null}",
         IAM_OK, "{\"Accounts\":[{\"Id\":\"1\"}],\"NextToken\":null}"},
        {"empty body is an empty object", "", IAM_OK, "{}"},
        {"truncated", "{\"Accounts\":[{\"Id\":", IAM_EPARSE, NULL},
        {"HTML page", "<html>hi</html>", IAM_EPARSE, NULL},
        {"array", "[]", IAM_EPARSE, NULL},
        {"string", "\"x\"", IAM_EPARSE, NULL},
        {"trailing garbage", "{} x", IAM_EPARSE, NULL},
        {"not UTF-8", "{\"a\":\"\xff\"}", IAM_EPARSE, NULL},
        {"deep nesting refused", NULL, IAM_EPARSE, NULL},
    };
    size_t i;
    char deep[20001];
    memset(deep, '[', 10000);
    memset(deep + 10000, ']', 10000);
    deep[20000] = '\0';
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct jsonproto_resp r = {0};
        struct iam_err err = {0};
        json_t *out = NULL;
        char *dump = NULL;
        int rc, ok;
        r.status = 200;
        r.body = cases[i].body ? cases[i].body : deep;
        r.len = strlen(r.body);
        rc = jsonproto_response(&r, &out, &err);
        ok = rc == cases[i].rc;
        if(ok && rc == IAM_OK) {
            dump = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
            ok = dump && strcmp(dump, cases[i].dump) == 0;
        } else if(ok) {
            ok = !out && strcmp(err.code, "ResponseParserError") == 0 &&
                 err.kind == IAM_KIND_CONNECTION &&
                 strstr(err.msg, "invalid JSON received") != NULL;
        }
        unit_check(ok, cases[i].name, "rc=%d dump=%s err=%.200s", rc,
                   dump ? dump : "", err.msg);
        free(dump);
        json_decref(out);
    }
}

static void test_target(void)
{
    char out[64], small[8];
    struct iam_err err = {0};
    int rc = jsonproto_target("AWSOrganizationsV20161128", "ListAccounts",
                              out, sizeof(out), &err);
    unit_check(rc == IAM_OK &&
                   strcmp(out, "AWSOrganizationsV20161128.ListAccounts") == 0,
               "target is prefix.operation", "rc=%d out=%s", rc, out);
    iam_err_clear(&err);
    rc = jsonproto_target("Prefix", "ListAccounts", small, sizeof(small),
                          &err);
    unit_check(rc == IAM_EINVAL, "target too long refused", "rc=%d", rc);
    iam_err_clear(&err);
    rc = jsonproto_target("Prefix", "", out, sizeof(out), &err);
    unit_check(rc == IAM_EINVAL, "empty operation refused", "rc=%d", rc);
}

static void test_timestamps(void)
{
    /* TZ=UTC is set in main: the offset is +00:00. */
    static const struct {
        const char *name;
        double v;
        const char *want; /* NULL: refused */
    } cases[] = {
        {"whole seconds", 1796650646.0, "2026-12-07T13:37:26+00:00"},
        {"microseconds", 1796650646.527934, "2026-12-07T13:37:26.527934+00:00"},
        {"epoch", 0.0, "1970-01-01T00:00:00+00:00"},
        {"before 1970", -1.5, "1969-12-31T23:59:58.500000+00:00"},
        {"rounds to a whole second", 1.9999996, "1970-01-01T00:00:02+00:00"},
        {"half microsecond to even", 0.0000025, "1970-01-01T00:00:00.000002+00:00"},
        {"year 9999 is the end", 253402300799.0 + 1e9, NULL},
        {"not finite", 1.0 / 0.0, NULL},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char out[48];
        size_t n = jsonproto_timestamp(cases[i].v, out, sizeof(out));
        int ok = cases[i].want ? n > 0 && strcmp(out, cases[i].want) == 0
                               : n == 0;
        unit_check(ok, cases[i].name, "got %s", n ? out : "(refused)");
    }
}

static void test_local_offset(void)
{
    char out[48];
    size_t n;
    setenv("TZ", "Asia/Kolkata", 1);
    tzset();
    n = jsonproto_timestamp(1796650646.0, out, sizeof(out));
    unit_check(n > 0 && strcmp(out, "2026-12-07T19:07:26+05:30") == 0,
               "local time with its offset (tzlocal)", "got %s", out);
    setenv("TZ", "America/St_Johns", 1);
    tzset();
    n = jsonproto_timestamp(1796650646.0, out, sizeof(out));
    unit_check(n > 0 && strcmp(out, "2026-12-07T10:07:26-03:30") == 0,
               "negative offset with minutes", "got %s", out);
    setenv("TZ", "UTC", 1);
    tzset();
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    test_errors();
    test_first_error_wins();
    test_success();
    test_target();
    test_timestamps();
    test_local_offset();
    return unit_done();
}
