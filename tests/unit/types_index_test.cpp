// The DWARF index and type model against the Debian 6.1 x86_64 vmlinux:
// sizes and offsets as gdb reports them, enumerator values from the kernel
// source, and the cache file (round trip, refusal of a wrong key or a
// damaged file).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/elf_image.hpp"
#include "core/types/dwarf_index.hpp"
#include "core/types/type_name.hpp"
#include "core/types/types.hpp"
#include "tests/unit/types_test_env.hpp"

using namespace kinspect;
namespace fs = std::filesystem;

namespace {

class TypesVmlinux : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    path_ = kinspect::testing::sample_paths("x86_64-sysrq")["VMLINUX"];
    if (!kinspect::testing::file_exists(path_)) return;
    auto elf = ElfImage::open(path_);
    ASSERT_TRUE(elf.ok()) << elf.error().to_string();
    elf_ = std::move(elf).value().release();
    auto t = Types::open(*elf_);  // the default cache: built once, then loaded
    ASSERT_TRUE(t.ok()) << t.error().to_string();
    types_ = std::move(t).value().release();
  }
  void SetUp() override { KINSPECT_NEED_FILE(path_); }
  static inline std::string path_;
  static inline ElfImage* elf_ = nullptr;
  static inline Types* types_ = nullptr;
};

TEST_F(TypesVmlinux, SizesAndOffsetsMatchGdb) {
  const Types& T = *types_;
  // gdb: p sizeof(struct task_struct) = 9728; &((struct task_struct*)0)->se.vruntime = 0xd0 ...
  EXPECT_EQ((*T.find_type("struct task_struct"))->byte_size(), 9728u);
  EXPECT_EQ(*T.member_offset("task_struct", "se.vruntime"), 0xd0u);
  EXPECT_EQ(*T.member_offset("task_struct", "comm"), 0xba0u);
  EXPECT_EQ(*T.member_offset("task_struct", "pid_links[1]"), 0x9f0u);
  EXPECT_EQ(*T.member_offset("rq", "cfs.nr_running"), 0x90u);
  EXPECT_EQ(*T.member_offset("page", "mapping"), 0x18u);  // inside two anonymous levels
  EXPECT_EQ(*T.member_offset("timekeeper", "xtime_sec"), 0x70u);
  EXPECT_EQ((*T.find_type("struct rpc_procinfo"))->byte_size(), 48u);
  EXPECT_EQ((*T.find_type("struct pid"))->byte_size(), 96u);
  EXPECT_EQ((*T.find_type("cpumask_t"))->byte_size(), 1024u);
}

TEST_F(TypesVmlinux, TypeNamesParseAndPrintAsCrashDoes) {
  const Types& T = *types_;
  EXPECT_EQ(type_name(*T.find_type("unsigned long")), "unsigned long");
  EXPECT_EQ(type_name(*T.find_type("long unsigned int")), "unsigned long");
  EXPECT_EQ(type_name(*T.find_type("struct list_head *")), "struct list_head *");
  EXPECT_EQ(type_name(*T.find_type("char [16]")), "char [16]");
  EXPECT_EQ((*T.find_type("u32"))->byte_size(), 4u);
  EXPECT_FALSE(T.find_type("struct no_such_struct_xyz").ok());
  // crash: "ssize_t (*read)(struct file *, char *, size_t, loff_t *);"
  const Type* fops = *T.find_struct("file_operations");
  auto read = fops->find_member("read");
  ASSERT_TRUE(read);
  EXPECT_EQ(declare(read->member->type.get(), "read"), "ssize_t (*read)(struct file *, char *, size_t, loff_t *)");
  auto sde = fops->find_member("splice_eof");
  EXPECT_EQ(declare(sde->member->type.get(), "splice_eof"), "void (*splice_eof)(struct file *)");
}

TEST_F(TypesVmlinux, PreferCompleteDefinitions) {
  // struct task_struct is declared (not defined) in many units.
  const Type* t = *types_->find_struct("task_struct");
  EXPECT_FALSE(t->declaration);
  EXPECT_FALSE(t->members.empty());
  // linux_banner is "const char []" in a header and [204] where defined
  // (crash: "const char linux_banner[204];").
  auto v = types_->variable("linux_banner");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(declare(v->type, "linux_banner"), "const char linux_banner[204]");
}

TEST_F(TypesVmlinux, EnumeratorsAndBitfields) {
  // include/linux/smp_types.h (6.1): CSD_FLAG_LOCK = 0x01, CSD_TYPE_SYNC = 0x10,
  // CSD_FLAG_TYPE_MASK = 0xF0 (gdb: p/x CSD_FLAG_TYPE_MASK = 0xf0).
  EXPECT_EQ(types_->enumerator("CSD_FLAG_LOCK")->value, 1);
  EXPECT_EQ(types_->enumerator("CSD_TYPE_SYNC")->value, 0x10);
  EXPECT_EQ(types_->enumerator("CSD_FLAG_TYPE_MASK")->value, 0xf0);
  // crash: struct desc_struct -o shows "[5] u16 dpl : 2;".
  auto mp = types_->member_path(*types_->find_struct("desc_struct"), "dpl");
  ASSERT_TRUE(mp.ok());
  EXPECT_EQ(mp->bit_size, 2u);
  EXPECT_EQ(mp->bit_pos / 8, 5u);
  // Flexible array (crash: "struct upid numbers[];").
  auto numbers = (*types_->find_struct("pid"))->find_member("numbers");
  ASSERT_TRUE(numbers);
  EXPECT_FALSE(numbers->member->type.get()->strip()->count.has_value());
}

TEST_F(TypesVmlinux, IndexCacheRoundTripAndValidation) {
  fs::path dir = fs::temp_directory_path() / ("kinspect-idx-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string p = (dir / "test.idx").string();
  const DwarfIndex& idx = types_->index();
  ASSERT_TRUE(idx.save(p, "key-1").ok());
  auto back = DwarfIndex::load(p, "key-1");
  ASSERT_TRUE(back.ok()) << back.error().to_string();
  EXPECT_EQ(back->size(), idx.size());
  auto a = idx.find("task_struct", IndexKind::struct_);
  auto b = back->find("task_struct", IndexKind::struct_);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->die, b->die);
  // Another key (another build-id) is refused.
  EXPECT_FALSE(DwarfIndex::load(p, "key-2").ok());
  // A damaged file is refused by its checksum.
  {
    std::fstream f(p, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(p) / 2));
    char c = 0;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(fs::file_size(p) / 2));
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  auto bad = DwarfIndex::load(p, "key-1");
  EXPECT_FALSE(bad.ok());
  // A truncated file too.
  fs::resize_file(p, 100);
  EXPECT_FALSE(DwarfIndex::load(p, "key-1").ok());
  fs::remove_all(dir);
}

TEST_F(TypesVmlinux, ParallelBuildMatchesSingleThreaded) {
  auto one = DwarfIndex::build(elf_->file().bytes(), 1, nullptr);
  auto two = DwarfIndex::build(elf_->file().bytes(), 2, nullptr);
  ASSERT_TRUE(one.ok() && two.ok());
  ASSERT_EQ(one->size(), two->size());
  for (size_t i = 0; i < one->size(); i += 97) {
    EXPECT_EQ(one->at(i).name, two->at(i).name);
    EXPECT_EQ(one->at(i).die, two->at(i).die);
  }
}

}  // namespace
