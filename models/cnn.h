// Convolutional networks (ResNet-50 v1.5, ResNet-101/152, ResNeXt-101 32x4d, SE-ResNeXt-101 32x4d,
// EfficientNet B0–B7, EfficientNetV2-S/M/L): layer list generated from the architecture definition
// -> FLOPs, parameters and activation bytes per layer.
//
// Formula (a k×k convolution, stride σ, C_in -> C_out, g groups, output r_o = ⌈r/σ⌉ ("same" padding)):
//   FLOPs = 2 · r_o² · C_out · k² · C_in / g            (one multiply-add = 2 FLOPs)
//   as an implicit GEMM: M = r_o² per image, N = C_out, K = k²·C_in/g (cuDNN's formulation)
//   parameters k²·C_in·C_out/g (+ C_out bias where the layer has one)
//   depthwise (g = C_in = C_out): 2·r_o²·C·k² FLOPs but only k² MACs per element moved, so it is
//     charged as memory traffic r²·C + r_o²·C elements (memory-bound on every GPU; Gholami et al.)
//   BatchNorm + activation after a conv: 5 element accesses per output element forward (statistics
//     read, normalise read + write, activation read + write), 2·C parameters
//   squeeze-excitation (Hu et al.): global pool (read r²·C), FC C->C_se->C (+biases), sigmoid, and
//     the channel scale (read r²·C twice, write once): memory-bound except the tiny FCs
//   residual add + activation: 3 + 2 accesses per element; max/avg pooling: read input, write output
//   FLOPs per image scale with image_size² (every r² above).
// Activation bytes kept for backward: each conv's input, each BN's input and each activation's
//   output (no in-place tricks), at the precision's activation width.
// Ignores: the cost of data augmentation and the fp32 loss (1000 logits), ReLU FLOPs, padding
//   effects on small feature maps beyond the ⌈r/σ⌉ rule.
// Sources: He et al. 2016 (ResNet, arXiv:1512.03385); NVIDIA DeepLearningExamples "ResNet50 v1.5"
//   (stride 2 in the 3×3 conv); Xie et al. 2017 (ResNeXt, arXiv:1611.05431); Hu et al. 2018
//   (SENet, arXiv:1709.01507, reduction 16); Tan & Le 2019 (EfficientNet, arXiv:1905.11946, Table 1
//   and the width/depth/resolution coefficients of the reference code); Tan & Le 2021
//   (EfficientNetV2, arXiv:2104.00298, Table 4 and the reference code's M/L stage tables).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "models/zoo_estimate.h"

namespace flopcast::models {

// Architectures this builder knows ("resnet50-v1.5", "resnet101", "resnet152", "resnext101-32x4d",
// "se-resnext101-32x4d", "efficientnet-b0" .. "efficientnet-b7", "efficientnetv2-s|m|l").
const std::vector<std::string>& cnn_architectures();

// The layer list for one image of image_size² pixels and `channels` input channels; nullopt for an
// unknown architecture or a non-positive size.
std::optional<LayerList> build_cnn(const std::string& arch, int image_size, int channels = 3,
                                   int num_classes = 1000);

// The training / evaluation resolution the architecture was published with (EfficientNet: the
// compound-scaled size), 224 for the ResNet family.
int cnn_default_image_size(const std::string& arch);

}  // namespace flopcast::models
