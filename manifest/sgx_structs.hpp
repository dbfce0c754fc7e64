// SGX architectural structures as byte-exact layouts (Intel SDM Vol. 3D, "SGX Data
// Structures"; our summary in shared/specs/sgx-structures.md, section numbers below refer to it).
//
// Freestanding-safe: only fixed-width integers and byte arrays, no constructors, no padding
// (every field is naturally aligned at its architectural offset, so no packing pragma is
// needed; the static_asserts below prove it). All integers are little-endian in memory, which
// is the host byte order on x86-64, so fields can be read and written directly.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::sgx {

// ---- common pieces -------------------------------------------------------------------------

// ATTRIBUTES (spec §3, "ATTRIBUTES.FLAGS bits"): u64 FLAGS ‖ u64 XFRM.
struct Attributes {
  std::uint64_t flags;
  std::uint64_t xfrm;
};
static_assert(sizeof(Attributes) == 16);
static_assert(offsetof(Attributes, flags) == 0);
static_assert(offsetof(Attributes, xfrm) == 8);

inline constexpr std::uint64_t kAttrInit = 0x1;
inline constexpr std::uint64_t kAttrDebug = 0x2;
inline constexpr std::uint64_t kAttrMode64Bit = 0x4;
inline constexpr std::uint64_t kAttrProvisionKey = 0x10;
inline constexpr std::uint64_t kAttrEinitTokenKey = 0x20;
inline constexpr std::uint64_t kAttrCet = 0x40;
inline constexpr std::uint64_t kAttrKss = 0x80;
inline constexpr std::uint64_t kAttrAexNotify = 0x400;

inline constexpr std::uint32_t kMiscExinfo = 0x1;

// ---- SECS (spec §3 "SECS", 4096 bytes) -----------------------------------------------------
struct Secs {
  std::uint64_t size;            // 0   power of two
  std::uint64_t base_addr;       // 8
  std::uint32_t ssa_frame_size;  // 16  pages
  std::uint32_t misc_select;     // 20
  std::uint8_t reserved1[24];    // 24  (newer SDMs: CET fields)
  Attributes attributes;         // 48
  std::uint8_t mr_enclave[32];   // 64
  std::uint8_t reserved2[32];    // 96
  std::uint8_t mr_signer[32];    // 128
  std::uint8_t reserved3[32];    // 160
  std::uint8_t config_id[64];    // 192 KSS
  std::uint16_t isv_prod_id;     // 256
  std::uint16_t isv_svn;         // 258
  std::uint16_t config_svn;      // 260 KSS
  std::uint8_t reserved4[3834];  // 262
};
static_assert(sizeof(Secs) == 4096);
static_assert(offsetof(Secs, size) == 0);
static_assert(offsetof(Secs, base_addr) == 8);
static_assert(offsetof(Secs, ssa_frame_size) == 16);
static_assert(offsetof(Secs, misc_select) == 20);
static_assert(offsetof(Secs, reserved1) == 24);
static_assert(offsetof(Secs, attributes) == 48);
static_assert(offsetof(Secs, mr_enclave) == 64);
static_assert(offsetof(Secs, reserved2) == 96);
static_assert(offsetof(Secs, mr_signer) == 128);
static_assert(offsetof(Secs, reserved3) == 160);
static_assert(offsetof(Secs, config_id) == 192);
static_assert(offsetof(Secs, isv_prod_id) == 256);
static_assert(offsetof(Secs, isv_svn) == 258);
static_assert(offsetof(Secs, config_svn) == 260);
static_assert(offsetof(Secs, reserved4) == 262);

// ---- SECINFO (spec §3 "SECINFO", 64 bytes) -------------------------------------------------
struct Secinfo {
  std::uint64_t flags;          // 0
  std::uint8_t reserved[56];    // 8   must be zero
};
static_assert(sizeof(Secinfo) == 64);
static_assert(offsetof(Secinfo, flags) == 0);
static_assert(offsetof(Secinfo, reserved) == 8);

inline constexpr std::uint64_t kSecinfoR = 0x1;
inline constexpr std::uint64_t kSecinfoW = 0x2;
inline constexpr std::uint64_t kSecinfoX = 0x4;
inline constexpr std::uint64_t kSecinfoPending = 0x8;
inline constexpr std::uint64_t kSecinfoModified = 0x10;
inline constexpr std::uint64_t kSecinfoPr = 0x20;
inline constexpr unsigned kSecinfoPageTypeShift = 8;
inline constexpr std::uint64_t kSecinfoPageTypeMask = 0xff00;
// PAGE_TYPE values (bits 8..15).
inline constexpr std::uint64_t kPtSecs = 0, kPtTcs = 1, kPtReg = 2, kPtVa = 3, kPtTrim = 4,
                               kPtSsFirst = 5, kPtSsRest = 6;

