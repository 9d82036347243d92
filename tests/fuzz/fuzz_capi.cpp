// libFuzzer target: drives every C entry point with arbitrary sizes, strings
// and NULLs. Any crash, sanitizer report or leak is a bug: the C ABI promises
// a status for every input. Grows with the C ABI (add each new entry point).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <fairgate/fairgate.h>

namespace {

// Reads fixed-size values from the fuzz input; zero once exhausted.
class input {
 public:
  input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  template <class T>
  T take() {
    T v{};
    const std::size_t n = size_ < sizeof(T) ? size_ : sizeof(T);
    std::memcpy(&v, data_, n);
    data_ += n;
    size_ -= n;
    return v;
  }
  std::string take_string() {
    const std::size_t n = take<std::uint8_t>() % 32u;
    const std::size_t m = n < size_ ? n : size_;
    std::string s(reinterpret_cast<const char*>(data_), m);
    data_ += m;
    size_ -= m;
    return s;  // may contain NULs: the C side sees the prefix up to the first
  }
  [[nodiscard]] bool empty() const { return size_ == 0; }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
};

void check_message_is_readable() {
  const char* m = fairgate_last_error_message();
  volatile std::size_t n = std::strlen(m);  // must be a valid C string
  (void)n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  input in(data, size);
  fairgate_stream* stream = nullptr;
  std::vector<std::uint32_t> buffer;
  while (!in.empty()) {
    const auto op = in.take<std::uint8_t>() % 9u;
    switch (op) {
      case 0: {
        fairgate_stream_destroy(stream);
        stream = nullptr;
        const std::string purpose = in.take_string();
        const bool null_purpose = in.take<std::uint8_t>() % 4u == 0;
        if (fairgate_stream_create(in.take<std::uint64_t>(), null_purpose ? nullptr : purpose.c_str(),
                                   in.take<std::uint32_t>(), &stream) != FAIRGATE_OK) {
          stream = nullptr;
          check_message_is_readable();
        }
        break;
      }
      case 1: (void)fairgate_stream_seek(stream, in.take<std::uint64_t>()); break;
      case 2: {
        const std::size_t n = in.take<std::uint16_t>() % 4097u;
        buffer.resize(n);
        const bool null_out = in.take<std::uint8_t>() % 8u == 0;
        (void)fairgate_stream_fill_u32(stream, null_out ? nullptr : buffer.data(), n);
        check_message_is_readable();
        break;
      }
      case 3: {
        std::uint64_t pos = 0;
        (void)fairgate_stream_position(stream, in.take<std::uint8_t>() % 4u ? &pos : nullptr);
        break;
      }
      case 4: {
        const std::string purpose = in.take_string();
        std::uint32_t tag = 0;
        (void)fairgate_purpose_tag(purpose.c_str(), in.take<std::uint8_t>() % 4u ? &tag : nullptr);
        break;
      }
      case 5: (void)fairgate_status_name(in.take<std::int32_t>()); break;
      case 6: check_message_is_readable(); break;
      case 8: {
        // A penalty over fuzzed rows: arbitrary scores (NaN, Inf), labels, codes, weights.
        fairgate_penalty_options o;
        (void)fairgate_penalty_options_init(&o);
        o.kind = in.take<std::int8_t>();
        o.form = in.take<std::int8_t>();
        o.relaxation = in.take<std::int8_t>();
        o.temperature = in.take<double>();
        o.tolerance = in.take<double>();
        o.odds_aggregate = in.take<std::int8_t>();
        if (in.take<std::uint8_t>() % 8u == 0) o.struct_size = in.take<std::uint32_t>();
        const std::size_t n = in.take<std::uint8_t>() % 64u;
        const std::uint32_t n_groups = in.take<std::uint8_t>() % 9u;
        std::vector<double> s(n), w(n), grad(n);
        std::vector<std::uint8_t> y(n);
        std::vector<std::uint32_t> g(n);
        for (std::size_t i = 0; i < n; ++i) {
          s[i] = in.take<double>();
          y[i] = in.take<std::uint8_t>() % 3u;
          g[i] = in.take<std::uint8_t>() % 10u;
          w[i] = in.take<double>();
        }
        const bool weighted = in.take<std::uint8_t>() % 2u;
        double value = 0;
        (void)fairgate_penalty(&o, s.data(), y.data(), g.data(), weighted ? w.data() : nullptr, n,
                               n_groups, &value, grad.data());
        check_message_is_readable();
        break;
      }
      default: (void)fairgate_version_string(); break;
    }
  }
  fairgate_stream_destroy(stream);
  return 0;
}
