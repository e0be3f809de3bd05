// JSON Lines reading: a chunked line scanner that never holds more than one
// record (plus a read chunk) in memory, and per-line parsing with simdjson.
//
// Why the DOM parser and one parse per line (docs/formats.md): simdjson's DOM
// parser dispatches at run time to the best kernel of the CPU (the On-Demand
// API is compiled into our baseline-x86-64 library as its portable fallback
// kernel), it validates the whole line (skipped values and trailing content
// included), and a bad line cannot disturb its neighbours, so every refused
// line gets its own line number and reason. The parser's buffers are reused
// from line to line.
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "lib/common/parallel.h"
#include "lib/common/strings.h"
#include "lib/1_ingest/ingest_impl.h"
#include "unicode/utf8.h"

namespace storycluster {
namespace {

constexpr size_t kChunkBytes = size_t{1} << 20;
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

std::string_view JsonTypeName(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY:
      return "an array";
    case element_type::OBJECT:
      return "an object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "a number";
    case element_type::STRING:
      return "a string";
    case element_type::BOOL:
      return "a boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

bool IsBlank(std::string_view s) { return Trim(s).empty(); }

}  // namespace

size_t FindInvalidUtf8(std::string_view bytes) {
  // Nearly every record is valid: simdjson's vectorized check says so at
  // many bytes per cycle. Both it and ICU's U8_NEXT accept exactly
  // well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF);
  // ICU finds the offset of the first bad byte for the message.
  if (simdjson::validate_utf8(bytes.data(), bytes.size())) {
    return std::string_view::npos;
  }
  const auto* s = reinterpret_cast<const uint8_t*>(bytes.data());
  const int32_t length = static_cast<int32_t>(bytes.size());
  int32_t i = 0;
  while (i < length) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(s, i, length, c);
    if (c < 0) return static_cast<size_t>(start);
  }
  return std::string_view::npos;
}

void Ingestor::Impl::AddJsonlStream(std::FILE* stream, std::string_view name) {
  ScanJsonLines(
      [stream](char* dst, size_t size) {
        return std::fread(dst, 1, size, stream);
      },
      name);
  if (std::ferror(stream)) {
    // The lines read so far were processed; say that the rest is missing.
    result.warnings.push_back(
        {Origin{std::string(name), 0},
         "read error: the input ended early; later lines were not read"});
  }
}

void Ingestor::Impl::AddJsonlBuffer(std::string_view bytes,
                                    std::string_view name) {
  ScanJsonLines(
      [&bytes](char* dst, size_t size) {
        const size_t n = std::min(size, bytes.size());
        std::memcpy(dst, bytes.data(), n);
        bytes.remove_prefix(n);
        return n;
      },
      name);
}

void Ingestor::Impl::ScanJsonLines(const ReadFn& read, std::string_view name) {
  const size_t padding = simdjson::SIMDJSON_PADDING;
  // [begin, end) holds unread bytes; `scanned` marks how far we searched
  // for a newline already. The buffer always has `padding` spare bytes after
  // `end`, so a line can be parsed in place.
  size_t begin = 0, end = 0, scanned = 0;
  int64_t line_no = 0;
  bool eof = false;
  if (buffer_.size() < kChunkBytes + padding) {
    buffer_.resize(kChunkBytes + padding);
  }
  // The records found in the buffer wait here, and are parsed together
  // (ParsePending) before the buffer's bytes move or change.
  std::vector<PendingLine> pending;
  auto handle_line = [&](size_t from, size_t to) {
    ++line_no;
    if (line_no == 1 &&
        std::string_view(buffer_.data() + from, to - from).substr(0, 3) ==
            kUtf8Bom) {
      from += 3;
    }
    if (to > from && buffer_[to - 1] == '\r') --to;
    std::string_view line(buffer_.data() + from, to - from);
    if (IsBlank(line)) {
      ++result.stats.blank_lines;
      return;
    }
    if (line.size() > options_.max_record_bytes) {
      ParsePending(pending, name);  // refusals stay in input order
      RejectOversizedLine(Origin{std::string(name), line_no});
      return;
    }
    pending.push_back({from, to, line_no});
  };
  while (true) {
    const void* nl = end > scanned ? std::memchr(buffer_.data() + scanned, '\n',
                                                 end - scanned)
                                   : nullptr;
    if (nl != nullptr) {
      const size_t pos = static_cast<const char*>(nl) - buffer_.data();
      handle_line(begin, pos);
      begin = scanned = pos + 1;
      continue;
    }
    if (eof) {
      if (begin < end) handle_line(begin, end);
      ParsePending(pending, name);
      break;
    }
    ParsePending(pending, name);  // the buffer is about to change
    if (end - begin > options_.max_record_bytes) {
      // Oversized line: report it and skip to its end without keeping it.
      ++line_no;
      RejectOversizedLine(Origin{std::string(name), line_no});
      begin = end = scanned = 0;
      while (true) {
        const size_t n = read(buffer_.data(), kChunkBytes);
        result.stats.bytes += static_cast<int64_t>(n);
        if (n == 0) {
          eof = true;
          break;
        }
        const void* skip_nl = std::memchr(buffer_.data(), '\n', n);
        if (skip_nl != nullptr) {
          begin = scanned =
              static_cast<const char*>(skip_nl) - buffer_.data() + 1;
          end = n;
          break;
        }
      }
      continue;
    }
    // Need more bytes: move the partial line to the front and read on.
    if (begin > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin, end - begin);
      end -= begin;
      scanned -= begin;
      begin = 0;
    }
    if (buffer_.size() < end + kChunkBytes + padding) {
      buffer_.resize(end + kChunkBytes + padding);
    }
    const size_t n = read(buffer_.data() + end, kChunkBytes);
    result.stats.bytes += static_cast<int64_t>(n);
    if (n == 0) eof = true;
    end += n;
  }
}

