// Output paths: one rule for every file the library and the tool write
// (results, document-frequency tables, pair models), so no stage replaces
// a device or a link it should write into. Not a stage: used by several
// (features, events, output); output.h includes it.
#ifndef STORYCLUSTER_OUTPUT_PATH_H_
#define STORYCLUSTER_OUTPUT_PATH_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace storycluster {

// One rule for every file the tool writes (docs/formats.md, "Output
// paths"), decided from what `path` is when it is written:
// * "-", /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: written to
//   that open descriptor.
// * a regular file, or a path that does not exist yet: written to a
//   temporary file in the same directory, flushed to disk and renamed over
//   the path, so readers see the old file or the whole new one, never a
//   part. An existing file keeps its permission bits (and, as root, its
//   owner).
// * a symbolic link: followed to its final target, which is then treated
//   by these rules (a regular file there is replaced, not the link).
// * a character device, FIFO or Unix socket: written straight through, with
//   no temporary file and no rename.
// * a directory, a block device, a path whose directory is missing or not
//   writable: an error naming the path and the reason.
class OutputPath {
 public:
  enum class Kind {
    kDescriptor,  // an already open descriptor (stdout, /dev/fd/N)
    kReplace,     // regular file or new path: atomic replace
    kStream,      // character device or FIFO: opened and written
    kSocket,      // Unix socket: connected and written
  };
  // Classifies `path` and checks that it can be written (for a replace: a
  // temporary file can be created in its directory), without writing it.
  // Call it before a long run so that a bad path fails at once.
  static absl::StatusOr<OutputPath> Resolve(const std::string& path);

  absl::Status Write(std::string_view contents) const;

  Kind kind() const { return kind_; }
  // The path as given, and what is written: the final target of a link.
  const std::string& path() const { return path_; }
  const std::string& target() const { return target_; }

 private:
  friend absl::Status WriteOutputFile(const std::string& path,
                                      std::string_view contents);
  // Resolve without the test that a replace's directory takes a new file.
  static absl::StatusOr<OutputPath> Classify(const std::string& path);
  OutputPath() = default;
  Kind kind_ = Kind::kReplace;
  std::string path_, target_;
  int descriptor_ = -1;
};

// The rule above, applied to what `path` is at the time of the call: as
// Resolve(path) then Write(contents), with one file created, not two.
absl::Status WriteOutputFile(const std::string& path,
                             std::string_view contents);

// The former name of WriteOutputFile, kept for existing callers.
inline absl::Status WriteFileAtomically(const std::string& path,
                                        std::string_view contents) {
  return WriteOutputFile(path, contents);
}

}  // namespace storycluster

#endif  // STORYCLUSTER_OUTPUT_PATH_H_
