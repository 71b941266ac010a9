/* test_tls.c - whom a request's TLS trusts, at the libcurl option level
 * (issue 17 #5), refused TLS options, and header lines that cannot be split
 * (#6).
 *
 * A distribution's libcurl keeps a CA directory beside its CA file
 * (Debian's /etc/ssl/certs). This test plays such a distribution: it
 * presets CURLOPT_CAPATH and CURLOPT_PROXY_CAPATH to a private directory
 * holding a throwaway "system" CA, lets transport.c set the handle up as
 * it would any request's, and connects to a local `openssl s_server`
 * whose certificate that CA signed. A CA bundle must then be the only
 * trust, for the server and for an https:// proxy alike. The real system
 * store is neither read nor changed. Needs the openssl command.
 */
#include "transport.h"
#include "unit.h"

#include <curl/curl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[256];
static pid_t server = -1;
static int port;

/* Runs a shell command in dir, quietly; its exit status. */
#ifdef __GNUC__
__attribute__((format(printf, 1, 2)))
#endif
static int sh(const char *fmt, ...)
{
    char cmd[2048], full[2400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    snprintf(full, sizeof(full), "cd '%s' && (%s) >/dev/null 2>&1", dir, cmd);
    return system(full);
}

static const char *path(const char *name)
{
    static char p[4][512];
    static int i;
    i = (i + 1) % 4;
    snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
    return p[i];
}

#define EC "-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes"

/* sys.pem: the CA in the "system" store (store/<hash>.0); other.pem: a CA
 * nobody trusts by default; leaf.pem: 127.0.0.1, signed by sys. */
static int make_pki(void)
{
    return sh("openssl req -x509 " EC " -keyout sys.key -out sys.pem -days 2 "
              "-subj /CN=iamlua-test-system-CA") ||
           sh("openssl req -x509 " EC " -keyout other.key -out other.pem "
              "-days 2 -subj /CN=iamlua-test-other-CA") ||
           sh("openssl req " EC " -keyout leaf.key -out leaf.csr "
              "-subj /CN=127.0.0.1") ||
           sh("echo subjectAltName=IP:127.0.0.1 > ext.cnf") ||
           sh("openssl x509 -req -in leaf.csr -CA sys.pem -CAkey sys.key "
              "-CAcreateserial -out leaf.pem -days 2 -extfile ext.cnf") ||
           sh("mkdir store empty && cp sys.pem "
              "store/\"$(openssl x509 -hash -noout -in sys.pem)\".0");
}

/* openssl s_server on 127.0.0.1, a free port; 0 once it listens. */
static int start_server(void)
{
    int fd[2];
    char buf[4096];
    size_t len = 0;
    if(pipe(fd))
        return -1;
    server = fork();
    if(server == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        if(!freopen("/dev/null", "w", stderr))
            _exit(127);
        execlp("openssl", "openssl", "s_server", "-accept", "127.0.0.1:0",
               "-cert", path("leaf.pem"), "-key", path("leaf.key"), "-www",
               (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    while(server > 0 && len < sizeof(buf) - 1) {
        struct pollfd p = {fd[0], POLLIN, 0};
        const char *at;
        ssize_t n;
        if(poll(&p, 1, 20000) <= 0)
            break;
        n = read(fd[0], buf + len, sizeof(buf) - 1 - len);
        if(n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        at = strstr(buf, "ACCEPT 127.0.0.1:");
        if(at && strchr(at, '\n')) {
            port = (int)strtol(at + 17, NULL, 10);
            break;
        }
    }
    close(fd[0]); /* s_server prints nothing more we need */
    return port > 0 ? 0 : -1;
}

struct tls_case {
    const char *name;
    int via_proxy;       /* the server plays an https:// proxy */
    const char *system;  /* the preset CA directory: "store" or "empty" */
    const char *bundle;  /* NULL, "sys.pem" or "other.pem" */
    int verify;
    int want_trusted;
};

/* Whether the handshake got past certificate verification. */
static void run_case(const struct tls_case *c)
{
    char url[64], proxy[64], why[CURL_ERROR_SIZE + 1200];
    struct iam_err err;
    struct treq *r = treq_new();
    CURL *e = curl_easy_init();
    CURLcode cc;
    int rc, trusted;
    snprintf(proxy, sizeof(proxy), "https://127.0.0.1:%d", port);
    snprintf(url, sizeof(url), c->via_proxy ? "http://127.0.0.1:9/"
                                            : "https://127.0.0.1:%d/",
             port);
    iam_err_clear(&err);
    r->method = "GET";
    r->url = strdup(url);
    treq_set_paths(r, c->bundle ? path(c->bundle) : NULL,
                   c->via_proxy ? proxy : NULL);
    r->opts.verify_tls = c->verify;
    /* what the distribution presets: its CA directory, here ours */
    curl_easy_setopt(e, CURLOPT_CAINFO, (char *)NULL);
    curl_easy_setopt(e, CURLOPT_CAPATH, path(c->system));
    curl_easy_setopt(e, CURLOPT_PROXY_CAINFO, (char *)NULL);
    curl_easy_setopt(e, CURLOPT_PROXY_CAPATH, path(c->system));
    rc = transport_setup_easy(r, e, &err);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 15000L);
    cc = rc ? CURLE_FAILED_INIT : curl_easy_perform(e);
    trusted = cc != CURLE_PEER_FAILED_VERIFICATION &&
              cc != CURLE_SSL_CONNECT_ERROR && cc != CURLE_FAILED_INIT &&
              cc != CURLE_OPERATION_TIMEDOUT && cc != CURLE_COULDNT_CONNECT;
    snprintf(why, sizeof(why), "curl %d (%s) %s", (int)cc, r->errbuf, err.msg);
    unit_check(trusted == c->want_trusted, c->name, "%s, want %s: %s",
               trusted ? "trusted" : "refused",
               c->want_trusted ? "trusted" : "refused", why);
    treq_free(r);
}

static void test_trust(void)
{
    static const struct tls_case cases[] = {
        {"no bundle: the system store's CA is trusted", 0, "store", NULL, 1,
         1},
        {"a bundle replaces the system store: a CA only there is refused", 0,
         "store", "other.pem", 1, 0},
        {"a bundle holding the CA is trusted on its own", 0, "empty",
         "sys.pem", 1, 1},
        {"verify off: a bundle without the CA does not matter", 0, "store",
         "other.pem", 0, 1},
        {"the CA in no store: refused (the check can fail)", 0, "empty",
         NULL, 1, 0},
        {"https proxy, no bundle: the system store's CA is trusted", 1,
         "store", NULL, 1, 1},
        {"https proxy: a bundle replaces the system store", 1, "store",
         "other.pem", 1, 0},
        {"https proxy: the bundle is its trust too", 1, "empty", "sys.pem", 1,
         1},
        {"https proxy: verify off covers the proxy", 1, "empty", NULL, 0, 1},
        {"https proxy, the CA in no store: refused", 1, "empty", NULL, 1, 0},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        run_case(&cases[i]);
}

/* A libcurl that refuses a TLS option fails the request at once, with a
 * message naming the option, instead of sending it with weaker trust. */
static void test_refused(void)
{
    static const struct {
        const char *name;
        long opt;
        const char *optname;
        int proxy, bundle;
    } cases[] = {
        {"refused CURLOPT_CAINFO fails the request", CURLOPT_CAINFO,
         "CURLOPT_CAINFO", 0, 1},
        {"refused CURLOPT_SSL_VERIFYPEER fails it, bundle or not",
         CURLOPT_SSL_VERIFYPEER, "CURLOPT_SSL_VERIFYPEER", 0, 0},
        {"refused CURLOPT_PROXY_CAINFO fails a request via an https proxy",
         CURLOPT_PROXY_CAINFO, "CURLOPT_PROXY_CAINFO", 1, 1},
        {"refused CURLOPT_PROXY_SSL_VERIFYPEER fails it too",
         CURLOPT_PROXY_SSL_VERIFYPEER, "CURLOPT_PROXY_SSL_VERIFYPEER", 1, 0},
#if LIBCURL_VERSION_NUM >= 0x075500 && !defined(IAMLUA_CURL_OLD)
        {"refused CURLOPT_PROTOCOLS_STR fails it", CURLOPT_PROTOCOLS_STR,
         "CURLOPT_PROTOCOLS_STR", 0, 0},
#else /* libcurl < 7.85 (test_portability builds this branch too) */
        {"refused CURLOPT_PROTOCOLS fails it", CURLOPT_PROTOCOLS,
         "CURLOPT_PROTOCOLS", 0, 0},
#endif
    };
    struct transport *t = NULL;
    struct iam_err err;
    size_t i;
    iam_err_clear(&err);
    if(transport_new(&t, &err)) {
        unit_check(0, "transport_new", "%s", err.msg);
        return;
    }
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct treq *r = treq_new();
        int rc;
        r->method = "GET";
        r->url = strdup("https://127.0.0.1:9/");
        treq_set_paths(r, cases[i].bundle ? path("sys.pem") : NULL,
                       cases[i].proxy ? "https://127.0.0.1:9" : NULL);
        iam_err_clear(&err);
        transport_refuse_opt = cases[i].opt;
        rc = transport_submit(t, r, &err);
        transport_refuse_opt = 0;
        unit_check(rc == IAM_ETLS && strstr(err.msg, cases[i].optname) &&
                       strcmp(err.code, "SSLError") == 0 &&
                       transport_running(t) == 0,
                   cases[i].name, "rc %d code %s msg %s running %d", rc,
                   err.code, err.msg, transport_running(t));
        treq_free(r);
    }
    /* and with nothing refused the same request starts */
    {
        struct treq *r = treq_new();
        r->method = "GET";
        r->url = strdup("https://127.0.0.1:9/");
        treq_set_paths(r, path("sys.pem"), "https://127.0.0.1:9");
        iam_err_clear(&err);
        unit_check(transport_submit(t, r, &err) == IAM_OK &&
                       transport_running(t) == 1,
                   "nothing refused: the request starts", "%s", err.msg);
        treq_free(r);
    }
    transport_free(t);
}

static void test_headers(void)
{
    static const struct {
        const char *name, *hname, *value;
        int want;
    } cases[] = {
        {"header: plain value accepted", "User-Agent", "iamlua/1", IAM_OK},
        {"header: CR LF in a value refused", "User-Agent",
         "ok\r\nX-Injected: yes", IAM_EINVAL},
        {"header: a lone LF refused", "X-Amz-Security-Token", "tok\nX: y",
         IAM_EINVAL},
        {"header: a lone CR refused", "Authorization", "a\rb", IAM_EINVAL},
        {"header: CR LF in a name refused", "X-A\r\nX-Injected", "v",
         IAM_EINVAL},
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct treq *r = treq_new();
        int rc = treq_header(r, cases[i].hname, cases[i].value);
        int quiet = !strstr(r->err.msg, "Injected") && !strstr(r->err.msg, "tok");
        unit_check(rc == cases[i].want && (rc == IAM_OK) == (r->headers != NULL) &&
                       (rc == IAM_OK || (quiet && strstr(r->err.msg, "header"))),
                   cases[i].name, "rc %d, headers %p, msg '%s'", rc,
                   r->headers, r->err.msg);
        treq_free(r);
    }
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    alarm(300); /* a stuck handshake must not hang the suite */
    snprintf(dir, sizeof(dir), "%s/iamlua-tls.XXXXXX", tmp ? tmp : "/tmp");
    if(!mkdtemp(dir)) {
        unit_check(0, "temporary directory", "mkdtemp failed");
        return unit_done();
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    test_headers();
    if(make_pki() || start_server())
        unit_check(0, "throwaway CAs and a local openssl s_server",
                   "openssl failed (is the openssl command installed?)");
    else {
        test_trust();
        test_refused();
    }
    if(server > 0) {
        kill(server, SIGTERM);
        waitpid(server, NULL, 0);
    }
    sh("cd .. && rm -rf '%s'", dir);
    curl_global_cleanup();
    return unit_done();
}