void Ingestor::Impl::ParsePending(std::vector<PendingLine>& pending,
                                  std::string_view name) {
  if (pending.empty()) return;
  const int threads = ResolveThreads(options_.threads);
  if (parsers_.size() < static_cast<size_t>(threads)) parsers_.resize(threads);
  parsed_.resize(pending.size());
  // Each record is parsed and checked on its own; a chunk of 16 records
  // is a few tens of microseconds of work.
  ParallelFor(
      pending.size(), threads, 16, [&](size_t first, size_t last, int worker) {
        for (size_t i = first; i < last; ++i) {
          const PendingLine& p = pending[i];
          Parsed& parsed = parsed_[i];  // fresh: cleared after each call
          ParseJsonRecord(
              std::string_view(buffer_.data() + p.from, p.to - p.from),
              Origin{std::string(name), p.line_no}, parsers_[worker], &parsed);
          if (!parsed.rejected) CheckArticle(&parsed);
        }
      });
  for (size_t i = 0; i < pending.size(); ++i) Commit(std::move(parsed_[i]));
  pending.clear();
  // The texts were moved on; the emptied records keep no large buffers.
  parsed_.clear();
}

void Ingestor::Impl::RejectOversizedLine(Origin origin) {
  Reject(
      std::move(origin), RejectReason::kOversized,
      absl::StrCat("line longer than ", options_.max_record_bytes, " bytes"));
}

