/* test_xml.c - core/xml.c against normal, error and hostile responses.
 *
 * A table of named bodies, each with the status xml_parse must return and
 * an optional check of the tree or error. Hostile cases assert what must
 * not happen: no entity fetched (a listening socket sees no connection, no
 * file content shows up), no expansion, nothing printed on stderr, no
 * unbounded allocation.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../core/xml.h"
#include "unit.h"

#define IAM_NS "https://iam.amazonaws.com/doc/2010-05-08/"

static const char GET_KEY_OK[] =
    "<GetAccessKeyLastUsedResponse xmlns=\"" IAM_NS "\">\n"
    "  <GetAccessKeyLastUsedResult>\n"
    "    <AccessKeyLastUsed>\n"
    "      <Region>us-east-1</Region>\n"
    "      <LastUsedDate>2024-02-29T13:07:42Z</LastUsedDate>\n"
    "      <ServiceName>iam</ServiceName>\n"
    "    </AccessKeyLastUsed>\n"
    "    <UserName>Bob</UserName>\n"
    "  </GetAccessKeyLastUsedResult>\n"
    "  <ResponseMetadata>\n"
    "    <RequestId>510a9d75-1d8f-4d3c-8f3b-6a5d0bd6c2a1</RequestId>\n"
    "  </ResponseMetadata>\n"
    "</GetAccessKeyLastUsedResponse>\n";

static const char NO_SUCH_ENTITY[] =
    "<ErrorResponse xmlns=\"" IAM_NS "\">\n"
    "  <Error>\n"
    "    <Type>Sender</Type>\n"
    "    <Code>NoSuchEntity</Code>\n"
    "    <Message>The Access Key with id AKIAEXAMPLE cannot be "
    "found</Message>\n"
    "  </Error>\n"
    "  <RequestId>4b0b2e3c-0000-4000-8000-000000000001</RequestId>\n"
    "</ErrorResponse>\n";

/* Filled in main: a port that listens and must never see a connection. */
static int trap_fd = -1;
static char trap_port[16];

/* ----- helpers ---------------------------------------------------------- */

static char detail[1200];

static int text_is(const struct xml_node *n, const char *want)
{
    return n && n->text_len == strlen(want) && strcmp(n->text, want) == 0;
}

static const char *expect_text(const struct xml_node *root, const char *path,
                               const char *want)
{
    const struct xml_node *n = xml_path(root, path);
    if(text_is(n, want))
        return NULL;
    snprintf(detail, sizeof(detail), "%s: got '%s', want '%s'", path,
             n ? n->text : "(missing)", want);
    return detail;
}

static const char *expect_msg(const struct iam_err *err, const char *part)
{
    if(strstr(err->msg, part))
        return NULL;
    snprintf(detail, sizeof(detail), "message '%s' lacks '%s'", err->msg, part);
    return detail;
}

/* The trap socket must have no pending connection. */
static const char *expect_no_fetch(void)
{
    int fd = accept(trap_fd, NULL, NULL);
    if(fd >= 0) {
        close(fd);
        return "the parser connected to the trap socket";
    }
    if(errno != EAGAIN && errno != EWOULDBLOCK)
        return "accept on the trap socket failed unexpectedly";
    return NULL;
}

/* ----- checks (NULL when fine, else a detail) --------------------------- */

typedef const char *(*check_fn)(const struct xml_doc *doc, struct iam_err *err);

static const char *chk_get_key(const struct xml_doc *doc, struct iam_err *err)
{
    const struct xml_node *root = xml_root(doc), *r;
    const char *why;
    if(strcmp(root->name, "GetAccessKeyLastUsedResponse") != 0)
        return "wrong root name";
    if(root->nchildren != 2 || root->text_len != 0 || root->text[0] != '\0')
        return "root should be a 2-child container with empty text";
    r = xml_child(root, "GetAccessKeyLastUsedResult");
    if(!r || r->nchildren != 2 || r->child != xml_child(r, "AccessKeyLastUsed"))
        return "result children out of order";
    why = expect_text(r, "UserName", "Bob");
    if(!why)
        why = expect_text(root,
                          "GetAccessKeyLastUsedResult/AccessKeyLastUsed/"
                          "LastUsedDate",
                          "2024-02-29T13:07:42Z");
    if(!why)
        why = expect_text(root, "/ResponseMetadata//RequestId/",
                          "510a9d75-1d8f-4d3c-8f3b-6a5d0bd6c2a1");
    if(why)
        return why;
    if(xml_path(root, "GetAccessKeyLastUsedResult/Nope") != NULL)
        return "missing path found";
    if(xml_path(root, "") != root || xml_path(NULL, "a") != NULL)
        return "xml_path edge cases";
    if(xml_child(NULL, "a") || xml_child(root, NULL))
        return "xml_child edge cases";
    if(xml_error_response(root, err) != IAM_OK || err->st != IAM_OK)
        return "a normal response read as an error";
    return NULL;
}

