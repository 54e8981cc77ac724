#!/usr/bin/env python3
"""Regenerate docs/validation.md: the in-sample tables from `flopcast validate --format markdown`,
then the cross-validated section from a `tools/fit_params.py --cv` log, with the previous file's
held-out figures as the "before" column.

Usage:
  python3 tools/fit_params.py --flopcast build/release/cli/flopcast \
      --data tests/data/groundtruth/public.json --groups tests/data/groundtruth/cv-groups.json \
      --out params.json --cv --cv-out cv.json --iters 120 > cv.log
  python3 tools/validation_doc.py --flopcast build/release/cli/flopcast --cv-log cv.log \
      --cv-rows cv.json --changes CHANGES.md [--doc docs/validation.md]

CHANGES.md: a short list of what changed since the previous version (it is the section's prose).
The held-out coverage and median band width are computed from the --cv-rows file (each row's P10/P90
as the fold predicted it). The "Against the field" section sets Flopcast's in-sample and held-out
error beside the peers' of tests/data/groundtruth/peers-measured.json, on the records each peer can
represent; `--peers-only` rewrites that section alone (no CV log needed). The "External checks" section
validates tests/data/groundtruth/external/decoders.json (runs in no public file);
`--external-only` rewrites it alone. Only the standard library
is used.
"""
import argparse
import json
import re
import statistics
import subprocess

METRICS = ("tokens_per_s_per_gpu", "gpu_hours", "wall_time_h")
ROW = re.compile(r"^\| (\w+) \| ([^|]+?) \| (\d*) ?\| ([\d.]*)%? ?\| ([\d.]+)% \|", re.M)
CV_HEAD = re.compile(r"CV (\w+): mean of per-family MAPEs ([\d.]+)%")
CV_FAMILY = re.compile(r"\s+(\S+)\s+n=\s*(\d+) MAPE\s+([\d.]+)%\s+bias\s+([+-][\d.]+)%")


def previous_after(doc_text):
    """(metric, family) -> held-out MAPE of the previous file's "after" column."""
    i = doc_text.find("## Cross-validated")
    if i < 0:
        return {}
    return {(m.group(1), m.group(2).strip("* ")): m.group(5) for m in ROW.finditer(doc_text[i:])}


def parse_cv_log(text):
    means, fams, lines, metric = {}, {}, [], None
    for line in text.splitlines():
        m = CV_HEAD.match(line)
        if m:
            metric = m.group(1)
            means[metric] = m.group(2)
            lines.append(line)
            continue
        m = CV_FAMILY.match(line)
        if m and metric:
            fams[(metric, m.group(1))] = (m.group(2), m.group(3), m.group(4))
            lines.append(line)
    return means, fams, lines


def coverage(rows, metrics):
    sel = [r for r in rows if r["metric"] in metrics and not r["low_confidence"]]
    if not sel:
        return 0, 0.0, 0.0
    inside = sum(1 for r in sel if r["p10"] <= r["measured"] <= r["p90"]) / len(sel)
    width = statistics.median((r["p90"] - r["p10"]) / r["predicted"] for r in sel)
    return len(sel), inside, width


PEERS_HEAD = "## Against the field"
EXTERNAL_HEAD = "## External checks (runs not in the public file)"
EXTERNAL = "tests/data/groundtruth/external/decoders.json"


def in_subset(record, rule):
    """Whether a peer can represent a record (its subset rule in peers-measured.json)."""
    par = record["system"].get("parallelism") or {}
    if record["model"].get("type") not in rule.get("model_type", [record["model"].get("type")]):
        return False
    if "max_cp" in rule and (par.get("cp") or 1) > rule["max_cp"]:
        return False
    if "max_ep" in rule and (par.get("ep") or 1) > rule["max_ep"]:
        return False
    prefixes = rule.get("device_prefix")
    return not prefixes or any(record["system"].get("device", "").startswith(x) for x in prefixes)


