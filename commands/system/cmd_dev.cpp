// dev: character and block device majors, in crash's layout.
#include <string>

#include "commands/columns.hpp"
#include "commands/command.hpp"
#include "commands/session.hpp"
#include "core/linux/devices.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

std::string symbol_or_hex(Program& prog, uint64_t a) {
  if (auto m = prog.symbols().lookup(a); m && m->offset == 0) return std::string(m->sym->name);
  return hex(a);
}

Status cmd_dev(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "dDpi"));
  for (char c : {'d', 'D', 'p', 'i'})
    if (o.has(c)) return fail(Errc::unsupported, std::string("dev -") + c + ": not implemented yet");
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(std::vector<CharDevice> chars, read_char_devices(prog));
  ASSIGN_OR_RETURN(std::vector<BlockDevice> blocks, read_block_devices(prog));
  ctx.out.line("CHRDEV    NAME                 CDEV        OPERATIONS      ");
  for (const auto& c : chars) {
    ctx.out.print("%4u      %-15s", c.major, c.name.c_str());
    if (c.cdev)
      ctx.out.print("%16llx  %s\n", static_cast<unsigned long long>(c.cdev), symbol_or_hex(prog, c.ops).c_str());
    else
      ctx.out.line(centered("(none)", 16));
  }
  ctx.out.write("\n");
  ctx.out.line("BLKDEV    NAME                GENDISK      OPERATIONS      ");
  // 6.1 has no bdev_map to find a major's gendisk from (crash prints none).
  for (const auto& b : blocks) ctx.out.print("%4u      %-15s%s\n", b.major, b.name.c_str(), centered("(none)", 16).c_str());
  return {};
}

constexpr std::string_view kDevHelp = R"(NAME
  dev - device data

SYNOPSIS
  dev

DESCRIPTION
  Lists the character device majors (chrdevs[]) with each region's name,
  its struct cdev (the region's own, or the one cdev_map holds for its
  first minor) and the cdev's file operations, then the block device
  majors (major_names[]), as /proc/devices and crash list them.

  -d  not implemented yet (per-disk in-flight I/O from the request queues).
  -D  not implemented yet (-d for disks with I/O in flight only).
  -p  not implemented yet (PCI devices).
  -i  not implemented yet (I/O ports and memory).
)";

}  // namespace

extern const CommandSpec kDevCommand{"dev", cmd_dev, "device data", kDevHelp, "-d -D -p -i", true};

}  // namespace kinspect
