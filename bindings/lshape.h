/* lshape.h - an XML element tree (core/xml.h) as Lua values.
 *
 * Conversion follows a botocore-like shape written as a Lua table, or is
 * generic when there is none. Results use aws.value's layout: objects are
 * tables with metatable value.object_mt (string keys hold values, integer
 * keys 1..n the key names in order), arrays have value.array_mt.
 *
 * Shapes (all fields read with raw access, so no metamethod runs):
 *   {type="structure", members={ {name="UserName", shape=S,
 *                                 location_name="XmlName"?}, ... }}
 *       object with members in shape order; absent elements omitted;
 *       elements the shape does not name ignored (as botocore does).
 *   {type="list", member=S, member_name="member"?, flattened=false?}
 *       array of every child element (botocore ignores their names);
 *       flattened: the structure's repeated elements named member_name
 *       (else location_name, else the member name) are the items.
 *   {type="map", key=S, value=S, key_name="key"?, value_name="value"?,
 *    flattened=false?}
 *       object from <entry><key/><value/></entry>; keys are the key text,
 *       a repeated key keeps its first place and last value, an entry
 *       without key or value is skipped.
 *   {type="string"|"character"|"blob"}   text as sent (blobs stay base64)
 *   {type="integer"|"long"}   Lua integer (text kept if not an int64)
 *   {type="boolean"}          true iff the text is "true" (botocore)
 *   {type="double"|"float"}   Lua float (text kept if not a number)
 *   {type="timestamp"}        see lshape_ctx.wire_timestamps
 * A missing or unknown type converts generically:
 *   element without element children -> its text
 *   children all named "member" -> array
 *   children all <entry> with a <key> -> object key text -> value
 *   two or more children, all with one name -> array
 *   otherwise -> object by child name in document order; a repeated name
 *   becomes an array of its elements at the first one's position.
 */
#ifndef IAM_LSHAPE_H
#define IAM_LSHAPE_H

#include <lua.h>

struct xml_node;

struct lshape_ctx {
    /* Stack indices of value.object_mt / value.array_mt (0: none). */
    int object_mt, array_mt;
    /* Nonzero keeps timestamp text as sent (cli_timestamp_format = wire).
     * Zero prints what AWS CLI v2 prints by default (iso8601): Python's
     * isoformat() of the parsed time, "2024-02-29T13:07:42+00:00",
     * microseconds only when nonzero; text that is not an ISO 8601 date
     * and time is kept as sent. */
    int wire_timestamps;
};

/* [-0, +1, m] Pushes the Lua value for node n (nil when n is NULL).
 * shape_idx: stack index of the shape table, or 0 for a generic
 * conversion. Reentrant; the tree is only read. Besides memory errors it
 * raises only if the Lua stack cannot grow by a few slots per level of
 * nesting, which xml_parse's depth limit keeps far away. */
void lshape_push(lua_State *L, const struct xml_node *n, int shape_idx,
                 const struct lshape_ctx *ctx);

/* [-0, +1, m] The timestamp text (n bytes) as wire_timestamps == 0 prints
 * it: isoformat() of an ISO 8601 date and time, else the text as sent. */
void lshape_push_timestamp_text(lua_State *L, const char *text, size_t n);

#endif
