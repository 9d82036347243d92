// fairgate/tensor/mask.hpp: a bit-packed keep/prune mask with a tensor's shape.
//
//   fairgate::tensor::mask m({64, 3, 3, 3});   // all kept
//   m.set(5, false);                            // prune flat index 5
//   m.apply(weights_view);                      // zero the pruned weights in place
//
// Bit convention: 1 = KEEP, 0 = PRUNED (as torch's `weight_mask` buffer).
// Bit i (row-major flat index i of the tensor) lives in word i / 64 at bit
// position i % 64 (least significant first). Padding bits past numel are
// always 0, so two masks compare equal word by word.
//
// Serialised form (version 1, all integers little-endian on every host):
//   "FGMK" | u32 version = 1 | u32 rank | rank x i64 shape | u64 numel
//   | ceil(numel/64) x u64 words | u64 FNV-1a 64 of every preceding byte
// digest() is the FNV-1a 64 of the same bytes without the magic and the
// trailing checksum: a fingerprint of (shape, bits) for records.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include <fairgate/config.hpp>
#include <fairgate/digest.hpp>
#include <fairgate/error.hpp>
#include <fairgate/tensor/view.hpp>

FAIRGATE_BEGIN_NAMESPACE

namespace tensor {

class mask {
 public:
  static constexpr std::uint32_t format_version = 1;

  // An empty rank-0 mask of one element (kept), like a scalar tensor.
  mask() : mask(nullptr, 0, true) {}

  // A mask of the given shape, every bit = `keep`.
  explicit mask(std::initializer_list<std::int64_t> dims, bool keep = true)
      : mask(dims.begin(), dims.size(), keep) {}
  mask(const std::int64_t* dims, std::size_t rank, bool keep = true) {
    require(rank <= max_rank, errc::invalid_argument, [&] {
      return "mask rank " + std::to_string(rank) + " exceeds " + std::to_string(max_rank);
    });
    rank_ = rank;
    numel_ = 1;
    for (std::size_t i = 0; i < rank; ++i) {
      require(dims[i] >= 0, errc::invalid_argument, [&] {
        return "mask dim " + std::to_string(i) + " is negative (" + std::to_string(dims[i]) + ")";
      });
      shape_[i] = dims[i];
      numel_ *= dims[i];
    }
    words_.assign(word_count(numel_), keep ? ~std::uint64_t{0} : 0);
    clear_padding();
  }
  // A mask with the shape of a view.
  static mask like(const view& v, bool keep = true) { return mask(v.shape.data(), v.rank, keep); }

  [[nodiscard]] std::size_t rank() const noexcept { return rank_; }
  [[nodiscard]] std::int64_t numel() const noexcept { return numel_; }
  [[nodiscard]] std::span<const std::int64_t> shape() const noexcept {
    return {shape_.data(), rank_};
  }
  [[nodiscard]] bool same_shape(const view& v) const noexcept {
    return v.rank == rank_ &&
           std::equal(shape_.begin(), shape_.begin() + static_cast<std::ptrdiff_t>(rank_),
                      v.shape.begin());
  }
  [[nodiscard]] bool same_shape(const mask& o) const noexcept {
    return o.rank_ == rank_ && o.shape_ == shape_;
  }

  // Raw words (bit i of the tensor = bit i%64 of word i/64). Writers must keep
  // padding bits at 0; call clear_padding() after bulk writes.
  [[nodiscard]] std::span<const std::uint64_t> words() const noexcept { return words_; }
  [[nodiscard]] std::span<std::uint64_t> words() noexcept { return words_; }
  void clear_padding() noexcept {
    const auto tail = static_cast<unsigned>(numel_ & 63);
    if (tail != 0 && !words_.empty()) words_.back() &= (std::uint64_t{1} << tail) - 1;
  }

