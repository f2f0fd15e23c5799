#pragma once
// A catalog from CREATE statements, for the policy tests' fixtures.
#include <gtest/gtest.h>

#include "sql/catalog_sources.hpp"

namespace airlock::policy::test {

inline sql::Catalog catalog_from(const char* schema_sql) {
  auto r = sql::catalog_from_schema_sql(schema_sql);
  if (!r) ADD_FAILURE() << r.error().message;
  return r ? std::move(*r) : sql::Catalog{};
}

}  // namespace airlock::policy::test