static const char *chk_service(struct iam_err *err, const char *code,
                               const char *msg, const char *reqid)
{
    if(err->st != IAM_ESERVICE || err->kind != IAM_KIND_SERVICE)
        return "status/kind not service";
    if(strcmp(err->code, code) != 0) {
        snprintf(detail, sizeof(detail), "code '%s'", err->code);
        return detail;
    }
    if(strcmp(err->msg, msg) != 0) {
        snprintf(detail, sizeof(detail), "message '%s'", err->msg);
        return detail;
    }
    if(strcmp(err->request_id, reqid) != 0) {
        snprintf(detail, sizeof(detail), "request id '%s'", err->request_id);
        return detail;
    }
    return NULL;
}

static const char *chk_no_such_entity(const struct xml_doc *doc,
                                      struct iam_err *err)
{
    if(xml_error_response(xml_root(doc), err) != IAM_ESERVICE)
        return "not recognised as an error";
    return chk_service(err, "NoSuchEntity",
                       "The Access Key with id AKIAEXAMPLE cannot be found",
                       "4b0b2e3c-0000-4000-8000-000000000001");
}

static const char *chk_empty_message(const struct xml_doc *doc,
                                     struct iam_err *err)
{
    if(xml_error_response(xml_root(doc), err) != IAM_ESERVICE)
        return "not recognised as an error";
    return chk_service(err, "Throttling", "", "r-1");
}

static const char *chk_escaped_message(const struct xml_doc *doc,
                                       struct iam_err *err)
{
    if(xml_error_response(xml_root(doc), err) != IAM_ESERVICE)
        return "not recognised as an error";
    return chk_service(err, "ValidationError",
                       "Value '<a&b>' at \"x\" is \xc3\xa9 not  valid\n  ok",
                       "");
}

static const char *chk_ec2_error(const struct xml_doc *doc, struct iam_err *err)
{
    if(xml_error_response(xml_root(doc), err) != IAM_ESERVICE)
        return "not recognised as an error";
    return chk_service(err, "InvalidInstanceID.Malformed",
                       "Invalid id: \"1343124\"", "12345");
}

static const char *chk_bare_error(const struct xml_doc *doc,
                                  struct iam_err *err)
{
    if(xml_error_response(xml_root(doc), err) != IAM_ESERVICE)
        return "not recognised as an error";
    return chk_service(err, "AccessDenied", "Access Denied", "R1");
}

static const char *chk_moto_errors(const struct xml_doc *doc,
                                   struct iam_err *err)
{
    if(xml_error_response(xml_root(doc), err) != IAM_ESERVICE)
        return "ErrorResponse/Errors/Error not recognised";
    return chk_service(err, "InvalidClientTokenId",
                       "The security token included in the request is "
                       "invalid.", "");
}

static const char *chk_error_no_details(const struct xml_doc *doc,
                                        struct iam_err *err)
{
    if(xml_error_response(xml_root(doc), err) != IAM_ESERVICE)
        return "ErrorResponse without Error not recognised";
    return chk_service(err, "", "", "r-2");
}

static const char *chk_response_not_error(const struct xml_doc *doc,
                                          struct iam_err *err)
{
    if(xml_error_response(xml_root(doc), err) != IAM_OK || err->st)
        return "a <Response> without <Errors> read as an error";
    return NULL;
}

