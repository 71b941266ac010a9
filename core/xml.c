/* xml.c - libxml2 SAX2 events into our element tree (see xml.h).
 *
 * Why SAX and not a document or the reader API: the callbacks build our
 * tree directly, so no libxml2 tree is ever allocated, the depth and node
 * limits stop the parse at the first element over them, and the DOCTYPE
 * refusal happens in the internalSubset callback, which libxml2 calls after
 * reading `<!DOCTYPE name ...` and before the `[...]` subset: not a single
 * entity or attribute declaration is parsed. The one DOCTYPE let through is
 * the bare `<!DOCTYPE name>` (no public or system identifier, no internal
 * subset), which declares nothing and names nothing to fetch: HTML error
 * pages from proxies start with `<!DOCTYPE html>`, and the AWS CLI's expat
 * parses them. The handlers live in the parser context (ctxt->sax, serror
 * included), never in libxml2's globals.
 */
#include "xml.h"

#include <limits.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "buf.h"

/* libxml2 2.12 made the structured error argument const. */
#if LIBXML_VERSION >= 21200
#define XML_ERROR_CONST const
#else
#define XML_ERROR_CONST
#endif

#define XML_DEFAULT_BYTES ((size_t)10 * 1024 * 1024)
/* libxml2's own default nesting limit; the CLI (expat) parses 100 levels. */
#define XML_DEFAULT_DEPTH 256
#define XML_DEFAULT_NODES 1000000

/* Never XML_PARSE_NOENT, DTDLOAD, DTDATTR, XINCLUDE or HUGE. */
#define XML_OPTIONS (XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)

/* Arena blocks: a header, then bytes handed out in order. */
struct block {
    struct block *next;
    size_t cap, used;
    alignas(max_align_t) unsigned char data[];
};

/* The first block of a document's arena holds the doc itself, so a small
 * response costs one malloc. */
struct xml_doc {
    struct block *blocks; /* newest first; the last one holds this doc */
    struct xml_node *root;
};

/* libxml2 interns names in its dictionary, so a name's pointer identifies
 * it for the whole parse: map pointer -> our copy to store each name once. */
struct name_slot {
    const xmlChar *key;
    const char *copy;
};

struct frame {
    struct xml_node *node, *last; /* open element; its last child so far */
};

struct builder {
    xmlParserCtxtPtr ctxt;
    struct iam_err *err;
    int status; /* first failure, ours or libxml2's */
    struct xml_doc *doc;
    struct block *cur;
    size_t next_block;
    struct frame *stack;
    size_t depth, stack_cap;
    size_t max_depth, max_nodes, nodes;
    struct buf text; /* text of the open element while it is a leaf */
    struct name_slot *names;
    size_t names_cap, names_used;
};

#define BLOCK_MIN ((size_t)4096)
#define BLOCK_MAX ((size_t)1024 * 1024)

void xml_limits_default(struct xml_limits *lim)
{
    lim->max_bytes = XML_DEFAULT_BYTES;
    lim->max_depth = XML_DEFAULT_DEPTH;
    lim->max_nodes = XML_DEFAULT_NODES;
}

/* Remembers the first failure (err already holds its message); every
 * later callback then does nothing. */
static void fail(struct builder *b, int st)
{
    if(!b->status)
        b->status = st;
}

/* Fails and halts libxml2. Only from element and DOCTYPE callbacks, where
 * xmlStopParser is meant to be called; inside an error report or a text
 * run libxml2 may still hold pointers into the input it would free. */
static void stop(struct builder *b, int st)
{
    fail(b, st);
    xmlStopParser(b->ctxt);
}

static struct block *block_new(size_t cap)
{
    struct block *blk;
    if(cap > SIZE_MAX - sizeof(*blk))
        return NULL;
    blk = malloc(sizeof(*blk) + cap);
    if(!blk)
        return NULL;
    blk->next = NULL;
    blk->cap = cap;
    blk->used = 0;
    return blk;
}

/* n bytes from the arena aligned to `align` (a power of two), or NULL. */
static void *arena_alloc(struct builder *b, size_t n, size_t align)
{
    struct block *blk = b->cur;
    size_t at = (blk->used + align - 1) & ~(align - 1);
    if(at > blk->cap || blk->cap - at < n) {
        size_t cap = b->next_block;
        if(cap < n + align)
            cap = n + align;
        blk = block_new(cap);
        if(!blk)
            return NULL;
        blk->next = b->doc->blocks;
        b->doc->blocks = blk;
        b->cur = blk;
        if(b->next_block < BLOCK_MAX)
            b->next_block *= 2;
        at = 0;
    }
    blk->used = at + n;
    return blk->data + at;
}

