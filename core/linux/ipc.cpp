// System V IPC objects: see ipc.hpp.
#include "core/linux/ipc.hpp"

#include "core/linux/xarray.hpp"
#include "core/linux/member_read.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

namespace {

// ipc/util.h: ids[IPC_SEM_IDS = 0], ids[IPC_MSG_IDS = 1], ids[IPC_SHM_IDS = 2].
enum IpcKind { kSem = 0, kMsg = 1, kShm = 2 };

struct KindInfo {
  const char* type;  // the object that embeds kern_ipc_perm
  const char* perm;  // its kern_ipc_perm member
};
constexpr KindInfo kKinds[] = {{"sem_array", "sem_perm"}, {"msg_queue", "q_perm"}, {"shmid_kernel", "shm_perm"}};

Status read_kind(Program& prog, const Object& ns, IpcKind kind, std::vector<IpcObject>& out) {
  const KindInfo& k = kKinds[kind];
  ASSIGN_OR_RETURN(Object ids, ns.member("ids[" + std::to_string(kind) + "]"));
  ASSIGN_OR_RETURN(uint64_t in_use, member_u64(ids, "in_use"));
  if (in_use == 0) return {};
  ASSIGN_OR_RETURN(Object idr, ids.member("ipcs_idr.idr_rt.xa_head"));
  ASSIGN_OR_RETURN(const Type* type, prog.types().find_struct(k.type));
  ASSIGN_OR_RETURN(uint64_t perm_off, prog.types().member_offset(k.type, k.perm));
  return walk_xarray(prog, idr.address(), [&](uint64_t, uint64_t perm) -> Status {
    IpcObject o;
    o.address = perm - perm_off;
    Object obj = Object::at(prog, type, o.address);
    std::string p = std::string(k.perm) + ".";
    auto ctx = std::string("struct ") + k.type + " at " + hex(o.address);
    ASSIGN_OR_RETURN(Object key, obj.member(p + "key"));
    ASSIGN_OR_RETURN(o.key, key.as_int().context(ctx));
    ASSIGN_OR_RETURN(Object id, obj.member(p + "id"));
    ASSIGN_OR_RETURN(o.id, id.as_int().context(ctx));
    ASSIGN_OR_RETURN(uint64_t uid, member_u64(obj, p + "uid.val"));
    o.uid = static_cast<unsigned>(uid);
    ASSIGN_OR_RETURN(uint64_t mode, member_u64(obj, p + "mode"));
    o.mode = static_cast<unsigned>(mode);
    if (auto d = member_u64(obj, p + "deleted")) o.deleted = *d != 0;
    if (kind == kShm) {
      ASSIGN_OR_RETURN(o.shm_bytes, member_u64(obj, "shm_segsz").context(ctx));
      ASSIGN_OR_RETURN(o.shm_nattch, member_u64(obj, "shm_nattch").context(ctx));
    } else if (kind == kSem) {
      ASSIGN_OR_RETURN(o.sem_nsems, member_u64(obj, "sem_nsems").context(ctx));
    } else {
      ASSIGN_OR_RETURN(o.msg_bytes, member_u64(obj, "q_cbytes").context(ctx));
      ASSIGN_OR_RETURN(o.msg_count, member_u64(obj, "q_qnum").context(ctx));
    }
    out.push_back(o);
    return {};
  });
}

}  // namespace

Result<uint64_t> task_ipc_namespace(Program& prog, uint64_t task) {
  ASSIGN_OR_RETURN(const Type* t, prog.types().find_struct("task_struct"));
  ASSIGN_OR_RETURN(uint64_t nsproxy, member_u64(Object::at(prog, t, task), "nsproxy"));
  if (nsproxy == 0) return fail(Errc::not_found, "task " + hex(task) + " has no nsproxy (it has exited)");
  ASSIGN_OR_RETURN(const Type* n, prog.types().find_struct("nsproxy"));
  return member_u64(Object::at(prog, n, nsproxy), "ipc_ns");
}

Result<IpcObjects> read_ipc_objects(Program& prog, uint64_t ipc_ns) {
  IpcObjects out;
  out.ns = ipc_ns;
  ASSIGN_OR_RETURN(const Type* t, prog.types().find_struct("ipc_namespace"));
  Object ns = Object::at(prog, t, ipc_ns);
  TRY_VOID(read_kind(prog, ns, kShm, out.shm).context("shared memory of ipc_namespace " + hex(ipc_ns)));
  TRY_VOID(read_kind(prog, ns, kSem, out.sem).context("semaphores of ipc_namespace " + hex(ipc_ns)));
  TRY_VOID(read_kind(prog, ns, kMsg, out.msg).context("message queues of ipc_namespace " + hex(ipc_ns)));
  return out;
}

}  // namespace kinspect