// ---- PAGEINFO (spec §3 "PAGEINFO", 32 bytes) -----------------------------------------------
struct PageInfo {
  std::uint64_t lin_addr;  // 0
  std::uint64_t src_page;  // 8
  std::uint64_t secinfo;   // 16 (pointer; the SECS for ECREATE)
  std::uint64_t secs;      // 24
};
static_assert(sizeof(PageInfo) == 32);
static_assert(offsetof(PageInfo, lin_addr) == 0);
static_assert(offsetof(PageInfo, src_page) == 8);
static_assert(offsetof(PageInfo, secinfo) == 16);
static_assert(offsetof(PageInfo, secs) == 24);

// ---- TCS (spec §3 "TCS", 4096 bytes) -------------------------------------------------------
struct Tcs {
  std::uint64_t stage;          // 0   reserved
  std::uint64_t flags;          // 8   bit 0 DBGOPTIN, bit 1 AEXNOTIFY
  std::uint64_t ossa;           // 16
  std::uint32_t cssa;           // 24
  std::uint32_t nssa;           // 28
  std::uint64_t oentry;         // 32
  std::uint64_t aep;            // 40
  std::uint64_t ofsbasgx;       // 48
  std::uint64_t ogsbasgx;       // 56
  std::uint32_t fslimit;        // 64
  std::uint32_t gslimit;        // 68
  std::uint8_t reserved[4024];  // 72  must be zero
};
static_assert(sizeof(Tcs) == 4096);
static_assert(offsetof(Tcs, stage) == 0);
static_assert(offsetof(Tcs, flags) == 8);
static_assert(offsetof(Tcs, ossa) == 16);
static_assert(offsetof(Tcs, cssa) == 24);
static_assert(offsetof(Tcs, nssa) == 28);
static_assert(offsetof(Tcs, oentry) == 32);
static_assert(offsetof(Tcs, aep) == 40);
static_assert(offsetof(Tcs, ofsbasgx) == 48);
static_assert(offsetof(Tcs, ogsbasgx) == 56);
static_assert(offsetof(Tcs, fslimit) == 64);
static_assert(offsetof(Tcs, gslimit) == 68);
static_assert(offsetof(Tcs, reserved) == 72);

inline constexpr std::uint64_t kTcsDbgOptIn = 0x1;
inline constexpr std::uint64_t kTcsAexNotify = 0x2;

// ---- SIGSTRUCT (spec §4, 1808 bytes) -------------------------------------------------------
inline constexpr std::size_t kRsa3072Bytes = 384;