static char *arena_strdup(struct builder *b, const char *s, size_t n)
{
    char *p = arena_alloc(b, n + 1, 1);
    if(p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static size_t name_hash(const xmlChar *key)
{
    uintptr_t h = (uintptr_t)key >> 3;
    h *= (uintptr_t)0x9E3779B97F4A7C15ULL;
    return (size_t)(h ^ (h >> 29));
}

static int names_grow(struct builder *b)
{
    size_t cap = b->names_cap ? b->names_cap * 2 : 64, i;
    struct name_slot *t = calloc(cap, sizeof(*t));
    if(!t)
        return IAM_ENOMEM;
    for(i = 0; i < b->names_cap; i++) {
        size_t j;
        if(!b->names[i].key)
            continue;
        j = name_hash(b->names[i].key) & (cap - 1);
        while(t[j].key)
            j = (j + 1) & (cap - 1);
        t[j] = b->names[i];
    }
    free(b->names);
    b->names = t;
    b->names_cap = cap;
    return IAM_OK;
}

/* Our arena copy of a libxml2 dictionary name, copied once per parse. */
static const char *intern(struct builder *b, const xmlChar *key)
{
    size_t j;
    char *copy;
    if(b->names_used * 2 >= b->names_cap && names_grow(b))
        return NULL;
    j = name_hash(key) & (b->names_cap - 1);
    while(b->names[j].key) {
        if(b->names[j].key == key)
            return b->names[j].copy;
        j = (j + 1) & (b->names_cap - 1);
    }
    copy = arena_strdup(b, (const char *)key, strlen((const char *)key));
    if(!copy)
        return NULL;
    b->names[j].key = key;
    b->names[j].copy = copy;
    b->names_used++;
    return copy;
}

static int push_frame(struct builder *b, struct xml_node *node)
{
    if(b->depth == b->stack_cap) {
        size_t cap = b->stack_cap ? b->stack_cap * 2 : 16;
        struct frame *s = realloc(b->stack, cap * sizeof(*s));
        if(!s)
            return IAM_ENOMEM;
        b->stack = s;
        b->stack_cap = cap;
    }
    b->stack[b->depth].node = node;
    b->stack[b->depth].last = NULL;
    b->depth++;
    return IAM_OK;
}

static struct xml_node *new_node(struct builder *b, const xmlChar *localname)
{
    struct xml_node *n = arena_alloc(b, sizeof(*n), alignof(struct xml_node));
    if(!n)
        return NULL;
    n->name = intern(b, localname);
    if(!n->name)
        return NULL;
    n->text = "";
    n->text_len = 0;
    n->child = n->next = NULL;
    n->nchildren = 0;
    return n;
}

static void on_start(void *ud, const xmlChar *localname, const xmlChar *prefix,
                     const xmlChar *uri, int nns, const xmlChar **ns,
                     int nattrs, int ndefaulted, const xmlChar **attrs)
{
    struct builder *b = ud;
    struct xml_node *n;
    (void)prefix, (void)uri, (void)nns, (void)ns, (void)nattrs;
    (void)ndefaulted, (void)attrs;
    if(b->status)
        return;
    if(b->depth >= b->max_depth) {
        iam_errf(b->err, IAM_ETOOBIG,
                 "XML response nests deeper than %zu elements", b->max_depth);
        stop(b, IAM_ETOOBIG);
        return;
    }
    if(b->nodes >= b->max_nodes) {
        iam_errf(b->err, IAM_ETOOBIG, "XML response has more than %zu elements",
                 b->max_nodes);
        stop(b, IAM_ETOOBIG);
        return;
    }
    n = new_node(b, localname);
    if(!n || push_frame(b, n)) {
        iam_errf(b->err, IAM_ENOMEM, "out of memory parsing XML response");
        stop(b, IAM_ENOMEM);
        return;
    }
    b->nodes++;
    if(b->depth == 1) {
        b->doc->root = n;
    } else {
        struct frame *parent = &b->stack[b->depth - 2];
        if(parent->last)
            parent->last->next = n;
        else
            parent->node->child = n;
        parent->last = n;
        parent->node->nchildren++;
    }
    /* The parent is a container now: whatever text it had is dropped. */
    buf_reset(&b->text);
}

static void on_end(void *ud, const xmlChar *localname, const xmlChar *prefix,
                   const xmlChar *uri)
{
    struct builder *b = ud;
    struct xml_node *n;
    (void)localname, (void)prefix, (void)uri;
    if(b->status || b->depth == 0)
        return;
    n = b->stack[--b->depth].node;
    if(n->nchildren == 0 && b->text.len > 0) {
        char *t = arena_strdup(b, b->text.data, b->text.len);
        if(!t) {
            iam_errf(b->err, IAM_ENOMEM, "out of memory parsing XML response");
            fail(b, IAM_ENOMEM);
            return;
        }
        n->text = t;
        n->text_len = b->text.len;
    }
    buf_reset(&b->text);
}

/* Text and CDATA count only while the open element has no element child. */
static void on_text(void *ud, const xmlChar *ch, int len)
{
    struct builder *b = ud;
    int st;
    if(b->status || b->depth == 0 || len <= 0)
        return;
    if(b->stack[b->depth - 1].node->nchildren > 0)
        return;
    st = buf_add(&b->text, ch, (size_t)len);
    if(st) {
        iam_errf(b->err, st, st == IAM_ENOMEM
                                 ? "out of memory parsing XML response"
                                 : "XML response text too large");
        fail(b, st);
    }
}

static void refuse_doctype(struct builder *b)
{
    iam_errf(b->err, IAM_EPARSE, "response contains a DOCTYPE; refused");
    stop(b, IAM_EPARSE);
}

/* libxml2 calls this with the name and identifiers read, blanks skipped,
 * and the input at the '[' of an internal subset or the closing '>'. Only
 * the bare form, closing at once, is accepted. */
static void on_doctype(void *ud, const xmlChar *name, const xmlChar *extid,
                       const xmlChar *sysid)
{
    struct builder *b = ud;
    const xmlChar *cur = b->ctxt->input ? b->ctxt->input->cur : NULL;
    if(!name || extid || sysid || !cur || *cur != '>')
        refuse_doctype(b);
}

/* Called after any DOCTYPE, bare or not; only a bare one gets here. */
static void on_external_subset(void *ud, const xmlChar *name,
                               const xmlChar *extid, const xmlChar *sysid)
{
    (void)name;
    if(extid || sysid)
        refuse_doctype(ud);
}

/* Belt and braces: the DOCTYPE stop comes first, so this never runs. */
static void on_entity_decl(void *ud, const xmlChar *name, int type,
                           const xmlChar *pubid, const xmlChar *sysid,
                           xmlChar *content)
{
    (void)name, (void)type, (void)pubid, (void)sysid, (void)content;
    refuse_doctype(ud);
}

/* Copies libxml2's message, one line, without its trailing newline. */
static void on_error(void *ud, XML_ERROR_CONST xmlError *e)
{
    struct builder *b = ud;
    char line[512];
    size_t n = 0, i;
    int st;
    if(b->status || !e || e->level < XML_ERR_ERROR)
        return;
    if(e->message) {
        for(i = 0; e->message[i] && n < sizeof(line) - 1; i++) {
            char c = e->message[i];
            line[n++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
        }
    }
    while(n > 0 && line[n - 1] == ' ')
        n--;
    line[n] = '\0';
    st = e->code == XML_ERR_NO_MEMORY ? IAM_ENOMEM : IAM_EPARSE;
    iam_errf(b->err, st, "malformed XML response: line %d, column %d: %s",
             e->line, e->int2, n ? line : "parse error");
    fail(b, st);
}

static void builder_fill_sax(xmlSAXHandler *sax)
{
    memset(sax, 0, sizeof(*sax));
    sax->initialized = XML_SAX2_MAGIC;
    sax->internalSubset = on_doctype;
    sax->externalSubset = on_external_subset;
    sax->entityDecl = on_entity_decl;
    sax->startElementNs = on_start;
    sax->endElementNs = on_end;
    sax->characters = on_text;
    sax->ignorableWhitespace = on_text;
    sax->cdataBlock = on_text;
    sax->serror = on_error;
}

static int builder_init(struct builder *b, size_t len,
                        const struct xml_limits *lim, struct iam_err *err)
{
    size_t first = len * 2 + 1024;
    memset(b, 0, sizeof(*b));
    b->err = err;
    b->max_depth = lim->max_depth;
    b->max_nodes = lim->max_nodes;
    /* Converting another encoding to UTF-8 can grow text by half. */
    buf_init(&b->text, len * 2 + 16);
    if(first > BLOCK_MAX)
        first = BLOCK_MAX;
    b->cur = block_new(sizeof(struct xml_doc) + first);
    if(!b->cur)
        return iam_errf(err, IAM_ENOMEM, "out of memory parsing XML response");
    b->doc = (struct xml_doc *)b->cur->data;
    b->cur->used = sizeof(struct xml_doc);
    b->doc->blocks = b->cur;
    b->doc->root = NULL;
    b->next_block = first < BLOCK_MIN ? BLOCK_MIN : first;
    return IAM_OK;
}

static void builder_free(struct builder *b)
{
    buf_free(&b->text);
    free(b->stack);
    free(b->names);
}

/* Drops a message libxml2 reports without a parser context (it has none
 * yet while creating one, or none at hand while growing an input buffer
 * when out of memory); the default handler would print it on stderr. */
static void on_generic_error(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
}

/* Runs libxml2 over data with our handlers; returns b->status or a
 * generic parse error when libxml2 failed without saying why. Context-free
 * messages are silenced for the duration only: the thread's handlers are
 * put back as they were. */
static int run_parser(struct builder *b, const char *data, size_t len)
{
    xmlSAXHandler sax;
    xmlSAXHandlerPtr saved;
    xmlGenericErrorFunc gfunc = xmlGenericError;
    void *gctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc sfunc = xmlStructuredError;
    void *sctx = xmlStructuredErrorContext;
    int ok, oom;
    xmlSetGenericErrorFunc(NULL, on_generic_error);
    xmlSetStructuredErrorFunc(NULL, NULL);
    b->ctxt = xmlCreateMemoryParserCtxt(data, (int)len);
    if(!b->ctxt) {
        xmlSetGenericErrorFunc(gctx, gfunc);
        xmlSetStructuredErrorFunc(sctx, sfunc);
        return iam_errf(b->err, IAM_ENOMEM, "cannot create XML parser");
    }
    xmlCtxtUseOptions(b->ctxt, XML_OPTIONS);
    builder_fill_sax(&sax);
    saved = b->ctxt->sax;
    b->ctxt->sax = &sax;
    b->ctxt->userData = b;
    ok = xmlParseDocument(b->ctxt) == 0 && b->ctxt->wellFormed;
    oom = b->ctxt->errNo == XML_ERR_NO_MEMORY;
    b->ctxt->sax = saved;
    /* libxml2 builds a document of its own for "SAX compatibility" when
     * an entity declaration is read, even after we stopped the parser at
     * the DOCTYPE; the context does not free it (fuzz_stsxml found it). */
    if(b->ctxt->myDoc) {
        xmlFreeDoc(b->ctxt->myDoc);
        b->ctxt->myDoc = NULL;
    }
    xmlFreeParserCtxt(b->ctxt);
    b->ctxt = NULL;
    xmlSetGenericErrorFunc(gctx, gfunc);
    xmlSetStructuredErrorFunc(sctx, sfunc);
    if(b->status)
        return b->status;
    if(!ok && oom)
        return iam_errf(b->err, IAM_ENOMEM,
                        "out of memory parsing XML response");
    if(!ok || !b->doc->root || b->depth != 0)
        return iam_errf(b->err, IAM_EPARSE, "malformed XML response");
    return IAM_OK;
}

static void limits_resolve(struct xml_limits *out, const struct xml_limits *lim)
{
    xml_limits_default(out);
    if(lim) {
        if(lim->max_bytes)
            out->max_bytes = lim->max_bytes;
        if(lim->max_depth)
            out->max_depth = lim->max_depth;
        if(lim->max_nodes)
            out->max_nodes = lim->max_nodes;
    }
    if(out->max_bytes > INT_MAX)
        out->max_bytes = INT_MAX;
}

int xml_parse(const char *data, size_t len, const struct xml_limits *lim,
              struct xml_doc **out, struct iam_err *err)
{
    struct xml_limits l;
    struct builder b;
    int result;
    if(!out)
        return iam_errf(err, IAM_EINVAL, "xml_parse: no output pointer");
    *out = NULL;
    if(!data && len)
        return iam_errf(err, IAM_EINVAL, "xml_parse: no data");
    limits_resolve(&l, lim);
    if(len > l.max_bytes)
        return iam_errf(err, IAM_ETOOBIG,
                        "XML response is larger than %zu bytes", l.max_bytes);
    if(len == 0)
        return iam_errf(err, IAM_EPARSE, "empty XML response");
    result = builder_init(&b, len, &l, err);
    if(!result)
        result = run_parser(&b, data, len);
    builder_free(&b);
    if(result) {
        if(b.doc)
            xml_free(b.doc);
        return result;
    }
    *out = b.doc;
    return IAM_OK;
}

const struct xml_node *xml_root(const struct xml_doc *doc)
{
    return doc ? doc->root : NULL;
}

const struct xml_node *xml_child(const struct xml_node *n, const char *name)
{
    const struct xml_node *c;
    if(!n || !name)
        return NULL;
    for(c = n->child; c; c = c->next) {
        if(strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

/* Like xml_child with a name that is not NUL-terminated. */
static const struct xml_node *child_n(const struct xml_node *n,
                                      const char *name, size_t len)
{
    const struct xml_node *c;
    for(c = n->child; c; c = c->next) {
        if(strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
            return c;
    }
    return NULL;
}

const struct xml_node *xml_path(const struct xml_node *n,
                                const char *slash_path)
{
    const char *p = slash_path;
    if(!p)
        return n;
    while(n && *p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if(len > 0)
            n = child_n(n, p, len);
        p += len;
        if(*p == '/')
            p++;
    }
    return n;
}

void xml_free(struct xml_doc *doc)
{
    struct block *blk;
    if(!doc)
        return;
    /* The doc lives in the oldest block, the last of the list. */
    blk = doc->blocks;
    while(blk) {
        struct block *next = blk->next;
        free(blk);
        blk = next;
    }
}

/* Copies a leaf's text into dst (size cap), cut at a UTF-8 boundary. */
static void copy_text(char *dst, size_t cap, const struct xml_node *n)
{
    size_t len = n ? n->text_len : 0;
    if(len >= cap) {
        len = cap - 1;
        /* Back off continuation bytes so no character is split. */
        while(len > 0 && ((unsigned char)n->text[len] & 0xC0) == 0x80)
            len--;
    }
    if(len)
        memcpy(dst, n->text, len);
    dst[len] = '\0';
}

/* The <Error> element of an error document, or NULL. */
static const struct xml_node *find_error(const struct xml_node *root,
                                         const struct xml_node **reqid)
{
    const struct xml_node *e = NULL;
    *reqid = NULL;
    if(strcmp(root->name, "ErrorResponse") == 0) {
        /* botocore lifts <Errors><Error> to <Error> in any error body;
         * moto answers auth failures that way. */
        e = xml_child(root, "Error");
        if(!e)
            e = xml_path(root, "Errors/Error");
        *reqid = xml_child(root, "RequestId");
        if(!e)
            e = root; /* still an error document, only without details */
    } else if(strcmp(root->name, "Response") == 0) {
        e = xml_path(root, "Errors/Error");
        *reqid = xml_child(root, "RequestID");
        if(!*reqid)
            *reqid = xml_child(root, "RequestId");
    } else if(strcmp(root->name, "Error") == 0) {
        e = root;
    }
    if(e && !*reqid) {
        *reqid = xml_child(e, "RequestId");
        if(!*reqid)
            *reqid = xml_child(e, "RequestID");
    }
    return e;
}

int xml_error_response(const struct xml_node *root, struct iam_err *err)
{
    const struct xml_node *e, *reqid;
    if(!root)
        return IAM_OK;
    e = find_error(root, &reqid);
    if(!e)
        return IAM_OK;
    if(err && err->st == IAM_OK) {
        err->st = IAM_ESERVICE;
        copy_text(err->code, sizeof(err->code), xml_child(e, "Code"));
        copy_text(err->msg, sizeof(err->msg), xml_child(e, "Message"));
        copy_text(err->request_id, sizeof(err->request_id), reqid);
    }
    iam_err_kind(err, IAM_KIND_SERVICE);
    return IAM_ESERVICE;
}
