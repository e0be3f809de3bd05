// Internal: the TF-IDF weight formula, shared by VectorizeRows and the
// tests' reference vectorizer so that both compute the same numbers:
// weight = (1 + ln tf) * (ln((1 + N) / (1 + df)) + idf_offset), then L2
// normalisation of each vector.
#ifndef STORYCLUSTER_LIB_3_FEATURES_TERM_WEIGHT_H_
#define STORYCLUSTER_LIB_3_FEATURES_TERM_WEIGHT_H_

#include <cmath>

#include "absl/types/span.h"

namespace storycluster {

inline double Idf(double documents, double df, double offset) {
  return std::log((1.0 + documents) / (1.0 + df)) + offset;
}

// 1 + ln tf: the sublinear term frequency. Most terms occur once, and
// ln 1 is exactly 0: those skip the logarithm.
inline double SublinearTf(float tf) {
  return tf == 1.0f ? 1.0 : 1.0 + std::log(tf);
}

// Sublinear tf (SublinearTf) times idf.
inline float TermWeight(double sublinear_tf, double idf) {
  return static_cast<float>(sublinear_tf * idf);
}

// Divides `values` by their L2 norm (unless it is 0).
inline void L2Normalize(absl::Span<float> values) {
  double norm = 0;
  for (float value : values) norm += static_cast<double>(value) * value;
  norm = std::sqrt(norm);
  if (norm > 0) {
    for (float& value : values) value = static_cast<float>(value / norm);
  }
}

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_3_FEATURES_TERM_WEIGHT_H_
