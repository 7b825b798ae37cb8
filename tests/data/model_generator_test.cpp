#include "data/model_generator.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "data/data_query.hpp"
#include "support/expect_error.hpp"

namespace dbtool {
namespace {

using test::errorFrom;
using ::testing::HasSubstr;

TEST(ModelGenerator, NamesBecomeSnakeCasePlurals) {
    EXPECT_EQ(snakeCase("firstName"), "first_name");
    EXPECT_EQ(snakeCase("BlogPost"), "blog_post");
    EXPECT_EQ(snakeCase("HTTPRequest"), "http_request");
    EXPECT_EQ(pluralize("user"), "users");
    EXPECT_EQ(pluralize("blog_post"), "blog_posts");
    EXPECT_EQ(pluralize("category"), "categories");
    EXPECT_EQ(pluralize("day"), "days");
    EXPECT_EQ(pluralize("box"), "boxes");
    EXPECT_EQ(pluralize("person"), "people");
    EXPECT_EQ(pluralize("sales_person"), "sales_people");
    EXPECT_EQ(parseModel("User", "name:string").table, "users");
}

TEST(ModelGenerator, MapsEveryTypeAndModifier) {
    const auto m = parseModel(
        "Item",
        "a:string,b:text,c:integer,d:bigint,e:float,f:double,g:decimal(10,2),h:boolean,i:date,"
        "j:dateonly,k:time,l:uuid,m:json,n:jsonb,o:enum(x|y),p:array(integer),q:references,"
        "r:references(people):null,s:string:unique:null,t:integer:index:default=5,"
        "u:boolean:default=true,v:string:default=it's,w:date:default=now");
    std::map<std::string, std::string> types;
    for (const auto& c : m.columns)
        types[c.name] = c.sqlType;
    EXPECT_EQ(types["a"], "varchar(255)");
    EXPECT_EQ(types["b"], "text");
    EXPECT_EQ(types["e"], "real");
    EXPECT_EQ(types["f"], "double precision");
    EXPECT_EQ(types["g"], "numeric(10,2)");
    EXPECT_EQ(types["i"], "timestamptz");
    EXPECT_EQ(types["j"], "date");
    EXPECT_EQ(types["p"], "integer[]");
    EXPECT_EQ(types["q_id"], "bigint");
    const std::string sql = modelMigrationSql(m);
    EXPECT_THAT(sql, HasSubstr("q_id bigint NOT NULL REFERENCES qs (id)"));
    EXPECT_THAT(sql, HasSubstr("r_id bigint REFERENCES people (id)"));
    EXPECT_THAT(sql, HasSubstr("o text NOT NULL CHECK (o IN ('x', 'y'))"));
    EXPECT_THAT(sql, HasSubstr("s varchar(255) UNIQUE"));
    EXPECT_THAT(sql, HasSubstr("t integer NOT NULL DEFAULT 5"));
    EXPECT_THAT(sql, HasSubstr("CREATE INDEX items_t_idx ON items (t);"));
    EXPECT_THAT(sql, HasSubstr("CREATE INDEX items_q_id_idx ON items (q_id);"));
    EXPECT_THAT(sql, HasSubstr("v varchar(255) NOT NULL DEFAULT 'it''s'"));
    EXPECT_THAT(sql, HasSubstr("w timestamptz NOT NULL DEFAULT now()"));
    EXPECT_THAT(sql, HasSubstr("-- migrate:down\nDROP TABLE items;"));
}

TEST(ModelGenerator, BadAttributesShowTheOffendingAttribute) {
    auto message = [](const std::string& attributes) {
        const Error e = errorFrom([&] { parseModel("User", attributes); });
        EXPECT_EQ(e.code(), ExitCode::Usage) << attributes;
        return std::string(e.what());
    };
    EXPECT_THAT(message("name:strng"),
                HasSubstr("attribute 'name:strng': unknown type 'strng', did you mean 'string'?"));
    EXPECT_THAT(message("name:string,name:text"), HasSubstr("duplicate column 'name'"));
    EXPECT_THAT(message("firstName:string,first_name:text"),
                HasSubstr("duplicate column 'first_name'"));
    EXPECT_THAT(message("id:integer"), HasSubstr("added by dbtool itself"));
    EXPECT_THAT(message("createdAt:date"), HasSubstr("added by dbtool itself"));
    EXPECT_THAT(message("name"), HasSubstr("expected NAME:TYPE"));
    EXPECT_THAT(message("name:string:uniq"),
                HasSubstr("unknown modifier 'uniq', did you mean 'unique'?"));
    EXPECT_THAT(message("age:integer:default=old"), HasSubstr("not a number"));
    EXPECT_THAT(message("on:boolean:default=yes"), HasSubstr("true or false"));
    EXPECT_THAT(message("ok:boolean:default=yes"), HasSubstr("true or false"));
    EXPECT_THAT(message("role:enum(a|b):default=c"), HasSubstr("not one of the enum's values"));
    EXPECT_THAT(message("price:decimal(2,5)"), HasSubstr("scale <= precision"));
    EXPECT_THAT(message("price:decimal(99999999999,2)"),
                HasSubstr("price"));  // no std::out_of_range
    EXPECT_THAT(message("a:string,,b:text"), HasSubstr("empty attribute"));
    EXPECT_THAT(message("9lives:integer"), HasSubstr("not a valid column name"));
    EXPECT_EQ(errorFrom([] { parseModel("2Fast", "a:string"); }).code(), ExitCode::Usage);
}

// sequelize accepts reserved words as names; so does dbtool, quoting them in the SQL.
TEST(ModelGenerator, ReservedWordsAreQuotedNotRefused) {
    const auto m = parseModel("A", "order:integer:index,user:references,email:string:unique");
    EXPECT_EQ(m.table, "as");
    const std::string sql = modelMigrationSql(m);
    EXPECT_THAT(sql, HasSubstr("CREATE TABLE \"as\" ("));
    EXPECT_THAT(sql, HasSubstr("\"order\" integer NOT NULL,"));
    EXPECT_THAT(sql, HasSubstr("CREATE INDEX as_order_idx ON \"as\" (\"order\");"));
    EXPECT_THAT(sql, HasSubstr("DROP TABLE \"as\";"));
    // An email template is an email: {{email}} holds the row number already.
    EXPECT_THAT(modelSeedYaml(m), HasSubstr("email: \"{{email}}\"\n"));
}

TEST(DataQuery, ParsesFiltersAndOrderings) {
    auto f = parseFilter("age>=18");
    EXPECT_EQ(f.column, "age");
    EXPECT_EQ(f.op, ">=");
    EXPECT_EQ(f.value, "18");
    EXPECT_EQ(parseFilter("name!=Ann").op, "!=");
    EXPECT_EQ(parseFilter("email~EXAMPLE").op, "~");
    EXPECT_EQ(parseFilter("note=a=b").value, "a=b");
    EXPECT_EQ(parseFilter("deleted_at IS NULL").op, "is null");
    EXPECT_EQ(parseFilter("deleted_at is not null").column, "deleted_at");
    EXPECT_EQ(errorFrom([] { parseFilter("nonsense"); }).code(), ExitCode::Usage);
    EXPECT_TRUE(parseOrderBy("created_at:desc").descending);
    EXPECT_FALSE(parseOrderBy("name").descending);
    EXPECT_EQ(errorFrom([] { parseOrderBy("name:sideways"); }).code(), ExitCode::Usage);
}

}  // namespace
}  // namespace dbtool