  [[nodiscard]] bool kept(std::int64_t flat) const noexcept {
    return (words_[static_cast<std::size_t>(flat >> 6)] >> (flat & 63)) & 1u;
  }
  void set(std::int64_t flat, bool keep) {
    require(flat >= 0 && flat < numel_, errc::out_of_range, [&] {
      return "mask index " + std::to_string(flat) + " outside [0, " + std::to_string(numel_) + ")";
    });
    const std::uint64_t bit = std::uint64_t{1} << (flat & 63);
    auto& w = words_[static_cast<std::size_t>(flat >> 6)];
    w = keep ? (w | bit) : (w & ~bit);
  }

  [[nodiscard]] std::int64_t count_kept() const noexcept {
    std::int64_t n = 0;
    for (std::uint64_t w : words_) n += std::popcount(w);
    return n;
  }
  [[nodiscard]] std::int64_t count_pruned() const noexcept { return numel_ - count_kept(); }

  // Kept count of every slice along `axis`: out[j] = #kept elements whose
  // index along `axis` is j (summed over every other axis).
  [[nodiscard]] std::vector<std::int64_t> kept_per_slice(std::size_t axis) const {
    require(axis < rank_, errc::invalid_argument, [&] {
      return "axis " + std::to_string(axis) + " out of range for a rank-" + std::to_string(rank_) +
             " mask";
    });
    const std::int64_t len = shape_[axis];
    std::int64_t inner = 1;
    for (std::size_t i = axis + 1; i < rank_; ++i) inner *= shape_[i];
    std::vector<std::int64_t> out(static_cast<std::size_t>(len), 0);
    if (numel_ == 0) return out;
    for (std::int64_t flat = 0; flat < numel_; ++flat) {
      if (kept(flat)) ++out[static_cast<std::size_t>((flat / inner) % len)];
    }
    return out;
  }

  // In-place AND: an element stays kept only if kept in both masks.
  mask& operator&=(const mask& o) {
    require(same_shape(o), errc::length_mismatch, "mask AND: shapes differ");
    for (std::size_t i = 0; i < words_.size(); ++i) words_[i] &= o.words_[i];
    return *this;
  }
  friend mask operator&(mask a, const mask& b) { return a &= b; }

  friend bool operator==(const mask& a, const mask& b) noexcept {
    return a.same_shape(b) && a.words_ == b.words_;
  }

  // Zeroes every pruned element of `v` (any strides, any dtype; writes +0).
  void apply(const view& v) const {
    require(same_shape(v), errc::length_mismatch,
            "mask apply: the view's shape differs from the mask's");
    auto* base = static_cast<unsigned char*>(v.data);
    const std::size_t esz = dtype_size(v.type);
    for (std::int64_t flat = 0; flat < numel_; ++flat) {
      if (!kept(flat)) {
        std::memset(base + static_cast<std::ptrdiff_t>(esz) * v.offset_of(flat), 0, esz);
      }
    }
  }

  // FNV-1a 64 of (rank, shape, numel, words) as serialised (see top comment).
  [[nodiscard]] std::uint64_t digest() const noexcept {
    fnv1a64 h;
    feed_body(h);
    return h.value();
  }

  [[nodiscard]] std::vector<std::uint8_t> serialize() const {
    std::vector<std::uint8_t> out;
    out.reserve(4 + 4 + 4 + 8 * rank_ + 8 + 8 * words_.size() + 8);
    for (char c : {'F', 'G', 'M', 'K'}) out.push_back(static_cast<std::uint8_t>(c));
    put(out, format_version, 4);
    put(out, static_cast<std::uint32_t>(rank_), 4);
    for (std::size_t i = 0; i < rank_; ++i) put(out, static_cast<std::uint64_t>(shape_[i]), 8);
    put(out, static_cast<std::uint64_t>(numel_), 8);
    for (std::uint64_t w : words_) put(out, w, 8);
    fnv1a64 h;
    h.update(std::span<const std::uint8_t>(out));
    put(out, h.value(), 8);
    return out;
  }

