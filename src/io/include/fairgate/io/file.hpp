// fairgate/io/file.hpp: reading whole files, crash-safe replacement, durable appends.
//
//   fairgate::io::write_file_atomic("run/manifest.json", text);   // old or new, never half
//   fairgate::io::append_line_durable("run/changelog.jsonl", R"({"step":3})");
//
// POSIX only (open/fsync/rename). Every failure is a fairgate::error with
// errc::io_error whose message names the path and the system's reason
// (strerror), e.g. "write_file_atomic: cannot create a temporary file in
// 'out/x': Not a directory".
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/error.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace io {

// The whole file. A missing or unreadable file is an errc::io_error.
[[nodiscard]] std::vector<std::byte> read_file(const std::filesystem::path& path);
[[nodiscard]] std::string read_text_file(const std::filesystem::path& path);

// Replaces `path` with `bytes` so that a crash or an error at any point leaves
// either the old content or the new one, never a mix (the classic
// write-temp / fsync / rename / fsync-dir sequence, as in SQLite's and
// LevelDB's "atomic rename" idiom):
//  1. create a unique temporary file ".<name>.tmp-<pid>-<n>" in the same
//     directory (O_CREAT|O_EXCL, mode 0666 & ~umask; an existing target's
//     permission bits are copied onto it),
//  2. write all bytes and fsync the file,
//  3. rename() it over `path` (atomic within one file system),
//  4. fsync the directory so the rename itself is durable.
// On a failure in steps 1-3 the temporary file is removed, `path` is
// untouched and errc::io_error is thrown. If only step 4 fails, the new
// content is in place but its durability is not guaranteed; that is reported
// as errc::io_error too (file systems that do not support fsync on a
// directory, EINVAL, are accepted silently). The parent directory must exist.
void write_file_atomic(const std::filesystem::path& path, std::span<const std::byte> bytes);
void write_file_atomic(const std::filesystem::path& path, std::string_view text);

// Appends `line` and a '\n' to `path` (created with mode 0666 & ~umask if
// absent) with one O_APPEND write (retried on a partial write), then fsyncs
// the file; when the file was created, the directory is fsynced too. For
// JSON-lines changelogs: a line is either wholly present after a crash, or the
// file ends in a partial line that readers must ignore (a POSIX write is not
// guaranteed atomic against power loss). `line` must not contain '\n' or '\r'
// (errc::invalid_argument).
void append_line_durable(const std::filesystem::path& path, std::string_view line);

}  // namespace io

FAIRGATE_END_NAMESPACE