struct Sigstruct {
  std::uint8_t header[16];             // 0    06000000 E1000000 00000100 00000000
  std::uint32_t vendor;                // 16   0 or 0x8086
  std::uint32_t date;                  // 20   BCD yyyymmdd
  std::uint8_t header2[16];            // 24   01010000 60000000 60000000 01000000
  std::uint32_t sw_defined;            // 40
  std::uint8_t reserved1[84];          // 44   must be zero
  std::uint8_t modulus[kRsa3072Bytes]; // 128  little-endian
  std::uint32_t exponent;              // 512  must be 3
  std::uint8_t signature[kRsa3072Bytes];  // 516 little-endian
  std::uint32_t misc_select;           // 900
  std::uint32_t misc_mask;             // 904
  std::uint8_t reserved2[4];           // 908  (newer SDMs: CET attributes + mask)
  std::uint8_t isv_family_id[16];      // 912  KSS
  Attributes attributes;               // 928
  Attributes attribute_mask;           // 944
  std::uint8_t enclave_hash[32];       // 960  expected MRENCLAVE
  std::uint8_t reserved3[16];          // 992  must be zero
  std::uint8_t isv_ext_prod_id[16];    // 1008 KSS
  std::uint16_t isv_prod_id;           // 1024
  std::uint16_t isv_svn;               // 1026
  std::uint8_t reserved4[12];          // 1028 must be zero
  std::uint8_t q1[kRsa3072Bytes];      // 1040 little-endian
  std::uint8_t q2[kRsa3072Bytes];      // 1424 little-endian
};
static_assert(sizeof(Sigstruct) == 1808);
static_assert(offsetof(Sigstruct, header) == 0);
static_assert(offsetof(Sigstruct, vendor) == 16);
static_assert(offsetof(Sigstruct, date) == 20);
static_assert(offsetof(Sigstruct, header2) == 24);
static_assert(offsetof(Sigstruct, sw_defined) == 40);
static_assert(offsetof(Sigstruct, reserved1) == 44);
static_assert(offsetof(Sigstruct, modulus) == 128);
static_assert(offsetof(Sigstruct, exponent) == 512);
static_assert(offsetof(Sigstruct, signature) == 516);
static_assert(offsetof(Sigstruct, misc_select) == 900);
static_assert(offsetof(Sigstruct, misc_mask) == 904);
static_assert(offsetof(Sigstruct, reserved2) == 908);
static_assert(offsetof(Sigstruct, isv_family_id) == 912);
static_assert(offsetof(Sigstruct, attributes) == 928);
static_assert(offsetof(Sigstruct, attribute_mask) == 944);
static_assert(offsetof(Sigstruct, enclave_hash) == 960);
static_assert(offsetof(Sigstruct, reserved3) == 992);
static_assert(offsetof(Sigstruct, isv_ext_prod_id) == 1008);
static_assert(offsetof(Sigstruct, isv_prod_id) == 1024);
static_assert(offsetof(Sigstruct, isv_svn) == 1026);
static_assert(offsetof(Sigstruct, reserved4) == 1028);
static_assert(offsetof(Sigstruct, q1) == 1040);
static_assert(offsetof(Sigstruct, q2) == 1424);

inline constexpr std::uint8_t kSigstructHeader[16] = {0x06, 0, 0, 0, 0xE1, 0, 0, 0,
                                                      0,    0, 1, 0, 0,    0, 0, 0};
inline constexpr std::uint8_t kSigstructHeader2[16] = {0x01, 0x01, 0, 0, 0x60, 0, 0, 0,
                                                       0x60, 0,    0, 0, 0x01, 0, 0, 0};
inline constexpr std::uint32_t kSigstructVendorIntel = 0x8086;
inline constexpr std::uint32_t kSigstructExponent = 3;
// The signed message (spec §4 "Signing"): bytes [0,128) ‖ bytes [900,1028).
inline constexpr std::size_t kSigstructSigned1Begin = 0, kSigstructSigned1End = 128;
inline constexpr std::size_t kSigstructSigned2Begin = 900, kSigstructSigned2End = 1028;

// ---- REPORT (spec §5, 432 bytes; bytes 0..383 are the report body) -------------------------
struct ReportBody {
  std::uint8_t cpu_svn[16];          // 0
  std::uint32_t misc_select;         // 16
  std::uint8_t reserved1[12];        // 20  (newer SDMs: CET attributes)
  std::uint8_t isv_ext_prod_id[16];  // 32
  Attributes attributes;             // 48
  std::uint8_t mr_enclave[32];       // 64
  std::uint8_t reserved2[32];        // 96
  std::uint8_t mr_signer[32];        // 128
  std::uint8_t reserved3[32];        // 160
  std::uint8_t config_id[64];        // 192
  std::uint16_t isv_prod_id;         // 256
  std::uint16_t isv_svn;             // 258
  std::uint16_t config_svn;          // 260
  std::uint8_t reserved4[42];        // 262
  std::uint8_t isv_family_id[16];    // 304
  std::uint8_t report_data[64];      // 320
};
static_assert(sizeof(ReportBody) == 384);
static_assert(offsetof(ReportBody, cpu_svn) == 0);
static_assert(offsetof(ReportBody, misc_select) == 16);
static_assert(offsetof(ReportBody, reserved1) == 20);
static_assert(offsetof(ReportBody, isv_ext_prod_id) == 32);
static_assert(offsetof(ReportBody, attributes) == 48);
static_assert(offsetof(ReportBody, mr_enclave) == 64);
static_assert(offsetof(ReportBody, reserved2) == 96);
static_assert(offsetof(ReportBody, mr_signer) == 128);
static_assert(offsetof(ReportBody, reserved3) == 160);
static_assert(offsetof(ReportBody, config_id) == 192);
static_assert(offsetof(ReportBody, isv_prod_id) == 256);
static_assert(offsetof(ReportBody, isv_svn) == 258);
static_assert(offsetof(ReportBody, config_svn) == 260);
static_assert(offsetof(ReportBody, reserved4) == 262);
static_assert(offsetof(ReportBody, isv_family_id) == 304);
static_assert(offsetof(ReportBody, report_data) == 320);

