#include "core/linux/printk.hpp"

#include <cstring>

#include "core/program.hpp"
#include "core/types/object.hpp"

namespace kinspect {

namespace {

uint64_t le(const uint8_t* p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t(p[i]) << (8 * i);
  return v;
}

std::string c_string(const uint8_t* p, uint64_t max) {
  uint64_t n = 0;
  while (n < max && p[n]) ++n;
  return std::string(reinterpret_cast<const char*>(p), n);
}

Result<std::vector<uint8_t>> read_block(const MemReader& read, uint64_t addr, uint64_t size,
                                        const char* what) {
  std::vector<uint8_t> v(size);
  if (auto st = read(addr, v); !st.ok())
    return Failure{std::move(st).error().context(std::string("reading the printk ") + what)};
  return v;
}

}  // namespace

Result<std::vector<PrintkRecord>> decode_prb(const PrbLayout& l, const MemReader& read) {
  if (l.count_bits > 24 || l.size_bits > 31 || l.size_bits < 4)
    return fail(Errc::format, "corrupt printk ring buffer: count_bits " + std::to_string(l.count_bits) +
                                  ", size_bits " + std::to_string(l.size_bits));
  if (l.long_size != 8 && l.long_size != 4) return fail(Errc::unsupported, "unsigned long size");
  const uint64_t count = uint64_t(1) << l.count_bits;
  const uint64_t dsize = uint64_t(1) << l.size_bits;
  ASSIGN_OR_RETURN(auto descs, read_block(read, l.descs, count * l.desc_size, "descriptors"));
  ASSIGN_OR_RETURN(auto infos, read_block(read, l.infos, count * l.info_size, "record infos"));
  ASSIGN_OR_RETURN(auto data, read_block(read, l.data, dsize, "text data ring"));

  const unsigned bits = l.long_size * 8;
  const uint64_t lmask = bits == 64 ? ~uint64_t(0) : 0xffffffffull;
  const uint64_t flags_shift = bits - 2;
  const uint64_t id_mask = ~(uint64_t(3) << flags_shift) & lmask;

  std::vector<PrintkRecord> out;
  uint64_t id = l.tail_id & id_mask;
  const uint64_t head = l.head_id & id_mask;
  for (uint64_t n = 0;; ++n) {
    if (n > count)
      return fail(Errc::format, "corrupt printk ring buffer: tail_id " + hex(l.tail_id) +
                                    " does not reach head_id " + hex(l.head_id) + " within " +
                                    std::to_string(count) + " descriptors");
    const uint64_t slot = id % count;
    const uint8_t* d = descs.data() + slot * l.desc_size;
    const uint8_t* info = infos.data() + slot * l.info_size;
    uint64_t sv = le(d + l.off_state_var, l.long_size);
    unsigned state = unsigned(sv >> flags_shift) & 3;
    // committed (1) or finalized (2) records of this id only, as crash.
    if ((sv & id_mask) == id && (state == 1 || state == 2)) {
      PrintkRecord r;
      r.ts_nsec = le(info + l.off_ts_nsec, 8);
      uint64_t text_len = le(info + l.off_text_len, 2);
      r.facility = info[l.off_facility];
      r.flags = info[l.off_facility + 1] & 0x1f;
      r.level = info[l.off_facility + 1] >> 5;
      if (l.has_caller_id) r.caller_id = uint32_t(le(info + l.off_caller_id, 4));
      if (l.has_dev_info) {
        std::string sub = c_string(info + l.off_subsystem, l.subsystem_len);
        std::string dev = c_string(info + l.off_device, l.device_len);
        if (!sub.empty()) r.dict.push_back("SUBSYSTEM=" + sub);
        if (!dev.empty()) r.dict.push_back("DEVICE=" + dev);
      }
      uint64_t lbegin = le(d + l.off_lpos_begin, l.long_size);
      uint64_t lnext = le(d + l.off_lpos_next, l.long_size);
      uint64_t begin = lbegin % dsize, next = lnext % dsize;
      if ((lbegin & 1) || begin == next) {
        r.has_data = false;
      } else {
        if (begin > next) begin = 0;  // the block wrapped: its data starts the ring
        begin += l.long_size;         // skip the block's descriptor id
        if (begin > next)
          return fail(Errc::format, "corrupt printk record " + std::to_string(id) +
                                        ": text block " + hex(lbegin) + "-" + hex(lnext));
        if (next - begin < text_len) text_len = next - begin;
        r.text.assign(reinterpret_cast<const char*>(data.data() + begin), text_len);
      }
      out.push_back(std::move(r));
    }
    if (id == head) break;
    id = (id + 1) & id_mask;
  }
  return out;
}

Result<std::vector<PrintkRecord>> decode_log_buf(const LogBufLayout& l, const MemReader& read) {
  if (l.buf_len == 0 || l.buf_len > (1u << 30) || l.first_idx >= l.buf_len || l.next_idx >= l.buf_len)
    return fail(Errc::format, "corrupt log_buf: log_buf_len " + std::to_string(l.buf_len) +
                                  ", log_first_idx " + std::to_string(l.first_idx) +
                                  ", log_next_idx " + std::to_string(l.next_idx));
  ASSIGN_OR_RETURN(auto buf, read_block(read, l.buf, l.buf_len, "log_buf"));
  std::vector<PrintkRecord> out;
  uint64_t idx = l.first_idx;
  bool wrapped = false;
  for (uint64_t n = 0; idx != l.next_idx; ++n) {
    if (n > l.buf_len / 8 + 1 || idx + l.hdr_size > l.buf_len) {
      if (idx + l.hdr_size > l.buf_len && !wrapped && idx != 0) {
        idx = 0;
        wrapped = true;
        continue;
      }
      return fail(Errc::format, "corrupt log_buf record at index " + std::to_string(idx));
    }
    const uint8_t* h = buf.data() + idx;
    uint64_t len = le(h + l.off_len, 2);
    if (len == 0) {  // the rest of the buffer is unused: continue at its start
      if (wrapped) return fail(Errc::format, "corrupt log_buf: wraps twice");
      wrapped = true;
      idx = 0;
      continue;
    }
    uint64_t text_len = le(h + l.off_text_len, 2), dict_len = le(h + l.off_dict_len, 2);
    if (idx + len > l.buf_len || l.hdr_size + text_len + dict_len > len)
      return fail(Errc::format, "corrupt log_buf record at index " + std::to_string(idx) +
                                    ": len " + std::to_string(len));
    PrintkRecord r;
    r.ts_nsec = le(h + l.off_ts_nsec, 8);
    r.facility = h[l.off_facility];
    r.flags = h[l.off_facility + 1] & 0x1f;
    r.level = h[l.off_facility + 1] >> 5;
    const char* text = reinterpret_cast<const char*>(h + l.hdr_size);
    r.text.assign(text, text_len);
    std::string dict(text + text_len, dict_len);
    for (size_t p = 0; p < dict.size();) {
      size_t e = dict.find('\0', p);
      if (e == std::string::npos) e = dict.size();
      if (e > p) r.dict.push_back(dict.substr(p, e - p));
      p = e + 1;
    }
    out.push_back(std::move(r));
    idx += len;
  }
  return out;
}

namespace {

Result<uint64_t> u64_of(const Object& o, std::string_view path) {
  ASSIGN_OR_RETURN(Object m, o.member(path));
  return m.as_u64();
}

Result<std::vector<PrintkRecord>> read_prb(Program& prog) {
  const Types& t = prog.types();
  ASSIGN_OR_RETURN(Object prbp, variable(prog, "prb"));
  ASSIGN_OR_RETURN(Object prb, prbp.deref());
  PrbLayout l;
  ASSIGN_OR_RETURN(l.count_bits, u64_of(prb, "desc_ring.count_bits"));
  ASSIGN_OR_RETURN(l.descs, u64_of(prb, "desc_ring.descs"));
  ASSIGN_OR_RETURN(l.infos, u64_of(prb, "desc_ring.infos"));
  ASSIGN_OR_RETURN(l.head_id, u64_of(prb, "desc_ring.head_id.counter"));
  ASSIGN_OR_RETURN(l.tail_id, u64_of(prb, "desc_ring.tail_id.counter"));
  ASSIGN_OR_RETURN(l.size_bits, u64_of(prb, "text_data_ring.size_bits"));
  ASSIGN_OR_RETURN(l.data, u64_of(prb, "text_data_ring.data"));
  ASSIGN_OR_RETURN(const Type* desc, t.find_struct("prb_desc"));
  ASSIGN_OR_RETURN(const Type* info, t.find_struct("printk_info"));
  l.desc_size = desc->size;
  l.info_size = info->size;
  ASSIGN_OR_RETURN(const Type* ul, t.find_type("unsigned long"));
  l.long_size = unsigned(ul->size);
  ASSIGN_OR_RETURN(l.off_state_var, t.member_offset("prb_desc", "state_var"));
  ASSIGN_OR_RETURN(l.off_lpos_begin, t.member_offset("prb_desc", "text_blk_lpos.begin"));
  ASSIGN_OR_RETURN(l.off_lpos_next, t.member_offset("prb_desc", "text_blk_lpos.next"));
  ASSIGN_OR_RETURN(l.off_ts_nsec, t.member_offset("printk_info", "ts_nsec"));
  ASSIGN_OR_RETURN(l.off_text_len, t.member_offset("printk_info", "text_len"));
  ASSIGN_OR_RETURN(l.off_facility, t.member_offset("printk_info", "facility"));
  if (auto o = t.member_offset("printk_info", "caller_id"); o.ok()) {
    l.has_caller_id = true;
    l.off_caller_id = *o;
  }
  auto sub = t.member_offset("printk_info", "dev_info.subsystem");
  auto dev = t.member_offset("printk_info", "dev_info.device");
  auto ds = t.find_struct("dev_printk_info");
  if (sub.ok() && dev.ok() && ds.ok()) {
    l.has_dev_info = true;
    l.off_subsystem = *sub;
    l.off_device = *dev;
    // subsystem[16] then device[48]: each ends where the next begins.
    uint64_t dev_in = *dev - *sub;
    l.subsystem_len = dev_in;
    l.device_len = (*ds)->size - dev_in;
  }
  if (l.desc_size == 0 || l.info_size < l.off_facility + 2 || l.info_size < l.off_text_len + 2)
    return fail(Errc::format, "printk_info/prb_desc types look wrong");
  return decode_prb(l, [&](uint64_t a, std::span<uint8_t> o) { return prog.read(a, o); });
}

Result<std::vector<PrintkRecord>> read_log_buf(Program& prog) {
  const Types& t = prog.types();
  LogBufLayout l;
  ASSIGN_OR_RETURN(Object buf, variable(prog, "log_buf"));
  ASSIGN_OR_RETURN(l.buf, buf.as_u64());
  ASSIGN_OR_RETURN(Object len, variable(prog, "log_buf_len"));
  ASSIGN_OR_RETURN(uint64_t blen, len.as_u64());
  ASSIGN_OR_RETURN(Object first, variable(prog, "log_first_idx"));
  ASSIGN_OR_RETURN(uint64_t fi, first.as_u64());
  ASSIGN_OR_RETURN(Object next, variable(prog, "log_next_idx"));
  ASSIGN_OR_RETURN(uint64_t ni, next.as_u64());
  l.buf_len = uint32_t(blen);
  l.first_idx = uint32_t(fi);
  l.next_idx = uint32_t(ni);
  ASSIGN_OR_RETURN(const Type* h, t.find_struct("printk_log"));
  l.hdr_size = h->size;
  ASSIGN_OR_RETURN(l.off_ts_nsec, t.member_offset("printk_log", "ts_nsec"));
  ASSIGN_OR_RETURN(l.off_len, t.member_offset("printk_log", "len"));
  ASSIGN_OR_RETURN(l.off_text_len, t.member_offset("printk_log", "text_len"));
  ASSIGN_OR_RETURN(l.off_dict_len, t.member_offset("printk_log", "dict_len"));
  ASSIGN_OR_RETURN(l.off_facility, t.member_offset("printk_log", "facility"));
  return decode_log_buf(l, [&](uint64_t a, std::span<uint8_t> o) { return prog.read(a, o); });
}

}  // namespace

Result<std::vector<PrintkRecord>> read_printk_log(Program& prog) {
  if (prog.symbols().find("prb") && prog.types().find_struct("printk_ringbuffer").ok())
    return std::move(read_prb(prog)).context("reading the printk ring buffer (prb)");
  if (prog.symbols().find("log_buf") && prog.types().find_struct("printk_log").ok())
    return std::move(read_log_buf(prog)).context("reading log_buf");
  return fail(Errc::unsupported,
              "no printk ring buffer (prb) or log_buf of struct printk_log in this kernel's DWARF");
}

}  // namespace kinspect
