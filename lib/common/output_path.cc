// Output paths (output_path.h): what a path is decides how it is written. A
// rename over a device, FIFO or link would replace the node itself (as
// root, `-o /dev/null` turned the machine's /dev/null into a regular file),
// so only regular files and new paths take the temporary-file route.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "storycluster/output_path.h"

namespace storycluster {
namespace {

namespace fs = std::filesystem;

// Longer chains than this are loops (Linux's own limit is 40).
constexpr int kMaxLinks = 40;

absl::Status Errno(const char* what, const std::string& path,
                   int error = errno) {
  const std::string message =
      absl::StrCat(what, " ", path, ": ", std::strerror(error));
  if (error == ENOENT || error == ENOTDIR) return absl::NotFoundError(message);
  if (error == EACCES || error == EPERM || error == EROFS) {
    return absl::PermissionDeniedError(message);
  }
  return absl::InternalError(message);
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

// The descriptor a path names without being a file: "-", /dev/stdout,
// /dev/stderr, /dev/fd/N, /proc/self/fd/N; -1 for any other path. Their
// links point at "pipe:[...]" or "socket:[...]", which are not paths.
int NamedDescriptor(absl::string_view path) {
  if (path == "-" || path == "/dev/stdout") return STDOUT_FILENO;
  if (path == "/dev/stderr") return STDERR_FILENO;
  for (absl::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    int fd = -1;
    if (absl::ConsumePrefix(&path, prefix) && absl::SimpleAtoi(path, &fd) &&
        fd >= 0) {
      return fd;
    }
  }
  return -1;
}

fs::path DirectoryOf(const fs::path& path) {
  const fs::path dir = path.parent_path();
  return dir.empty() ? fs::path(".") : dir;
}

// A temporary file beside `target`, created (mode 0600) and open.
absl::StatusOr<std::pair<int, std::string>> CreateTemporary(
    const fs::path& target) {
  std::string temp =
      (DirectoryOf(target) /
       absl::StrCat(".", target.filename().string(), ".tmp.XXXXXX"))
          .string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    return Errno("cannot create a file in the directory of", target.string());
  }
  return std::make_pair(fd, std::move(temp));
}

// Writes through a temporary file renamed over `target`, then makes the
// rename durable by syncing the directory.
absl::Status ReplaceAtomically(const std::string& target,
                               std::string_view contents) {
  auto temp = CreateTemporary(target);
  if (!temp.ok()) return temp.status();
  const auto [fd, temp_path] = *temp;
  auto fail = [&, fd = fd, temp_path = temp_path](absl::Status status) {
    ::close(fd);
    ::unlink(temp_path.c_str());
    return status;
  };
  if (!WriteAll(fd, contents) || ::fsync(fd) != 0) {
    return fail(Errno("cannot write", temp_path));
  }
  // An existing file keeps its permissions (and owner, when we may set
  // it); a new one gets the usual 0666 less the umask, not mkstemp's 0600.
  struct stat existing;
  if (::stat(target.c_str(), &existing) == 0) {
    ::fchmod(fd, existing.st_mode & 07777);
    if (::geteuid() == 0) {
      if (::fchown(fd, existing.st_uid, existing.st_gid) != 0) {
        return fail(Errno("cannot keep the owner of", target));
      }
    }
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
  }
  if (::close(fd) != 0) {
    ::unlink(temp_path.c_str());
    return Errno("cannot close", temp_path);
  }
  if (std::rename(temp_path.c_str(), target.c_str()) != 0) {
    absl::Status status = Errno("cannot rename the output to", target);
    ::unlink(temp_path.c_str());
    return status;
  }
  const int dir_fd =
      ::open(DirectoryOf(target).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return absl::OkStatus();
}

absl::Status WriteToSocket(const std::string& target,
                           std::string_view contents) {
  sockaddr_un address{};
  if (target.size() >= sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("socket path too long: ", target));
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, target.c_str(), target.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("cannot create a socket for", target);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address),
                sizeof(address)) != 0) {
    absl::Status status = Errno("cannot connect to the socket", target);
    ::close(fd);
    return status;
  }
  const bool ok = WriteAll(fd, contents);
  absl::Status status =
      ok ? absl::OkStatus() : Errno("cannot write to the socket", target);
  ::close(fd);
  return status;
}

}  // namespace

