#include "testdb/template_key.hpp"

#include <gtest/gtest.h>

namespace dbtool::testdb {
namespace {

TEST(TemplateKey, CoversEveryLineAndItsOrder) {
    const std::string key = templateKey({"migration 1 a x", "seed s y"});
    EXPECT_EQ(key.size(), 64u);
    EXPECT_EQ(key, templateKey({"migration 1 a x", "seed s y"}));
    EXPECT_NE(key, templateKey({"seed s y", "migration 1 a x"}));
    EXPECT_NE(key, templateKey({"migration 1 a x", "seed s z"}));
    // Line boundaries count: the same characters split differently are another template.
    EXPECT_NE(templateKey({"ab", "c"}), templateKey({"a", "bc"}));
}

TEST(TemplateKey, NamesFitPostgresAndAreRecognised) {
    const std::string key = templateKey({});
    EXPECT_EQ(templateName("app_test", key), "app_test_tpl_" + key.substr(0, 16));
    EXPECT_TRUE(isTemplateOf(templateName("app_test", key), "app_test"));
    EXPECT_FALSE(isTemplateOf(templateName("app_test", key), "app"));
    EXPECT_FALSE(isTemplateOf("app_test_tpl_nothex0123456789", "app_test"));
    EXPECT_FALSE(isTemplateOf("app_test_clone_0123456789abcdef", "app_test"));

    const std::string longName(80, 'd');
    const std::string name = templateName(longName, key);
    EXPECT_EQ(name.size(), 63u);
    EXPECT_TRUE(isTemplateOf(name, longName));
    // Shortened at a character boundary: "é" is two bytes and is never split.
    std::string accented(41, 'd');
    accented += "\xC3\xA9";  // é
    accented.append(20, 'd');
    const std::string cut = templateName(accented, key);
    EXPECT_LE(cut.size(), 63u);
    EXPECT_EQ(cut.substr(0, 41), std::string(41, 'd'));
    EXPECT_EQ(cut.substr(41, 5), "_tpl_");
}

}  // namespace
}  // namespace dbtool::testdb
