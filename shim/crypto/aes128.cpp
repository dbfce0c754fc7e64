#include "shim/crypto/aes128.hpp"

#include "shim/crypto/constant_time.hpp"
#include "shim/crypto/cpu_features.hpp"

extern "C" {
void cocoon_aes128_expand_key_ni(const std::uint8_t key[16], std::uint8_t round_keys[176]);
void cocoon_aes128_encrypt_ni(const std::uint8_t round_keys[176], const std::uint8_t in[16],
                              std::uint8_t out[16]);
void cocoon_aes128_cbc_mac_ni(const std::uint8_t round_keys[176], std::uint8_t state[16],
                              const std::uint8_t* data, std::size_t nblocks);
}

namespace cocoon::crypto {
namespace {

// ---- portable implementation (table based; NOT constant time, see aes128.hpp) ---------------

// Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS 197 §4.2.1).
constexpr std::uint8_t xtime(std::uint8_t a) {
  return static_cast<std::uint8_t>((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
}

constexpr std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b) {
  std::uint8_t r = 0;
  while (b != 0) {
    if (b & 1) r ^= a;
    a = xtime(a);
    b >>= 1;
  }
  return r;
}

struct SBox {
  std::uint8_t v[256];
};

// FIPS 197 §5.1.1: multiplicative inverse in GF(2^8) followed by the affine transformation.
// Computed at compile time so no hand-typed table can carry a typo.
constexpr SBox make_sbox() {
  SBox s{};
  for (int x = 0; x < 256; ++x) {
    // x^254 is the inverse of x (x^255 = 1 for x != 0) and maps 0 to 0, as FIPS 197 wants.
    std::uint8_t inv = 1, base = static_cast<std::uint8_t>(x);
    for (int e = 254; e != 0; e >>= 1) {
      if (e & 1) inv = gf_mul(inv, base);
      base = gf_mul(base, base);
    }
    std::uint8_t out = 0x63;
    for (int bit = 0; bit < 8; ++bit) {
      const int b = ((inv >> bit) ^ (inv >> ((bit + 4) & 7)) ^ (inv >> ((bit + 5) & 7)) ^
                     (inv >> ((bit + 6) & 7)) ^ (inv >> ((bit + 7) & 7))) & 1;
      out ^= static_cast<std::uint8_t>(b << bit);
    }
    s.v[x] = out;
  }
  return s;
}

constexpr SBox kSBox = make_sbox();
static_assert(kSBox.v[0x00] == 0x63 && kSBox.v[0x53] == 0xed && kSBox.v[0xff] == 0x16,
              "S-box disagrees with FIPS 197 Figure 7");

void expand_key_portable(const std::uint8_t key[16], std::uint8_t rk[176]) {
  for (int i = 0; i < 16; ++i) rk[i] = key[i];
  std::uint8_t rcon = 0x01;
  for (int i = 4; i < 44; ++i) {  // word i occupies rk[4i .. 4i+3]
    std::uint8_t t[4] = {rk[4 * i - 4], rk[4 * i - 3], rk[4 * i - 2], rk[4 * i - 1]};
    if (i % 4 == 0) {
      // RotWord, SubWord, Rcon (FIPS 197 §5.2)
      const std::uint8_t first = t[0];
      t[0] = static_cast<std::uint8_t>(kSBox.v[t[1]] ^ rcon);
      t[1] = kSBox.v[t[2]];
      t[2] = kSBox.v[t[3]];
      t[3] = kSBox.v[first];
      rcon = xtime(rcon);
    }
    for (int j = 0; j < 4; ++j) rk[4 * i + j] = static_cast<std::uint8_t>(rk[4 * i - 16 + j] ^ t[j]);
  }
}

void encrypt_portable(const std::uint8_t rk[176], const std::uint8_t in[16], std::uint8_t out[16]) {
  // State byte (row r, column c) is s[r + 4c], as in FIPS 197 §3.4.
  std::uint8_t s[16];
  for (int i = 0; i < 16; ++i) s[i] = in[i] ^ rk[i];
  for (int round = 1; round <= 10; ++round) {
    std::uint8_t t[16];
    // SubBytes and ShiftRows together: row r moves left by r columns.
    for (int c = 0; c < 4; ++c)
      for (int r = 0; r < 4; ++r) t[r + 4 * c] = kSBox.v[s[r + 4 * ((c + r) & 3)]];
    if (round != 10) {
      // MixColumns (FIPS 197 §5.1.3)
      for (int c = 0; c < 4; ++c) {
        const std::uint8_t a0 = t[4 * c], a1 = t[4 * c + 1], a2 = t[4 * c + 2], a3 = t[4 * c + 3];
        const std::uint8_t all = a0 ^ a1 ^ a2 ^ a3;
        // 2a0 ^ 3a1 ^ a2 ^ a3 = a0 ^ all ^ 2(a0 ^ a1), and so on around the column.
        t[4 * c] = static_cast<std::uint8_t>(a0 ^ all ^ xtime(a0 ^ a1));
        t[4 * c + 1] = static_cast<std::uint8_t>(a1 ^ all ^ xtime(a1 ^ a2));
        t[4 * c + 2] = static_cast<std::uint8_t>(a2 ^ all ^ xtime(a2 ^ a3));
        t[4 * c + 3] = static_cast<std::uint8_t>(a3 ^ all ^ xtime(a3 ^ a0));
      }
    }
    for (int i = 0; i < 16; ++i) s[i] = t[i] ^ rk[16 * round + i];
  }
  for (int i = 0; i < 16; ++i) out[i] = s[i];
}

// ---- CMAC helpers (RFC 4493 §2.3) ------------------------------------------------------------

// out = in << 1 as a 128-bit big-endian number, XOR 0x87 into the last byte if a bit fell off.
void cmac_double(const std::uint8_t in[16], std::uint8_t out[16]) {
  const std::uint8_t carry = in[0] >> 7;
  for (int i = 0; i < 15; ++i) out[i] = static_cast<std::uint8_t>((in[i] << 1) | (in[i + 1] >> 7));
  // constant-time conditional XOR: mask is 0xff when carry is 1
  out[15] = static_cast<std::uint8_t>((in[15] << 1) ^ (0x87 & (0u - carry)));
}

}  // namespace

bool aes128_ni_available() { return cpu_features().aes_ni; }

void aes128_expand_key(const std::uint8_t key[kAes128KeySize], Aes128Key& out, AesImpl impl) {
  // Auto, or AesNi on a CPU without it (which would fault with #UD), use what the CPU has.
  if (impl != AesImpl::Portable) impl = aes128_ni_available() ? AesImpl::AesNi : AesImpl::Portable;
  out.impl = impl;
  if (impl == AesImpl::AesNi)
    cocoon_aes128_expand_key_ni(key, out.round_keys);
  else
    expand_key_portable(key, out.round_keys);
}

void aes128_encrypt_block(const Aes128Key& key, const std::uint8_t in[kAesBlockSize],
                          std::uint8_t out[kAesBlockSize]) {
  if (key.impl == AesImpl::AesNi)
    cocoon_aes128_encrypt_ni(key.round_keys, in, out);
  else
    encrypt_portable(key.round_keys, in, out);
}

void aes128_cbc_mac_blocks(const Aes128Key& key, std::uint8_t state[kAesBlockSize],
                           const std::uint8_t* data, std::size_t nblocks) {
  if (nblocks == 0) return;
  if (key.impl == AesImpl::AesNi) {
    cocoon_aes128_cbc_mac_ni(key.round_keys, state, data, nblocks);
    return;
  }
  for (; nblocks > 0; --nblocks, data += kAesBlockSize) {
    std::uint8_t x[kAesBlockSize];
    for (std::size_t i = 0; i < kAesBlockSize; ++i) x[i] = state[i] ^ data[i];
    encrypt_portable(key.round_keys, x, state);
  }
}

Aes128Cmac::Aes128Cmac(const std::uint8_t key[kAes128KeySize], AesImpl impl) : buffered_(0) {
  aes128_expand_key(key, key_, impl);
  std::uint8_t l[kAesBlockSize] = {};
  aes128_encrypt_block(key_, l, l);  // L = E(K, 0^128)
  cmac_double(l, k1_);
  cmac_double(k1_, k2_);
  secure_wipe(l, sizeof l);
  for (auto& b : state_) b = 0;
}

Aes128Cmac::~Aes128Cmac() {
  secure_wipe(&key_, sizeof key_);
  secure_wipe(k1_, sizeof k1_);
  secure_wipe(k2_, sizeof k2_);
  secure_wipe(state_, sizeof state_);
  secure_wipe(buffer_, sizeof buffer_);
}

void Aes128Cmac::update(const void* data, std::size_t size) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  // The last block (complete or not) is held back for final(), which treats it specially.
  while (size > 0) {
    if (buffered_ == kAesBlockSize) {
      aes128_cbc_mac_blocks(key_, state_, buffer_, 1);
      buffered_ = 0;
    }
    if (buffered_ == 0 && size > kAesBlockSize) {
      const std::size_t whole = (size - 1) / kAesBlockSize;  // leave at least one byte
      aes128_cbc_mac_blocks(key_, state_, p, whole);
      p += whole * kAesBlockSize;
      size -= whole * kAesBlockSize;
    }
    const std::size_t room = kAesBlockSize - buffered_;
    const std::size_t take = size < room ? size : room;
    for (std::size_t i = 0; i < take; ++i) buffer_[buffered_ + i] = p[i];
    buffered_ += take;
    p += take;
    size -= take;
  }
}

void Aes128Cmac::final(std::uint8_t mac[kAesBlockSize]) {
  std::uint8_t last[kAesBlockSize];
  if (buffered_ == kAesBlockSize) {
    for (std::size_t i = 0; i < kAesBlockSize; ++i) last[i] = buffer_[i] ^ k1_[i];
  } else {
    // pad with 10…0 (RFC 4493 §2.4 step 4)
    for (std::size_t i = 0; i < kAesBlockSize; ++i) {
      const std::uint8_t b = i < buffered_ ? buffer_[i] : (i == buffered_ ? 0x80 : 0x00);
      last[i] = b ^ k2_[i];
    }
  }
  aes128_cbc_mac_blocks(key_, state_, last, 1);
  for (std::size_t i = 0; i < kAesBlockSize; ++i) mac[i] = state_[i];
  secure_wipe(last, sizeof last);
}

void aes128_cmac(const std::uint8_t key[kAes128KeySize], const void* data, std::size_t size,
                 std::uint8_t mac[kAesBlockSize], AesImpl impl) {
  Aes128Cmac cmac(key, impl);
  cmac.update(data, size);
  cmac.final(mac);
}

}  // namespace cocoon::crypto