namespace {

// The fields of one JSON record as they are found.
struct JsonFields {
  FieldCandidates id, title, text, source, url;
  std::vector<std::pair<int, std::string>> published;
};

// Why a value of the wrong type refuses its record.
struct WrongType {
  RejectReason reason;
  std::string detail;
};

WrongType MakeWrongType(RejectReason reason, std::string_view key,
                        simdjson::dom::element_type type,
                        std::string_view expected) {
  return {reason,
          absl::StrCat("field '", AV(key), "' is ", AV(JsonTypeName(type)),
                       ", expected ", AV(expected))};
}

// {"name": ..., "domain": ...}: the name, else the domain; empty when
// neither is a non-blank string.
std::string_view SourceObjectName(simdjson::dom::element value) {
  std::string_view name, domain;
  for (auto [k, v] : value.get_object()) {
    if (!v.is_string()) continue;
    if (k == "name") name = v.get_string().value_unsafe();
    if (k == "domain") domain = v.get_string().value_unsafe();
  }
  return IsBlank(name) ? domain : name;
}

// Offers `value`, found under `key` (field `field`, name rank `rank`), to
// `fields`. A date of another type is a warning, not a refusal. Returns
// the refusal when the value's type is wrong for its field.
std::optional<WrongType> ReadField(Field field, int rank, std::string_view key,
                                   simdjson::dom::element value,
                                   const Origin& origin, JsonFields* fields,
                                   std::vector<Warning>* warnings) {
  using simdjson::dom::element_type;
  const element_type type = value.type();
  switch (field) {
    case Field::kId:
      if (type == element_type::STRING) {
        fields->id.Offer(rank, std::string(value.get_string().value_unsafe()));
      } else if (type == element_type::INT64) {
        fields->id.Offer(rank, absl::StrCat(value.get_int64().value_unsafe()));
      } else if (type == element_type::UINT64) {
        fields->id.Offer(rank, absl::StrCat(value.get_uint64().value_unsafe()));
      } else {
        return MakeWrongType(RejectReason::kInvalidId, key, type,
                             "a string or an integer");
      }
      return std::nullopt;
    case Field::kTitle:
    case Field::kText:
    case Field::kUrl: {
      if (type != element_type::STRING) {
        return MakeWrongType(RejectReason::kWrongFieldType, key, type,
                             "a string");
      }
      std::string_view s = value.get_string().value_unsafe();
      // Empty = absent: a later name may fill it.
      if (IsBlank(s)) return std::nullopt;
      FieldCandidates& target = field == Field::kTitle  ? fields->title
                                : field == Field::kText ? fields->text
                                                        : fields->url;
      target.Offer(rank, std::string(s));
      return std::nullopt;
    }
    case Field::kPublished:
      if (type == element_type::STRING) {
        fields->published.emplace_back(
            rank, std::string(value.get_string().value_unsafe()));
      } else if (type == element_type::INT64 || type == element_type::UINT64 ||
                 type == element_type::DOUBLE) {
        const double v = value.get_double().value_unsafe();
        fields->published.emplace_back(
            rank, v >= 0 && v < 1e18 ? absl::StrCat(static_cast<int64_t>(v))
                                     : std::string("invalid"));
      } else {
        warnings->push_back(
            {origin, absl::StrCat("field '", AV(key), "' is ",
                                  AV(JsonTypeName(type)), ", not a date")});
      }
      return std::nullopt;
    case Field::kSource:
      if (type == element_type::STRING) {
        fields->source.Offer(rank,
                             std::string(value.get_string().value_unsafe()));
      } else if (type == element_type::OBJECT) {
        const std::string_view name = SourceObjectName(value);
        if (!IsBlank(name)) fields->source.Offer(rank, std::string(name));
      } else {
        return MakeWrongType(RejectReason::kWrongFieldType, key, type,
                             "a string or an object with name/domain");
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

void Ingestor::Impl::ParseJsonRecord(std::string_view line, Origin origin,
                                     simdjson::dom::parser& parser,
                                     Parsed* out) const {
  using simdjson::dom::element;
  using simdjson::dom::element_type;
  // A refusal, recorded in `out` (not the result: Commit does that).
  auto refuse = [out](Origin&& where, RejectReason reason, std::string detail) {
    out->article.origin = std::move(where);
    out->Refuse(reason, std::move(detail));
  };
  if (size_t bad = FindInvalidUtf8(line); bad != std::string_view::npos) {
    refuse(std::move(origin), RejectReason::kInvalidUtf8,
           absl::StrCat("at byte offset ", bad, " of the line"));
    return;
  }
  element root;
  // The line lies inside buffer_, which has SIMDJSON_PADDING readable bytes
  // after the end of any line, so simdjson can parse it in place (reading
  // only: other threads parse the neighbouring lines).
  if (auto error = parser.parse(line.data(), line.size(), false).get(root)) {
    refuse(std::move(origin), RejectReason::kInvalidJson,
           simdjson::error_message(error));
    return;
  }
  if (root.type() != element_type::OBJECT) {
    refuse(std::move(origin), RejectReason::kNotAnObject,
           absl::StrCat("the line holds ", AV(JsonTypeName(root.type()))));
    return;
  }
  JsonFields fields;
  for (const simdjson::dom::key_value_pair& kv : root.get_object()) {
    const std::pair<Field, int>* slot = Lookup(kv.key);
    if (slot == nullptr) continue;
    if (kv.value.type() == element_type::NULL_VALUE) continue;  // absent
    if (auto wrong = ReadField(slot->first, slot->second, kv.key, kv.value,
                               origin, &fields, &out->warnings)) {
      refuse(std::move(origin), wrong->reason, std::move(wrong->detail));
      return;
    }
  }
  Article& article = out->article;
  article.id = std::move(fields.id.value);
  article.title = std::move(fields.title.value);
  article.text = std::move(fields.text.value);
  article.source = std::move(fields.source.value);
  article.url = std::move(fields.url.value);
  article.origin = std::move(origin);
  ResolvePublished(fields.published, article, &out->warnings);
}

}  // namespace storycluster
