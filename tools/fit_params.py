#!/usr/bin/env python3
"""Fit Flopcast's few global efficiency parameters to published runs, with leave-one-source-out CV.

Usage:
  tools/fit_params.py --flopcast build/h-mdl/cli/flopcast \
      --data tests/data/groundtruth/public.json --groups tests/data/groundtruth/cv-groups.json \
      [--out params.json] [--cv] [--iters 120]

What it fits (docs/parameters.md lists each with its physical meaning):
  throughput parameters (Nelder-Mead on a transformed scale, objective = mean over source groups of
  the mean |ln(predicted/measured)| of tokens_per_s_per_gpu, low-confidence records excluded):
    gemm_eff_max, gemm_half_dim, attn_eff_max, host_overhead_s, comm_eff, fp8_gemm_speedup_cap
  scan (--scan NAME=V1,V2,...): no fit; the throughput objective at each value of one held parameter
    (the others at their defaults), on all groups and without each group, with the value each
    leave-one-group-out objective picks (how dispatch_overlap_exponent was chosen).
  goodput (closed form): exp(mean over groups of the mean ln(predicted at goodput 1 / measured)) over
    whole-run metrics (gpu_hours, wall_time_h), capped at 1.
  uncertainty (from the CV residuals r = ln(pred/meas) of held-out groups): sigma_default,
    sigma_search and sigma_moe from E[r^2] = sigma_base^2 + n_other * sigma_default^2 +
    n_searched * sigma_search^2 + [MoE] * sigma_moe^2 (non-negative least squares: a term whose
    coefficient comes out negative is 0, the residuals do not grow with it); then sigma_base, and
    sigma_run for the whole-run metrics, are set to the smallest values at which 82 % of the
    held-out residuals lie inside P10-P90 (coverage-calibrated: the residuals are heavy-tailed, so
    the least-squares sigma gives a band wider than 80 % coverage needs).
Each evaluation runs `flopcast validate DATA --format json --params P` once (all records), so the
fit uses exactly the shipped predictor. Only the standard library is used.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

THROUGHPUT = "tokens_per_s_per_gpu"
RUN_METRICS = ("gpu_hours", "wall_time_h")

# name, default, transform (to unconstrained), inverse
def logit(x): return math.log(x / (1 - x))
def expit(y): return 1 / (1 + math.exp(-y))
FITTED = [
    ("gemm_eff_max", logit, expit),
    ("gemm_half_dim", math.log, math.exp),
    ("attn_eff_max", logit, expit),
    ("host_overhead_s", math.log, math.exp),
    ("comm_eff", logit, expit),
    ("fp8_gemm_speedup_cap", lambda x: math.log(x - 1), lambda y: 1 + math.exp(y)),
]


def run_validate(flopcast, data, params):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(params, f)
        path = f.name
    try:
        out = subprocess.run([*flopcast.split(), "validate", data, "--format", "json", "--params", path],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    return json.loads(out)["rows"]


def group_of(family, groups):
    for g, fams in groups.items():
        if family in fams:
            return g
    return family


def mean_group_abs_log(rows, metric, groups, keep):
    per = {}
    for r in rows:
        if r["metric"] != metric or r["low_confidence"]:
            continue
        g = group_of(r["family"], groups)
        if not keep(g):
            continue
        per.setdefault(g, []).append(abs(math.log(r["predicted"] / r["measured"])))
    if not per:
        return 0.0
    return sum(sum(v) / len(v) for v in per.values()) / len(per)


def fit_goodput(rows, groups, keep, current_goodput):
    per = {}
    for r in rows:
        if r["metric"] not in RUN_METRICS or r["low_confidence"]:
            continue
        g = group_of(r["family"], groups)
        if not keep(g):
            continue
        # prediction at goodput 1 = predicted * current_goodput
        per.setdefault(g, []).append(math.log(r["predicted"] * current_goodput / r["measured"]))
    if not per:
        return current_goodput
    m = sum(sum(v) / len(v) for v in per.values()) / len(per)
    return min(1.0, max(0.3, math.exp(m)))


COVERAGE = 0.82  # target share of held-out records inside P10-P90 (>= 0.80 with a small margin)
Z90 = 1.2815515655446004


def calibrate_sigma(resid_and_var, coverage):
    """Smallest s >= 0.05 such that |r| <= Z90 * sqrt(s^2 + v) for `coverage` of the (|r|, v) pairs."""
    if not resid_and_var:
        return 0.05
    lo, hi = 0.0, 3.0
    def cov(s):
        return sum(1 for a, v in resid_and_var if a <= Z90 * math.sqrt(s * s + v)) / len(resid_and_var)
    if cov(hi) < coverage:
        return hi
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if cov(mid) >= coverage:
            hi = mid
        else:
            lo = mid
    return max(hi, 0.05)


def solve_normal(X, y):
    """Least squares by the normal equations (Gaussian elimination); None when singular."""
    n = len(X[0])
    A = [[sum(r[i] * r[j] for r in X) for j in range(n)] for i in range(n)]
    b = [sum(r[i] * v for r, v in zip(X, y)) for i in range(n)]
    for c in range(n):
        p = max(range(c, n), key=lambda i: abs(A[i][c]))
        if abs(A[p][c]) < 1e-12:
            return None
        A[c], A[p] = A[p], A[c]
        b[c], b[p] = b[p], b[c]
        for i in range(n):
            if i != c:
                f = A[i][c] / A[c][c]
                A[i] = [x - f * z for x, z in zip(A[i], A[c])]
                b[i] -= f * b[c]
    return [b[i] / A[i][i] for i in range(n)]


def nelder_mead(f, x0, step=0.3, iters=120, tol=1e-4):
    n = len(x0)
    pts = [list(x0)]
    for i in range(n):
        p = list(x0)
        p[i] += step
        pts.append(p)
    vals = [f(p) for p in pts]
    for _ in range(iters):
        order = sorted(range(n + 1), key=lambda i: vals[i])
        pts = [pts[i] for i in order]
        vals = [vals[i] for i in order]
        if abs(vals[-1] - vals[0]) < tol:
            break
        c = [sum(p[i] for p in pts[:-1]) / n for i in range(n)]
        xr = [c[i] + (c[i] - pts[-1][i]) for i in range(n)]
        fr = f(xr)
        if fr < vals[0]:
            xe = [c[i] + 2 * (c[i] - pts[-1][i]) for i in range(n)]
            fe = f(xe)
            pts[-1], vals[-1] = (xe, fe) if fe < fr else (xr, fr)
        elif fr < vals[-2]:
            pts[-1], vals[-1] = xr, fr
        else:
            xc = [c[i] + 0.5 * (pts[-1][i] - c[i]) for i in range(n)]
            fc = f(xc)
            if fc < vals[-1]:
                pts[-1], vals[-1] = xc, fc
            else:
                for k in range(1, n + 1):
                    pts[k] = [pts[0][i] + 0.5 * (pts[k][i] - pts[0][i]) for i in range(n)]
                    vals[k] = f(pts[k])
    best = min(range(n + 1), key=lambda i: vals[i])
    return pts[best], vals[best]


def fit(flopcast, data, groups, base, keep, iters, log):
    eff0 = dict(base["efficiency"])
    x0 = [t(eff0[name]) for name, t, _ in FITTED]
    cache = {}

    def params_of(x):
        p = json.loads(json.dumps(base))
        for (name, _, inv), xi in zip(FITTED, x):
            p["efficiency"][name] = inv(xi)
        return p

    def objective(x):
        key = tuple(round(v, 6) for v in x)
        if key not in cache:
            rows = run_validate(flopcast, data, params_of(x))
            cache[key] = mean_group_abs_log(rows, THROUGHPUT, groups, keep)
            log(f"    eval {len(cache):3d}: {cache[key]:.4f}")
        return cache[key]

    x, v = nelder_mead(objective, x0, iters=iters)
    p = params_of(x)
    rows = run_validate(flopcast, data, p)
    p["efficiency"]["goodput"] = fit_goodput(rows, groups, keep, p["efficiency"]["goodput"])
    return p, v


def starting_params(a):
    """--start's parameters, else the defaults compiled into the binary."""
    if a.start:
        return json.load(open(a.start))
    return json.loads(subprocess.run([*a.flopcast.split(), "predict", "--print-params"], check=True,
                                     capture_output=True, text=True).stdout)


