// Naming a lock by what contains it, so a report says "struct
// pipe_inode_info 0xffff...: mutex" instead of a bare address: a global
// variable's symbol, else a struct that a caller's frame points at and
// whose extent covers the address (pipe_write's `pipe`, a write path's
// `inode`), with the member at that offset; else a structure known to
// embed such a lock (inode.i_rwsem, file.f_pos_lock, super_block.s_umount)
// whose own self-reference proves the address is one.
#pragma once

#include <cstdint>
#include <string>

namespace kinspect {

class Program;
class FrameSearch;
class Type;

// "mutex", "wait.lock", "" when offset is not the start of a member.
std::string member_at_offset(const Type* t, uint64_t offset);

struct LockName {
  std::string text;       // "tasklist_lock", "struct inode 0xffff888...: i_rwsem"
  uint64_t container = 0; // the containing object's address (0 for a symbol)
  std::string type;       // "struct inode"
  std::string member;     // "i_rwsem"
  std::string source;     // "symbol", "frame #5 pipe_write: pipe"
};

// Looks at the symbol table, the variables of frames from_frame+1 up to
// from_frame+max_frames, then the known embeddings. An empty text when
// nothing names it.
LockName name_lock(Program& prog, FrameSearch& frames, size_t from_frame, uint64_t address,
                   size_t max_frames = 8);

}  // namespace kinspect