  // Parses serialize()'s output; truncated, corrupt or unknown input throws
  // parse_error (structure) or verification_failed (checksum).
  static mask deserialize(std::span<const std::uint8_t> in) {
    std::size_t pos = 0;
    auto need = [&](std::size_t n, const char* what) {
      require(in.size() - pos >= n, errc::parse_error, [&] {
        return std::string("mask bytes truncated while reading ") + what + " at byte " +
               std::to_string(pos) + " (" + std::to_string(in.size()) + " bytes in total)";
      });
    };
    auto get = [&](std::size_t n, const char* what) {
      need(n, what);
      std::uint64_t v = 0;
      for (std::size_t i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(in[pos + i]) << (8 * i);
      pos += n;
      return v;
    };
    need(4, "magic");
    require(in[0] == 'F' && in[1] == 'G' && in[2] == 'M' && in[3] == 'K', errc::parse_error,
            "mask bytes do not start with the magic \"FGMK\"");
    pos = 4;
    const auto version = get(4, "version");
    require(version == format_version, errc::parse_error, [&] {
      return "mask format version " + std::to_string(version) + " is not supported (expected " +
             std::to_string(format_version) + ")";
    });
    const auto rank = get(4, "rank");
    require(rank <= max_rank, errc::parse_error, [&] {
      return "mask rank " + std::to_string(rank) + " exceeds " + std::to_string(max_rank);
    });
    std::array<std::int64_t, max_rank> dims{};
    std::uint64_t prod = 1;
    bool overflow = false;
    for (std::size_t i = 0; i < rank; ++i) {
      const auto d = get(8, "shape");
      require(d < (std::uint64_t{1} << 62), errc::parse_error,
              [&] { return "mask dim " + std::to_string(i) + " is negative or absurdly large"; });
      dims[i] = static_cast<std::int64_t>(d);
      if (d != 0 && prod > (std::uint64_t{1} << 62) / d) overflow = true;
      prod *= d;
    }
    require(!overflow, errc::parse_error, "mask shape overflows 2^62 elements");
    const auto numel = get(8, "numel");
    require(numel == prod, errc::parse_error, [&] {
      return "mask numel " + std::to_string(numel) + " does not match its shape (" +
             std::to_string(prod) + ")";
    });
    const std::size_t nwords = word_count(static_cast<std::int64_t>(numel));
    need(8 * nwords + 8, "words");
    mask m(dims.data(), rank, false);
    for (std::size_t i = 0; i < nwords; ++i) m.words_[i] = get(8, "words");
    fnv1a64 h;
    h.update(in.subspan(0, pos));
    const auto checksum = get(8, "checksum");
    require(checksum == h.value(), errc::verification_failed,
            "mask bytes fail their FNV-1a 64 checksum (corrupt)");
    require(pos == in.size(), errc::parse_error, [&] {
      return "mask bytes have " + std::to_string(in.size() - pos) + " trailing bytes";
    });
    const auto tail = static_cast<unsigned>(numel & 63);
    require(tail == 0 || nwords == 0 || (m.words_.back() >> tail) == 0, errc::parse_error,
            "mask padding bits past numel are not zero");
    return m;
  }

 private:
  static std::size_t word_count(std::int64_t n) noexcept {
    return static_cast<std::size_t>((n + 63) / 64);
  }
  static void put(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void feed_body(fnv1a64& h) const noexcept {
    h.update_u32(format_version);
    h.update_u32(static_cast<std::uint32_t>(rank_));
    for (std::size_t i = 0; i < rank_; ++i) h.update_u64(static_cast<std::uint64_t>(shape_[i]));
    h.update_u64(static_cast<std::uint64_t>(numel_));
    for (std::uint64_t w : words_) h.update_u64(w);
  }

  std::size_t rank_ = 0;
  std::array<std::int64_t, max_rank> shape_{};
  std::int64_t numel_ = 1;
  std::vector<std::uint64_t> words_;
};

}  // namespace tensor

FAIRGATE_END_NAMESPACE
