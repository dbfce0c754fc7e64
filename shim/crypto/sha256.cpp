#include "shim/crypto/sha256.hpp"

#include "shim/crypto/cpu_features.hpp"

extern "C" void cocoon_sha256_blocks_shani(std::uint32_t state[8], const std::uint8_t* data,
                                           std::size_t nblocks);
extern "C" void cocoon_sha256_blocks_shani_copy(std::uint32_t state[8], const std::uint8_t* src,
                                                std::size_t nblocks, std::uint8_t* dst);

namespace cocoon::crypto {
namespace {

// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
// first 64 primes.
constexpr std::uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// FIPS 180-4 §5.3.3: initial hash value.
constexpr std::uint32_t kInitialState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

constexpr std::uint32_t rotr(std::uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

void store_be32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

void copy_bytes(std::uint8_t* dst, const std::uint8_t* src, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
}

}  // namespace

bool sha256_shani_available() { return cpu_features().sha_ni; }

void sha256_blocks_portable(std::uint32_t state[8], const std::uint8_t* data, std::size_t nblocks) {
  for (; nblocks > 0; --nblocks, data += kSha256BlockSize) {
    // Message schedule kept as a 16-word ring (FIPS 180-4 §6.2.2 step 1).
    std::uint32_t w[16];
    for (int t = 0; t < 16; ++t) w[t] = load_be32(data + 4 * t);

    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; ++t) {
      std::uint32_t wt;
      if (t < 16) {
        wt = w[t];
      } else {
        const std::uint32_t w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
        const std::uint32_t s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >> 3);
        const std::uint32_t s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >> 10);
        wt = w[t & 15] = w[t & 15] + s0 + w[(t - 7) & 15] + s1;
      }
      const std::uint32_t big_s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = h + big_s1 + ch + kRoundConstants[t] + wt;
      const std::uint32_t big_s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = big_s0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

void sha256_blocks_shani(std::uint32_t state[8], const std::uint8_t* data, std::size_t nblocks) {
  if (nblocks != 0) cocoon_sha256_blocks_shani(state, data, nblocks);
}

void Sha256::reset(Sha256Impl impl) {
  for (int i = 0; i < 8; ++i) state_[i] = kInitialState[i];
  total_bytes_ = 0;
  buffered_ = 0;
  // Auto, or ShaNi on a CPU without it (which would fault with #UD), use what the CPU has.
  if (impl != Sha256Impl::Portable)
    impl = sha256_shani_available() ? Sha256Impl::ShaNi : Sha256Impl::Portable;
  blocks_ = impl == Sha256Impl::ShaNi ? &sha256_blocks_shani : &sha256_blocks_portable;
}

void Sha256::update(const void* data, std::size_t size) {
  if (size == 0) return;
  const auto* p = static_cast<const std::uint8_t*>(data);
  total_bytes_ += size;
  if (buffered_ != 0) {
    const std::size_t take = size < kSha256BlockSize - buffered_ ? size : kSha256BlockSize - buffered_;
    copy_bytes(buffer_ + buffered_, p, take);
    buffered_ += take;
    p += take;
    size -= take;
    if (buffered_ < kSha256BlockSize) return;
    blocks_(state_, buffer_, 1);
    buffered_ = 0;
  }
  const std::size_t whole = size / kSha256BlockSize;
  if (whole != 0) {
    blocks_(state_, p, whole);
    p += whole * kSha256BlockSize;
    size -= whole * kSha256BlockSize;
  }
  copy_bytes(buffer_, p, size);
  buffered_ = size;
}

void Sha256::update_copy(void* dst, const void* src, std::size_t size) {
  auto* d = static_cast<std::uint8_t*>(dst);
  const auto* p = static_cast<const std::uint8_t*>(src);
  if (blocks_ != &sha256_blocks_shani) {  // copied first, then hashed from the copy
    copy_bytes(d, p, size);
    update(d, size);
    return;
  }
  if (buffered_ != 0) {  // complete the pending block from the copy
    const std::size_t take = size < kSha256BlockSize - buffered_ ? size : kSha256BlockSize - buffered_;
    copy_bytes(d, p, take);
    update(d, take);
    d += take;
    p += take;
    size -= take;
  }
  const std::size_t whole = size / kSha256BlockSize;
  if (whole != 0) {
    cocoon_sha256_blocks_shani_copy(state_, p, whole, d);
    total_bytes_ += whole * kSha256BlockSize;
    d += whole * kSha256BlockSize;
    p += whole * kSha256BlockSize;
    size -= whole * kSha256BlockSize;
  }
  copy_bytes(d, p, size);
  update(d, size);
}

void Sha256::final(std::uint8_t out[kSha256DigestSize]) {
  // FIPS 180-4 §5.1.1: 0x80, zeros up to 56 mod 64, then the bit length as big-endian u64.
  const std::uint64_t bit_length = total_bytes_ * 8;
  buffer_[buffered_++] = 0x80;
  if (buffered_ > 56) {
    while (buffered_ < kSha256BlockSize) buffer_[buffered_++] = 0;
    blocks_(state_, buffer_, 1);
    buffered_ = 0;
  }
  while (buffered_ < 56) buffer_[buffered_++] = 0;
  store_be32(buffer_ + 56, static_cast<std::uint32_t>(bit_length >> 32));
  store_be32(buffer_ + 60, static_cast<std::uint32_t>(bit_length));
  blocks_(state_, buffer_, 1);
  buffered_ = 0;
  for (int i = 0; i < 8; ++i) store_be32(out + 4 * i, state_[i]);
}

void sha256(const void* data, std::size_t size, std::uint8_t out[kSha256DigestSize], Sha256Impl impl) {
  Sha256 h(impl);
  h.update(data, size);
  h.final(out);
}

}  // namespace cocoon::crypto
