// Vision transformers (ViT-B/16, L/16, H/14, g/14, G/14): patches -> tokens -> encoder layers.
//
// Formula (image r×r×c, patch p): tokens s = (r/p)² + 1 (class token);
//   patch embedding  a p×p stride-p convolution = GEMM of (r/p)² rows × h × c·p², 2·(r/p)²·h·c·p² FLOPs
//   encoder layers   as models/encoder.h over s tokens (pre-LN, GELU MLP of width f, biases)
//   head             LayerNorm + h × classes on the class token
//   parameters       c·p²·h + h (patch) + s·h (positions) + h (class token) + layers + 2h + h·classes
//                    + classes; FLOPs per image scale with (r/p)² (and s² in attention).
// Assumptions: the standard ViT (Dosovitskiy et al.) without the pre-logits layer; ViT-g/G as in
//   Zhai et al. 2022 (width 1408 / 1664, MLP 6144 / 8192, 40 / 48 layers, 16 heads).
// Ignores: data augmentation (RandAugment, mixup) and the stochastic depth schedule.
// Sources: Dosovitskiy et al. 2021 (arXiv:2010.11929) Table 1 (86 M, 307 M, 632 M);
//   Zhai et al. 2022 "Scaling Vision Transformers" (arXiv:2106.04560) Table 2 (ViT-g/14 1011 M,
//   ViT-G/14 1843 M).
#pragma once

#include "models/encoder.h"

namespace flopcast::models {

struct VitSpec {
  TransformerStackSpec stack;
  int patch_size = 16;
  int num_classes = 1000;
  int channels = 3;
};

LayerList build_vit(const VitSpec& v, int image_size, const std::string& name);
double vit_params(const VitSpec& v, int image_size);

}  // namespace flopcast::models
