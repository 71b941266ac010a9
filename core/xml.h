/* xml.h - a response body parsed into our own element tree.
 *
 * libxml2 parses; nothing of it leaks out of xml.c. The parse is streaming
 * (SAX2 callbacks build the tree directly, no libxml2 document exists), so
 * the depth and node limits are enforced while parsing, before memory is
 * spent. Hostile documents are refused, not defused: any DOCTYPE (internal
 * subset included) stops the parse before its declarations are read, so no
 * entity is ever declared, expanded or fetched, and the network is off.
 * libxml2's messages go into err->msg through a handler on the parser
 * context; nothing is printed.
 *
 * The tree keeps elements only: local names (prefixes and namespaces
 * dropped), text, children in document order. Attributes, comments and
 * processing instructions are ignored. Reentrant: parses share no state.
 */
#ifndef IAM_XML_H
#define IAM_XML_H

#include <stddef.h>

#include "err.h"

struct xml_node {
    const char *name; /* local name, no prefix */
    /* Text and CDATA of a leaf (an element without element children),
     * concatenated and NUL-terminated; "" for containers and empty leaves,
     * so whitespace between elements never shows up. */
    const char *text;
    size_t text_len;
    struct xml_node *child, *next; /* first child; next sibling */
    size_t nchildren;
};

/* A zero field means "use the default". */
struct xml_limits {
    size_t max_bytes; /* body size; default 10 MiB, never above INT_MAX */
    size_t max_depth; /* element nesting, root is 1; default 256 (libxml2
                         itself stops at 256) */
    size_t max_nodes; /* elements in the document; default 1,000,000 */
};

void xml_limits_default(struct xml_limits *lim);

/* Owns every node and string of one parse (one arena). */
struct xml_doc;

/* Parses len bytes at data (not NUL-terminated, not retained). lim may be
 * NULL for the defaults. On IAM_OK *out is a new document the caller frees
 * with xml_free. Otherwise *out is NULL and err holds the reason:
 * IAM_ETOOBIG (body, depth or node limit), IAM_EPARSE (empty, malformed,
 * truncated, not UTF-8, has a DOCTYPE), IAM_ENOMEM, IAM_EINVAL. */
int xml_parse(const char *data, size_t len, const struct xml_limits *lim,
              struct xml_doc **out, struct iam_err *err);

/* The root element; never NULL for a parsed document. */
const struct xml_node *xml_root(const struct xml_doc *doc);

/* First child of n whose local name is name, or NULL (also for n NULL). */
const struct xml_node *xml_child(const struct xml_node *n, const char *name);

/* Follows slash-separated child names from n ("Result/UserName"); empty
 * segments are skipped, so "" is n itself. NULL when a step is missing. */
const struct xml_node *xml_path(const struct xml_node *n,
                                const char *slash_path);

/* Frees doc and everything it owns; NULL is a no-op. */
void xml_free(struct xml_doc *doc);

/* Recognises an AWS error document at root:
 *   <ErrorResponse><Error><Type/><Code/><Message/></Error>
 *                  <RequestId/></ErrorResponse>            (Query)
 *   <Response><Errors><Error>...</Error></Errors>
 *             <RequestID/></Response>                      (EC2 style)
 *   <Error><Code/><Message/><RequestId/></Error>           (bare)
 * If it is one, and err is still empty (first error wins), fills err->code,
 * err->msg (the server's message verbatim, possibly empty; long values are
 * cut at a UTF-8 boundary) and err->request_id, sets st = IAM_ESERVICE and
 * kind = IAM_KIND_SERVICE; returns IAM_ESERVICE. Otherwise IAM_OK. */
int xml_error_response(const struct xml_node *root, struct iam_err *err);

#endif
