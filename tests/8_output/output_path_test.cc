// Output paths: one test per kind of path (output.h, docs/formats.md). The
// device case uses a node made with mknod in a temporary directory, never
// the machine's /dev/null; every case ends by checking that /dev/null is
// still a character device.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <thread>

#include "storycluster/output.h"
#include "test_util.h"

namespace storycluster {
namespace {

namespace fs = std::filesystem;

struct stat Lstat(const fs::path& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st;
}

void CheckDevNullIsADevice() {
  struct stat st {};
  REQUIRE(::lstat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
}

size_t Entries(const fs::path& dir) {
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    (void)e;
    ++n;
  }
  return n;
}

// Reads everything from `fd` until end of file.
std::string ReadAllFrom(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, n);
  return out;
}

TEST_CASE("output path: a regular or new file is replaced atomically") {
  auto dir = testing::TempDir("out_regular");
  const fs::path path = dir / "out.tsv";
  auto fresh = OutputPath::Resolve(path.string());
  REQUIRE(fresh.ok());
  CHECK(fresh->kind() == OutputPath::Kind::kReplace);
  CHECK(Entries(dir) == 0);  // the check writes nothing
  REQUIRE(WriteOutputFile(path.string(), "old\n").ok());
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  const ino_t before = Lstat(path).st_ino;
  REQUIRE(WriteOutputFile(path.string(), "new contents\n").ok());
  CHECK(testing::ReadFile(path.string()) == "new contents\n");
  const struct stat after = Lstat(path);
  CHECK(S_ISREG(after.st_mode));
  CHECK((after.st_mode & 07777) == 0640);  // the mode is kept
  CHECK(after.st_ino != before);           // a new file renamed over it
  CHECK(Entries(dir) == 1);                // no temporary left
  CheckDevNullIsADevice();
  fs::remove_all(dir);
}

TEST_CASE("output path: a symlink's target is replaced, the link stays") {
  auto dir = testing::TempDir("out_symlink");
  fs::create_directories(dir / "real");
  const fs::path target = dir / "real" / "target.tsv";
  testing::WriteFile(target, "old\n");
  // A chain of two links, the second relative to its own directory.
  fs::create_symlink("real/target.tsv", dir / "inner");
  fs::create_symlink(dir / "inner", dir / "link.tsv");
  auto resolved = OutputPath::Resolve((dir / "link.tsv").string());
  REQUIRE(resolved.ok());
  CHECK(resolved->kind() == OutputPath::Kind::kReplace);
  CHECK(fs::equivalent(resolved->target(), target));
  REQUIRE(WriteOutputFile((dir / "link.tsv").string(), "new\n").ok());
  CHECK(S_ISLNK(Lstat(dir / "link.tsv").st_mode));
  CHECK(S_ISLNK(Lstat(dir / "inner").st_mode));
  CHECK(testing::ReadFile(target.string()) == "new\n");
  CHECK(Entries(dir / "real") == 1);
  // A dangling link: its target is created; the link stays a link.
  fs::create_symlink("real/new.tsv", dir / "dangling");
  REQUIRE(WriteOutputFile((dir / "dangling").string(), "x\n").ok());
  CHECK(S_ISLNK(Lstat(dir / "dangling").st_mode));
  CHECK(testing::ReadFile((dir / "real" / "new.tsv").string()) == "x\n");
  // A loop is an error, not a hang.
  fs::create_symlink("loop_b", dir / "loop_a");
  fs::create_symlink("loop_a", dir / "loop_b");
  CHECK_FALSE(WriteOutputFile((dir / "loop_a").string(), "x").ok());
  CheckDevNullIsADevice();
  fs::remove_all(dir);
}

TEST_CASE("output path: a character device is written straight through") {
  auto dir = testing::TempDir("out_device");
  const fs::path node = dir / "null";
  if (::mknod(node.c_str(), S_IFCHR | 0666, ::makedev(1, 3)) != 0) {
    // mknod needs root (CAP_MKNOD); CI runs as root.
    WARN("mknod failed (" << std::strerror(errno)
                          << "): not root, device case skipped");
    fs::remove_all(dir);
    return;
  }
  auto resolved = OutputPath::Resolve(node.string());
  REQUIRE(resolved.ok());
  CHECK(resolved->kind() == OutputPath::Kind::kStream);
  REQUIRE(WriteOutputFile(node.string(), "discarded\n").ok());
  const struct stat st = Lstat(node);
  CHECK(S_ISCHR(st.st_mode));
  CHECK(st.st_rdev == ::makedev(1, 3));
  CHECK(Entries(dir) == 1);  // no temporary file was made
  // Through a symlink to the node, as well.
  fs::create_symlink(node, dir / "link");
  REQUIRE(WriteOutputFile((dir / "link").string(), "discarded\n").ok());
  CHECK(S_ISCHR(Lstat(node).st_mode));
  CHECK(S_ISLNK(Lstat(dir / "link").st_mode));
  CheckDevNullIsADevice();
  fs::remove_all(dir);
}

TEST_CASE("output path: a FIFO is written straight through to its reader") {
  auto dir = testing::TempDir("out_fifo");
  const fs::path fifo = dir / "fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::string received;
  std::thread reader([&] {
    const int fd = ::open(fifo.c_str(), O_RDONLY);
    if (fd < 0) return;
    received = ReadAllFrom(fd);
    ::close(fd);
  });
  const absl::Status written = WriteOutputFile(fifo.string(), "through\n");
  reader.join();
  REQUIRE(written.ok());
  CHECK(received == "through\n");  // the reader saw end of file, too
  CHECK(S_ISFIFO(Lstat(fifo).st_mode));
  CHECK(Entries(dir) == 1);
  CheckDevNullIsADevice();
  fs::remove_all(dir);
}

TEST_CASE("output path: a Unix socket is connected to and written") {
  auto dir = testing::TempDir("out_socket");
  const fs::path path = dir / "sock";
  const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  REQUIRE(path.string().size() < sizeof(address.sun_path));
  std::strcpy(address.sun_path, path.c_str());
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address),
                 sizeof(address)) == 0);
  REQUIRE(::listen(listener, 1) == 0);
  std::string received;
  std::thread server([&] {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) return;
    received = ReadAllFrom(fd);
    ::close(fd);
  });
  auto resolved = OutputPath::Resolve(path.string());
  REQUIRE(resolved.ok());
  CHECK(resolved->kind() == OutputPath::Kind::kSocket);
  const absl::Status written = resolved->Write("over a socket\n");
  if (!written.ok()) ::shutdown(listener, SHUT_RDWR);  // unblock accept
  server.join();
  ::close(listener);
  REQUIRE(written.ok());
  CHECK(received == "over a socket\n");
  CHECK(S_ISSOCK(Lstat(path).st_mode));
  CheckDevNullIsADevice();
  fs::remove_all(dir);
}