def peers_section(flopcast, data, rows, peers_path):
    """Markdown: per peer and family, its MAPE beside Flopcast's on the records it can represent."""
    peers = json.load(open(peers_path, encoding="utf-8"))
    doc = json.load(open(data, encoding="utf-8"))
    records = {r["id"]: r for r in (doc["records"] if isinstance(doc, dict) else doc)}
    predicted = json.loads(subprocess.run([*flopcast.split(), "predict", data, "--format", "json"], check=True,
                                          capture_output=True, text=True).stdout)
    in_err = {}
    for p in predicted:
        v = (p.get("predicted") or {}).get("tokens_per_s_per_gpu")
        m = records[p["id"]]["measured"].get("tokens_per_s_per_gpu")
        if v is not None and m:
            in_err[p["id"]] = v / m - 1
    held = {r["id"]: r["error"] for r in rows if r["metric"] == "tokens_per_s_per_gpu" and not r["low_confidence"]}
    out = [PEERS_HEAD, "",
           "Peers as measured on these records with their shipped defaults (tests/data/groundtruth/peers-measured.json,",
           "copied from the project's research notes); Flopcast on the same records: every record of the family",
           "that the peer can represent (its rule below; not low-confidence), in-sample (the shipped defaults)",
           "and held out (the cross-validation fold that left the family's source group out). The target is",
           "to beat the better peer on every family.",
           ""]
    behind = []
    for peer in peers["peers"]:
        out += [f"### {peer['name']}", "", f"{peer['version']}. Represents {peer['represents']}. Its headline: "
                f"{peer['headline_mape']}% (mean of the family MAPEs below).", "",
                "| family | peer records | peer MAPE | peer bias | Flopcast records | in-sample MAPE | held-out MAPE | held-out bias | held out vs the peer |",
                "|---|---|---|---|---|---|---|---|---|"]
        fl_in, fl_ho = [], []
        for fam, f in sorted(peer["families"].items()):
            ids = [i for i, r in records.items() if r["family"] == fam and in_subset(r, peer["subset"]) and i in held]
            ins = [abs(in_err[i]) for i in ids if i in in_err]
            ho = [held[i] for i in ids]
            if not ho:
                out.append(f"| {fam} | {f['records']} | {f['mape']}% | {f['bias']:+.1f}% | 0 | | | | |")
                continue
            mi, mh = 100 * sum(ins) / len(ins), 100 * sum(abs(e) for e in ho) / len(ho)
            bh = 100 * sum(ho) / len(ho)
            fl_in.append(mi)
            fl_ho.append(mh)
            ahead = mh < f["mape"]
            if not ahead:
                behind.append(f"{fam} ({peer['name']} {f['mape']}% on {f['records']}, Flopcast {mh:.1f}% held out, "
                              f"{mi:.1f}% in-sample)")
            verdict = "\u2714 ahead" if ahead else "\u2718 behind"
            out.append(f"| {fam} | {f['records']} | {f['mape']}% | {f['bias']:+.1f}% | {len(ho)} | {mi:.1f}% | {mh:.1f}% | "
                       f"{bh:+.1f}% | {verdict} |")
        if fl_ho:
            out += ["", f"Flopcast on these families: mean of family MAPEs {sum(fl_in) / len(fl_in):.1f}% in-sample, "
                    f"{sum(fl_ho) / len(fl_ho):.1f}% held out (the peer: {peer['headline_mape']}%)."]
        out.append("")
    if behind:
        out += ["Behind a peer on the same records (held out): " + "; ".join(behind) + ".", ""]
    else:
        out += ["Ahead of every peer on every family it represents (held out).", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def fmt(v):
    return f"{v:.4g}" if abs(v) < 1e5 else f"{v:.3e}"


def external_section(flopcast, path):
    """Markdown: every row of the external decoder file (published runs that no fit has seen)."""
    run = lambda cmd: json.loads(subprocess.run([*flopcast.split(), cmd, path, "--format", "json"], check=True,
                                                capture_output=True, text=True).stdout)
    rows = sorted(run("validate")["rows"], key=lambda r: (r["family"], r["id"], r["metric"]))
    mfu = {p["id"]: (p.get("predicted") or {}).get("mfu") for p in run("predict")}
    lines = [EXTERNAL_HEAD, "",
             f"`flopcast validate {path}`: published decoder runs copied into the repo with their",
             "sources (Llama 2 / Llama 3 / Llama 3.1 model cards, BLOOM, TinyLlama, torchtitan's FSDP2 tables on",
             "64 A100s). They are in no public file and no fit has seen them, so their errors are out-of-sample",
             "like the held-out figures below. Test",
             "`[groundtruth][external]` checks that each is predicted with its stated inputs. For GPU-hours,",
             "\"MFU at the measured\" is the predicted MFU scaled to the measured GPU-hours (predicted MFU ×",
             "predicted / measured GPU-hours, the predicted goodput included): the utilisation the published",
             "figure implies for the predicted run.", "",
             "| record | family | metric | predicted | measured | error | P10 | P90 | in band | predicted MFU | MFU at the measured |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        m = mfu.get(r["id"])
        implied = m * r["predicted"] / r["measured"] if m and r["metric"] == "gpu_hours" else None
        lines.append(f"| {r['id']} | {r['family']} | {r['metric']} | {fmt(r['predicted'])} | {fmt(r['measured'])} | "
                     f"{100 * r['error']:+.1f}% | {fmt(r['p10'])} | {fmt(r['p90'])} | {'yes' if r['in_band'] else 'no'} | "
                     f"{f'{m:.2f}' if m else ''} | {f'{implied:.2f}' if implied else ''} |")
    fams = {}
    for r in rows:
        fams.setdefault((r["metric"], r["family"]), []).append(r["error"])
    for metric in sorted({m for m, _ in fams}):
        per = [(f, e) for (m, f), e in sorted(fams.items()) if m == metric]
        mapes = [100 * sum(abs(x) for x in e) / len(e) for _, e in per]
        lines += ["", f"{metric}: mean of per-family MAPEs {sum(mapes) / len(mapes):.1f}% over {len(per)} "
                  f"famil{'y' if len(per) == 1 else 'ies'} (" + "; ".join(f"{f} {m:.1f}%" for (f, _), m in zip(per, mapes)) + ")."]
    lines += ["", "The Llama 3 and 3.1 cards state neither the device count nor the batch, and their GPU-hours are",
              "all the GPU time of each model (Llama 3.1 pre-training ends with a long-context continuation). The predictor",
              "plans those runs on the fewest devices that finish within its horizon, at the efficiency of a",
              "well-tuned layout; the cards imply a much lower utilisation for the smaller models than for the",
              "405B (public.json), which no structured input explains."]
    return "\n".join(lines) + "\n"


def replace_section(doc_text, head, new_section, before_head):
    """doc_text with the section starting at `head` replaced (or inserted before `before_head`)."""
    i = doc_text.find(head)
    if i >= 0:
        j = doc_text.find("\n## ", i + len(head))
        return doc_text[:i] + new_section + ("\n" + doc_text[j + 1:] if j >= 0 else "")
    k = doc_text.find(before_head)
    if k < 0:
        return doc_text.rstrip("\n") + "\n\n" + new_section
    return doc_text[:k] + new_section + "\n" + doc_text[k:]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--flopcast", required=True)
    ap.add_argument("--cv-log")
    ap.add_argument("--cv-rows", help="the --cv-out file of tools/fit_params.py (all modes but --external-only)")
    ap.add_argument("--changes")
    ap.add_argument("--data", default="tests/data/groundtruth/public.json")
    ap.add_argument("--peers", default="tests/data/groundtruth/peers-measured.json")
    ap.add_argument("--doc", default="docs/validation.md")
    ap.add_argument("--peers-only", action="store_true", help="rewrite only the 'Against the field' section")
    ap.add_argument("--external", default=EXTERNAL)
    ap.add_argument("--external-only", action="store_true", help="rewrite only the 'External checks' section")
    ap.add_argument("--defaults-sentence", default="The shipped defaults are the all-data fit of the same run.",
                    help="what the section says of the shipped defaults (when a run's all-data fit is not adopted)")
    a = ap.parse_args()
    if a.external_only:
        text = open(a.doc, encoding="utf-8").read()
        text = replace_section(text, EXTERNAL_HEAD, external_section(a.flopcast, a.external), "## Cross-validated")
        with open(a.doc, "w", encoding="utf-8") as f:
            f.write(text)
        return
    if not a.cv_rows:
        ap.error("--cv-rows is required (unless --external-only)")
    if a.peers_only:
        rows = json.load(open(a.cv_rows, encoding="utf-8"))
        text = open(a.doc, encoding="utf-8").read()
        text = replace_section(text, PEERS_HEAD, peers_section(a.flopcast, a.data, rows, a.peers), "## Cross-validated")
        with open(a.doc, "w", encoding="utf-8") as f:
            f.write(text)
        return
    if not a.cv_log or not a.changes:
        ap.error("--cv-log and --changes are required (unless --peers-only)")

    try:
        before = previous_after(open(a.doc, encoding="utf-8").read())
    except FileNotFoundError:
        before = {}
    means, fams, cv_lines = parse_cv_log(open(a.cv_log, encoding="utf-8").read())
    rows = json.load(open(a.cv_rows, encoding="utf-8"))
    n_thr, cov_thr, width_thr = coverage(rows, ("tokens_per_s_per_gpu",))
    n_run, cov_run, width_run = coverage(rows, ("gpu_hours", "wall_time_h"))

    table = []
    for metric in METRICS:
        if metric not in means:
            continue
        b = before.get((metric, "mean of per-family MAPEs"), "")
        table.append(f"| {metric} | **mean of per-family MAPEs** | | {b + '%' if b else ''} | {means[metric]}% | |")
        for (mt, fam), (n, mape, bias) in sorted(fams.items()):
            if mt == metric:
                b = before.get((metric, fam), "")
                table.append(f"| {metric} | {fam} | {n} | {b + '%' if b else ''} | {mape}% | {bias}% |")

    main_part = subprocess.run([*a.flopcast.split(), "validate", a.data, "--format", "markdown"], check=True,
                               capture_output=True, text=True).stdout
    changes = open(a.changes, encoding="utf-8").read().strip()
    section = f"""## Cross-validated (leave one source group out)

Generated by `python3 tools/fit_params.py --flopcast build/release/cli/flopcast --data {a.data} --groups tests/data/groundtruth/cv-groups.json --out params.json --cv --cv-out cv.json --iters 120`
(about 5 min on the 2-core build machine) and `tools/validation_doc.py`. For each group of
tests/data/groundtruth/cv-groups.json the throughput parameters and the goodput were refitted
without that group, and the group was predicted with the refitted values. These held-out figures
are the honest estimate for runs Flopcast has not seen; the in-sample tables above are optimistic.
{a.defaults_sentence}

{changes}

Held-out P10–P90 coverage (each fold's band): throughput {100 * cov_thr:.1f} % of {n_thr} records, median
width {100 * width_thr:.1f} %; whole runs {100 * cov_run:.1f} % of {n_run}, median width {100 * width_run:.1f} %.

Before: the previous model and fit (this file's previous version); after: this run.

| metric | family | records | held-out MAPE before | held-out MAPE after | bias after |
|---|---|---|---|---|---|
""" + "\n".join(table) + "\n\n```\n" + "\n".join(cv_lines) + "\n```\n"
    peers = peers_section(a.flopcast, a.data, rows, a.peers)
    external = external_section(a.flopcast, a.external)
    with open(a.doc, "w", encoding="utf-8") as f:
        f.write(main_part.rstrip("\n") + "\n\n" + peers + "\n" + external + "\n" + section)


if __name__ == "__main__":
    main()
