// capi/src/stream.cpp: fairgate_stream, the C face of fairgate::rng::stream.
#include <cstring>
#include <string_view>

#include <fairgate/fairgate.h>
#include <fairgate/rng/stream.hpp>

#include "guard.hpp"

struct fairgate_stream {
  fairgate::rng::stream impl;
};

using fairgate::capi::guard;
using fairgate::capi::require_non_null;

extern "C" {

fairgate_status fairgate_stream_create(uint64_t seed, const char* purpose, uint32_t index,
                                       fairgate_stream** out) {
  return guard([&] {
    require_non_null(purpose, "purpose");
    require_non_null(out, "out");
    const fairgate::rng::purpose p{std::string_view(purpose)};
    *out = new fairgate_stream{fairgate::rng::stream(seed, p, index)};
  });
}

void fairgate_stream_destroy(fairgate_stream* stream) {
  delete stream;
}

fairgate_status fairgate_stream_seek(fairgate_stream* stream, uint64_t position) {
  return guard([&] {
    require_non_null(stream, "stream");
    stream->impl.seek(position);
  });
}

fairgate_status fairgate_stream_position(const fairgate_stream* stream, uint64_t* out_position) {
  return guard([&] {
    require_non_null(stream, "stream");
    require_non_null(out_position, "out_position");
    *out_position = stream->impl.position();
  });
}

fairgate_status fairgate_purpose_tag(const char* purpose, uint32_t* out_tag) {
  return guard([&] {
    require_non_null(purpose, "purpose");
    require_non_null(out_tag, "out_tag");
    *out_tag = fairgate::rng::purpose_tag(std::string_view(purpose));
  });
}

fairgate_status fairgate_stream_fill_u32(fairgate_stream* stream, uint32_t* out, size_t n) {
  return guard([&] {
    require_non_null(stream, "stream");
    if (n == 0) return;
    require_non_null(out, "out");
    for (size_t i = 0; i < n; ++i) out[i] = stream->impl.next_u32();
  });
}

}  // extern "C"