absl::StatusOr<OutputPath> OutputPath::Classify(const std::string& path) {
  if (path.empty()) return absl::InvalidArgumentError("empty output path");
  OutputPath out;
  out.path_ = path;
  fs::path target = path;
  for (int links = 0;; ++links) {
    out.target_ = target.string();
    if (const int fd = NamedDescriptor(out.target_); fd >= 0) {
      if (::fcntl(fd, F_GETFL) < 0) {
        return Errno("output descriptor is not open:", out.target_);
      }
      out.kind_ = Kind::kDescriptor;
      out.descriptor_ = fd;
      return out;
    }
    struct stat st;
    if (::lstat(out.target_.c_str(), &st) != 0) {
      if (errno != ENOENT) return Errno("cannot examine", out.target_);
      break;  // a new file
    }
    if (S_ISLNK(st.st_mode)) {
      if (links == kMaxLinks) {
        return absl::InvalidArgumentError(
            absl::StrCat("too many levels of symbolic links: ", path));
      }
      std::error_code error;
      const fs::path next = fs::read_symlink(target, error);
      if (error) {
        return Errno("cannot read the link", out.target_, error.value());
      }
      target = next.is_absolute() ? next : DirectoryOf(target) / next;
      continue;
    }
    if (S_ISREG(st.st_mode)) break;
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
      out.kind_ = S_ISSOCK(st.st_mode) ? Kind::kSocket : Kind::kStream;
      if (::access(out.target_.c_str(), W_OK) != 0) {
        return Errno("cannot write to", out.target_);
      }
      return out;
    }
    const char* what = S_ISDIR(st.st_mode)   ? "is a directory"
                       : S_ISBLK(st.st_mode) ? "is a block device"
                                             : "is not a file";
    return absl::InvalidArgumentError(absl::StrCat(
        "output path ", path,
        path == out.target_ ? "" : absl::StrCat(" (", out.target_, ")"), " ",
        what));
  }
  // A regular file or a new one: its directory must exist (and take a new
  // file: Resolve).
  out.kind_ = Kind::kReplace;
  const fs::path dir = DirectoryOf(out.target_);
  struct stat dir_stat;
  if (::stat(dir.c_str(), &dir_stat) != 0) {
    return Errno("the directory of the output does not exist:", out.target_);
  }
  if (!S_ISDIR(dir_stat.st_mode)) {
    return absl::NotFoundError(absl::StrCat(
        "the directory of the output is not a directory: ", out.target_));
  }
  return out;
}

absl::StatusOr<OutputPath> OutputPath::Resolve(const std::string& path) {
  auto out = Classify(path);
  if (!out.ok() || out->kind_ != Kind::kReplace) return out;
  // Creating a file is the only test of a directory that holds for root
  // as well (root passes access(2) checks on directories it still cannot
  // write, such as read-only mounts and /proc).
  auto probe = CreateTemporary(out->target_);
  if (!probe.ok()) return probe.status();
  ::close(probe->first);
  ::unlink(probe->second.c_str());
  return out;
}

absl::Status OutputPath::Write(std::string_view contents) const {
  switch (kind_) {
    case Kind::kDescriptor: {
      if (descriptor_ == STDOUT_FILENO) std::fflush(stdout);
      if (!WriteAll(descriptor_, contents)) return Errno("cannot write", path_);
      return absl::OkStatus();
    }
    case Kind::kStream: {
      const int fd = ::open(target_.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
      if (fd < 0) return Errno("cannot open", target_);
      const bool ok = WriteAll(fd, contents);
      absl::Status status =
          ok ? absl::OkStatus() : Errno("cannot write", target_);
      if (::close(fd) != 0 && status.ok())
        status = Errno("cannot close", target_);
      return status;
    }
    case Kind::kSocket:
      return WriteToSocket(target_, contents);
    case Kind::kReplace:
      return ReplaceAtomically(target_, contents);
  }
  return absl::InternalError("unknown output kind");
}

absl::Status WriteOutputFile(const std::string& path,
                             std::string_view contents) {
  // Classified, not resolved: the write itself is the writability test.
  auto output = OutputPath::Classify(path);
  if (!output.ok()) return output.status();
  return output->Write(contents);
}

}  // namespace storycluster
