// The printk decoders on synthetic ring buffers built here: a lockless prb
// with a wrapping text block, a continuation record, a dictionary and a
// data-less record; the old log_buf with a dict and a wrap; corrupt input.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "core/linux/printk.hpp"

namespace kinspect {
namespace {

struct FakeMem {
  std::map<uint64_t, std::vector<uint8_t>> regions;
  MemReader reader() {
    return [this](uint64_t a, std::span<uint8_t> out) -> Status {
      for (auto& [base, bytes] : regions)
        if (a >= base && a + out.size() <= base + bytes.size()) {
          std::memcpy(out.data(), bytes.data() + (a - base), out.size());
          return {};
        }
      return fail(Errc::not_present, "no memory at " + hex(a), a);
    };
  }
};

void put(std::vector<uint8_t>& b, uint64_t off, uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) b[off + i] = uint8_t(v >> (8 * i));
}

// Layout of 6.1's x86_64 prb_desc (24 bytes) and printk_info (88 bytes).
PrbLayout layout() {
  PrbLayout l;
  l.count_bits = 2;  // 4 descriptors
  l.size_bits = 6;   // 64-byte text ring
  l.descs = 0x1000;
  l.infos = 0x2000;
  l.data = 0x3000;
  l.desc_size = 24;
  l.info_size = 88;
  l.off_state_var = 0;
  l.off_lpos_begin = 8;
  l.off_lpos_next = 16;
  l.off_ts_nsec = 8;
  l.off_text_len = 16;
  l.off_facility = 18;
  l.off_caller_id = 20;
  l.has_caller_id = true;
  l.has_dev_info = true;
  l.off_subsystem = 24;
  l.subsystem_len = 16;
  l.off_device = 40;
  l.device_len = 48;
  return l;
}

constexpr uint64_t kCommitted = uint64_t(1) << 62, kFinalized = uint64_t(2) << 62,
                   kReusable = uint64_t(3) << 62;

struct PrbBuilder {
  PrbLayout l = layout();
  std::vector<uint8_t> descs = std::vector<uint8_t>(4 * 24), infos = std::vector<uint8_t>(4 * 88),
                       data = std::vector<uint8_t>(64);
  // A record `id` in state `state` with text at logical [begin, next).
  void record(uint64_t id, uint64_t state, uint64_t begin, uint64_t next, std::string_view text,
              uint64_t ts, uint8_t level, uint8_t flags = 0, std::string_view sub = "",
              std::string_view dev = "") {
    uint64_t s = id % 4;
    put(descs, s * 24, id | state, 8);
    put(descs, s * 24 + 8, begin, 8);
    put(descs, s * 24 + 16, next, 8);
    uint8_t* info = infos.data() + s * 88;
    put(infos, s * 88 + 8, ts, 8);
    put(infos, s * 88 + 16, text.size(), 2);
    info[19] = uint8_t(flags | (level << 5));
    std::memcpy(info + 24, sub.data(), sub.size());
    std::memcpy(info + 40, dev.data(), dev.size());
    if (begin & 1) return;
    uint64_t b = begin % 64, n = next % 64;
    if (b > n) b = 0;  // wrapped: the id is repeated at the ring's start
    put(data, b, id, 8);
    std::memcpy(data.data() + b + 8, text.data(), text.size());
  }
  Result<std::vector<PrintkRecord>> decode(uint64_t tail, uint64_t head) {
    FakeMem m;
    m.regions[l.descs] = descs;
    m.regions[l.infos] = infos;
    m.regions[l.data] = data;
    l.tail_id = tail;
    l.head_id = head;
    return decode_prb(l, m.reader());
  }
};

TEST(PrintkPrb, RecordsInOrderWithWrapContinuationAndDictionary) {
  PrbBuilder b;
  // Ids 5..8 occupy slots 1,2,3,0. Id 5 is reusable (dropped), id 6 a
  // device message with a dictionary, id 7 a continuation, id 8 wraps.
  b.record(5, kReusable, 0, 16, "gone", 1, 6);
  b.record(6, kFinalized, 64 + 16, 64 + 40, "pci 0000:00:01.0", 1500000000, 6, 0, "pci",
           "+pci:0000:00:01.0");
  b.record(7, kFinalized, 64 + 40, 64 + 56, "cont", 2000001000, 4, kLogCont);
  // Logical 120..144: begins at index 56, wraps; its data is at 0..16+8.
  b.record(8, kCommitted, 64 + 56, 128 + 24, "wrapped!abc", 3000000000, 3);
  auto r = b.decode(5, 8);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0].text, "pci 0000:00:01.0");
  EXPECT_EQ((*r)[0].ts_nsec, 1500000000u);
  EXPECT_EQ((*r)[0].level, 6);
  ASSERT_EQ((*r)[0].dict.size(), 2u);
  EXPECT_EQ((*r)[0].dict[0], "SUBSYSTEM=pci");
  EXPECT_EQ((*r)[0].dict[1], "DEVICE=+pci:0000:00:01.0");
  EXPECT_EQ((*r)[1].text, "cont");
  EXPECT_EQ((*r)[1].flags & kLogCont, kLogCont);
  EXPECT_EQ((*r)[1].level, 4);
  EXPECT_TRUE((*r)[1].dict.empty());
  EXPECT_EQ((*r)[2].text, "wrapped!abc");
  EXPECT_EQ((*r)[2].level, 3);
}

