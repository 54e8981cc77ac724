#!/usr/bin/env python3
"""Convert the research device table into Flopcast's versioned device catalog.

Input:  hwprofiles/data/sources/research-hwprofiles.json (a verbatim copy of the research file,
        kept for provenance: TFLOP/s, GB/s, GB or GiB, bidirectional link bandwidth).
Output: hwprofiles/data/devices.json ({"schema_version": 1, "devices": [...]}) with the unit in
        every key: FLOP/s, bytes, bytes/s per direction, W, kW, USD. See docs/hardware-profiles.md.

Rules (documented in docs/hardware-profiles.md):
  * peaks: TFLOP/s (TOP/s for int8) * 1e12. fp64 takes the larger of the vector and the tensor-core
    fp64 peak (the dense matrix-multiply peak, like every other precision in the table); the vector
    value is kept as fp64_vector_flops_per_s.
  * memory: memory_capacity * 1e9 when memory_capacity_unit is "GB", * 2**30 when "GiB".
  * memory bandwidth: GB/s * 1e9 (vendors quote decimal GB/s).
  * scale-up: intra_node_bw_gb_s_bidir counts both directions: / 2 * 1e9 per direction.
  * scale-out: scale_out_gbit_s_per_device * 1e9 / 8 bytes/s per direction (NIC line rates are
    quoted per direction).
  * unknown stays null; nothing is invented. The only values added are system_power_devices for
    the two systems the research notes name (DGX A100, DGX H100: 8 GPUs each), and the scale-out
    NIC share of the reference systems in SCALE_OUT_ADDED (where the research table left it null:
    the vendor's system specification, named as a source), both marked derived with a field note.

Stdlib only. Usage:
  python3 tools/convert_hwprofiles.py                  # rewrite hwprofiles/data/devices.json
  python3 tools/convert_hwprofiles.py --check          # exit 1 if the checked-in file is stale
  python3 tools/convert_hwprofiles.py --output PATH    # write elsewhere (tests)
"""

import argparse
import json
import os
import re
import sys

SCHEMA_VERSION = 1
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_INPUT = os.path.join(ROOT, "hwprofiles", "data", "sources", "research-hwprofiles.json")
DEFAULT_OUTPUT = os.path.join(ROOT, "hwprofiles", "data", "devices.json")

PRECISIONS = ["fp64", "fp32", "tf32", "bf16", "fp16", "fp8", "int8", "fp4"]
RESEARCH_PEAK_KEY = {
    "fp64": "fp64_tflops", "fp32": "fp32_tflops", "tf32": "tf32_tflops", "bf16": "bf16_tflops",
    "fp16": "fp16_tflops", "fp8": "fp8_tflops", "int8": "int8_tops", "fp4": "fp4_tflops",
}
TERA = 1e12
GIGA = 1e9
GIB = 2 ** 30

# Devices in one system whose whole-system power the research file gives in system_power_kw.
# Only where the research notes name the system; the GPU count is that system's datasheet value.
SYSTEM_POWER_DEVICES = {
    "nvidia-a100-sxm4-40gb": (8, "DGX A100 (8 GPUs), named in the research notes"),
    "nvidia-h100-sxm5-80gb": (8, "DGX H100 (8 GPUs), named in the research notes"),
}

