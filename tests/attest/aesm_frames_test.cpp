// AESM frames: byte-identical to shared/vectors/aesm/*.bin, decoding, malformed input.
#include <gtest/gtest.h>

#include "aesm_messages.hpp"
#include "quote_parser.hpp"
#include "test_util.hpp"

using namespace cocoon::aesm;
using cocoon::attest_test::read_bytes;
using cocoon::attest_test::vector_path;

namespace {
Blob aesm_vec(const char* name) { return read_bytes(vector_path(std::string("aesm/") + name)); }
Blob key_id() { return aesm_vec("default_ecdsa_att_key_id.bin"); }
}  // namespace

TEST(AesmFrames, InitQuoteExRequestIsByteExact) {
  InitQuoteExRequest m{key_id(), true, 32, 15000};
  EXPECT_EQ(frame(encode_request(m)), aesm_vec("init_quote_ex_request.bin"));
}

TEST(AesmFrames, GetQuoteSizeExRequestIsByteExact) {
  GetQuoteSizeExRequest m{key_id(), 15000};
  EXPECT_EQ(frame(encode_request(m)), aesm_vec("get_quote_size_ex_request.bin"));
}

TEST(AesmFrames, GetQuoteExRequestIsByteExact) {
  GetQuoteExRequest m;
  m.report = Blob(432, 0);
  m.att_key_id = key_id();
  m.buf_size = 8192;
  m.timeout = 15000;
  EXPECT_EQ(frame(encode_request(m)), aesm_vec("get_quote_ex_request.bin"));
}

TEST(AesmFrames, ResponsesRoundTripByteExact) {
  for (const char* f : {"init_quote_ex_response.bin", "get_quote_size_ex_response.bin", "get_quote_ex_response.bin",
                        "get_quote_ex_response_att_key_not_initialized.bin", "unsupported_request_response.bin"}) {
    Blob v = aesm_vec(f);
    Response r = decode_response(unframe(v, kMaxResponseBody));
    EXPECT_EQ(frame(encode_response(r)), v) << f;
  }
}

TEST(AesmFrames, DecodedResponsesHaveTheDocumentedValues) {
  auto init = std::get<InitQuoteExResponse>(decode_response(unframe(aesm_vec("init_quote_ex_response.bin"), kMaxResponseBody)));
  EXPECT_EQ(init.error_code, 0u);
  ASSERT_TRUE(init.target_info);
  EXPECT_EQ(init.target_info->size(), 512u);
  EXPECT_EQ(init.pub_key_id_size, 32u);
  ASSERT_TRUE(init.pub_key_id);
  EXPECT_EQ(init.pub_key_id->size(), 32u);

  auto size = std::get<GetQuoteSizeExResponse>(decode_response(unframe(aesm_vec("get_quote_size_ex_response.bin"), kMaxResponseBody)));
  EXPECT_EQ(size.error_code, 0u);
  EXPECT_EQ(size.quote_size, 4575u);

  auto q = std::get<GetQuoteExResponse>(decode_response(unframe(aesm_vec("get_quote_ex_response.bin"), kMaxResponseBody)));
  EXPECT_EQ(q.error_code, 0u);
  ASSERT_TRUE(q.quote);
  EXPECT_EQ(q.quote->size(), 8192u);
  // Strip the zero padding by the quote's own length: exactly the vector quote remains.
  std::size_t n = cocoon::quote::quote_length(*q.quote);
  Blob stripped(q.quote->begin(), q.quote->begin() + static_cast<std::ptrdiff_t>(n));
  EXPECT_EQ(stripped, read_bytes(vector_path("quotes/fortanix_quote.bin")));

  auto e42 = std::get<GetQuoteExResponse>(
      decode_response(unframe(aesm_vec("get_quote_ex_response_att_key_not_initialized.bin"), kMaxResponseBody)));
  EXPECT_EQ(e42.error_code, 42u);
  EXPECT_FALSE(e42.quote);
  auto un = std::get<UnsupportedRequestResponse>(
      decode_response(unframe(aesm_vec("unsupported_request_response.bin"), kMaxResponseBody)));
  EXPECT_EQ(un.error_code, 1u);
  EXPECT_EQ(frame(encode_response(UnsupportedRequestResponse{})), aesm_vec("unsupported_request_response.bin"));
}

TEST(AesmFrames, RequestsDecode) {
  auto init = std::get<InitQuoteExRequest>(decode_request(unframe(aesm_vec("init_quote_ex_request.bin"), kMaxRequestBody)));
  EXPECT_EQ(init.att_key_id, key_id());
  EXPECT_EQ(init.b_pub_key_id, true);
  EXPECT_EQ(init.buf_size, 32u);
  EXPECT_EQ(init.timeout, 15000u);
  auto gq = std::get<GetQuoteExRequest>(decode_request(unframe(aesm_vec("get_quote_ex_request.bin"), kMaxRequestBody)));
  EXPECT_EQ(gq.report.value_or(Blob{}).size(), 432u);
  EXPECT_EQ(gq.buf_size, 8192u);
  EXPECT_FALSE(gq.qe_report_info);
}

TEST(AesmFrames, MalformedInputIsRejected) {
  auto bad = [](Blob b) -> std::string {
    try {
      decode_request(b);
    } catch (const AesmWireError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_NE(bad({0x7a, 0x05, 0x08}).find("declares 5 bytes"), std::string::npos);            // length past end
  EXPECT_NE(bad({0x7a}).find("varint runs past the end"), std::string::npos);                 // no length
  EXPECT_NE(bad(Blob(11, 0xff)).find("varint"), std::string::npos);                           // overlong varint
  EXPECT_NE(bad({0x03}).find("invalid field number 0"), std::string::npos);                   // field 0 / group
  EXPECT_NE(bad({0x7b}).find("wire type 3"), std::string::npos);                              // start group
  EXPECT_NE(bad({0x78, 0x01}).find("not a sub-message"), std::string::npos);                  // field 15 as varint
  EXPECT_NE(bad({0x7a, 0x02, 0x0a, 0x01}).find("declares 1 bytes"), std::string::npos);       // inner length
  EXPECT_NE(bad({0x7a, 0x02, 0x18, 0x80}).find("runs past the end"), std::string::npos);      // inner varint
  EXPECT_NE(bad({0x7a, 0x02, 0x0b, 0x00}).find("wire type"), std::string::npos);
  EXPECT_NE(bad({0x7a, 0x02, 0x0a, 0x00, 0x82, 0x01, 0x00}).find("both field 15 and field 16"), std::string::npos);
  // A u32 field with a value that does not fit.
  EXPECT_NE(bad({0x7a, 0x06, 0x48, 0x80, 0x80, 0x80, 0x80, 0x10}).find("does not fit in 32 bits"), std::string::npos);
  // Unknown members decode as UnknownRequest; an empty message has member 0.
  EXPECT_EQ(std::get<UnknownRequest>(decode_request(Blob{0x0a, 0x00})).field, 1u);
  EXPECT_EQ(std::get<UnknownRequest>(decode_request(Blob{})).field, 0u);
  // Frames.
  EXPECT_THROW(unframe(Blob{1, 0, 0}, 16), AesmWireError);
  EXPECT_THROW(unframe(Blob{2, 0, 0, 0, 1}, 16), AesmWireError);
  EXPECT_THROW(unframe(Blob{17, 0, 0, 0}, 16), AesmWireError);
}
