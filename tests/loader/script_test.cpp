// parse_script: the binfmt_script rules.
#include <gtest/gtest.h>

#include <string>

#include "loader/script.hpp"

using namespace cocoon::loader;

namespace {

struct Parsed {
  ScriptError err;
  std::string interp, arg;
  bool has_arg = false, truncated = false;
};

Parsed parse(const std::string& text) {
  ScriptLine line;
  Parsed p;
  p.err = parse_script(reinterpret_cast<const std::uint8_t*>(text.data()), text.size(), line);
  if (p.err == ScriptError::Ok) {
    p.interp = text.substr(line.interp_offset, line.interp_len);
    p.has_arg = line.has_arg;
    if (line.has_arg) p.arg = text.substr(line.arg_offset, line.arg_len);
    p.truncated = line.arg_truncated;
  }
  return p;
}

TEST(LoaderScript, InterpreterOnly) {
  Parsed p = parse("#!/bin/sh\necho hi\n");
  ASSERT_EQ(p.err, ScriptError::Ok);
  EXPECT_EQ(p.interp, "/bin/sh");
  EXPECT_FALSE(p.has_arg);
}

TEST(LoaderScript, SpacesAroundInterpreterAndArgument) {
  Parsed p = parse("#!  \t/usr/bin/env   python3 -u  \t\nprint(1)\n");
  ASSERT_EQ(p.err, ScriptError::Ok);
  EXPECT_EQ(p.interp, "/usr/bin/env");
  EXPECT_TRUE(p.has_arg);
  EXPECT_EQ(p.arg, "python3 -u");  // one argument, inner spaces kept, trailing blanks trimmed
}

TEST(LoaderScript, TrailingBlanksAreNotAnArgument) {
  Parsed p = parse("#!/bin/sh   \t\n");
  ASSERT_EQ(p.err, ScriptError::Ok);
  EXPECT_EQ(p.interp, "/bin/sh");
  EXPECT_FALSE(p.has_arg);
}

TEST(LoaderScript, NoNewlineInShortFile) {
  Parsed p = parse("#!/bin/true -x");
  ASSERT_EQ(p.err, ScriptError::Ok);
  EXPECT_EQ(p.interp, "/bin/true");
  EXPECT_EQ(p.arg, "-x");
  EXPECT_FALSE(p.truncated);
}

TEST(LoaderScript, CarriageReturnIsPartOfTheName) {
  Parsed p = parse("#!/bin/sh\r\n");  // as on Linux: the interpreter "/bin/sh\r" (ENOENT later)
  ASSERT_EQ(p.err, ScriptError::Ok);
  EXPECT_EQ(p.interp, "/bin/sh\r");
}

TEST(LoaderScript, NulEndsTheLine) {
  std::string text("#!/bin/sh\0 -e\n", 14);
  Parsed p = parse(text);
  ASSERT_EQ(p.err, ScriptError::Ok);
  EXPECT_EQ(p.interp, "/bin/sh");
  EXPECT_FALSE(p.has_arg);
}

TEST(LoaderScript, Errors) {
  EXPECT_EQ(parse("").err, ScriptError::NotScript);
  EXPECT_EQ(parse("#").err, ScriptError::NotScript);
  EXPECT_EQ(parse("\x7f" "ELF").err, ScriptError::NotScript);
  EXPECT_EQ(parse("# !/bin/sh\n").err, ScriptError::NotScript);
  EXPECT_EQ(parse("#!\n").err, ScriptError::NoInterpreter);
  EXPECT_EQ(parse("#!   \t \n/bin/sh\n").err, ScriptError::NoInterpreter);
  EXPECT_EQ(parse("#!").err, ScriptError::NoInterpreter);
  EXPECT_EQ(parse("#!" + std::string(300, ' ')).err, ScriptError::NoInterpreter);
  EXPECT_EQ(parse("#!/" + std::string(300, 'a') + "\n").err, ScriptError::LineTooLong);
  EXPECT_EQ(parse("#!/" + std::string(253, 'a') + " x").err, ScriptError::LineTooLong)
      << "the name reaches byte 255, which the kernel overwrites";
  EXPECT_STREQ(script_error_message(ScriptError::LineTooLong),
               "'#!' line too long: the interpreter path does not end within 255 bytes");
}

TEST(LoaderScript, LongArgumentIsCutAt255Bytes) {
  std::string text = "#!/bin/sh " + std::string(400, 'x') + "\n";
  Parsed p = parse(text);
  ASSERT_EQ(p.err, ScriptError::Ok);
  EXPECT_EQ(p.interp, "/bin/sh");
  EXPECT_EQ(p.arg.size(), 255u - 10u);
  EXPECT_TRUE(p.truncated);
}

TEST(LoaderScript, NewlineAtLastByteOfBuffer) {
  std::string text = "#!/bin/sh " + std::string(245, 'y') + "\nrest";  // '\n' at index 255
  ASSERT_EQ(text[255], '\n');
  Parsed p = parse(text);
  ASSERT_EQ(p.err, ScriptError::Ok);
  EXPECT_EQ(p.arg, std::string(245, 'y'));
  EXPECT_FALSE(p.truncated);
}

TEST(LoaderScript, NameEndingExactlyBeforeLastByte) {
  // Name occupies bytes 2..254; byte 255 (a space) still terminates it.
  std::string text = "#!/" + std::string(252, 'n') + " arg";
  Parsed p = parse(text);
  ASSERT_EQ(p.err, ScriptError::Ok);
  EXPECT_EQ(p.interp.size(), 253u);
  EXPECT_FALSE(p.has_arg);  // the argument would start past byte 255
}

}  // namespace