# Scale-out bandwidth per device where the research table left it null, from the reference system's
# published NIC count and line rate: (Gb/s per device per direction, field note, source).
SCALE_OUT_ADDED = {
    "nvidia-v100-sxm2-16gb": (50, "DGX-1 (V100): 4 x 100 Gb/s EDR InfiniBand for 8 GPUs",
                              {"title": "AnandTech, NVIDIA's DGX-2 (spec table DGX-2 vs DGX-1: networking 4 x IB for DGX-1)",
                               "url": "https://www.anandtech.com/show/12587/nvidias-dgx2-sixteen-v100-gpus-30-tb-of-nvme-only-400k"}),
    "nvidia-v100-sxm2-32gb": (50, "DGX-1 (V100): 4 x 100 Gb/s EDR InfiniBand for 8 GPUs",
                              {"title": "AnandTech, NVIDIA's DGX-2 (spec table DGX-2 vs DGX-1: networking 4 x IB for DGX-1)",
                               "url": "https://www.anandtech.com/show/12587/nvidias-dgx2-sixteen-v100-gpus-30-tb-of-nvme-only-400k"}),
    "nvidia-v100-sxm3-32gb": (50, "DGX-2: 8 x 100 Gb/s EDR InfiniBand for 16 GPUs",
                              {"title": "PC Perspective, NVIDIA announces DGX-2 with 16 GV100s and 8 100Gb NICs (eight EDR InfiniBand NICs)",
                               "url": "https://pcper.com/2018/03/nvidia-announces-dgx-2-with-16-gv100s-8-100gb-nics/"}),
    "nvidia-gb200-per-gpu": (400, "GB200 NVL72 compute tray: 4 GPUs, 4 ConnectX-7 400 Gb/s InfiniBand HCAs",
                             {"title": "NVIDIA Multi-Node NVLink Systems tuning guide, Understanding your Grace-Blackwell systems (GB200 72x1: 18 compute trays of 4 GPUs, ConnectX-7 compute NICs)",
                              "url": "https://docs.nvidia.com/multi-node-nvlink-systems/multi-node-tuning-guide/system.html"}),
    "nvidia-gb300-per-gpu": (800, "GB300 NVL72 compute tray: 4 GPUs, 4 ConnectX-8 800 Gb/s HCAs",
                             {"title": "NVIDIA Enterprise Reference Architecture, NVL72 AI factory: system hardware and components (GB300 NVL compute tray: 4 ConnectX-8 HCAs for 4 GPUs)",
                              "url": "https://docs.nvidia.com/enterprise-reference-architectures/nvl72-ai-factory/latest/components.html"}),
}

# Research keys that map one-to-one onto a Flopcast key (same value, same meaning).
SAME_KEYS = ["id", "vendor", "name", "family", "device_type", "form_factor", "launch_year",
             "launch_note", "sparsity_note", "memory_type", "host_link", "scale_out_typical",
             "tdp_w", "system_power_kw", "price_usd", "price_unit", "price_year", "price_basis",
             "confidence", "notes"]
RENAMED_KEYS = {
    "memory_capacity": "memory_bytes",
    "memory_capacity_unit": "memory_bytes",
    "memory_bw_gb_s": "memory_bandwidth_bytes_per_s",
    "intra_node_link": "scale_up_link",
    "intra_node_bw_gb_s_bidir": "scale_up_bytes_per_s",
    "scale_up_domain_size": "scale_up_domain_size",
    "scale_out_gbit_s_per_device": "scale_out_bytes_per_s",
    "vendor_sparse_peaks": "sparse_peak_flops_per_s",
    "price_points": "price_points",
    "cloud_prices": "cloud_prices",
    "sources": "sources",
}
ALL_RESEARCH_KEYS = set(SAME_KEYS) | set(RENAMED_KEYS) | set(RESEARCH_PEAK_KEY.values()) | {
    "fp64_tensor_tflops", "derived_fields", "unverified_fields"}


class ConvertError(Exception):
    pass


