/* creds_process.c - credential_process, as botocore's ProcessProvider.
 *
 * The command is split like Python's shlex.split (POSIX mode) and run
 * without a shell (posix_spawnp, so PATH is searched as Popen does). Its
 * stdout must be JSON with Version 1; stdout and stderr are captured (as
 * botocore's Popen(stdout=PIPE, stderr=PIPE) does: stderr shows only in
 * the error of a failed run), bounded, and stdout is wiped after parsing.
 */
#include "creds_int.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PROC "custom-process"
#define OUT_MAX (1 << 20)
#define MAX_ARGS 256

extern char **environ;

/* ---- shlex.split ---- */

struct words {
    char *store; /* all words, NUL-separated */
    char *argv[MAX_ARGS + 1];
    size_t n;
};

/* shlex in POSIX mode with whitespace_split: quotes '...' (literal) and
 * "..." (backslash escapes only \ " $ ` and newline), backslash outside
 * quotes escapes any character; '#' is a plain character (split() turns
 * comments off). */
static int process_split(const char *s, struct words *w,
                         struct iam_err *err)
{
    char *o;
    int in_word = 0;
    memset(w, 0, sizeof(*w));
    w->store = malloc(strlen(s) + 1);
    if(!w->store)
        return creds_fail(err, IAM_ENOMEM, "MemoryError", "out of memory");
    o = w->store;
    while(*s) {
        char c = *s++;
        if(!in_word && (c == ' ' || c == '\t' || c == '\n' || c == '\r'))
            continue;
        if(!in_word) {
            if(w->n == MAX_ARGS)
                return creds_fail(err, IAM_ETOOBIG, "ValueError",
                                  "too many arguments");
            w->argv[w->n++] = o;
            in_word = 1;
        }
        if(c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            *o++ = '\0';
            in_word = 0;
        } else if(c == '\\') {
            if(!*s)
                return creds_fail(err, IAM_EPARSE, "ValueError",
                                  "No escaped character");
            *o++ = *s++;
        } else if(c == '\'') {
            while(*s && *s != '\'')
                *o++ = *s++;
            if(!*s)
                return creds_fail(err, IAM_EPARSE, "ValueError",
                                  "No closing quotation");
            s++;
        } else if(c == '"') {
            while(*s && *s != '"') {
                if(*s == '\\' && s[1] && strchr("\\\"$`\n", s[1]))
                    s++;
                *o++ = *s++;
            }
            if(!*s)
                return creds_fail(err, IAM_EPARSE, "ValueError",
                                  "No closing quotation");
            s++;
        } else
            *o++ = c;
    }
    *o = '\0';
    w->argv[w->n] = NULL;
    return IAM_OK;
}

/* ---- running it ---- */

