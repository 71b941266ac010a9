/* lyaml.h - YAML decoding (libyaml) for the aws module. */
#ifndef IAM_LYAML_H
#define IAM_LYAML_H

#include <lua.h>

/* [-1, +1|2, m] aws.yaml.decode(s): the first document as data-model
 * values, or nil and a message. */
int lyaml_decode(lua_State *L);

#endif
