/* floor.c - the floor for any binary built on iamlua's libraries: it loads
 * the same shared libraries (linked with the same -l flags, kept with
 * -Wl,--no-as-needed) and touches one symbol of each, then exits. Built by
 * tests/bench/bench.mk; `make bench` times it next to iamlua. */
#include <curl/curl.h>
#include <jansson.h>
#include <lauxlib.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>
#include <yaml.h>

#include <stdint.h>

/* One address per library, so each needs a relocation resolved at load. */
static void (*volatile const touched[])(void) = {
    (void (*)(void))luaL_newstate,  (void (*)(void))curl_version,
    (void (*)(void))xmlCheckVersion, (void (*)(void))OpenSSL_version_num,
    (void (*)(void))json_object,    (void (*)(void))yaml_get_version_string,
};

int main(void)
{
    uintptr_t sum = 0;
    size_t i;
    for(i = 0; i < sizeof(touched) / sizeof(touched[0]); i++)
        sum += (uintptr_t)touched[i];
    return sum == 0;
}