/* 600 two-byte characters do not fit msg[1024]: the cut keeps whole ones. */
static const char *chk_long_message(const struct xml_doc *doc,
                                    struct iam_err *err)
{
    size_t n, i;
    if(xml_error_response(xml_root(doc), err) != IAM_ESERVICE)
        return "not recognised as an error";
    n = strlen(err->msg);
    if(n != 1022)
        return "message not cut at 1022 bytes";
    for(i = 0; i < n; i += 2) {
        if((unsigned char)err->msg[i] != 0xc3 ||
           (unsigned char)err->msg[i + 1] != 0xa9)
            return "message cut inside a character";
    }
    return NULL;
}

static const char *chk_first_error_wins(const struct xml_doc *doc,
                                        struct iam_err *err)
{
    iam_errf(err, IAM_ECONN, "earlier failure");
    if(xml_error_response(xml_root(doc), err) != IAM_ESERVICE)
        return "not recognised as an error";
    if(err->st != IAM_ECONN || strcmp(err->msg, "earlier failure") != 0 ||
       err->code[0] != '\0')
        return "an earlier error was overwritten";
    return NULL;
}

static const char *chk_doctype(const struct xml_doc *doc, struct iam_err *err)
{
    (void)doc;
    if(strstr(err->msg, "root:"))
        return "file content leaked into the message";
    if(strcmp(err->msg, "response contains a DOCTYPE; refused") != 0)
        return expect_msg(err, "response contains a DOCTYPE; refused");
    return expect_no_fetch();
}

static const char *chk_undeclared_entity(const struct xml_doc *doc,
                                         struct iam_err *err)
{
    (void)doc;
    return expect_msg(err, "xxe");
}

static const char *chk_too_big(const struct xml_doc *doc, struct iam_err *err)
{
    (void)doc;
    return expect_msg(err, "larger than");
}

static const char *chk_too_deep(const struct xml_doc *doc, struct iam_err *err)
{
    (void)doc;
    return expect_msg(err, "deeper than ");
}

static const char *chk_too_many(const struct xml_doc *doc, struct iam_err *err)
{
    (void)doc;
    return expect_msg(err, "more than 10 elements");
}

static const char *chk_malformed(const struct xml_doc *doc, struct iam_err *err)
{
    (void)doc;
    return expect_msg(err, "malformed XML response");
}

static const char *chk_empty(const struct xml_doc *doc, struct iam_err *err)
{
    (void)doc;
    return expect_msg(err, "empty XML response");
}

static const char *chk_utf8(const struct xml_doc *doc, struct iam_err *err)
{
    (void)doc;
    return expect_msg(err, "UTF-8");
}

static const char *chk_depth_64(const struct xml_doc *doc, struct iam_err *err)
{
    const struct xml_node *n = xml_root(doc);
    int depth = 1;
    (void)err;
    while(n->child) {
        n = n->child;
        depth++;
    }
    return depth == 64 && text_is(n, "x") ? NULL : "wrong depth or leaf";
}

static const char *chk_html(const struct xml_doc *doc, struct iam_err *err)
{
    const struct xml_node *root = xml_root(doc);
    if(strcmp(root->name, "html") != 0)
        return "root is not html";
    if(xml_error_response(root, err) != IAM_OK)
        return "an HTML page read as an AWS error";
    return expect_text(root, "body/b", "Http/1.1 Service Unavailable");
}

static const char *chk_prefixed(const struct xml_doc *doc, struct iam_err *err)
{
    const struct xml_node *root = xml_root(doc);
    (void)err;
    if(strcmp(root->name, "GetUserResponse") != 0)
        return "prefix kept in the root name";
    return expect_text(root, "GetUserResult/User/UserName", "alice");
}

static const char *chk_mixed(const struct xml_doc *doc, struct iam_err *err)
{
    const struct xml_node *root = xml_root(doc);
    const char *why;
    (void)err;
    if(root->text_len != 0 || root->nchildren != 5)
        return "container text or child count wrong";
    why = expect_text(root, "cdata", "x<y>&z");
    if(!why)
        why = expect_text(root, "comment", "ab");
    if(!why)
        why = expect_text(root, "blank", "  ");
    if(!why)
        why = expect_text(root, "empty", "");
    if(!why && xml_child(root, "inner")->text_len != 0)
        why = "text around a child leaked into its parent";
    if(!why)
        why = expect_text(root, "inner/leaf", "v");
    return why;
}

