// A task waiting for a SUNRPC call (an NFS client whose server does not
// answer): the rpc_task its __rpc_execute frame runs, the procedure it
// sent (rpc_proc as "<nfs3_procedures[N]>" with its p_name), the client's
// server, program and version, the transport it waits on (address, protocol,
// state bits by name) and how long ago the task started and was last sent.
// The types come from the sunrpc module's DWARF, found by the frame
// variable evaluator (module debug files load on demand). No printing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace kinspect {

class Program;
class FrameSearch;

struct RpcWait {
  size_t frame = 0;             // the __rpc_execute frame
  std::string function;         // "__rpc_execute"
  uint64_t task = 0;            // struct rpc_task
  uint64_t proc = 0;            // tk_msg.rpc_proc
  std::string proc_symbol;      // "<nfs3_procedures[18]>" (empty when no symbol covers it)
  std::string proc_name;        // rpc_proc->p_name: "FSINFO"
  uint64_t client = 0;          // tk_client
  std::string server;           // tk_client->cl_server
  std::string program;          // tk_client->cl_program->name: "nfs"
  uint32_t program_number = 0;  // cl_prog: 100003
  uint32_t version = 0;         // cl_vers
  uint64_t xprt = 0;            // tk_xprt (tk_client->cl_xprt before it existed)
  std::string address;          // the transport's address_strings: "127.0.0.1 port 2049"
  std::string protocol;         // "tcp"
  uint64_t xprt_state = 0;      // rpc_xprt.state
  std::string xprt_state_text;  // "0x12 (XPRT_CONNECTED|XPRT_BOUND)"
  uint64_t runstate = 0;        // tk_runstate
  std::string runstate_text;    // "0x6 (RPC_TASK_QUEUED|RPC_TASK_ACTIVE)"
  std::string queue;            // tk_waitqueue->name: "xprt_pending"
  std::optional<uint64_t> age_ns;        // monotonic now - tk_start
  std::optional<uint64_t> since_sent_ns; // monotonic now - tk_rqstp->rq_xtime (0 until sent)
  std::vector<std::string> problems;     // fields that could not be read, one line each
};

// The rpc_task of the innermost __rpc_execute frame within the first
// frames of fs's backtrace, or nullopt when there is none.
std::optional<RpcWait> find_rpc_wait(Program& prog, FrameSearch& fs);

// CLOCK_MONOTONIC at the last timekeeping update before the dump (within a
// tick): tk_core.timekeeper.tkr_mono.base plus its xtime_nsec >> shift.
std::optional<uint64_t> monotonic_now_ns(Program& prog);

}  // namespace kinspect
