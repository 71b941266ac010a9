/* unit.h - the tiny harness every C unit test uses.
 *
 * Output is one line per case, as every suite in tests/ prints it:
 *   ok - NAME
 *   not ok - NAME: DETAIL
 * tests/run.sh counts those lines; main returns unit_done(), non-zero when
 * any case failed. Cases are tables of named inputs, like curl's unit1980.
 */
#ifndef IAM_UNIT_H
#define IAM_UNIT_H

#include <stdarg.h>
#include <stdio.h>

static int unit_failed, unit_passed;

#ifdef __GNUC__
__attribute__((format(printf, 3, 4), unused))
#endif
static int unit_check(int ok, const char *name, const char *fmt, ...)
{
    if(ok) {
        printf("ok - %s\n", name);
        unit_passed++;
    } else {
        va_list ap;
        printf("not ok - %s: ", name);
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        putchar('\n');
        unit_failed++;
    }
    fflush(stdout);
    return ok;
}

#ifdef __GNUC__
__attribute__((unused))
#endif
static int unit_done(void)
{
    return unit_failed ? 1 : 0;
}

#endif