static const char *chk_latin1(const struct xml_doc *doc, struct iam_err *err)
{
    (void)err;
    return text_is(xml_root(doc), "caf\xc3\xa9") ? NULL
                                                 : "not converted to UTF-8";
}

static const char *chk_utf16(const struct xml_doc *doc, struct iam_err *err)
{
    (void)err;
    return text_is(xml_root(doc), "x\xc3\xa9") ? NULL
                                               : "not converted to UTF-8";
}

static const char *chk_many(const struct xml_doc *doc, struct iam_err *err)
{
    const struct xml_node *root = xml_root(doc), *c;
    size_t n = 0;
    (void)err;
    for(c = root->child; c; c = c->next) {
        if(strcmp(c->name, "member") != 0 || c->text_len != 5)
            return "bad member";
        n++;
    }
    if(n != 200000 || root->nchildren != n)
        return "wrong member count";
    return text_is(root->child, "user0") ? NULL : "first member text";
}

/* ----- generated bodies ------------------------------------------------- */

static char *repeat_join(const char *head, const char *unit, size_t times,
                         const char *mid, const char *unit2, const char *tail,
                         size_t *len)
{
    size_t hl = strlen(head), ul = strlen(unit), ml = strlen(mid);
    size_t u2 = strlen(unit2), tl = strlen(tail);
    size_t n = hl + times * (ul + u2) + ml + tl, i;
    char *p = malloc(n + 1), *q;
    if(!p)
        return NULL;
    q = p;
    memcpy(q, head, hl), q += hl;
    for(i = 0; i < times; i++)
        memcpy(q, unit, ul), q += ul;
    memcpy(q, mid, ml), q += ml;
    for(i = 0; i < times; i++)
        memcpy(q, unit2, u2), q += u2;
    memcpy(q, tail, tl), q += tl;
    *q = '\0';
    *len = n;
    return p;
}

static char *gen_nest(size_t levels, size_t *len)
{
    return repeat_join("", "<a>", levels, "x", "</a>", "", len);
}

static char *gen_nest_64(size_t *len)
{
    return gen_nest(64, len);
}

static char *gen_nest_65(size_t *len)
{
    return gen_nest(65, len);
}

static char *gen_nest_100(size_t *len)
{
    return gen_nest(100, len);
}

static char *gen_nest_100k(size_t *len)
{
    return gen_nest(100000, len);
}

/* 50 MB of a plausible response: must be refused before parsing. */
static char *gen_50mb(size_t *len)
{
    size_t n = (size_t)50 * 1024 * 1024;
    char *p = malloc(n);
    if(!p)
        return NULL;
    memset(p, ' ', n);
    memcpy(p, "<a>", 3);
    memcpy(p + n - 4, "</a>", 4);
    *len = n;
    return p;
}

static char *gen_many(size_t *len)
{
    char *p = malloc(200000 * 30 + 64), *q = p;
    size_t i;
    if(!p)
        return NULL;
    q += snprintf(q, 32, "<Users>");
    for(i = 0; i < 200000; i++)
        q += snprintf(q, 30, "<member>user%zu</member>", i % 10);
    q += snprintf(q, 32, "</Users>");
    *len = (size_t)(q - p);
    return p;
}

static char *gen_long_message(size_t *len)
{
    return repeat_join("<ErrorResponse><Error><Code>X</Code><Message>",
                       "\xc3\xa9", 600, "", "",
                       "</Message></Error></ErrorResponse>", len);
}

static char *gen_http_dtd(size_t *len)
{
    char *p = malloc(256);
    int n;
    if(!p)
        return NULL;
    n = snprintf(p, 256,
                 "<?xml version=\"1.0\"?>\n"
                 "<!DOCTYPE r SYSTEM \"http://127.0.0.1:%s/x.dtd\">\n"
                 "<r>&ext;</r>",
                 trap_port);
    *len = (size_t)n;
    return p;
}

