// The time and memory of each stage of a run (Clustering::stages,
// PathsCopyGroups::stages; `--stage-times` prints them).
#ifndef STORYCLUSTER_STAGE_TIME_H_
#define STORYCLUSTER_STAGE_TIME_H_

#include <cstdint>
#include <string>

namespace storycluster {

// Wall time of one pipeline stage.
struct StageTime {
  std::string stage;  // e.g. "features", "copies", "event candidates"
  double seconds = 0;
  // CPU time (user + system) of the whole process during the stage, all
  // threads together: cpu_seconds / seconds is how many cores it kept busy
  // on average. 0 when not measured.
  double cpu_seconds = 0;
  // Resident memory of the process when the stage ended, and its peak so
  // far (Linux; 0 elsewhere).
  int64_t rss_bytes = 0;
  int64_t peak_rss_bytes = 0;
};
// A StageTime for a stage that took `seconds`, with the memory figures
// read now.
StageTime MeasureStage(std::string stage, double seconds,
                       double cpu_seconds = 0);
// User + system CPU time of the process so far, all threads (getrusage).
double ProcessCpuSeconds();

}  // namespace storycluster

#endif  // STORYCLUSTER_STAGE_TIME_H_