TEST_CASE("output path: /dev/stdout and /dev/fd/N write to the descriptor") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const std::string path = "/dev/fd/" + std::to_string(fds[1]);
  auto resolved = OutputPath::Resolve(path);
  REQUIRE(resolved.ok());
  CHECK(resolved->kind() == OutputPath::Kind::kDescriptor);
  REQUIRE(resolved->Write("into the pipe\n").ok());
  ::close(fds[1]);
  CHECK(ReadAllFrom(fds[0]) == "into the pipe\n");
  ::close(fds[0]);
  for (const char* name : {"-", "/dev/stdout", "/proc/self/fd/1"}) {
    auto out = OutputPath::Resolve(name);
    REQUIRE(out.ok());
    CHECK(out->kind() == OutputPath::Kind::kDescriptor);
  }
  // A descriptor that is not open is an error at once.
  CHECK_FALSE(OutputPath::Resolve("/dev/fd/987654").ok());
  CheckDevNullIsADevice();
}

TEST_CASE("output path: a directory or an unwritable place fails early") {
  auto dir = testing::TempDir("out_bad");
  auto is_dir = OutputPath::Resolve(dir.string());
  REQUIRE_FALSE(is_dir.ok());
  CHECK_THAT(std::string(is_dir.status().message()),
             Catch::Contains("is a directory"));
  // A symlink to a directory names the link and its target.
  fs::create_symlink(dir, dir / "to_dir");
  CHECK_FALSE(OutputPath::Resolve((dir / "to_dir").string()).ok());
  auto missing = OutputPath::Resolve((dir / "no/such/dir/x").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(absl::IsNotFound(missing.status()));
  CHECK_THAT(std::string(missing.status().message()),
             Catch::Contains("no/such/dir/x"));
  // /proc takes no new files, even from root (which passes access(2)).
  auto proc = OutputPath::Resolve("/proc/storycluster-out.tsv");
  CHECK_FALSE(proc.ok());
  if (::geteuid() != 0) {
    fs::create_directories(dir / "ro");
    REQUIRE(::chmod((dir / "ro").c_str(), 0555) == 0);
    CHECK_FALSE(OutputPath::Resolve((dir / "ro" / "x").string()).ok());
    ::chmod((dir / "ro").c_str(), 0755);
  }
  CHECK(Entries(dir) == 1);  // only the link: nothing was written
  CheckDevNullIsADevice();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace storycluster