static char *gen_http_pe(size_t *len)
{
    char *p = malloc(256);
    int n;
    if(!p)
        return NULL;
    n = snprintf(p, 256,
                 "<!DOCTYPE r [<!ENTITY %% pe SYSTEM "
                 "\"http://127.0.0.1:%s/pe\"> %%pe;]><r>x</r>",
                 trap_port);
    *len = (size_t)n;
    return p;
}

static char *gen_http_entity(size_t *len)
{
    char *p = malloc(256);
    int n;
    if(!p)
        return NULL;
    n = snprintf(p, 256,
                 "<!DOCTYPE r [<!ENTITY e SYSTEM \"http://127.0.0.1:%s/e\">]>"
                 "<r>&e;</r>",
                 trap_port);
    *len = (size_t)n;
    return p;
}

/* ----- the table -------------------------------------------------------- */

struct xml_case {
    const char *name;
    const char *body;           /* NUL-terminated, or */
    size_t len;                 /* explicit length when it holds NULs */
    char *(*make)(size_t *len); /* generated body (freed after) */
    struct xml_limits lim;      /* zeros: defaults */
    int want;
    check_fn check;
};

/* clang-format off */
static const struct xml_case cases[] = {
    {"get-access-key-last-used response", GET_KEY_OK, 0, NULL, {0, 0, 0},
     IAM_OK, chk_get_key},
    {"ErrorResponse NoSuchEntity", NO_SUCH_ENTITY, 0, NULL, {0, 0, 0}, IAM_OK,
     chk_no_such_entity},
    {"ErrorResponse with empty Message",
     "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
     "<Message/></Error><RequestId>r-1</RequestId></ErrorResponse>",
     0, NULL, {0, 0, 0}, IAM_OK, chk_empty_message},
    {"ErrorResponse message kept verbatim",
     "<ErrorResponse><Error><Code>ValidationError</Code><Message>Value "
     "'&lt;a&amp;b&gt;' at &quot;x&quot; is \xc3\xa9 not  valid\n  ok"
     "</Message></Error></ErrorResponse>",
     0, NULL, {0, 0, 0}, IAM_OK, chk_escaped_message},
    {"ErrorResponse/Errors/Error (moto's auth errors)",
     "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors>"
     "<Error><Code>InvalidClientTokenId</Code><Message>The security token "
     "included in the request is invalid.</Message><Type>Sender</Type>"
     "</Error></Errors></ErrorResponse>",
     0, NULL, {0, 0, 0}, IAM_OK, chk_moto_errors},
    {"ErrorResponse without Error",
     "<ErrorResponse><RequestId>r-2</RequestId></ErrorResponse>", 0, NULL,
     {0, 0, 0}, IAM_OK, chk_error_no_details},
    {"Response/Errors/Error (EC2 style)",
     "<Response><Errors><Error><Code>InvalidInstanceID.Malformed</Code>"
     "<Message>Invalid id: \"1343124\"</Message></Error></Errors>"
     "<RequestID>12345</RequestID></Response>",
     0, NULL, {0, 0, 0}, IAM_OK, chk_ec2_error},
    {"Response without Errors is not an error",
     "<Response><Result>1</Result></Response>", 0, NULL, {0, 0, 0}, IAM_OK,
     chk_response_not_error},
    {"bare Error root",
     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied"
     "</Code><Message>Access Denied</Message><RequestId>R1</RequestId>"
     "</Error>",
     0, NULL, {0, 0, 0}, IAM_OK, chk_bare_error},
    {"long error message cut at a UTF-8 boundary", NULL, 0, gen_long_message,
     {0, 0, 0}, IAM_OK, chk_long_message},
    {"xml_error_response keeps an earlier error", NO_SUCH_ENTITY, 0, NULL,
     {0, 0, 0}, IAM_OK, chk_first_error_wins},
    {"billion laughs refused",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n"
     " <!ENTITY lol \"lol\">\n"
     " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
     " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
     " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
     " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
     " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
     " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
     " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
     " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
     " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
     "]>\n<lolz>&lol9;</lolz>",
     0, NULL, {0, 0, 0}, IAM_EPARSE, chk_doctype},
    {"quadratic blowup refused",
     "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">]>"
     "<r>&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;</r>",
     0, NULL, {0, 0, 0}, IAM_EPARSE, chk_doctype},
    {"external entity file:///etc/passwd refused",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE foo [\n"
     "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n"
     "<GetUserResponse><UserName>&xxe;</UserName></GetUserResponse>",
     0, NULL, {0, 0, 0}, IAM_EPARSE, chk_doctype},
    {"external entity http://127.0.0.1:1/x refused",
     "<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"http://127.0.0.1:1/x\">]>"
     "<foo>&xxe;</foo>",
     0, NULL, {0, 0, 0}, IAM_EPARSE, chk_doctype},
    {"external entity to a listening port: no connection", NULL, 0,
     gen_http_entity, {0, 0, 0}, IAM_EPARSE, chk_doctype},
    {"external DTD to a listening port: no connection", NULL, 0, gen_http_dtd,
     {0, 0, 0}, IAM_EPARSE, chk_doctype},
    {"parameter entity to a listening port: no connection", NULL, 0,
     gen_http_pe, {0, 0, 0}, IAM_EPARSE, chk_doctype},
    {"HTML page with a bare DOCTYPE parsed",
     "<!DOCTYPE html>\n<html><body><b>Http/1.1 Service Unavailable</b></body>"
     "</html>", 0, NULL, {0, 0, 0}, IAM_OK, chk_html},
    {"bare DOCTYPE with blanks parsed",
     "<!DOCTYPE  html \n><html><body><b>Http/1.1 Service Unavailable</b></body>"
     "</html>", 0, NULL, {0, 0, 0}, IAM_OK, chk_html},
    {"DOCTYPE with a PUBLIC id refused",
     "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" "
     "\"http://127.0.0.1:1/xhtml1-strict.dtd\"><html/>", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_doctype},
    {"DOCTYPE with an empty internal subset refused",
     "<!DOCTYPE html []><html/>", 0, NULL, {0, 0, 0}, IAM_EPARSE, chk_doctype},
    {"bare DOCTYPE then an undeclared entity",
     "<!DOCTYPE foo><foo>&xxe;</foo>", 0, NULL, {0, 0, 0}, IAM_EPARSE,
     chk_undeclared_entity},
    {"undeclared entity without a DOCTYPE",
     "<foo>&xxe;</foo>", 0, NULL, {0, 0, 0}, IAM_EPARSE,
     chk_undeclared_entity},
    {"50 MB body over the cap", NULL, 0, gen_50mb, {0, 0, 0}, IAM_ETOOBIG,
     chk_too_big},
    {"body one byte over a custom cap", "<a>12345</a>", 0, NULL, {11, 0, 0},
     IAM_ETOOBIG, chk_too_big},
    {"body exactly at a custom cap", "<a>12345</a>", 0, NULL, {12, 0, 0},
     IAM_OK, NULL},
    {"64 levels parse at a limit of 64", NULL, 0, gen_nest_64, {0, 64, 0},
     IAM_OK, chk_depth_64},
    {"65 levels over a limit of 64", NULL, 0, gen_nest_65, {0, 64, 0},
     IAM_ETOOBIG, chk_too_deep},
    {"100 levels parse under the default limit (the CLI accepts them)",
     NULL, 0, gen_nest_100, {0, 0, 0}, IAM_OK, NULL},
    {"100 levels over a limit of 64", NULL, 0, gen_nest_100, {0, 64, 0},
     IAM_ETOOBIG, chk_too_deep},
    {"100,000 levels stop at the depth limit", NULL, 0, gen_nest_100k,
     {0, 0, 0}, IAM_ETOOBIG, chk_too_deep},
    {"11 elements over a node limit of 10",
     "<a><b/><b/><b/><b/><b/><b/><b/><b/><b/><b/></a>", 0, NULL, {0, 0, 10},
     IAM_ETOOBIG, chk_too_many},
    {"10 elements at a node limit of 10",
     "<a><b/><b/><b/><b/><b/><b/><b/><b/><b/></a>", 0, NULL, {0, 0, 10},
     IAM_OK, NULL},
    {"200,000 list members", NULL, 0, gen_many, {0, 0, 0}, IAM_OK, chk_many},
    {"truncated mid-element",
     "<GetAccessKeyLastUsedResponse><GetAccessKeyLastUsedResult><UserName>Bo",
     0, NULL, {0, 0, 0}, IAM_EPARSE, chk_malformed},
    {"truncated mid-tag", "<ErrorResponse><Error><Co", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_malformed},
    {"truncated inside the closing tag", "<a><b>x</b></a", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_malformed},
    {"mismatched tags", "<a><b></a></b>", 0, NULL, {0, 0, 0}, IAM_EPARSE,
     chk_malformed},
    {"two root elements", "<a/><b/>", 0, NULL, {0, 0, 0}, IAM_EPARSE,
     chk_malformed},
    {"invalid UTF-8 byte in text", "<a>\xff\xfe</a>", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_utf8},
    {"overlong UTF-8 in text", "<a>\xc0\xaf</a>", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_malformed},
    {"UTF-8 surrogate in text", "<a>\xed\xa0\x80</a>", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_malformed},
    {"UTF-8 cut at the end of the body", "<a>\xc3", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_malformed},
    {"invalid UTF-8 in a name", "<a\xff>x</a\xff>", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_malformed},
    {"NUL byte in the body", "<a>x\0y</a>", 10, NULL, {0, 0, 0}, IAM_EPARSE,
     chk_malformed},
    {"NUL character reference", "<a>&#0;</a>", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_malformed},
    {"empty body", "", 0, NULL, {0, 0, 0}, IAM_EPARSE, chk_empty},
    {"whitespace-only body", " \r\n\t ", 0, NULL, {0, 0, 0}, IAM_EPARSE,
     chk_malformed},
    {"plain text body", "Service Unavailable", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_malformed},
    {"well-formed HTML error page",
     "<html><body><b>Http/1.1 Service Unavailable</b></body></html>", 0,
     NULL, {0, 0, 0}, IAM_OK, chk_html},
    {"malformed HTML error page",
     "<html><head><title>503</title></head><body>Unavailable<br></body>"
     "</html>",
     0, NULL, {0, 0, 0}, IAM_EPARSE, chk_malformed},
    {"prefixed namespaces dropped",
     "<iam:GetUserResponse xmlns:iam=\"" IAM_NS "\"><iam:GetUserResult>"
     "<iam:User><iam:UserName>alice</iam:UserName></iam:User>"
     "</iam:GetUserResult></iam:GetUserResponse>",
     0, NULL, {0, 0, 0}, IAM_OK, chk_prefixed},
    {"undeclared namespace prefix", "<x:a>1</x:a>", 0, NULL, {0, 0, 0},
     IAM_EPARSE, chk_malformed},
    {"text, CDATA, comments, attributes and blanks",
     "<?xml version=\"1.0\"?>\n<?pi data?>\n<r a=\"1\">\n"
     "  <cdata>x<![CDATA[<y>]]>&amp;z</cdata>\n"
     "  <comment>a<!-- c -->b</comment>\n"
     "  <blank>  </blank>\n"
     "  <empty b=\"2\"/>\n"
     "  <inner> before <leaf>v</leaf> after </inner>\n"
     "</r>\n<!-- trailing -->\n",
     0, NULL, {0, 0, 0}, IAM_OK, chk_mixed},
    {"ISO-8859-1 body converted to UTF-8",
     "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>caf\xe9</a>", 0, NULL,
     {0, 0, 0}, IAM_OK, chk_latin1},
    {"UTF-16LE body with a BOM",
     "\xff\xfe<\0a\0>\0x\0\xe9\0<\0/\0a\0>\0", 20, NULL, {0, 0, 0}, IAM_OK,
     chk_utf16},
    {"unknown encoding", "<?xml version=\"1.0\" encoding=\"x-nope\"?><a/>", 0,
     NULL, {0, 0, 0}, IAM_EPARSE, chk_malformed},
};
/* clang-format on */