struct Report {
  ReportBody body;         // 0
  std::uint8_t key_id[32]; // 384
  std::uint8_t mac[16];    // 416 AES-128-CMAC over body
};
static_assert(sizeof(Report) == 432);
static_assert(offsetof(Report, body) == 0);
static_assert(offsetof(Report, key_id) == 384);
static_assert(offsetof(Report, mac) == 416);

// ---- TARGETINFO (spec §5, 512 bytes) -------------------------------------------------------
struct TargetInfo {
  std::uint8_t measurement[32];  // 0   target's MRENCLAVE
  Attributes attributes;         // 32
  std::uint8_t reserved1[2];     // 48  (newer SDMs: CET attributes)
  std::uint16_t config_svn;      // 50
  std::uint32_t misc_select;     // 52
  std::uint8_t reserved2[8];     // 56
  std::uint8_t config_id[64];    // 64
  std::uint8_t reserved3[384];   // 128
};
static_assert(sizeof(TargetInfo) == 512);
static_assert(offsetof(TargetInfo, measurement) == 0);
static_assert(offsetof(TargetInfo, attributes) == 32);
static_assert(offsetof(TargetInfo, reserved1) == 48);
static_assert(offsetof(TargetInfo, config_svn) == 50);
static_assert(offsetof(TargetInfo, misc_select) == 52);
static_assert(offsetof(TargetInfo, reserved2) == 56);
static_assert(offsetof(TargetInfo, config_id) == 64);
static_assert(offsetof(TargetInfo, reserved3) == 128);

// ---- KEYREQUEST (spec §6, 512 bytes) -------------------------------------------------------
struct KeyRequest {
  std::uint16_t key_name;        // 0
  std::uint16_t key_policy;      // 2
  std::uint16_t isv_svn;         // 4
  std::uint8_t reserved1[2];     // 6   (newer SDMs: CET attributes mask)
  std::uint8_t cpu_svn[16];      // 8
  Attributes attribute_mask;     // 24
  std::uint8_t key_id[32];       // 40
  std::uint32_t misc_mask;       // 72
  std::uint16_t config_svn;      // 76
  std::uint8_t reserved2[434];   // 78
};
static_assert(sizeof(KeyRequest) == 512);
static_assert(offsetof(KeyRequest, key_name) == 0);
static_assert(offsetof(KeyRequest, key_policy) == 2);
static_assert(offsetof(KeyRequest, isv_svn) == 4);
static_assert(offsetof(KeyRequest, reserved1) == 6);
static_assert(offsetof(KeyRequest, cpu_svn) == 8);
static_assert(offsetof(KeyRequest, attribute_mask) == 24);
static_assert(offsetof(KeyRequest, key_id) == 40);
static_assert(offsetof(KeyRequest, misc_mask) == 72);
static_assert(offsetof(KeyRequest, config_svn) == 76);
static_assert(offsetof(KeyRequest, reserved2) == 78);

// KEYNAME values (spec §6).
inline constexpr std::uint16_t kKeyEinitToken = 0, kKeyProvision = 1, kKeyProvisionSeal = 2,
                               kKeyReport = 3, kKeySeal = 4;
// KEYPOLICY bits (spec §6).
inline constexpr std::uint16_t kKeyPolicyMrEnclave = 0x1, kKeyPolicyMrSigner = 0x2,
                               kKeyPolicyNoIsvProdId = 0x4, kKeyPolicyConfigId = 0x8,
                               kKeyPolicyIsvFamilyId = 0x10, kKeyPolicyIsvExtProdId = 0x20;

// ---- measurement record tags (spec §1/§2), as u64 little-endian ----------------------------
inline constexpr std::uint64_t kTagEcreate = 0x0045544145524345ull;   // "ECREATE\0"
inline constexpr std::uint64_t kTagEadd = 0x0000000044444145ull;      // "EADD\0\0\0\0"
inline constexpr std::uint64_t kTagEextend = 0x00444E4554584545ull;   // "EEXTEND\0"
inline constexpr std::uint64_t kTagUnmeasured = 0x44525341454D4E55ull;  // "UNMEASRD"
inline constexpr std::uint64_t kTagUnsized = 0x0044455A49534E55ull;   // "UNSIZED\0"

}  // namespace cocoon::sgx