def scan(a):
    name, _, values = a.scan.partition("=")
    try:
        vals = [float(v) for v in values.split(",") if v]
    except ValueError:
        vals = []
    groups = json.load(open(a.groups))["groups"]
    base = starting_params(a)
    if not vals or name not in base["efficiency"]:
        sys.exit(f"--scan {a.scan}: expected NAME=V1,V2,... with NAME one of " + ", ".join(base["efficiency"]))
    rows = {}
    for v in vals:
        p = json.loads(json.dumps(base))
        p["efficiency"][name] = v
        rows[v] = run_validate(a.flopcast, a.data, p)
    gs = sorted({group_of(r["family"], groups) for r in rows[vals[0]] if r["metric"] == THROUGHPUT})
    print(f"{'without':24s} picks  " + "  ".join(f"{name}={v:g}" for v in vals))
    for g in [None] + gs:
        keep = (lambda x: True) if g is None else (lambda x, g=g: x != g)
        obj = {v: mean_group_abs_log(rows[v], THROUGHPUT, groups, keep) for v in vals}
        best = min(obj, key=obj.get)
        print(f"{g or '(all groups)':24s} {best:<6g} " + "  ".join(f"{obj[v]:.4f}" for v in vals))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flopcast", required=True, help="the flopcast binary (or a command prefix)")
    ap.add_argument("--data", required=True)
    ap.add_argument("--groups", required=True)
    ap.add_argument("--start", help="starting parameters JSON (default: the binary's defaults)")
    ap.add_argument("--out", help="write the all-data fit here")
    ap.add_argument("--cv", action="store_true", help="leave-one-group-out cross-validation")
    ap.add_argument("--cv-out", help="write held-out rows (JSON) here")
    ap.add_argument("--iters", type=int, default=120)
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--fix", action="append", default=[], metavar="NAME=VALUE",
                    help="hold an efficiency parameter at VALUE instead of fitting it (repeatable)")
    ap.add_argument("--scan", metavar="NAME=V1,V2,...",
                    help="no fit: the objective at each value of one efficiency parameter, on all groups "
                         "and without each group")
    a = ap.parse_args()
    if a.scan:
        scan(a)
        return
    fixed = {}
    for item in a.fix:
        name, _, value = item.partition("=")
        if name not in [n for n, _, _ in FITTED] or not value:
            ap.error(f"--fix {item}: expected NAME=VALUE with NAME one of " + ", ".join(n for n, _, _ in FITTED))
        fixed[name] = float(value)
    FITTED[:] = [f for f in FITTED if f[0] not in fixed]
    log = (lambda s: None) if a.quiet else (lambda s: print(s, file=sys.stderr, flush=True))
    groups = json.load(open(a.groups))["groups"]
    base = starting_params(a)
    base["efficiency"].update(fixed)

    log("fit on all groups")
    full, v = fit(a.flopcast, a.data, groups, base, lambda g: True, a.iters, log)
    log(f"all-data objective {v:.4f}")
    result = {"fit": full}
    if a.cv:
        held = []
        thr_groups = sorted({group_of(r["family"], groups) for r in run_validate(a.flopcast, a.data, full)})
        for g in thr_groups:
            log(f"fold: without {g}")
            p, _ = fit(a.flopcast, a.data, groups, full, lambda x, g=g: x != g, a.iters, log)
            rows = [r for r in run_validate(a.flopcast, a.data, p) if group_of(r["family"], groups) == g]
            for r in rows:
                r["fold_params"] = p["efficiency"]
            held.extend(rows)
        # uncertainty from held-out residuals
        thr = [r for r in held if r["metric"] == THROUGHPUT and not r["low_confidence"]]
        run = [r for r in held if r["metric"] in RUN_METRICS and not r["low_confidence"]]
        def lr(r): return math.log(r["predicted"] / r["measured"])
        u = full["uncertainty"]
        def feats(r):  # regressors of r^2 besides the intercept: other defaults, searched layout parts, MoE
            ns = r.get("n_searched", 0)
            return [r["n_defaults"] - ns, ns, 1.0 if r.get("moe") else 0.0]
        names = ["sigma_default", "sigma_search", "sigma_moe"]
        def extra_var(r):
            return sum(x * u[k] ** 2 for x, k in zip(feats(r), names))
        # non-negative least squares of r^2 on [1, n_other, n_searched, moe] (active set: drop the
        # regressors whose coefficient comes out negative and refit)
        if len(thr) >= 6:
            active = [0, 1, 2]
            while True:
                X = [[1.0] + [feats(r)[i] for i in active] for r in thr]
                y = [lr(r) ** 2 for r in thr]
                coef = solve_normal(X, y)
                if coef is None or all(c >= 0 for c in coef[1:]) or not active:
                    break
                worst = min(range(len(active)), key=lambda i: coef[1 + i])
                active.pop(worst)
            for k in names:
                u[k] = 0.0  # a regressor dropped by the active set adds nothing
            if coef is not None:
                for i, c in zip(active, coef[1:]):
                    u[names[i]] = math.sqrt(max(c, 0.0))
        # The least-squares sigma is inflated by a few large residuals (heavy tails), which makes the
        # band wider than 80 % coverage needs. Shrink (or widen) sigma_base to the smallest value at
        # which the held-out throughput residuals still fall inside P10-P90 for COVERAGE of records.
        if len(thr) >= 3:
            u["sigma_base"] = calibrate_sigma([(abs(lr(r)), extra_var(r)) for r in thr], COVERAGE)
        if run:
            sb2 = u["sigma_base"] ** 2
            u["sigma_run"] = calibrate_sigma([(abs(lr(r)), sb2 + extra_var(r)) for r in run], COVERAGE)
        result["cv_rows"] = len(held)
        if a.cv_out:
            json.dump(held, open(a.cv_out, "w"), indent=1)
        # per-family CV table
        for metric in (THROUGHPUT,) + RUN_METRICS:
            fams = {}
            for r in held:
                if r["metric"] == metric and not r["low_confidence"]:
                    fams.setdefault(r["family"], []).append((r["predicted"] - r["measured"]) / r["measured"])
            if not fams:
                continue
            print(f"CV {metric}: mean of per-family MAPEs "
                  f"{100 * sum(sum(map(abs, e)) / len(e) for e in fams.values()) / len(fams):.1f}%")
            for f, e in sorted(fams.items()):
                print(f"  {f:34s} n={len(e):3d} MAPE {100 * sum(map(abs, e)) / len(e):6.1f}%  bias {100 * sum(e) / len(e):+6.1f}%")
    if a.out:
        with open(a.out, "w") as f:
            json.dump(full, f, indent=2)
            f.write("\n")
    print(json.dumps(full, indent=2))


if __name__ == "__main__":
    main()