static void run_case(const struct xml_case *c)
{
    struct iam_err err;
    struct xml_doc *doc = (struct xml_doc *)&err; /* must be reset */
    char *owned = NULL;
    const char *body = c->body, *why = NULL;
    size_t len = c->len;
    int st;
    iam_err_clear(&err);
    if(c->make) {
        owned = c->make(&len);
        if(!owned) {
            unit_check(0, c->name, "cannot build the body");
            return;
        }
        body = owned;
    } else if(!len) {
        len = strlen(body);
    }
    st = xml_parse(body, len, &c->lim, &doc, &err);
    if(st != c->want) {
        why = "status";
    } else if(st == IAM_OK && (!doc || !xml_root(doc))) {
        why = "no document";
    } else if(st != IAM_OK && (doc || (int)err.st != st || !err.msg[0])) {
        why = "failure must leave no document and a message";
    } else if(c->check) {
        why = c->check(doc, &err);
    }
    unit_check(why == NULL, c->name, "%s (status %s, want %s; msg '%s')", why,
               iam_strstatus(st), iam_strstatus(c->want), err.msg);
    xml_free(doc);
    free(owned);
}

/* Every strict prefix of a real response must fail as a parse error, never
 * succeed or crash: truncation at each byte. */
static void truncation_sweep(void)
{
    size_t full = strlen(GET_KEY_OK) - 1, n, bad = 0, first = 0;
    for(n = 0; n < full; n++) {
        struct iam_err err;
        struct xml_doc *doc = NULL;
        iam_err_clear(&err);
        if(xml_parse(GET_KEY_OK, n, NULL, &doc, &err) != IAM_EPARSE || doc) {
            if(!bad)
                first = n;
            bad++;
        }
        xml_free(doc);
    }
    unit_check(bad == 0, "every truncation of a response is IAM_EPARSE",
               "%zu prefixes misparsed, first at %zu bytes", bad, first);
}