TEST(PrintkPrb, DatalessAndTruncatedRecords) {
  PrbBuilder b;
  b.record(0, kFinalized, 1, 1, "", 10, 6);          // data-less (FAILED_LPOS)
  b.record(1, kFinalized, 0, 12, "truncated text", 20, 6);  // block holds 4 bytes of text
  auto r = b.decode(0, 1);
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_FALSE((*r)[0].has_data);
  EXPECT_EQ((*r)[1].text, "trun");
}

TEST(PrintkPrb, CorruptIdsGiveOneError) {
  PrbBuilder b;
  b.record(0, kFinalized, 0, 16, "x", 10, 6);
  // head_id not reachable from tail_id within the ring: bounded, one error.
  auto r = b.decode(0, 12345);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("corrupt printk ring buffer"), std::string::npos);
  b.l.count_bits = 60;
  r = b.decode(0, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("count_bits"), std::string::npos);
}

TEST(PrintkPrb, UnreadableRingIsAnError) {
  PrbBuilder b;
  b.l.data = 0x9000;  // not backed
  FakeMem m;
  m.regions[b.l.descs] = b.descs;
  m.regions[b.l.infos] = b.infos;
  auto r = decode_prb(b.l, m.reader());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("text data ring"), std::string::npos);
}

// struct printk_log: u64 ts_nsec; u16 len, text_len, dict_len; u8 facility;
// u8 flags:5, level:3 -> 16 bytes.
LogBufLayout old_layout() {
  LogBufLayout l;
  l.buf = 0x5000;
  l.buf_len = 128;
  l.hdr_size = 16;
  l.off_ts_nsec = 0;
  l.off_len = 8;
  l.off_text_len = 10;
  l.off_dict_len = 12;
  l.off_facility = 14;
  return l;
}

uint32_t put_old(std::vector<uint8_t>& b, uint32_t at, uint64_t ts, std::string_view text,
                 std::string_view dict, uint8_t level) {
  uint32_t len = uint32_t((16 + text.size() + dict.size() + 7) & ~size_t(7));
  put(b, at, ts, 8);
  put(b, at + 8, len, 2);
  put(b, at + 10, text.size(), 2);
  put(b, at + 12, dict.size(), 2);
  b[at + 15] = uint8_t(level << 5);
  std::memcpy(b.data() + at + 16, text.data(), text.size());
  std::memcpy(b.data() + at + 16 + text.size(), dict.data(), dict.size());
  return at + len;
}

TEST(PrintkLogBuf, RecordsWrapAndDictionary) {
  std::vector<uint8_t> buf(128);
  // first record at 80, then a zero-len marker at 104 sends the reader to 0.
  uint32_t end = put_old(buf, 80, 7000, "late", "", 5);
  EXPECT_EQ(end, 104u);
  using namespace std::string_view_literals;
  uint32_t n = put_old(buf, 0, 8000, "usb 1-1: new", "SUBSYSTEM=usb\0DEVICE=c189:1"sv, 6);
  LogBufLayout l = old_layout();
  l.first_idx = 80;
  l.next_idx = n;
  FakeMem m;
  m.regions[l.buf] = buf;
  auto r = decode_log_buf(l, m.reader());
  ASSERT_TRUE(r.ok()) << r.error().to_string();
  ASSERT_EQ(r->size(), 2u);
  EXPECT_EQ((*r)[0].text, "late");
  EXPECT_EQ((*r)[0].level, 5);
  EXPECT_EQ((*r)[1].text, "usb 1-1: new");
  ASSERT_EQ((*r)[1].dict.size(), 2u);
  EXPECT_EQ((*r)[1].dict[0], "SUBSYSTEM=usb");
  EXPECT_EQ((*r)[1].dict[1], "DEVICE=c189:1");
}

TEST(PrintkLogBuf, CorruptLengthGivesOneError) {
  std::vector<uint8_t> buf(128);
  put_old(buf, 0, 1, "abc", "", 6);
  put(buf, 8, 200, 2);  // len past the buffer
  LogBufLayout l = old_layout();
  l.first_idx = 0;
  l.next_idx = 64;
  FakeMem m;
  m.regions[l.buf] = buf;
  auto r = decode_log_buf(l, m.reader());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("corrupt log_buf record"), std::string::npos);
}

}  // namespace
}  // namespace kinspect