def scale(value, factor):
    """value * factor, rounded to drop binary noise (e.g. 3276.8e9), or None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConvertError("expected a number, got %r" % (value,))
    result = float(value) * factor
    rounded = round(result)
    if abs(result - rounded) <= 1e-6 * max(1.0, abs(result)):
        return int(rounded)  # keep integers exact and short
    return result


def fp64_choice(dev):
    vector, tensor = dev["fp64_tflops"], dev["fp64_tensor_tflops"]
    candidates = [v for v in (vector, tensor) if v is not None]
    if not candidates:
        return None, None
    best = max(candidates)
    origin = "fp64_tensor_tflops" if (tensor is not None and best == tensor and
                                      (vector is None or tensor > vector)) else "fp64_tflops"
    return best, origin


def research_field_to_flopcast(field, dev):
    """Maps a research field name (as listed in derived_fields/unverified_fields) to Flopcast keys."""
    if field == "fp64_tflops":
        _, origin = fp64_choice(dev)
        out = ["fp64_vector_flops_per_s"]
        if origin == "fp64_tflops":
            out.insert(0, "peak_flops_per_s.fp64")
        return out
    if field == "fp64_tensor_tflops":
        _, origin = fp64_choice(dev)
        return ["peak_flops_per_s.fp64"] if origin == "fp64_tensor_tflops" else []
    for prec, key in RESEARCH_PEAK_KEY.items():
        if field == key:
            return ["peak_flops_per_s." + prec]
    if field in SAME_KEYS:
        return [field]
    if field in RENAMED_KEYS:
        return [RENAMED_KEYS[field]]
    m = re.fullmatch(r"(price_points|cloud_prices)\[(\d+)\](\.[a-z_]+)?", field)
    if m:
        return [field]
    raise ConvertError("unknown field name %r in derived/unverified list" % field)


def convert_field_list(items, dev, field_notes):
    if items is None:
        return None
    out = []
    for item in items:
        m = re.fullmatch(r"([A-Za-z0-9_.\[\]]+)(?:\s*\((.*)\))?", item.strip())
        if not m:
            raise ConvertError("cannot read field reference %r" % item)
        for key in research_field_to_flopcast(m.group(1), dev):
            if key not in out:
                out.append(key)
            if m.group(2):
                field_notes[key] = m.group(2)
    return out


def convert_source(src):
    if src is None:
        return None
    out = {"title": src["title"], "url": src.get("url")}
    if src.get("note") is not None:
        out["note"] = src["note"]
    extra = set(src) - {"title", "url", "note"}
    if extra:
        raise ConvertError("unknown source keys %s" % sorted(extra))
    return out


def pricing_kind(pricing):
    p = pricing.lower()
    if p == "on-demand":
        return "on-demand", None
    if p == "spot":
        return "spot", None
    if p == "capacity block":
        return "capacity-block", None
    m = re.fullmatch(r"(?:(\d+)-yr )?(reserved|cud)", p)
    if m:
        return "reserved", (int(m.group(1)) if m.group(1) else None)
    raise ConvertError("unknown pricing %r" % pricing)


def convert_cloud_price(cp):
    kind, term = pricing_kind(cp["pricing"])
    out = {
        "provider": cp["provider"],
        "instance": cp["instance"],
        "region": cp["region"],
        "pricing": cp["pricing"],
        "pricing_kind": kind,
        "term_years": term,
        "usd_per_device_hr": cp["usd_per_device_hr"],
        "usd_per_instance_hr": cp["usd_per_instance_hr"],
        "devices_per_instance": cp["devices_per_instance"],
        "date": cp["date"],
        "confidence": cp["confidence"],
        "note": cp["note"],
        "source": convert_source(cp["source"]),
    }
    extra = set(cp) - set(out)
    if extra:
        raise ConvertError("unknown cloud price keys %s" % sorted(extra))
    return out


def convert_price_point(pp):
    out = {
        "value_usd": pp["value_usd"],
        "unit": pp["unit"],
        "year": pp["year"],
        "basis": pp["basis"],
        "source": convert_source(pp["source"]),
    }
    extra = set(pp) - set(out)
    if extra:
        raise ConvertError("unknown price point keys %s" % sorted(extra))
    return out


def convert_device(dev):
    extra = set(dev) - ALL_RESEARCH_KEYS
    missing = ALL_RESEARCH_KEYS - set(dev)
    if extra or missing:
        raise ConvertError("unexpected keys %s, missing keys %s" % (sorted(extra), sorted(missing)))

    peaks = {}
    for prec in PRECISIONS:
        if prec == "fp64":
            peaks[prec] = scale(fp64_choice(dev)[0], TERA)
        else:
            peaks[prec] = scale(dev[RESEARCH_PEAK_KEY[prec]], TERA)

    sparse = None
    if dev["vendor_sparse_peaks"] is not None:
        sparse = {k: scale(v, TERA) for k, v in dev["vendor_sparse_peaks"].items()}

    unit = dev["memory_capacity_unit"]
    if dev["memory_capacity"] is None:
        memory_bytes = None
    elif unit == "GB":
        memory_bytes = scale(dev["memory_capacity"], GIGA)
    elif unit == "GiB":
        memory_bytes = scale(dev["memory_capacity"], GIB)
    else:
        raise ConvertError("memory_capacity_unit must be GB or GiB, got %r" % (unit,))

    bidir = dev["intra_node_bw_gb_s_bidir"]
    gbit = dev["scale_out_gbit_s_per_device"]

    field_notes = {}
    derived = convert_field_list(dev["derived_fields"], dev, field_notes)
    unverified = convert_field_list(dev["unverified_fields"], dev, field_notes)
    added_sources = []
    if gbit is None and dev["id"] in SCALE_OUT_ADDED:
        gbit, why, src = SCALE_OUT_ADDED[dev["id"]]
        derived = (derived or []) + ["scale_out_bytes_per_s"]
        field_notes["scale_out_bytes_per_s"] = why
        added_sources.append(src)

    system_devices = None
    if dev["id"] in SYSTEM_POWER_DEVICES and dev["system_power_kw"] is not None:
        system_devices, why = SYSTEM_POWER_DEVICES[dev["id"]]
        derived = (derived or []) + ["system_power_devices"]
        field_notes["system_power_devices"] = why

    out = {
        "id": dev["id"],
        "vendor": dev["vendor"],
        "name": dev["name"],
        "family": dev["family"],
        "device_type": dev["device_type"],
        "form_factor": dev["form_factor"],
        "launch_year": dev["launch_year"],
        "launch_note": dev["launch_note"],
        "peak_flops_per_s": peaks,
        "fp64_vector_flops_per_s": scale(dev["fp64_tflops"], TERA),
        "sparse_peak_flops_per_s": sparse,
        "sparsity_note": dev["sparsity_note"],
        "memory_bytes": memory_bytes,
        "memory_type": dev["memory_type"],
        "memory_bandwidth_bytes_per_s": scale(dev["memory_bw_gb_s"], GIGA),
        "scale_up_link": dev["intra_node_link"],
        "scale_up_bytes_per_s": None if bidir is None else scale(bidir / 2, GIGA),
        "scale_up_domain_size": dev["scale_up_domain_size"],
        "host_link": dev["host_link"],
        "scale_out_typical": dev["scale_out_typical"],
        "scale_out_bytes_per_s": None if gbit is None else scale(gbit / 8, GIGA),
        "tdp_w": dev["tdp_w"],
        "system_power_kw": dev["system_power_kw"],
        "system_power_devices": system_devices,
        "price_usd": dev["price_usd"],
        "price_unit": dev["price_unit"],
        "price_year": dev["price_year"],
        "price_basis": dev["price_basis"],
        "price_points": [convert_price_point(p) for p in dev["price_points"]],
        "cloud_prices": [convert_cloud_price(c) for c in dev["cloud_prices"]],
        "confidence": dev["confidence"],
        "derived_fields": derived,
        "unverified_fields": unverified,
        "field_notes": dict(sorted(field_notes.items())),
        "notes": dev["notes"],
        "sources": [convert_source(s) for s in dev["sources"]] + [convert_source(s) for s in added_sources],
    }
    return out


def convert(research):
    if not isinstance(research, list):
        raise ConvertError("the research file must be a JSON array of devices")
    devices = []
    seen = set()
    for i, dev in enumerate(research):
        try:
            converted = convert_device(dev)
        except ConvertError as e:
            raise ConvertError("device %d (%s): %s" % (i, dev.get("id", "?"), e))
        if converted["id"] in seen:
            raise ConvertError("duplicate id %s" % converted["id"])
        seen.add(converted["id"])
        devices.append(converted)
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_by": "tools/convert_hwprofiles.py from hwprofiles/data/sources/research-hwprofiles.json",
        "devices": devices,
    }


def render(doc):
    # ASCII only (non-ASCII becomes \uXXXX) so the file embeds safely into a C++ raw string.
    return json.dumps(doc, indent=1, ensure_ascii=True) + "\n"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", default=DEFAULT_INPUT)
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    ap.add_argument("--check", action="store_true",
                    help="compare with --output instead of writing; exit 1 when they differ")
    args = ap.parse_args(argv)
    try:
        with open(args.input, encoding="utf-8") as f:
            research = json.load(f)
        text = render(convert(research))
    except (OSError, ValueError, ConvertError, KeyError) as e:
        print("convert_hwprofiles: %s: %s" % (args.input, e), file=sys.stderr)
        return 2
    if args.check:
        try:
            with open(args.output, encoding="utf-8", newline="") as f:
                current = f.read()
        except OSError as e:
            print("convert_hwprofiles: %s" % e, file=sys.stderr)
            return 1
        if current != text:
            print("convert_hwprofiles: %s is stale; rerun tools/convert_hwprofiles.py" % args.output,
                  file=sys.stderr)
            return 1
        return 0
    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
