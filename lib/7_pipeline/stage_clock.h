// Wall and CPU time (and memory, see MeasureStage) of the pipeline's
// stages.
#ifndef STORYCLUSTER_LIB_7_PIPELINE_STAGE_CLOCK_H_
#define STORYCLUSTER_LIB_7_PIPELINE_STAGE_CLOCK_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storycluster/pipeline.h"

namespace storycluster {

// Records the wall and process CPU time since the previous mark (or
// construction) as one stage.
class StageClock {
 public:
  explicit StageClock(std::vector<StageTime>* out) : out_(out) {}
  void Mark(std::string stage) {
    const absl::Time now = absl::Now();
    const double cpu = ProcessCpuSeconds();
    out_->push_back(MeasureStage(
        std::move(stage), absl::ToDoubleSeconds(now - last_), cpu - last_cpu_));
    last_ = now;
    last_cpu_ = cpu;
  }

 private:
  std::vector<StageTime>* out_;
  absl::Time last_ = absl::Now();
  double last_cpu_ = ProcessCpuSeconds();
};

}  // namespace storycluster

#endif  // STORYCLUSTER_LIB_7_PIPELINE_STAGE_CLOCK_H_
