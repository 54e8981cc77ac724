#include "models/cnn.h"

#include <algorithm>
#include <cmath>

namespace flopcast::models {
namespace {

// Tracks the feature map (r×r×c) while layers are appended.
struct Net {
  LayerList L;
  double r = 0;  // spatial size
  double c = 0;  // channels

  // k×k convolution (+ BN + activation when bn_act), no bias.
  void conv(const std::string& name, double c_out, int k, int stride, int groups = 1, bool bn_act = true,
            bool act = true) {
    const double ro = std::ceil(r / stride);
    const double in_elems = r * r * c, out_elems = ro * ro * c_out;
    if (groups > 1 && groups == int(c) && c == c_out) {
      ZooOp o = memory_op(name + " (depthwise " + std::to_string(k) + "x" + std::to_string(k) + ")",
                          in_elems + out_elems, in_elems, 2.0 * out_elems * k * k);
      o.weight_params = double(k) * k * c;
      o.depthwise = true;
      L.add(o);
    } else {
      const double K = double(k) * k * c / groups;
      ZooOp o = gemm_op(name, ro * ro, c_out, K, K * c_out);
      o.saved_elems_per_sample = in_elems;
      L.add(o);
    }
    r = ro;
    c = c_out;
    if (bn_act) norm_act(name, act);
  }
  void norm_act(const std::string& name, bool act = true) {
    const double e = r * r * c;
    ZooOp o = memory_op(name + " bn" + (act ? "+act" : ""), e * (act ? 5 : 3), e * (act ? 2 : 1));
    o.weight_params = 2 * c;
    L.add(o);
  }
  void pool(const std::string& name, int stride) {  // max pool k3 s2
    const double ro = std::ceil(r / stride);
    L.add(memory_op(name, r * r * c + ro * ro * c, ro * ro * c));
    r = ro;
  }
  void residual(const std::string& name, bool act) {
    const double e = r * r * c;
    L.add(memory_op(name, e * (act ? 5 : 3), act ? e : 0));
  }
  // Squeeze-excitation on the current map: pool, FC c->se (+b), act, FC se->c (+b), sigmoid, scale.
  void se(const std::string& name, double se_ch) {
    const double e = r * r * c;
    L.add(memory_op(name + " squeeze", e, 0));
    L.add(gemm_op(name + " fc1", 1, se_ch, c, c * se_ch + se_ch));
    L.add(gemm_op(name + " fc2", 1, c, se_ch, se_ch * c + c));
    L.add(memory_op(name + " excite (scale)", 3 * e, e));
  }
  void head(double classes) {
    L.add(memory_op("global avg pool", r * r * c, 0));
    L.add(gemm_op("fc", 1, classes, c, c * classes + classes));
    ZooOp loss = memory_op("softmax+loss", 3 * classes, classes);
    loss.elementwise_fp32 = true;
    L.add(loss);
  }
};

// ResNet / ResNeXt / SE-ResNeXt bottleneck networks (v1.5: stride in the 3×3 conv).
LayerList resnet(const std::vector<int>& blocks, double base_width, int groups, bool se, int image, int channels,
                 int classes, const std::string& name) {
  Net n;
  n.L.name = name;
  n.r = image;
  n.c = channels;
  n.conv("stem conv7x7", 64, 7, 2);
  n.pool("stem maxpool", 2);
  for (size_t s = 0; s < blocks.size(); ++s) {
    const double width = base_width * std::pow(2.0, double(s));  // 3x3 conv width (groups × width/group)
    const double out = 256.0 * std::pow(2.0, double(s));
    for (int b = 0; b < blocks[s]; ++b) {
      const std::string p = "stage" + std::to_string(s + 1) + " block" + std::to_string(b + 1);
      const int stride = (b == 0 && s > 0) ? 2 : 1;
      const double in_c = n.c, in_r = n.r;
      n.conv(p + " conv1x1a", width, 1, 1);
      n.conv(p + " conv3x3", width, 3, stride, groups);
      n.conv(p + " conv1x1b", out, 1, 1, 1, true, false);
      if (se) n.se(p + " se", out / 16);
      if (b == 0) {  // projection shortcut on the block input
        Net d;
        d.r = in_r;
        d.c = in_c;
        d.conv(p + " downsample", out, 1, stride, 1, true, false);
        for (auto& o : d.L.ops) n.L.add(o);
      }
      n.residual(p + " add+relu", true);
    }
  }
  n.head(classes);
  return n.L;
}

int round_filters(double f, double width) {
  f *= width;
  int nf = std::max(8, int(f + 4) / 8 * 8);
  if (nf < 0.9 * f) nf += 8;
  return nf;
}

struct MbStage {
  bool fused;
  int expand, kernel, stride, out, repeats;
  double se_ratio;
};

// EfficientNet (v1: MBConv with SE everywhere) and EfficientNetV2 (Fused-MBConv early stages).
LayerList efficientnet(const std::vector<MbStage>& stages, int stem, int head_ch, double width, double depth,
                       int image, int channels, int classes, const std::string& name) {
  Net n;
  n.L.name = name;
  n.r = image;
  n.c = channels;
  n.conv("stem conv3x3", round_filters(stem, width), 3, 2);
  int si = 0;
  for (const auto& st : stages) {
    ++si;
    const int out = round_filters(st.out, width);
    const int reps = int(std::ceil(depth * st.repeats));
    for (int b = 0; b < reps; ++b) {
      const std::string p = "stage" + std::to_string(si) + " block" + std::to_string(b + 1);
      const int stride = b == 0 ? st.stride : 1;
      const double in_c = n.c;
      const bool skip = stride == 1 && int(in_c) == out;
      const double mid = in_c * st.expand;
      const double se_ch = std::max(1.0, std::floor(in_c * st.se_ratio));
      if (st.fused) {
        if (st.expand == 1) {
          n.conv(p + " fused conv", out, st.kernel, stride);
        } else {
          n.conv(p + " fused expand conv", mid, st.kernel, stride);
          if (st.se_ratio > 0) n.se(p + " se", se_ch);
          n.conv(p + " project", out, 1, 1, 1, true, false);
        }
      } else {
        if (st.expand != 1) n.conv(p + " expand", mid, 1, 1);
        n.conv(p + " dwconv", mid, st.kernel, stride, int(mid));
        if (st.se_ratio > 0) n.se(p + " se", se_ch);
        n.conv(p + " project", out, 1, 1, 1, true, false);
      }
      if (skip) n.residual(p + " add", false);
    }
  }
  n.conv("head conv1x1", round_filters(head_ch, width), 1, 1);
  n.head(classes);
  return n.L;
}

struct EffScale {
  const char* name;
  double width, depth;
  int resolution;
};
constexpr EffScale kEffV1[] = {{"efficientnet-b0", 1.0, 1.0, 224}, {"efficientnet-b1", 1.0, 1.1, 240},
                               {"efficientnet-b2", 1.1, 1.2, 260}, {"efficientnet-b3", 1.2, 1.4, 300},
                               {"efficientnet-b4", 1.4, 1.8, 380}, {"efficientnet-b5", 1.6, 2.2, 456},
                               {"efficientnet-b6", 1.8, 2.6, 528}, {"efficientnet-b7", 2.0, 3.1, 600}};

const std::vector<MbStage>& effv1_stages() {
  static const std::vector<MbStage> s = {
      {false, 1, 3, 1, 16, 1, 0.25}, {false, 6, 3, 2, 24, 2, 0.25},  {false, 6, 5, 2, 40, 2, 0.25},
      {false, 6, 3, 2, 80, 3, 0.25}, {false, 6, 5, 1, 112, 3, 0.25}, {false, 6, 5, 2, 192, 4, 0.25},
      {false, 6, 3, 1, 320, 1, 0.25}};
  return s;
}
// EfficientNetV2 stage tables (Tan & Le 2021 Table 4 for S; reference code effnetv2_configs.py for M, L).
const std::vector<MbStage>& effv2_stages(char size) {
  static const std::vector<MbStage> s = {
      {true, 1, 3, 1, 24, 2, 0},      {true, 4, 3, 2, 48, 4, 0},       {true, 4, 3, 2, 64, 4, 0},
      {false, 4, 3, 2, 128, 6, 0.25}, {false, 6, 3, 1, 160, 9, 0.25},  {false, 6, 3, 2, 256, 15, 0.25}};
  static const std::vector<MbStage> m = {
      {true, 1, 3, 1, 24, 3, 0},       {true, 4, 3, 2, 48, 5, 0},        {true, 4, 3, 2, 80, 5, 0},
      {false, 4, 3, 2, 160, 7, 0.25},  {false, 6, 3, 1, 176, 14, 0.25},  {false, 6, 3, 2, 304, 18, 0.25},
      {false, 6, 3, 1, 512, 5, 0.25}};
  static const std::vector<MbStage> l = {
      {true, 1, 3, 1, 32, 4, 0},       {true, 4, 3, 2, 64, 7, 0},        {true, 4, 3, 2, 96, 7, 0},
      {false, 4, 3, 2, 192, 10, 0.25}, {false, 6, 3, 1, 224, 19, 0.25},  {false, 6, 3, 2, 384, 25, 0.25},
      {false, 6, 3, 1, 640, 7, 0.25}};
  return size == 's' ? s : size == 'm' ? m : l;
}

}  // namespace

const std::vector<std::string>& cnn_architectures() {
  static const std::vector<std::string> a = [] {
    std::vector<std::string> v = {"resnet50-v1.5", "resnet101", "resnet152", "resnext101-32x4d",
                                  "se-resnext101-32x4d"};
    for (const auto& e : kEffV1) v.push_back(e.name);
    v.push_back("efficientnetv2-s");
    v.push_back("efficientnetv2-m");
    v.push_back("efficientnetv2-l");
    return v;
  }();
  return a;
}

int cnn_default_image_size(const std::string& arch) {
  for (const auto& e : kEffV1)
    if (arch == e.name) return e.resolution;
  if (arch == "efficientnetv2-s") return 384;
  if (arch == "efficientnetv2-m" || arch == "efficientnetv2-l") return 480;
  return 224;
}

std::optional<LayerList> build_cnn(const std::string& arch, int image, int channels, int classes) {
  if (image <= 0 || channels <= 0 || classes <= 0) return std::nullopt;
  std::optional<LayerList> L;
  if (arch == "resnet50-v1.5") L = resnet({3, 4, 6, 3}, 64, 1, false, image, channels, classes, arch);
  else if (arch == "resnet101") L = resnet({3, 4, 23, 3}, 64, 1, false, image, channels, classes, arch);
  else if (arch == "resnet152") L = resnet({3, 8, 36, 3}, 64, 1, false, image, channels, classes, arch);
  else if (arch == "resnext101-32x4d") L = resnet({3, 4, 23, 3}, 128, 32, false, image, channels, classes, arch);
  else if (arch == "se-resnext101-32x4d") L = resnet({3, 4, 23, 3}, 128, 32, true, image, channels, classes, arch);
  else if (arch.rfind("efficientnetv2-", 0) == 0 && arch.size() == 16) {
    const char sz = arch.back();
    if (sz != 's' && sz != 'm' && sz != 'l') return std::nullopt;
    L = efficientnet(effv2_stages(sz), sz == 'l' ? 32 : 24, 1280, 1.0, 1.0, image, channels, classes, arch);
  } else {
    for (const auto& e : kEffV1)
      if (arch == e.name) L = efficientnet(effv1_stages(), 32, 1280, e.width, e.depth, image, channels, classes, arch);
  }
  if (L) {
    L->kind = ModelKind::cnn;
    L->tokens_per_sample = 1;
  }
  return L;
}

}  // namespace flopcast::models
