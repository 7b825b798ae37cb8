// What CSV bytes COPY receives: an unquoted \. record quoted, record ends as LF, everything
// else byte for byte, whatever the chunk boundaries.
#include "seed/csv_stream.hpp"

#include <gtest/gtest.h>

namespace dbtool::test {
namespace {

// The stream's output for `in`, fed in chunks of `size` bytes.
std::string through(const std::string& in, size_t size) {
    CsvCopyStream stream;
    std::string out;
    for (size_t i = 0; i < in.size(); i += size)
        out += stream.feed(std::string_view(in).substr(i, size));
    return out + stream.finish();
}

void expectEveryChunking(const std::string& in, const std::string& expected) {
    for (size_t size = 1; size <= in.size() + 1; ++size)
        EXPECT_EQ(through(in, size), expected) << "chunks of " << size;
}

TEST(CsvCopyStream, AnEndOfDataMarkerRecordIsSentQuoted) {
    expectEveryChunking("s\nfirst\n\\.\nafter1\nafter2\n", "s\nfirst\n\"\\.\"\nafter1\nafter2\n");
    expectEveryChunking("s\nfirst\n\\.", "s\nfirst\n\"\\.\"\n");  // at the end, no newline
    expectEveryChunking("s\r\n\\.\r\nx\r\n", "s\n\"\\.\"\nx\n");  // CRLF
}

TEST(CsvCopyStream, BackslashesThatAreNotAMarkerPassUnchanged) {
    const std::string data = "s\n\\.x\n\\\n\\\\.\na\\.\n\"\\.\"\n\\";
    expectEveryChunking(data, data);
}

TEST(CsvCopyStream, InsideQuotesEverythingIsData) {
    // A quoted field over several lines: its \. line and its CRLF are the value's.
    expectEveryChunking("s\n\"multi\r\n\\.\nline\"\n\"a\"\"b\"\n\\.\n",
                        "s\n\"multi\r\n\\.\nline\"\n\"a\"\"b\"\n\"\\.\"\n");
}

TEST(CsvCopyStream, MixedLineEndsBecomeLf) {
    expectEveryChunking("a,b\r\n1,2\n3,4\r\n5,6\r7,8", "a,b\n1,2\n3,4\n5,6\n7,8");
}

}  // namespace
}  // namespace dbtool::test
