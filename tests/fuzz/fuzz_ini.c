/* fuzz_ini.c - libFuzzer target: ini_parse over arbitrary bytes, then
 * every lookup on the result, plus ini_keyval_find and ini_utf8_valid. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    struct ini *ini = NULL;
    struct iam_err err;
    char why[256];
    char *v = NULL;
    memset(&err, 0, sizeof err);
    (void)ini_utf8_valid((const char *)data, len, why, sizeof why);
    if(ini_keyval_find((const char *)data, len, "AWSAccessKeyId", &v) == IAM_OK)
        free(v);
    if(ini_parse((const char *)data, len, "fuzz", &ini, &err) == IAM_OK) {
        size_t i, n = ini_nsections(ini);
        static const char *keys[] = { "aws_access_key_id", "region", "s3",
                                      "output", "services", "" };
        for(i = 0; i < n; i++) {
            const char *sec = ini_section_name(ini, i);
            size_t k;
            /* a name holding a NUL reads cut at it (ini.h), so only
             * presence is checked, not ini_has_section(name) */
            if(!sec) __builtin_trap();
            (void)ini_has_section(ini, sec);
            for(k = 0; k < sizeof keys / sizeof keys[0]; k++) {
                const char *val = ini_get(ini, sec, keys[k]);
                if(val) (void)strlen(val);
                (void)ini_has_key(ini, sec, keys[k]);
                val = ini_get_sub(ini, sec, keys[k], "endpoint_url");
                if(val) (void)strlen(val);
            }
        }
        (void)ini_get(ini, "profile default", "region");
        (void)ini_has_section(ini, "DEFAULT");
        ini_free(ini);
    } else {
        if(ini) __builtin_trap();
        if(memchr(err.msg, 0, sizeof err.msg) == NULL) __builtin_trap();
    }
    return 0;
}