static void misc_cases(void)
{
    struct iam_err err;
    struct xml_doc *doc = NULL;
    struct xml_limits lim;
    xml_free(NULL);
    xml_limits_default(&lim);
    unit_check(lim.max_bytes == 10u * 1024 * 1024 && lim.max_depth == 256 &&
                   lim.max_nodes == 1000000,
               "default limits", "%zu %zu %zu", lim.max_bytes, lim.max_depth,
               lim.max_nodes);
    iam_err_clear(&err);
    unit_check(xml_parse(NULL, 3, NULL, &doc, &err) == IAM_EINVAL && !doc,
               "NULL data with a length", "%s", err.msg);
    iam_err_clear(&err);
    unit_check(xml_parse("<a/>", 4, NULL, NULL, &err) == IAM_EINVAL,
               "NULL output pointer", "%s", err.msg);
    unit_check(xml_parse("<a/>", 4, NULL, &doc, NULL) == IAM_OK && doc,
               "NULL err is allowed", "no document");
    xml_free(doc);
    unit_check(xml_error_response(NULL, NULL) == IAM_OK,
               "xml_error_response(NULL)", "not OK");
}

/* A non-blocking listener on an ephemeral port of 127.0.0.1. */
static int trap_open(void)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if(fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 4) ||
       getsockname(fd, (struct sockaddr *)&sa, &sl) ||
       fcntl(fd, F_SETFL, O_NONBLOCK)) {
        close(fd);
        return -1;
    }
    snprintf(trap_port, sizeof(trap_port), "%u", (unsigned)ntohs(sa.sin_port));
    return fd;
}

int main(void)
{
    size_t i;
    FILE *errs = tmpfile();
    int saved = dup(STDERR_FILENO);
    long printed = -1;
    struct stat st;
    trap_fd = trap_open();
    if(trap_fd < 0) {
        unit_check(0, "trap socket", "cannot listen on 127.0.0.1");
        return unit_done();
    }
    /* Whatever libxml2 might print would land here. */
    fflush(stderr);
    if(errs && saved >= 0)
        dup2(fileno(errs), STDERR_FILENO);
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i]);
    truncation_sweep();
    misc_cases();
    fflush(stderr);
    if(saved >= 0) {
        dup2(saved, STDERR_FILENO);
        close(saved);
    }
    if(errs && fstat(fileno(errs), &st) == 0)
        printed = (long)st.st_size;
    unit_check(printed == 0, "nothing printed on stderr", "%ld bytes written",
               printed);
    if(errs)
        fclose(errs);
    close(trap_fd);
    return unit_done();
}
