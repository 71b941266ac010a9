/* floor.c - the floor for any binary built on iamlua's libraries: it loads
 * the same shared libraries (linked with the same flags, kept with
 * -Wl,--no-as-needed; liblua and jansson static as in iamlua) and touches
 * one symbol of each, then exits. libedit and libyaml are opened by iamlua
 * only when used, so the floor has neither. Built by tests/bench/bench.mk;
 * `make bench` times it next to iamlua. */
#include <curl/curl.h>
#include <jansson.h>
#include <lauxlib.h>
#include <libxml/xmlversion.h>
#include <openssl/crypto.h>

#include <stdint.h>

/* One address per library, so each needs a relocation resolved at load. */
static void (*volatile const touched[])(void) = {
    (void (*)(void))luaL_newstate,  (void (*)(void))curl_version,
    (void (*)(void))xmlCheckVersion, (void (*)(void))OpenSSL_version_num,
    (void (*)(void))json_object,
};

int main(void)
{
    uintptr_t sum = 0;
    size_t i;
    for(i = 0; i < sizeof(touched) / sizeof(touched[0]); i++)
        sum += (uintptr_t)touched[i];
    return sum == 0;
}
