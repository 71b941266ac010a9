/* lsign.h - aws.sign, the Lua face of core/sigv4 (DESIGN.md 1.3). */
#ifndef IAM_LSIGN_H
#define IAM_LSIGN_H

#include <lua.h>

/* aws.sign{method=, url= | path= [query=], headers=, body= | payload_hash=,
 * service=, region=, credentials={...}, time=, presign=, expires=,
 * normalize_path=, double_encode=, omit_session_token=, sign_body=}
 * [-0, +1, v]: returns a result (lsignres.h) with canonical_request,
 * string_to_sign, signature, authorization (header mode), headers (the
 * ordered pairs to send) and url. Raises on misuse (wrong types, input the
 * signer refuses); leaves its argument table unchanged. */
void lsign_push(lua_State *L); /* [-0, +1, m] pushes the function */

#endif
