// Helpers the dump-reader tests share: open bytes as a dump (expecting it to
// open, or to fail), and read physical memory back as a string.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/byte_source.hpp"
#include "core/dump/dump.hpp"

namespace kinspect::dump_test {

inline std::unique_ptr<Dump> open_dump_ok(std::string bytes, const std::string& name) {
  auto r = open_dump(std::make_unique<MemoryBytes>(name, std::move(bytes)));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : nullptr;
}

inline Error open_dump_err(std::string bytes, const std::string& name) {
  auto r = open_dump(std::make_unique<MemoryBytes>(name, std::move(bytes)));
  EXPECT_FALSE(r.ok());
  return r.ok() ? Error{} : std::move(r).error();
}

inline std::string read_phys_string(Dump& d, uint64_t paddr, size_t len) {
  std::string out(len, '\0');
  auto st = d.read_phys(paddr, {reinterpret_cast<uint8_t*>(out.data()), len});
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
  return out;
}

}  // namespace kinspect::dump_test
