// The sockets behind a task's file descriptors: struct socket (inside
// struct socket_alloc, next to the inode), its struct sock, the address
// family and type, and for IPv4/IPv6 the local and remote address and port.
// Layouts from DWARF; no output formatting here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;
struct OpenFile;

struct NetSocket {
  unsigned fd = 0;
  uint64_t socket = 0;  // struct socket *
  uint64_t sock = 0;    // struct sock * (socket->sk; 0 once released)
  uint64_t ino = 0;     // the socket inode's number ("socket:[ino]")
  unsigned family = 0;  // AF_*
  unsigned type = 0;    // SOCK_*
  unsigned state = 0;   // sk->__sk_common.skc_state (TCP_* for TCP)
  // AF_INET: dotted quads; AF_INET6: 16 bytes as 8 hex groups. Ports in
  // host order.
  std::string local_addr, remote_addr;
  unsigned local_port = 0, remote_port = 0;
  std::vector<uint16_t> local6, remote6;  // AF_INET6 only: 8 groups each
  std::string error;                      // what could not be read, if anything
};

// The socket of an open file whose inode is a socket (OpenFile.type "SOCK").
Result<NetSocket> read_socket(Program& prog, const OpenFile& f);

// crash's FAMILY name ("INET", "UNIX", "NETLINK/ROUTE", or the number).
std::string socket_family_name(unsigned family);
// crash's TYPE name ("STREAM", "DGRAM ", "RAW", ...; DGRAM has a trailing blank).
std::string socket_type_name(unsigned type);

}  // namespace kinspect
