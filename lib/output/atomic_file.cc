// Atomic file replacement: temporary file in the target folder, fsync,
// rename(2), then fsync of the folder.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "storycluster/output.h"

namespace storycluster {
namespace {

absl::Status Errno(std::string_view what, const std::string& path) {
  return absl::InternalError(
      absl::StrCat(std::string(what), " ", path, ": ", std::strerror(errno)));
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

absl::Status WriteFileAtomically(const std::string& path,
                                 std::string_view contents) {
  if (path == "-") {
    std::fwrite(contents.data(), 1, contents.size(), stdout);
    if (std::fflush(stdout) != 0) return Errno("cannot write", "stdout");
    return absl::OkStatus();
  }
  const std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string temp =
      (dir / absl::StrCat(".", target.filename().string(), ".tmp.XXXXXX"))
          .string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) return Errno("cannot create a temporary file in", dir.string());
  if (!WriteAll(fd, contents) || ::fsync(fd) != 0) {
    absl::Status status = Errno("cannot write", temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return status;
  }
  // mkstemp creates 0600; give the file the usual permissions.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (::close(fd) != 0) {
    ::unlink(temp.c_str());
    return Errno("cannot close", temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    absl::Status status = Errno("cannot rename the output to", path);
    ::unlink(temp.c_str());
    return status;
  }
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

}  // namespace storycluster
