"""report.py: renders `make bench`'s measurements as the markdown tables and
the DESIGN.md section 4 targets with PASS/MISS (tests/bench/out/latest.md
and README's Performance section take this text as it is)."""

import datetime
import os

from endpoints import TRANSPORTS


def fmt_ms(s):
    return "%.1f ms" % (s * 1000) if s < 10 else "%.2f s" % s


def fmt_mb(kb):
    return "%.1f MB" % (kb / 1024.0) if kb else "-"


def fmt_conns(c):
    """connections (and resumed TLS sessions) of one run, as nginx saw them."""
    if c.get("conns") is None:
        return "-", "-"
    return "%g" % c["conns"], ("%g" % c["resumed"]) if c.get("tls") else "-"


def one_call_table(L, A, floor):
    L.append("## One call as a whole process, static endpoint (nginx)")
    L.append("")
    L.append("Medians; hyperfine for wall and user+sys, /usr/bin/time for peak RSS. "
             "\"vs iamlua\" = tool's median wall (CPU) / iamlua's on the same transport. "
             "conns = TCP connections per call and resumed = TLS sessions resumed per "
             "call, both counted in nginx's log (every TLS connection is one handshake).")
    L.append("")
    L.append("| tool | transport | runs | wall | user+sys | peak RSS | conns | resumed "
             "| vs iamlua (wall) | vs iamlua (CPU) |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for t in TRANSPORTS:
        if t not in A:
            continue
        base = A[t]["iamlua"]
        for n, r in A[t].items():
            c, res = fmt_conns(r)
            L.append("| %s | %s | %d | %s | %s | %s | %s | %s | %.2fx | %.2fx |" % (
                n, t, r["n"], fmt_ms(r["wall"]), fmt_ms(r["cpu"]), fmt_mb(r["rss_kb"]),
                c, res, r["wall"] / base["wall"],
                r["cpu"] / base["cpu"] if base["cpu"] else 0))
    L.append("| floor | - | %d | %s | %s | %s | - | - | %.2fx | %.2fx |" % (
        floor["n"], fmt_ms(floor["wall"]), fmt_ms(floor["cpu"]), fmt_mb(floor["rss_kb"]),
        floor["wall"] / A["http"]["iamlua"]["wall"],
        floor["cpu"] / A["http"]["iamlua"]["cpu"] if A["http"]["iamlua"]["cpu"] else 0))
    L.append("")
    for t in TRANSPORTS:
        if t in A:
            b = A[t]["iamlua"]
            L.append("- iamlua above the floor (same libraries, no work), %s: %.2f ms wall, "
                     "%.2f ms CPU." % (t, (b["wall"] - floor["wall"]) * 1000,
                                       (b["cpu"] - floor["cpu"]) * 1000))
    L.append("")


def moto_table(L, B):
    L.append("## One call as a whole process, moto_server (signature checked)")
    L.append("")
    L.append("| tool | runs | wall | user+sys | vs iamlua (wall) |")
    L.append("|---|---:|---:|---:|---:|")
    for n, r in B.items():
        L.append("| %s | %d | %s | %s | %.2fx |" % (n, r["n"], fmt_ms(r["wall"]),
                                                     fmt_ms(r["cpu"]),
                                                     r["wall"] / B["iamlua"]["wall"]))
    L.append("")


def many_table(L, C, a):
    L.append("## %d calls in one process, static endpoint" % a.calls)
    L.append("")
    L.append("calls/s = %d / the process's wall time (start-up included); \"loop\" = the "
             "rate the script measured around its loop; wrk: its keep-alive Requests/sec "
             "over %d s. Every run checked against nginx's access log (exactly %d "
             "requests, all 200; iamlua never more connections than its concurrency). "
             "conns and resumed: per run, from nginx's log." % (a.calls, a.wrk_seconds,
                                                                  a.calls))
    L.append("")
    L.append("| tool | transport | calls/s | loop calls/s | user+sys | peak RSS | conns "
             "| resumed | iamlua c=16 vs this |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for t in TRANSPORTS:
        if t not in C:
            continue
        c16 = C[t]["iamlua c=16"]["rate"]
        for n, r in C[t].items():
            c, res = fmt_conns(r)
            L.append("| %s | %s | %.0f | %s | %s | %s | %s | %s | %.2fx |" % (
                n, t, r["rate"], "%.0f" % r["loop_rate"] if r["loop_rate"] else "-",
                fmt_ms(r["cpu"]), fmt_mb(r["rss_kb"]), c, res, c16 / r["rate"]))
    L.append("")


def sign_table(L, D):
    L.append("## Signing alone, one core (taskset)")
    L.append("")
    L.append("aws.sign's result makes each field when it is first read; the first row "
             "reads none (the signature is computed and every output copied), the second "
             "reads what a sender needs.")
    L.append("")
    L.append("| signer | signatures/s | iamlua vs this |")
    L.append("|---|---:|---:|")
    s0 = D["aws.sign (iamlua)"]["rate"]
    for n, r in D.items():
        L.append("| %s | %.0f | %.2fx |" % (n, r["rate"], s0 / r["rate"]))
    L.append("")


def big_table(L, E, a):
    L.append("## %d calls through aws.parallel (concurrency 64)" % a.big)
    L.append("")
    L.append("| transport | peak RSS | calls/s | conns | resumed |")
    L.append("|---|---:|---:|---:|---:|")
    for t in TRANSPORTS:
        if t in E:
            c, res = fmt_conns(E[t])
            L.append("| %s | %s | %.0f | %s | %s |" % (t, fmt_mb(E[t]["rss_kb"]),
                                                      E[t]["rate"], c, res))
    L.append("")


def targets(A, floor, C, D, E, a):
    t = []

    def tgt(name, value, target, ok):
        t.append("| %s | %s | %s | %s |" % (name, value, target, "PASS" if ok else "MISS"))
    for tr in TRANSPORTS:
        if tr not in A:
            continue
        aw = A[tr]["iamlua"]["wall"]
        r_cli = A[tr]["aws-cli-v2"]["wall"] / aw
        tgt("one call, %s: faster than AWS CLI v2" % tr, "%.1fx" % r_cli, ">= 60x",
            r_cli >= 60)
        r_curl = aw / A[tr]["curl-sigv4"]["wall"]
        tgt("one call, %s: wall vs curl --aws-sigv4" % tr, "%.2fx" % r_curl, "<= 1.1x",
            r_curl <= 1.1)
        d_floor = (aw - floor["wall"]) * 1000
        tgt("one call, %s: above the library floor" % tr, "%.2f ms" % d_floor, "<= 1 ms",
            d_floor <= 1.0)
        rss1 = A[tr]["iamlua"]["rss_kb"] / 1024.0
        tgt("one call, %s: peak RSS" % tr, "%.1f MB" % rss1, "< 12 MB", rss1 < 12)
    for tr in TRANSPORTS:
        if tr not in C:
            continue
        c16 = C[tr]["iamlua c=16"]["rate"]
        r = c16 / C[tr]["curl --parallel-max 16"]["rate"]
        tgt("%d calls c=16, %s: vs curl --parallel-max 16" % (a.calls, tr), "%.2fx" % r,
            ">= 1.5x", r >= 1.5)
        boto = C[tr]["boto3 sequential"]
        r = c16 / (boto["loop_rate"] or boto["rate"])
        tgt("%d calls c=16, %s: vs boto3's sequential loop" % (a.calls, tr), "%.1fx" % r,
            ">= 10x", r >= 10)
        r = c16 / C[tr]["wrk -t2 -c16"]["rate"]
        tgt("%d calls c=16, %s: share of wrk's keep-alive rate" % (a.calls, tr), "%.2f" % r,
            ">= 0.25", r >= 0.25)
    s0 = D["aws.sign (iamlua)"]["rate"]
    tgt("signing: signatures/s on one core", "%.0f" % s0, ">= 500000", s0 >= 500000)
    r = s0 / D["botocore SigV4Auth"]["rate"]
    tgt("signing: vs botocore", "%.1fx" % r, ">= 25x", r >= 25)
    for tr in TRANSPORTS:
        if tr in E:
            mb = E[tr]["rss_kb"] / 1024.0
            tgt("%d calls, %s: peak RSS" % (a.big, tr), "%.1f MB" % mb, "< 30 MB", mb < 30)
    return t


def render(m, v, A, floor, B, C, D, E, a, seconds):
    L = []
    now = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    L.append("# iamlua benchmark, %s" % now)
    L.append("")
    L.append("Machine: %s, %d cores, Linux %s, load average at start %s."
             % (m["cpu"], m["cores"], m["kernel"], m["load"]))
    L.append("Load average at end %s. `make bench` took %.0f s." % (
        "%.2f %.2f %.2f" % os.getloadavg(), seconds))
    L.append("")
    L.append("Versions:")
    L.append("")
    L += ["- %s: %s" % kv for kv in v.items()]
    L.append("")
    L.append("Transports: http; https-ecdsa and https-rsa are TLS (1.3 unless a tool "
             "offers less) with a P-256 or RSA 2048 server certificate issued by a CA "
             "the bench generated, given to every tool as its bundle (AWS_CA_BUNDLE, "
             "curl --cacert).")
    L.append("")
    one_call_table(L, A, floor)
    if B:
        moto_table(L, B)
    many_table(L, C, a)
    sign_table(L, D)
    big_table(L, E, a)
    L.append("## Targets (DESIGN.md section 4)")
    L.append("")
    L.append("| target | measured | wanted | |")
    L.append("|---|---:|---:|---|")
    L += targets(A, floor, C, D, E, a)
    L.append("")
    return "\n".join(L)
