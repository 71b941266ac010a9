/* fuzz_xml.c - libFuzzer target: xml_parse, then xml_error_response and
 * a few path lookups on whatever parsed. Any input must give IAM_OK or an
 * error status with a message, never a crash, leak or UB. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "err.h"
#include "xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void walk(const struct xml_node *n, size_t depth)
{
    for(; n; n = n->next) {
        /* touch every byte the tree claims to own */
        volatile size_t s = strlen(n->name) + strlen(n->text);
        (void)s;
        if(n->text_len && n->text[n->text_len - 1] == 0) __builtin_trap();
        if(depth < 1000) walk(n->child, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct xml_doc *doc = NULL;
    struct iam_err err;
    struct xml_limits lim;
    memset(&err, 0, sizeof err);
    /* small limits on half of the inputs, so the limit paths get hit too */
    xml_limits_default(&lim);
    if(len && (data[0] & 1)) {
        lim.max_depth = 8;
        lim.max_nodes = 64;
        lim.max_bytes = 4096;
    }
    if(xml_parse((const char *)data, len, &lim, &doc, &err) == IAM_OK) {
        const struct xml_node *root = xml_root(doc);
        struct iam_err e2;
        if(!root) __builtin_trap();
        walk(root, 0);
        (void)xml_path(root, "GetAccessKeyLastUsedResult/AccessKeyLastUsed/LastUsedDate");
        (void)xml_path(root, "//Error//Code/");
        (void)xml_child(root, "ResponseMetadata");
        memset(&e2, 0, sizeof e2);
        xml_error_response(root, &e2);
        if(memchr(e2.msg, 0, sizeof e2.msg) == NULL) __builtin_trap();
        if(memchr(e2.code, 0, sizeof e2.code) == NULL) __builtin_trap();
        xml_free(doc);
    } else {
        if(doc) __builtin_trap(); /* contract: *out NULL on failure */
        if(memchr(err.msg, 0, sizeof err.msg) == NULL) __builtin_trap();
    }
    return 0;
}