static int cloexec_pipe(int fd[2])
{
    if(pipe(fd))
        return -1;
    fcntl(fd[0], F_SETFD, FD_CLOEXEC);
    fcntl(fd[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

/* Reads both pipes until both close; bytes past the caps are dropped and
 * flagged. */
static void drain(int ofd, int efd, struct buf *out, struct buf *errb,
                  int *too_big)
{
    struct pollfd p[2] = {{ofd, POLLIN, 0}, {efd, POLLIN, 0}};
    char chunk[4096];
    int open_ = 2;
    while(open_ > 0) {
        int i;
        if(poll(p, 2, -1) < 0) {
            if(errno == EINTR)
                continue;
            break;
        }
        for(i = 0; i < 2; i++) {
            ssize_t n;
            if(p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            n = read(p[i].fd, chunk, sizeof(chunk));
            if(n < 0 && errno == EINTR)
                continue;
            if(n <= 0) {
                p[i].fd = -1;
                open_--;
                continue;
            }
            if(buf_add(i ? errb : out, chunk, (size_t)n))
                *too_big = 1;
        }
    }
    memset(chunk, 0, sizeof(chunk)); /* may hold a secret */
}

static int spawn_error(const char *cmd, int e, struct iam_err *err)
{
    if(e == ENOENT)
        return creds_fail(err, IAM_ECREDS, "FileNotFoundError",
                          "[Errno 2] No such file or directory: '%s'", cmd);
    if(e == EACCES)
        return creds_fail(err, IAM_ECREDS, "PermissionError",
                          "[Errno 13] Permission denied: '%s'", cmd);
    return creds_fail(err, IAM_ECREDS, "OSError", "[Errno %d] %s: '%s'", e,
                      strerror(e), cmd);
}

/* Runs argv; *status is its exit status (128+N after signal N, as a
 * negative returncode is non-zero either way). */
static int run(char **argv, struct buf *out, struct buf *errb, int *status,
               struct iam_err *err)
{
    posix_spawn_file_actions_t fa;
    int o[2], e[2], rc, too_big = 0, ws;
    pid_t pid;
    if(cloexec_pipe(o))
        return spawn_error(argv[0], errno, err);
    if(cloexec_pipe(e)) {
        close(o[0]);
        close(o[1]);
        return spawn_error(argv[0], errno, err);
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, o[1], 1);
    posix_spawn_file_actions_adddup2(&fa, e[1], 2);
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(o[1]);
    close(e[1]);
    if(rc) {
        close(o[0]);
        close(e[0]);
        return spawn_error(argv[0], rc, err);
    }
    drain(o[0], e[0], out, errb, &too_big);
    close(o[0]);
    close(e[0]);
    while(waitpid(pid, &ws, 0) < 0 && errno == EINTR)
        ;
    *status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
    if(too_big)
        return creds_retrieval(err, PROC, "process output is larger than %d "
                                          "bytes",
                               OUT_MAX);
    return IAM_OK;
}

/* ---- its answer ---- */

/* Whether a JSON value (as Python's scanner sees it) starts at s. */
static int value_starts(const char *s, size_t n)
{
    static const char *const words[] = {"null", "true", "false", "NaN",
                                        "Infinity", "-Infinity"};
    size_t i;
    if(strchr("{[\"0123456789", s[0]))
        return 1;
    if(s[0] == '-' && n > 1 && s[1] >= '0' && s[1] <= '9')
        return 1;
    for(i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if(n >= strlen(words[i]) && !strncmp(s, words[i], strlen(words[i])))
            return 1;
    return 0;
}

/* Python's json.loads message for the common failure: no value where one
 * must start. Other syntax errors keep jansson's text. */
static int json_error(const struct buf *b, const json_error_t *je,
                      struct iam_err *err)
{
    size_t i = 0, line = 1, col = 1;
    const char *s = b->data ? b->data : "";
    while(i < b->len && strchr(" \t\n\r", s[i])) {
        if(s[i] == '\n') {
            line++;
            col = 1;
        } else
            col++;
        i++;
    }
    if(i == b->len || !value_starts(s + i, b->len - i))
        return creds_fail(err, IAM_EPARSE, "JSONDecodeError",
                          "Expecting value: line %zu column %zu (char %zu)",
                          line, col, i);
    return creds_fail(err, IAM_EPARSE, "JSONDecodeError", "%s: line %d "
                      "column %d (char %d)", je->text, je->line, je->column,
                      je->position);
}

/* str(value) as Python prints the Version it did not accept. */
static void py_str(json_t *v, char *out, size_t n)
{
    char *d;
    if(!v)
        snprintf(out, n, "<Version key not provided>");
    else if(json_is_string(v))
        snprintf(out, n, "%s", json_string_value(v));
    else if(json_is_integer(v))
        snprintf(out, n, "%lld", (long long)json_integer_value(v));
    else if(json_is_null(v))
        snprintf(out, n, "None");
    else if(json_is_true(v))
        snprintf(out, n, "True");
    else if(json_is_false(v))
        snprintf(out, n, "False");
    else if(json_is_real(v))
        snprintf(out, n, "%.17g", json_real_value(v));
    else {
        d = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        snprintf(out, n, "%s", d ? d : "?");
        free(d);
    }
}

static const char *py_type(json_t *v)
{
    switch(json_typeof(v)) {
    case JSON_ARRAY:
        return "list";
    case JSON_STRING:
        return "str";
    case JSON_INTEGER:
        return "int";
    case JSON_REAL:
        return "float";
    case JSON_TRUE:
    case JSON_FALSE:
        return "bool";
    default:
        return "NoneType";
    }
}

/* Version == 1 in Python's sense: 1, 1.0 and True all compare equal. */
static int version_ok(json_t *v)
{
    return (json_is_integer(v) && json_integer_value(v) == 1) ||
           (json_is_real(v) && json_real_value(v) == 1.0) || json_is_true(v);
}

static int from_json(json_t *j, struct creds *out, int *found,
                     struct iam_err *err)
{
    static const char *const need[] = {"AccessKeyId", "SecretAccessKey"};
    const char *token, *exp;
    char v[256];
    size_t i;
    int rc;
    if(!json_is_object(j))
        return creds_fail(err, IAM_ECREDS, "AttributeError",
                          "'%s' object has no attribute 'get'", py_type(j));
    if(!version_ok(json_object_get(j, "Version"))) {
        py_str(json_object_get(j, "Version"), v, sizeof(v));
        return creds_retrieval(err, PROC, "Unsupported version '%s' for "
                               "credential process provider, supported "
                               "versions: 1", v);
    }
    for(i = 0; i < 2; i++)
        if(!json_is_string(json_object_get(j, need[i])))
            return creds_retrieval(err, PROC, "Missing required key in "
                                   "response: '%s'", need[i]);
    token = json_string_value(json_object_get(j, "SessionToken"));
    exp = json_string_value(json_object_get(j, "Expiration"));
    if(exp) {
        rc = creds_parse_time(exp, &out->expiry, err);
        if(rc)
            return rc;
    }
    return creds_set(out,
                     json_string_value(json_object_get(j, "AccessKeyId")),
                     json_string_value(json_object_get(j, "SecretAccessKey")),
                     token, found, err);
}

static int parse(const struct buf *b, struct creds *out, int *found,
                 struct iam_err *err)
{
    json_error_t je;
    json_t *j = json_loadb(b->data ? b->data : "", b->len,
                           JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
    int rc;
    if(!j)
        return json_error(b, &je, err);
    rc = from_json(j, out, found, err);
    json_decref(j);
    return rc;
}

int creds_load_process(const struct chain *ch, struct creds *out, int *found,
                       struct iam_err *err)
{
    const char *cmd = config_get(ch->cfg, ch->name, "credential_process");
    struct buf o, e;
    struct words w;
    int rc, status = 0;
    if(!config_has(ch->cfg, ch->name, "credential_process"))
        return IAM_OK;
    rc = process_split(cmd ? cmd : "", &w, err);
    if(!rc && w.n == 0)
        rc = creds_fail(err, IAM_ECREDS, "IndexError",
                        "list index out of range");
    if(rc) {
        free(w.store);
        return rc;
    }
    creds_trace(ch->ctx, "Running credential_process %s", w.argv[0]);
    buf_init(&o, OUT_MAX);
    buf_init(&e, OUT_MAX);
    rc = run(w.argv, &o, &e, &status, err);
    if(!rc && status != 0)
        rc = creds_retrieval(err, PROC, "%s", e.data ? e.data : "");
    if(!rc)
        rc = parse(&o, out, found, err);
    buf_wipe(&o);
    buf_wipe(&e);
    free(w.store);
    return rc;
}
