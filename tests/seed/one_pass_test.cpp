// The byte scan that decides whether a seed file is worth a one-pass attempt.
#include "seed/one_pass.hpp"

#include <gtest/gtest.h>

#include "support/database.hpp"

namespace dbtool {
namespace {

TEST(MayLoadInOnePass, PlainRowsYesAnyWordOfAnotherShapeNo) {
    test::TempDir dir;
    EXPECT_TRUE(mayLoadInOnePass(dir.write("a.yaml", "users:\n  - {email: a, name: A}\n")));
    for (const std::string word :
         {"_label: a", "!ref users.a", "generate:", "csv: u.csv", "on_conflict: skip"}) {
        EXPECT_FALSE(mayLoadInOnePass(dir.write("b.yaml", "users:\n  - {x: 1, " + word + "}\n")))
            << word;
    }
    // A word across the scan's 1 MiB reads is still found.
    std::string big = "users:\n";
    while (big.size() < (1u << 20) - 3)
        big += "  - {email: a}\n";
    big.resize((1u << 20) - 3);
    EXPECT_FALSE(mayLoadInOnePass(dir.write("c.yaml", big + "_label: x\n")));
    EXPECT_TRUE(mayLoadInOnePass(dir.write("d.yaml", big + "name: x\n")));
    // One top-level key, as block-style YAML writes it; rows may start at column 0.
    EXPECT_TRUE(mayLoadInOnePass(dir.write("e.yaml",
                                           "# users\n---\nusers:\n- {a: 1}\n- a: 2\n"
                                           "  b: 3\n")));
    EXPECT_FALSE(mayLoadInOnePass(dir.write("f.yaml", "users:\n  - {a: 1}\nposts:\n  - {b: 1}\n")));
    // Lines whose shape the scan does not follow: a flow collection over lines, a tab.
    EXPECT_FALSE(mayLoadInOnePass(dir.write("g.yaml", "users: [\n{a: 1}]\n")));
    EXPECT_FALSE(mayLoadInOnePass(dir.write("h.yaml", "users:\n\t- {a: 1}\n")));
    EXPECT_FALSE(mayLoadInOnePass(dir.write("i.yaml", "{users: [{a: 1}]}\n")));
    // Unreadable: the two passes say why.
    EXPECT_FALSE(mayLoadInOnePass(dir.path() / "missing.yaml"));
}

}  // namespace
}  // namespace dbtool
