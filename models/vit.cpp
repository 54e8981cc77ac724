#include "models/vit.h"

#include <algorithm>

namespace flopcast::models {

LayerList build_vit(const VitSpec& v, int image_size, const std::string& name) {
  LayerList L;
  L.name = name;
  L.kind = ModelKind::vit;
  // Per-sample rates count images; predict and the runner report no token rate.
  L.tokens_per_sample = 1;
  const int p = std::max(1, v.patch_size);
  const double grid = double(image_size / p);
  const double patches = grid * grid, s = patches + 1;
  const double h = v.stack.d_model;
  const double cpp = double(v.channels) * p * p;
  ZooOp patch = gemm_op("patch embedding", patches, h, cpp, cpp * h + h);
  L.add(patch);
  ZooOp pos = memory_op("class token + positions", s * h * 3, s * h);
  pos.weight_params = s * h + h;
  L.add(pos);
  append_encoder_layers(L, v.stack, s, v.stack.n_layers, "layer ");
  ZooOp norm = memory_op("final norm", s * h * 3, s * h);
  norm.weight_params = 2 * h;
  L.add(norm);
  L.add(gemm_op("head", 1, v.num_classes, h, h * v.num_classes + v.num_classes));
  L.tensor_parallel = true;  // the stack's ops are tagged (append_encoder_layers); the rest replicates
  return L;
}

double vit_params(const VitSpec& v, int image_size) { return build_vit(v, image_size, "count").params(); }

}  // namespace flopcast::models
