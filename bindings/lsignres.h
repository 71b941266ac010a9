/* lsignres.h - the value aws.sign returns: one userdata holding a copy of
 * the signer's output, whose fields become Lua values on first access.
 *
 * Building a table of six fields, a headers array of pairs and their long
 * strings cost more than signing itself (tests/bench/PROFILE.md); a loop
 * that signs and reads only the signature or the headers makes just what
 * it reads. It reads like a table: s.signature, s.headers, ...; pairs(s)
 * lists every field that is not nil (canonical_request, string_to_sign,
 * signature, authorization, headers, url, then keys the script set);
 * assignment works for any key. A field's value is made once and kept, so
 * s.headers is the same table every time and changes to it stay. It is
 * not a table to type(), next() or rawget().
 */
#ifndef IAM_LSIGNRES_H
#define IAM_LSIGNRES_H

#include "sigv4.h"

#include <lua.h>

#define LSIGNRES_MT "aws.signature"

/* What one signature produced, borrowed for the duration of
 * lsignres_push. headers and more are sent in that order; authorization
 * is NULL in presign mode (the field is then nil). The url is
 * url_prefix (scheme://authority, may be empty), path and, when query_len
 * is not 0, '?' and query. */
struct lsignres_parts {
    const char *canonical_request, *string_to_sign, *signature,
        *authorization;
    size_t canonical_request_len, string_to_sign_len, signature_len,
        authorization_len;
    const struct sigv4_header *headers, *more;
    size_t nheaders, nmore;
    const char *url_prefix, *path, *query;
    size_t url_prefix_len, path_len, query_len;
};

/* [-0, +0, m] Registers the metatable (once per state, before any push). */
void lsignres_init(lua_State *L);
/* [-0, +1, m] Pushes a new result holding a copy of p. */
void lsignres_push(lua_State *L, const struct lsignres_parts *p);

#endif
