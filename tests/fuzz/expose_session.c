/* expose_session.c - core/session.c plus a wrapper (expose.h). */
#include "../../core/session.c"
#include "expose.h"

long long fuzz_http_date(const char *d)
{
    return http_date(d);
}
